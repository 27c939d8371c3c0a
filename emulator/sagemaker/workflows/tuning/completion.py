"""When a tuning job is done before its last trial: TuningJobCompletionCriteria, and the runs of
failures after which AWS gives up. Pure: the objective values in the order trials ended in.

- TargetObjectiveMetricValue: a trial reached it (>= when maximizing, <= when minimizing).
- BestObjectiveNotImproving: the last MaxNumberOfTrainingJobsNotImproving trials each failed
  to improve the best value before them by 1% or more (AWS's definition of "not improving";
  the count is what TuningJobCompletionDetails.NumberOfTrainingJobsObjectiveNotImproving shows).
- ConvergenceDetected: AWS's own test is not published; the emulator calls a search converged
  when the last CONVERGENCE_SHARE of its training job budget (at least CONVERGENCE_MIN trials)
  did not improve the best by more than 1%, AWS's threshold for a significant improvement.
- No success: AWS fails a tuning job whose first trials all fail ("No training job succeeded
  after 5 attempts. ..."); FAIL_FAST is that 5.
"""

import math

IMPROVEMENT = 0.01
CONVERGENCE_SHARE = 0.1
CONVERGENCE_MIN = 3
FAIL_FAST = 5


def improves(value: float, best: float, maximize: bool) -> bool:
    """Better than best by at least IMPROVEMENT of best's size (any gain when best is 0)."""
    gain = value - best if maximize else best - value
    return gain > 0 and gain >= IMPROVEMENT * abs(best)


def not_improving(values: list[float], maximize: bool) -> int:
    """How many of the last values, in a row, did not improve on the best value before them."""
    count, best = 0, None
    for value in values:
        if best is None or improves(value, best, maximize):
            count = 0
        else:
            count += 1
        if best is None or (value > best if maximize else value < best):
            best = value
    return count


def target_reached(values: list[float], target: float, maximize: bool) -> bool:
    return any(v >= target if maximize else v <= target for v in values)


def converged(values: list[float], maximize: bool, max_jobs: int) -> bool:
    window = max(CONVERGENCE_MIN, math.ceil(CONVERGENCE_SHARE * max_jobs))
    return len(values) > window and not_improving(values, maximize) >= window


def no_success_reason(attempts: int) -> str:
    return (f"No training job succeeded after {attempts} attempts. Please take a look at the training job "
            "failures to get more details.")
