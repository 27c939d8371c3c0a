"""constraints.json: what a baseline suggests the data must keep satisfying, in AWS's schema.

Per feature: its inferred type, its completeness (the share of records that have it), for
numerical features whether it is non-negative, and for String features with few distinct
values (at most 100, and at most half as many as its present values) the domain of values seen.
`monitoring_config` holds the thresholds the checks use (violations.py); these defaults are
what the suggestion writes, and what a constraints file that leaves one out gets:
`datatype_check_threshold` and `domain_content_threshold` are the share of values that must
have the baseline's type, and be in its domain (1.0: all of them); `comparison_threshold` is
the largest drift distance allowed.
"""

from .distance import L_INFINITY, ROBUST
from .statistics import NUMERICAL, STRING, Profile

MAX_DOMAIN = 100
DEFAULT_MONITORING_CONFIG = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 1.0,
    "domain_content_threshold": 1.0,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": ROBUST,
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": L_INFINITY,
    },
}


def suggest(features: list[Profile], categorical_drift_method: str | None = None) -> dict:
    config = {**DEFAULT_MONITORING_CONFIG,
              "distribution_constraints": dict(DEFAULT_MONITORING_CONFIG["distribution_constraints"])}
    if categorical_drift_method:
        config["distribution_constraints"]["categorical_drift_method"] = categorical_drift_method
    return {"version": 0.0, "features": [feature_constraints(p) for p in features], "monitoring_config": config}


def feature_constraints(p: Profile) -> dict:
    constraint = {"name": p.name, "inferred_type": p.inferred_type, "completeness": p.completeness}
    if p.inferred_type in NUMERICAL and len(p.numbers):
        constraint["num_constraints"] = {"is_non_negative": bool(p.numbers.min() >= 0)}
    elif p.inferred_type == STRING and len(p.values) <= MAX_DOMAIN and 2 * len(p.values) <= p.present:
        constraint["string_constraints"] = {"domains": sorted(p.values)}
    return constraint


def monitoring_config(constraints_document: dict, feature: dict | None = None) -> dict:
    """The thresholds in force: the defaults, the file's monitoring_config over them, and a
    feature's own overrides (`monitoring_config_overrides`, as the SDK writes them, or
    `monitoringConfigOverrides`) over those."""
    given = constraints_document.get("monitoring_config") or {}
    config = {**DEFAULT_MONITORING_CONFIG, **given,
              "distribution_constraints": {**DEFAULT_MONITORING_CONFIG["distribution_constraints"],
                                           **(given.get("distribution_constraints") or {})}}
    if "categorical_comparison_threshold" not in (given.get("distribution_constraints") or {}):
        distribution = config["distribution_constraints"]
        distribution["categorical_comparison_threshold"] = distribution["comparison_threshold"]
    for key in ("monitoring_config_overrides", "monitoringConfigOverrides"):
        overrides = (feature or {}).get(key) or {}
        config.update({k: v for k, v in overrides.items() if k != "distribution_constraints"})
        config["distribution_constraints"].update(overrides.get("distribution_constraints") or {})
    return config


def enabled(value) -> bool:
    return str(value).lower() not in ("disabled", "false")
