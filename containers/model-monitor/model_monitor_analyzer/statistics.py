"""statistics.json: what each feature of a dataset looks like, in AWS's schema.

Each value is missing (null, or empty text), Integral (an integer: 3, "-4"), Fractional (a
number that is not an integer: 2.5, "1e-3", "2.0") or String (anything else). A feature's
inferred type is the narrowest that holds every present value: Integral, then Fractional,
then String; Unknown when none is present. Numerical features get their count, mean, sum,
standard deviation (population), min, max and their distribution as a KLL sketch with 10
equal-width buckets; String features their distinct count and the count of each value (the
1,000 most frequent).

`profile()` computes what the checks need (violations.py); `statistics()` renders it.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .sketch import KLLSketch

INTEGRAL = "Integral"
FRACTIONAL = "Fractional"
STRING = "String"
UNKNOWN = "Unknown"
NUMERICAL = (INTEGRAL, FRACTIONAL)
MAX_CATEGORIES = 1000
_INTEGER = r"[+-]?\d+"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


@dataclass
class Profile:
    name: str
    present: int
    missing: int
    integral: int
    fractional: int
    numbers: np.ndarray           # the values that are numbers, as floats
    values: dict[str, int]        # how many times each present value occurs, as text

    @property
    def count(self) -> int:
        return self.present + self.missing

    @property
    def strings(self) -> int:
        return self.present - self.integral - self.fractional

    @property
    def inferred_type(self) -> str:
        if not self.present:
            return UNKNOWN
        if self.strings:
            return STRING
        return FRACTIONAL if self.fractional else INTEGRAL

    @property
    def completeness(self) -> float:
        return self.present / self.count if self.count else 0.0

    def share_of(self, data_type: str) -> float:
        """The share of present values that are of data_type (an Integral is a Fractional
        is a String too)."""
        if not self.present:
            return 1.0
        fitting = {INTEGRAL: self.integral, FRACTIONAL: self.integral + self.fractional}.get(data_type, self.present)
        return fitting / self.present

    def sketch(self) -> KLLSketch:
        return KLLSketch.of(self.numbers)


def profile(name: str, column: pd.Series) -> Profile:
    text = column.astype("string").str.strip()
    missing = text.isna() | (text == "")
    present = text[~missing]
    integral = present.str.fullmatch(_INTEGER).fillna(False).astype(bool)
    number = present.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    # JSON's 2.0 is a float: a Fractional, as "2.0" is in CSV.
    native_float = column[~missing].map(lambda v: isinstance(v, float)).astype(bool)
    integral &= ~native_float.values
    numbers = pd.to_numeric(present[number], errors="coerce").to_numpy(dtype=float)
    counts = present.value_counts(sort=False)
    return Profile(name=name, present=int(len(present)), missing=int(missing.sum()), integral=int(integral.sum()),
                   fractional=int((number & ~integral).sum()), numbers=numbers[np.isfinite(numbers)],
                   values={str(k): int(v) for k, v in counts.items()})


def profiles(frame: pd.DataFrame) -> list[Profile]:
    return [profile(str(name), frame[name]) for name in frame.columns]


def statistics(features: list[Profile], item_count: int) -> dict:
    return {"version": 0.0, "dataset": {"item_count": item_count}, "features": [feature_statistics(p) for p in features]}


def feature_statistics(p: Profile) -> dict:
    common = {"num_present": p.present, "num_missing": p.missing}
    if p.inferred_type in NUMERICAL and len(p.numbers):
        sketch = p.sketch()
        low, high = float(p.numbers.min()), float(p.numbers.max())
        return {"name": p.name, "inferred_type": p.inferred_type, "numerical_statistics": {
            "common": common, "mean": float(p.numbers.mean()), "sum": float(p.numbers.sum()),
            "std_dev": float(p.numbers.std()), "min": low, "max": high,
            "distribution": {"kll": {"buckets": sketch.buckets(low, high), "sketch": sketch.to_json()}}}}
    frequent = sorted(p.values.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CATEGORIES]
    return {"name": p.name, "inferred_type": p.inferred_type, "string_statistics": {
        "common": common, "distinct_count": float(len(p.values)),
        "distribution": {"categorical": {"buckets": [{"value": v, "count": n} for v, n in frequent]}}}}


def baseline_features(statistics_document: dict) -> dict[str, dict]:
    """A statistics.json's features by name."""
    return {f["name"]: f for f in statistics_document.get("features", [])}


def categorical_counts(feature_statistics_document: dict) -> dict[str, float]:
    """value -> count of a statistics.json String feature."""
    buckets = (feature_statistics_document.get("string_statistics", {}).get("distribution", {})
               .get("categorical", {}).get("buckets", []))
    return {str(b["value"]): float(b["count"]) for b in buckets}


def baseline_sketch(feature_statistics_document: dict) -> KLLSketch | None:
    """The KLL sketch of a statistics.json numerical feature, if it has one."""
    sketch = (feature_statistics_document.get("numerical_statistics", {}).get("distribution", {})
              .get("kll", {}).get("sketch"))
    return KLLSketch.from_json(sketch) if sketch else None
