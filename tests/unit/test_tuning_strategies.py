"""The tuning job's search, pure: ranges and their scales, the strategies (deterministic under a
seed), the median early-stopping rule, Hyperband's brackets and the completion criteria."""

import math
import random
import statistics

import pytest

from emulator.aws.errors import ValidationException
from emulator.sagemaker.workflows.tuning import completion
from emulator.sagemaker.workflows.tuning.early_stopping import Hyperband, median_rule
from emulator.sagemaker.workflows.tuning.parameter_space import ParameterSpace
from emulator.sagemaker.workflows.tuning.strategies import Observation, make_search


def space(integer=(), continuous=(), categorical=()) -> ParameterSpace:
    return ParameterSpace.from_request({
        "IntegerParameterRanges": [dict(zip(("Name", "MinValue", "MaxValue", "ScalingType"), r)) for r in integer],
        "ContinuousParameterRanges": [dict(zip(("Name", "MinValue", "MaxValue", "ScalingType"), r)) for r in continuous],
        "CategoricalParameterRanges": [{"Name": n, "Values": list(v)} for n, v in categorical]})


def draws(scaling: str, low: str, high: str, n: int = 4000, integer: bool = False) -> list[float]:
    rng = random.Random(1)
    ranges = space(**{"integer" if integer else "continuous": [("p", low, high, scaling)]})
    return [float(ranges.sample(rng)["p"]) for _ in range(n)]


# -- scales -------------------------------------------------------------------------------

def test_linear_scale_spreads_values_evenly():
    values = draws("Linear", "0", "10")
    assert min(values) >= 0 and max(values) <= 10
    assert statistics.median(values) == pytest.approx(5, abs=0.3)


def test_logarithmic_scale_is_even_in_the_log():
    values = draws("Logarithmic", "0.0001", "1")
    assert min(values) >= 0.0001 and max(values) <= 1
    assert statistics.median(values) == pytest.approx(0.01, rel=0.15)  # the geometric middle, not 0.5
    assert sum(v < 0.1 for v in values) / len(values) == pytest.approx(0.75, abs=0.03)


def test_reverse_logarithmic_scale_crowds_towards_one():
    values = draws("ReverseLogarithmic", "0", "0.999")
    assert min(values) >= 0 and max(values) <= 0.999
    # 1 - value is log-uniform between 0.001 and 1: its median is 1 - 0.0316...
    assert statistics.median(values) == pytest.approx(1 - math.sqrt(0.001), abs=0.01)


def test_auto_scale_is_logarithmic_over_orders_of_magnitude_and_linear_otherwise():
    assert statistics.median(draws("Auto", "0.001", "1")) == pytest.approx(math.sqrt(0.001), rel=0.15)
    assert statistics.median(draws("Auto", "1", "5")) == pytest.approx(3, abs=0.2)


def test_integer_ranges_draw_every_integer_on_their_scale():
    linear = draws("Linear", "1", "4", integer=True)
    assert sorted(set(linear)) == [1, 2, 3, 4]
    assert all(abs(linear.count(v) / len(linear) - 0.25) < 0.03 for v in (1, 2, 3, 4))
    logarithmic = draws("Logarithmic", "1", "1000", integer=True)
    assert all(v == int(v) and 1 <= v <= 1000 for v in logarithmic)
    assert statistics.median(logarithmic) == pytest.approx(31, rel=0.25)


@pytest.mark.parametrize("ranges, message", [
    ({"continuous": [("lr", "0", "1", "Logarithmic")]},
     "Logarithmic scaling works only for ranges that have only values greater than 0: hyperparameter 'lr'"),
    ({"integer": [("layers", "1", "9", "ReverseLogarithmic")]},
     "Reverse logarithmic scaling is supported only for continuous hyperparameter ranges"),
    ({"continuous": [("momentum", "0.5", "1", "ReverseLogarithmic")]},
     "Reverse logarithmic scaling works only for ranges that are entirely within the range 0<=x<1.0"),
    ({"continuous": [("lr", "1", "0.1", "Linear")]}, "The MinValue of hyperparameter 'lr' (1) must be less than"),
    ({"integer": [("layers", "1.5", "4", "Linear")]}, "The MinValue '1.5' of hyperparameter 'layers' is not an integer"),
    ({"continuous": [("lr", "abc", "1", "Linear")]}, "The MinValue 'abc' of hyperparameter 'lr' is not a number"),
    ({"integer": [("a", "1", "2", "Linear")], "categorical": [("a", ["x"])]},
     "Hyperparameter names must be unique across ParameterRanges; repeated: a"),
])
def test_bad_ranges_are_refused_naming_the_hyperparameter(ranges, message):
    with pytest.raises(ValidationException) as refused:
        space(**ranges)
    assert message in refused.value.message


