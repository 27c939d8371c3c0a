"""How a tuning job chooses each trial's hyperparameters: Random, Grid, Bayesian (and Hyperband,
which draws at random and stops trials early, see early_stopping.py).

Pure and deterministic under a seed: a search is asked for a configuration (`suggest`), told
how each one did (`observe`, the objective's final value or None when it gave none), and
answers the same sequence for the same seed and the same observations. The driver
(driver.py) asks; nothing here knows about training jobs.

- Random: independent draws on each range's scale (parameter_space.py). In a space of few
  configurations it does not repeat one already tried (by this job or a warm-start parent)
  while an untried one can be drawn.
- Grid: every combination of the categorical values once, in order (AWS allows only
  categorical ranges with Grid).
- Bayesian: Optuna's Tree-structured Parzen Estimator (TPESampler, seeded by RandomSeed) over
  the same ranges and scales, told of the parents' trials on a warm start. Its first trials are
  random (a fifth of MaxNumberOfTrainingJobs, 2 to 10), as any Bayesian optimiser needs
  observations before it can model them; trials running in parallel are kept apart by the
  sampler's "constant liar".
With several training job definitions, each has its own search and trials take turns.
"""

import random
from dataclasses import dataclass, field

from .parameter_space import ParameterSpace

RANDOM_RETRIES = 50  # draws Random tries for a configuration not yet tried, before it repeats one


@dataclass
class Suggestion:
    definition: int                 # index into the job's training job definitions
    hyperparameters: dict[str, str]  # the tuned ones, as the trial's HyperParameters carry them
    token: object = field(default=None, repr=False)  # what the search needs back in observe()


@dataclass(frozen=True)
class Observation:
    """A finished trial (of this job or of a warm-start parent) as a search learns from it."""
    hyperparameters: dict[str, str]
    value: float | None


class RandomSearch:
    def __init__(self, space: ParameterSpace, seed: int | None, definition: int = 0,
                 known: list[Observation] = ()):
        self.space = space
        self.definition = definition
        self.rng = random.Random(seed)
        self.tried = {_key(o.hyperparameters) for o in known}

    def suggest(self) -> Suggestion | None:
        for _ in range(RANDOM_RETRIES):
            hyperparameters = self.space.sample(self.rng)
            if _key(hyperparameters) not in self.tried:
                break
        self.tried.add(_key(hyperparameters))
        return Suggestion(self.definition, hyperparameters)

    def observe(self, suggestion: Suggestion, value: float | None) -> None:
        pass


class GridSearch:
    def __init__(self, space: ParameterSpace, definition: int = 0):
        self.definition = definition
        self.pending = list(space.grid())

    def suggest(self) -> Suggestion | None:
        return Suggestion(self.definition, self.pending.pop(0)) if self.pending else None

    def observe(self, suggestion: Suggestion, value: float | None) -> None:
        pass


class BayesianSearch:
    def __init__(self, space: ParameterSpace, seed: int | None, maximize: bool, max_jobs: int,
                 definition: int = 0, known: list[Observation] = ()):
        # Imported here: Optuna takes a third of a second to import, and only Bayesian jobs need it.
        import optuna
        from optuna.samplers import TPESampler
        optuna.logging.set_verbosity(optuna.logging.WARNING)  # not a line per trial in the emulator's log
        self.space = space
        self.definition = definition
        self.distributions = {r.name: r.distribution() for r in space.ranges}
        startup = max(2, min(10, max_jobs // 5))
        self.study = optuna.create_study(direction="maximize" if maximize else "minimize",
                                         sampler=TPESampler(seed=seed, n_startup_trials=startup))
        for observation in known:
            self._add_known(observation)

    def _add_known(self, observation: Observation) -> None:
        import optuna
        values = self.space.parse(observation.hyperparameters)
        if values is None or observation.value is None:
            return  # outside this job's ranges, or no objective: nothing to learn from
        params = {r.name: r.to_internal(values[r.name]) for r in self.space.ranges}
        self.study.add_trial(optuna.trial.create_trial(params=params, distributions=self.distributions,
                                                       value=observation.value))

    def suggest(self) -> Suggestion | None:
        trial = self.study.ask(self.distributions)
        hyperparameters = {r.name: r.format(r.from_internal(trial.params[r.name])) for r in self.space.ranges}
        return Suggestion(self.definition, hyperparameters, token=trial)

    def observe(self, suggestion: Suggestion, value: float | None) -> None:
        from optuna.trial import TrialState
        if value is None:
            self.study.tell(suggestion.token, state=TrialState.FAIL)
        else:
            self.study.tell(suggestion.token, value)


class TakingTurns:
    """Several definitions' searches: each suggestion from the next one that has any left."""

    def __init__(self, searches: list):
        self.searches = searches
        self.turn = 0

    def suggest(self) -> Suggestion | None:
        for _ in range(len(self.searches)):
            search = self.searches[self.turn % len(self.searches)]
            self.turn += 1
            suggestion = search.suggest()
            if suggestion is not None:
                return suggestion
        return None

    def observe(self, suggestion: Suggestion, value: float | None) -> None:
        self.searches[suggestion.definition].observe(suggestion, value)


def make_search(strategy: str, spaces: list[ParameterSpace], seed: int | None, maximize: bool,
                max_jobs: int, known: list[list[Observation]] | None = None):
    """The search of a tuning job: one per definition (spaces[i], known[i] the parents' trials)."""
    known = known or [[] for _ in spaces]
    searches = []
    for i, space in enumerate(spaces):
        definition_seed = None if seed is None else seed + i
        if strategy == "Grid":
            searches.append(GridSearch(space, i))
        elif strategy == "Bayesian":
            searches.append(BayesianSearch(space, definition_seed, maximize, max_jobs, i, known[i]))
        else:  # Random, and Hyperband's draws
            searches.append(RandomSearch(space, definition_seed, i, known[i]))
    return searches[0] if len(searches) == 1 else TakingTurns(searches)


def _key(hyperparameters: dict[str, str]) -> tuple:
    return tuple(sorted(hyperparameters.items()))
