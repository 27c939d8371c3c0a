"""A tuning job's search space: its ParameterRanges as typed ranges, checked as AWS checks them.

Pure (no I/O): each range knows how values are drawn on its scale (`sample`), how a value is
written into a trial's HyperParameters (`format`) and read back (`parse`), and how a Bayesian
optimiser should see it (`distribution`/`to_internal`/`from_internal`, in Optuna's terms).

Scales, as AWS documents them:
- Linear: uniform over [MinValue, MaxValue].
- Logarithmic: uniform in log(value); only for ranges whose values are all > 0.
- ReverseLogarithmic: uniform in log(1 - value), so values crowd towards 1; continuous ranges
  only, and only inside 0 <= value < 1.
- Auto: AWS chooses. The emulator chooses Logarithmic when the range is positive and spans at
  least two orders of magnitude (MaxValue >= 100 x MinValue), Linear otherwise.
Integer values are spread evenly over the integers: Linear draws each of MinValue..MaxValue
alike; Logarithmic draws log-uniformly over [MinValue, MaxValue + 1) and floors.
"""

import math
import random
from dataclasses import dataclass
from itertools import product

from ....aws.errors import ValidationException

MAX_TUNABLE = 30  # AWS: up to 30 hyperparameters (categorical + integer + continuous) to search over
AUTO_LOG_SPAN = 100.0  # Auto picks Logarithmic for positive ranges at least this wide (max/min)


@dataclass(frozen=True)
class NumericRange:
    name: str
    integer: bool
    low: float
    high: float
    scaling: str  # Linear, Logarithmic or ReverseLogarithmic (Auto already resolved)

    @property
    def kind(self) -> str:
        return "Integer" if self.integer else "Continuous"

    def sample(self, rng: random.Random):
        u = rng.random()
        if self.integer:
            if self.scaling == "Logarithmic":
                value = math.floor(math.exp(math.log(self.low) + u * (math.log(self.high + 1) - math.log(self.low))))
            else:
                value = math.floor(self.low + u * (self.high - self.low + 1))
            return int(min(max(value, self.low), self.high))
        if self.scaling == "Logarithmic":
            value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        elif self.scaling == "ReverseLogarithmic":
            value = 1 - self._reverse_span(u)
        else:
            value = self.low + u * (self.high - self.low)
        return min(max(value, self.low), self.high)

    def _reverse_span(self, u: float) -> float:
        """1 - value, log-uniform between 1 - high and 1 - low."""
        near, far = 1 - self.high, 1 - self.low
        return math.exp(math.log(near) + u * (math.log(far) - math.log(near)))

    def format(self, value) -> str:
        return str(int(value)) if self.integer else repr(float(value))

    def parse(self, text: str):
        return int(float(text)) if self.integer else float(text)

    def contains(self, value) -> bool:
        return self.low <= value <= self.high

    def count(self) -> int | None:
        """How many distinct values the range holds (None: a continuum)."""
        return int(self.high - self.low + 1) if self.integer else None

    # -- as a Bayesian optimiser sees the range (Optuna's distributions) --------------------

    def distribution(self):
        from optuna.distributions import FloatDistribution, IntDistribution
        if self.integer:
            return IntDistribution(int(self.low), int(self.high), log=self.scaling == "Logarithmic")
        if self.scaling == "ReverseLogarithmic":
            # The optimiser searches t = 1 - value on a log scale.
            return FloatDistribution(1 - self.high, 1 - self.low, log=True)
        return FloatDistribution(self.low, self.high, log=self.scaling == "Logarithmic")

    def to_internal(self, value):
        return 1 - value if self.scaling == "ReverseLogarithmic" else value

    def from_internal(self, internal):
        value = 1 - internal if self.scaling == "ReverseLogarithmic" else internal
        return int(value) if self.integer else min(max(float(value), self.low), self.high)


@dataclass(frozen=True)
class CategoricalRange:
    name: str
    values: tuple[str, ...]
    kind = "Categorical"

    def sample(self, rng: random.Random) -> str:
        return self.values[rng.randrange(len(self.values))]

    def format(self, value) -> str:
        return value

    def parse(self, text: str) -> str:
        return text

    def contains(self, value) -> bool:
        return value in self.values

    def count(self) -> int:
        return len(self.values)

    def distribution(self):
        from optuna.distributions import CategoricalDistribution
        return CategoricalDistribution(list(self.values))

    def to_internal(self, value):
        return value

    def from_internal(self, internal):
        return internal


