"""When a tuning job stops a trial before it ends: on its intermediate objective values, one per
epoch (each value the objective's metric definition matched in the trial's log, in order).

Pure: values in, a decision out. The driver (driver.py) reads the values from CloudWatch
and calls StopTrainingJob when a rule says stop.

- `median_rule` (TrainingJobEarlyStoppingType Auto), as AWS documents it: after each epoch,
  take the running average of the objective of every earlier trial up to that same epoch, and
  the median of those averages; a trial whose value at that epoch is worse than the median is
  stopped. AWS does not say how many earlier trials it needs; the emulator waits for
  MIN_PEERS of them at that epoch, so that the first trials are never judged against one
  another alone.
- `Hyperband` (Strategy Hyperband, HyperbandStrategyConfig): the brackets of Li et al.'s
  Hyperband with reduction factor ETA=3 between MinResource and MaxResource epochs. A trial
  joins a bracket (in turn, most aggressive first); at each of its bracket's rungs it goes on
  only if its value at that epoch is among the best 1/ETA of the bracket's trials that reached
  the rung (the first ones to reach a rung compete only with those before them, as in
  asynchronous successive halving: the best so far goes on). A trial that reaches MaxResource
  epochs is stopped, as AWS documents; none is stopped before MinResource.
"""

import math
import statistics
from dataclasses import dataclass

MIN_PEERS = 3
ETA = 3


def worse(value: float, than: float, maximize: bool) -> bool:
    return value < than if maximize else value > than


def median_rule(values: list[float], earlier: list[list[float]], maximize: bool, since: int = 0) -> int | None:
    """The first epoch (1-based) after `since` (the epochs judged before) at which `values`
    fall below the median of the earlier trials' running averages at that epoch, or None."""
    for epoch, value in enumerate(values[since:], start=since + 1):
        averages = [statistics.fmean(peer[:epoch]) for peer in earlier if len(peer) >= epoch]
        if len(averages) >= MIN_PEERS and worse(value, statistics.median(averages), maximize):
            return epoch
    return None


@dataclass(frozen=True)
class Bracket:
    rungs: tuple[int, ...]  # the epochs at which its trials are judged, before MaxResource


class Hyperband:
    def __init__(self, min_resource: int, max_resource: int, eta: int = ETA):
        self.min_resource = min_resource
        self.max_resource = max_resource
        self.eta = eta
        # s_max: how many times the budget can be divided by eta between min and max.
        s_max = int(math.floor(math.log(max_resource / min_resource, eta) + 1e-9))
        self.brackets = [Bracket(tuple(self._rung(s, k) for k in range(s))) for s in range(s_max, -1, -1)]

    def _rung(self, s: int, k: int) -> int:
        """Bracket s's k-th rung: MaxResource * eta^(k - s) epochs, never under MinResource."""
        return max(self.min_resource, int(round(self.max_resource * self.eta ** (k - s))))

    def bracket_of(self, trial_index: int) -> int:
        return trial_index % len(self.brackets)

    def decide(self, trial_index: int, values: list[float], peers: dict[int, list[float]],
               maximize: bool, since: int = 0) -> int | None:
        """The epoch at which the trial is to stop (a rung it lost at, or MaxResource), or None.
        peers: the other trials' values by trial index (only those in its bracket count);
        since: the epochs judged before (a rung is judged once, when the trial reaches it)."""
        bracket = self.bracket_of(trial_index)
        rivals = [v for i, v in peers.items() if i != trial_index and self.bracket_of(i) == bracket]
        for rung in self.brackets[bracket].rungs:
            if len(values) < rung:
                return None
            if rung <= since:
                continue
            competing = [peer[rung - 1] for peer in rivals if len(peer) >= rung] + [values[rung - 1]]
            if not self._promoted(values[rung - 1], competing, maximize):
                return rung
        return self.max_resource if len(values) >= self.max_resource else None

    def _promoted(self, value: float, competing: list[float], maximize: bool) -> bool:
        """Among the best len/eta of the competing values (at least the best one)."""
        keep = max(1, len(competing) // self.eta)
        best_first = sorted(competing, reverse=maximize)
        return not worse(value, best_first[keep - 1], maximize)
