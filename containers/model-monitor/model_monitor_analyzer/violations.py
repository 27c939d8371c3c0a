"""constraint_violations.json: the current data checked against the baseline's constraints
and statistics, with AWS's check types.

- missing_column_check / extra_column_check: a baseline feature the data lacks, a feature
  the baseline never had (one violation per feature);
- data_type_check: fewer of a feature's values have its baseline type than
  `datatype_check_threshold` asks;
- completeness_check: a feature is present in fewer records than its baseline completeness;
- categorical_values_check: fewer of a String feature's values are in its baseline domain
  than `domain_content_threshold` asks;
- baseline_drift_check: the feature's drift distance from the baseline statistics is over
  `comparison_threshold` (`categorical_comparison_threshold` for String features), see
  distance.py. Every distance measured is also returned, for the CloudWatch metrics.

`evaluate_constraints: Disabled` turns the checks off, globally or for one feature;
`perform_comparison: Disabled` turns off the drift check. `is_non_negative` is kept in the
constraints but, as AWS lists no check type for it, not checked.
"""

from dataclasses import dataclass, field

from . import distance
from .constraints import enabled, monitoring_config
from .statistics import NUMERICAL, STRING, UNKNOWN, Profile, baseline_features, baseline_sketch, categorical_counts

DATA_TYPE = "data_type_check"
COMPLETENESS = "completeness_check"
BASELINE_DRIFT = "baseline_drift_check"
MISSING_COLUMN = "missing_column_check"
EXTRA_COLUMN = "extra_column_check"
CATEGORICAL_VALUES = "categorical_values_check"
TOLERANCE = 1e-9


@dataclass
class Violation:
    feature_name: str
    constraint_check_type: str
    description: str

    def to_json(self) -> dict:
        return {"feature_name": self.feature_name, "constraint_check_type": self.constraint_check_type,
                "description": self.description}


@dataclass
class Report:
    violations: list[Violation] = field(default_factory=list)
    drift: dict[str, float] = field(default_factory=dict)  # feature -> distance (p-value for ChiSquared)

    def to_json(self) -> dict:
        return {"violations": [v.to_json() for v in self.violations]}


def percent(share: float) -> str:
    """As AWS's descriptions write shares (100.0%, 99.7175141243%), to 10 decimals."""
    return f"{round(share * 100, 10)!r}%"


def check(current: list[Profile], constraints: dict, baseline_statistics: dict | None) -> Report:
    report = Report()
    if not enabled(monitoring_config(constraints)["evaluate_constraints"]):
        return report
    expected = {f["name"]: f for f in constraints.get("features", [])}
    seen = {p.name: p for p in current}
    columns = (f"Number of columns in current dataset: {len(seen)}, "
               f"Number of columns in baseline constraints: {len(expected)}")
    for name in expected.keys() - seen.keys():
        report.violations.append(Violation(name, MISSING_COLUMN, f"There are missing columns in current dataset. "
                                                                 f"{columns}"))
    for name in seen.keys() - expected.keys():
        report.violations.append(Violation(name, EXTRA_COLUMN, f"There are extra columns in current dataset. {columns}"))
    baseline = baseline_features(baseline_statistics or {})
    for name, feature in expected.items():
        if name in seen:
            _check_feature(report, seen[name], feature, monitoring_config(constraints, feature), baseline.get(name))
    report.violations.sort(key=lambda v: (v.feature_name, v.constraint_check_type))
    return report


def _check_feature(report: Report, p: Profile, feature: dict, config: dict, baseline: dict | None) -> None:
    if not enabled(config["evaluate_constraints"]):
        return
    data_type = feature.get("inferred_type", UNKNOWN)
    required = float(config["datatype_check_threshold"])
    if data_type in NUMERICAL and p.share_of(data_type) < required - TOLERANCE:
        report.violations.append(Violation(p.name, DATA_TYPE, (
            f"Data type match requirement is not met. Expected data type: {data_type}, Expected match: "
            f"{percent(required)}. Observed: Only {percent(p.share_of(data_type))} of data is {data_type}.")))
    completeness = feature.get("completeness")
    if completeness is not None and p.completeness < float(completeness) - TOLERANCE:
        report.violations.append(Violation(p.name, COMPLETENESS, (
            f"Data completeness requirement is not met. Expected completeness: {percent(float(completeness))}. "
            f"Observed completeness: {percent(p.completeness)}.")))
    domain = (feature.get("string_constraints") or {}).get("domains")
    if domain is not None and p.present:
        allowed = set(map(str, domain))
        inside = sum(n for v, n in p.values.items() if v in allowed) / p.present
        required = float(config["domain_content_threshold"])
        if inside < required - TOLERANCE:
            outside = sorted(v for v in p.values if v not in allowed)
            report.violations.append(Violation(p.name, CATEGORICAL_VALUES, (
                f"Value set requirement is not met. Expected: {percent(required)} of values in the baseline domain. "
                f"Observed: only {percent(inside)} of values are in it; values outside it: "
                f"{', '.join(outside[:5])}{', ...' if len(outside) > 5 else ''}")))
    if baseline is not None and enabled(config["distribution_constraints"]["perform_comparison"]):
        _check_drift(report, p, baseline, config["distribution_constraints"])


def _check_drift(report: Report, p: Profile, baseline: dict, config: dict) -> None:
    sketch = baseline_sketch(baseline)
    if sketch is not None and len(p.numbers):
        threshold = float(config["comparison_threshold"])
        measured, drifted = distance.numerical_drift(sketch, p.sketch(), threshold, config["comparison_method"])
        said = f"Baseline drift distance: {measured:.6g} exceeds threshold: {threshold:.6g}"
    elif baseline.get("inferred_type") == STRING and p.present:
        threshold = float(config["categorical_comparison_threshold"])
        method = config.get("categorical_drift_method") or distance.L_INFINITY
        measured, drifted = distance.categorical_drift(categorical_counts(baseline), p.values, threshold, method)
        said = (f"Baseline drift p-value ({method}): {measured:.6g} is below threshold: {threshold:.6g}"
                if method == distance.CHI_SQUARED else
                f"Baseline drift distance: {measured:.6g} exceeds threshold: {threshold:.6g}")
    else:
        return
    report.drift[p.name] = measured
    if drifted:
        report.violations.append(Violation(p.name, BASELINE_DRIFT, said))