Range = NumericRange | CategoricalRange


class ParameterSpace:
    """The ranges of one training job definition, in the order the request gives them."""

    def __init__(self, ranges: list[Range]):
        self.ranges = ranges
        self.names = [r.name for r in ranges]

    @classmethod
    def from_request(cls, parameter_ranges: dict | None) -> "ParameterSpace":
        parameter_ranges = parameter_ranges or {}
        if parameter_ranges.get("AutoParameters"):
            raise ValidationException("AutoParameters (Autotune) are not supported by the emulator; "
                                      "give IntegerParameterRanges, ContinuousParameterRanges or "
                                      "CategoricalParameterRanges")
        ranges: list[Range] = []
        for integer, member in ((True, "IntegerParameterRanges"), (False, "ContinuousParameterRanges")):
            ranges += [_numeric(spec, integer) for spec in parameter_ranges.get(member, [])]
        ranges += [CategoricalRange(spec["Name"], tuple(spec["Values"]))
                   for spec in parameter_ranges.get("CategoricalParameterRanges", [])]
        names = [r.name for r in ranges]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValidationException(f"Hyperparameter names must be unique across ParameterRanges; "
                                      f"repeated: {', '.join(repeated)}")
        if len(ranges) > MAX_TUNABLE:
            raise ValidationException(f"You can define up to {MAX_TUNABLE} hyperparameters to search over; "
                                      f"ParameterRanges defines {len(ranges)}")
        return cls(ranges)

    def combinations(self) -> int | None:
        """How many distinct configurations there are (None when a range is continuous)."""
        total = 1
        for r in self.ranges:
            count = r.count()
            if count is None:
                return None
            total *= count
        return total

    def grid(self) -> list[dict[str, str]]:
        """Every combination of the categorical values, in the order the ranges and their
        values are given, the last range varying fastest (Grid accepts only categorical ranges)."""
        return [dict(zip(self.names, values)) for values in product(*(r.values for r in self.ranges))]

    def sample(self, rng: random.Random) -> dict[str, str]:
        return {r.name: r.format(r.sample(rng)) for r in self.ranges}

    def parse(self, tuned: dict[str, str]) -> dict | None:
        """A trial's TunedHyperParameters as values of this space; None when one is missing or
        outside its range (a warm-start parent searched another space)."""
        values = {}
        for r in self.ranges:
            if r.name not in tuned:
                return None
            try:
                value = r.parse(tuned[r.name])
            except ValueError:
                return None
            if not r.contains(value):
                return None
            values[r.name] = value
        return values


def _number(text: str, integer: bool, name: str, member: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (integer and value != int(value)):
        kind = "an integer" if integer else "a number"
        raise ValidationException(f"The {member} '{text}' of hyperparameter '{name}' is not {kind}")
    return value


def _numeric(spec: dict, integer: bool) -> NumericRange:
    name = spec["Name"]
    low = _number(spec["MinValue"], integer, name, "MinValue")
    high = _number(spec["MaxValue"], integer, name, "MaxValue")
    if low > high:
        raise ValidationException(f"The MinValue of hyperparameter '{name}' ({spec['MinValue']}) must be less "
                                  f"than or equal to its MaxValue ({spec['MaxValue']})")
    scaling = spec.get("ScalingType", "Auto")
    if scaling == "Auto":
        scaling = "Logarithmic" if low > 0 and high >= AUTO_LOG_SPAN * low else "Linear"
    if scaling == "Logarithmic" and low <= 0:
        raise ValidationException(f"Logarithmic scaling works only for ranges that have only values greater "
                                  f"than 0: hyperparameter '{name}' has MinValue {spec['MinValue']}")
    if scaling == "ReverseLogarithmic":
        if integer:
            raise ValidationException(f"Reverse logarithmic scaling is supported only for continuous "
                                      f"hyperparameter ranges, not for the integer hyperparameter '{name}'")
        if low < 0 or high >= 1:
            raise ValidationException(f"Reverse logarithmic scaling works only for ranges that are entirely "
                                      f"within the range 0<=x<1.0: hyperparameter '{name}' has "
                                      f"[{spec['MinValue']}, {spec['MaxValue']}]")
    return NumericRange(name, integer, low, high, scaling)