# -- strategies ---------------------------------------------------------------------------

MIXED = space(integer=[("batch", "16", "256", "Logarithmic")], continuous=[("lr", "0.0001", "0.1", "Auto")],
              categorical=[("optimizer", ["sgd", "adam"])])


def run(strategy: str, seed: int | None, trials: int = 12, known=None) -> list[dict]:
    """Suggestions, each observed with a value computed from it, as a driver would."""
    search = make_search(strategy, [MIXED], seed, maximize=False, max_jobs=trials, known=known)
    seen = []
    for _ in range(trials):
        suggestion = search.suggest()
        seen.append(suggestion.hyperparameters)
        search.observe(suggestion, abs(math.log10(float(suggestion.hyperparameters["lr"])) + 2))
    return seen


@pytest.mark.parametrize("strategy", ["Random", "Bayesian", "Hyperband"])
def test_a_seed_gives_the_same_search_and_another_seed_another(strategy):
    assert run(strategy, seed=42) == run(strategy, seed=42)
    assert run(strategy, seed=42) != run(strategy, seed=43)


def test_suggestions_stay_in_their_ranges_as_strings():
    for hyperparameters in run("Bayesian", seed=3, trials=15):
        assert 16 <= int(hyperparameters["batch"]) <= 256
        assert 0.0001 <= float(hyperparameters["lr"]) <= 0.1
        assert hyperparameters["optimizer"] in ("sgd", "adam")


def test_bayesian_search_moves_towards_the_best_region():
    """Minimizing |log10(lr) + 2|: after its random start, TPE's draws sit nearer lr = 0.01."""
    seen = run("Bayesian", seed=5, trials=30)
    distance = [abs(math.log10(float(h["lr"])) + 2) for h in seen]
    assert statistics.mean(distance[-10:]) < statistics.mean(distance[:10]) / 2


def test_bayesian_search_learns_from_warm_start_parents():
    parents = [Observation({"batch": "32", "lr": repr(lr), "optimizer": "adam"}, abs(math.log10(lr) + 2))
               for lr in (0.0001, 0.001, 0.003, 0.01, 0.012, 0.03, 0.05, 0.1, 0.0002, 0.0005)]
    cold = run("Bayesian", seed=9, trials=5)
    warm = run("Bayesian", seed=9, trials=5, known=[parents])
    assert cold != warm
    assert statistics.mean(abs(math.log10(float(h["lr"])) + 2) for h in warm) < 1


def test_random_search_does_not_repeat_a_configuration_of_a_small_space():
    small = space(categorical=[("a", ["1", "2", "3"]), ("b", ["x", "y"])])
    search = make_search("Random", [small], seed=1, maximize=True, max_jobs=6)
    seen = [tuple(sorted(search.suggest().hyperparameters.items())) for _ in range(6)]
    assert len(set(seen)) == 6


def test_grid_enumerates_every_combination_once_in_order_then_ends():
    grid = space(categorical=[("optimizer", ["sgd", "adam"]), ("batch", ["32", "64", "128"])])
    search = make_search("Grid", [grid], seed=None, maximize=True, max_jobs=6)
    seen = [search.suggest().hyperparameters for _ in range(6)]
    assert seen == [{"optimizer": o, "batch": b} for o in ("sgd", "adam") for b in ("32", "64", "128")]
    assert search.suggest() is None
    assert grid.combinations() == 6


def test_definitions_take_turns_and_grid_ends_with_the_last_one():
    first, second = space(categorical=[("a", ["1", "2"])]), space(categorical=[("b", ["x"])])
    search = make_search("Grid", [first, second], seed=None, maximize=True, max_jobs=3)
    seen = [(s.definition, s.hyperparameters) for s in iter(search.suggest, None)]
    assert seen == [(0, {"a": "1"}), (1, {"b": "x"}), (0, {"a": "2"})]


# -- early stopping -----------------------------------------------------------------------

def test_median_rule_stops_at_the_first_epoch_worse_than_the_median_of_running_averages():
    earlier = [[0.5, 0.6, 0.7], [0.4, 0.6, 0.8], [0.6, 0.7, 0.9]]
    # epoch 2: running averages 0.55, 0.5, 0.65 -> median 0.55
    assert median_rule([0.5, 0.54, 0.9], earlier, maximize=True) == 2
    assert median_rule([0.5, 0.56, 0.9], earlier, maximize=True) is None
    assert median_rule([0.5, 0.54, 0.55], earlier, maximize=False) is None  # lower is better
    assert median_rule([0.5, 0.54, 0.9], earlier, maximize=False) == 3  # epoch 3's median: 0.6
    assert median_rule([0.5, 0.54, 0.9], earlier, maximize=True, since=2) is None  # epochs 1-2 judged before


def test_median_rule_waits_for_three_earlier_trials_at_that_epoch():
    assert median_rule([0.0, 0.0], [[1.0, 1.0], [1.0, 1.0]], maximize=True) is None
    assert median_rule([0.0, 0.0], [[1.0, 1.0], [1.0, 1.0], [1.0]], maximize=True) == 1


def test_hyperband_brackets_between_min_and_max_resource():
    assert [b.rungs for b in Hyperband(1, 27).brackets] == [(1, 3, 9), (3, 9), (9,), ()]
    assert [b.rungs for b in Hyperband(2, 20).brackets] == [(2, 7), (7,), ()]
    assert [b.rungs for b in Hyperband(5, 5).brackets] == [()]
    assert [Hyperband(1, 27).bracket_of(i) for i in range(6)] == [0, 1, 2, 3, 0, 1]


def test_hyperband_keeps_the_best_third_at_a_rung_and_stops_at_max_resource():
    schedule = Hyperband(1, 9)  # brackets (1, 3), (3,), (): trials 0, 3, 6, ... share the first
    peers = {0: [0.9, 0.9, 0.9], 3: [0.5, 0.5, 0.5], 1: [0.1] * 3}  # trial 1 is in another bracket
    assert schedule.decide(3, peers[3], peers, maximize=True) == 1  # of 0.9 and 0.5 the best one goes on
    assert schedule.decide(6, [0.8, 0.8], peers, maximize=True) == 1  # of 3, the best third is 0.9 alone
    assert schedule.decide(6, [0.95] * 3, peers, maximize=True) is None  # the best at rungs 1 and 3
    assert schedule.decide(6, [0.95] * 9, peers, maximize=True, since=3) == 9  # rungs passed; at MaxResource
    assert schedule.decide(6, [0.3] * 9, peers, maximize=False, since=3) == 9
    assert schedule.decide(0, [0.1], {0: [0.1]}, maximize=True) is None  # the first to reach a rung goes on


# -- completion criteria ------------------------------------------------------------------

def test_not_improving_counts_the_trials_since_the_last_gain_of_one_percent():
    assert completion.not_improving([1.0, 1.005, 0.9, 1.2, 1.2, 1.21], maximize=True) == 2
    assert completion.not_improving([1.0, 0.5, 0.498], maximize=False) == 1
    assert completion.not_improving([], maximize=True) == 0


def test_target_and_convergence():
    assert completion.target_reached([0.2, 0.95], 0.9, maximize=True)
    assert not completion.target_reached([0.2, 0.95], 0.1, maximize=False)
    assert completion.converged([1.0, 2.0, 2.0, 2.0, 2.01], maximize=True, max_jobs=20)
    assert not completion.converged([1.0, 2.0, 2.0, 2.0], maximize=True, max_jobs=20)
    assert not completion.converged([1.0, 2.0, 2.0, 2.0, 3.0], maximize=True, max_jobs=20)
