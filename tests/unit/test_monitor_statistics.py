"""The Model Monitor analyzer's statistics, sketch and suggested constraints on small frames
with known answers (containers/model-monitor, imported without Docker)."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "containers" / "model-monitor"))

from model_monitor_analyzer import constraints, statistics  # noqa: E402
from model_monitor_analyzer.sketch import KLLSketch  # noqa: E402


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=object)


def by_name(document: dict) -> dict:
    return {f["name"]: f for f in document["features"]}


def test_types_counts_and_numbers_of_each_feature():
    data = frame(age=["31", "45", None, "22"], price=["1.5", "2", "", "4.5"], city=["Oslo", "Rome", "Oslo", "3"],
                 empty=[None, "", " ", None], json_floats=[1, 2.0, 3, None])
    document = statistics.statistics(statistics.profiles(data), len(data))
    assert document["version"] == 0.0 and document["dataset"] == {"item_count": 4}
    features = by_name(document)
    assert {n: f["inferred_type"] for n, f in features.items()} == {
        "age": "Integral", "price": "Fractional", "city": "String", "empty": "Unknown", "json_floats": "Fractional"}
    age = features["age"]["numerical_statistics"]
    assert age["common"] == {"num_present": 3, "num_missing": 1}
    assert (age["mean"], age["sum"], age["min"], age["max"]) == (pytest.approx(98 / 3), 98.0, 22.0, 45.0)
    assert age["std_dev"] == pytest.approx(np.std([31, 45, 22]))  # the population's
    price = features["price"]["numerical_statistics"]
    assert price["common"] == {"num_present": 3, "num_missing": 1} and price["sum"] == 8.0
    city = features["city"]["string_statistics"]
    assert city["common"] == {"num_present": 4, "num_missing": 0} and city["distinct_count"] == 3.0
    assert city["distribution"]["categorical"]["buckets"] == [
        {"value": "Oslo", "count": 2}, {"value": "3", "count": 1}, {"value": "Rome", "count": 1}]
    assert features["empty"]["string_statistics"]["common"] == {"num_present": 0, "num_missing": 4}


def test_a_small_feature_has_an_exact_sketch_and_ten_buckets():
    data = frame(x=[str(v) for v in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10)])
    kll = by_name(statistics.statistics(statistics.profiles(data), 12))["x"]["numerical_statistics"]["distribution"]["kll"]
    assert kll["sketch"] == {"parameters": {"c": 0.64, "k": 2048.0},
                             "data": [[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 10.0]]}
    assert [b["count"] for b in kll["buckets"]] == [1.0] * 9 + [3.0]  # the last bucket holds its upper bound
    assert kll["buckets"][0] == {"lower_bound": 0.0, "upper_bound": 1.0, "count": 1.0}
    one_value = by_name(statistics.statistics(statistics.profiles(frame(x=["7", "7"])), 2))["x"]
    assert one_value["numerical_statistics"]["distribution"]["kll"]["buckets"] == [
        {"lower_bound": 7.0, "upper_bound": 7.0, "count": 2.0}]


def test_the_sketch_of_many_values_keeps_their_count_and_quantiles():
    values = np.random.default_rng(7).uniform(0, 1000, size=50_000)
    sketch = KLLSketch.of(values)
    assert sketch.count == 50_000
    assert len(sketch.levels) > 1 and sum(len(level) for level in sketch.levels) < 10_000  # it did compact
    for q in (0.01, 0.25, 0.5, 0.9, 0.99):
        assert abs(sketch.quantile(q) - np.quantile(values, q)) < 10  # 1% of the range
    assert sum(b["count"] for b in sketch.buckets(values.min(), values.max())) == 50_000
    again = KLLSketch.from_json(sketch.to_json())
    assert again.count == 50_000 and again.quantile(0.5) == sketch.quantile(0.5)
    assert KLLSketch.of(values).to_json() == sketch.to_json()  # the same values, the same sketch


def test_suggested_constraints():
    data = frame(age=["31", "45", None, "22"], delta=["-1.5", "2", "3", "4"], color=["red"] * 3 + ["blue"],
                 ident=["a", "b", "c", "d"])
    suggested = constraints.suggest(statistics.profiles(data))
    features = by_name(suggested)
    assert features["age"] == {"name": "age", "inferred_type": "Integral", "completeness": 0.75,
                               "num_constraints": {"is_non_negative": True}}
    assert features["delta"]["num_constraints"] == {"is_non_negative": False}
    assert features["color"]["string_constraints"] == {"domains": ["blue", "red"]}
    assert "string_constraints" not in features["ident"]  # as many values as records: no domain
    assert suggested["monitoring_config"] == {
        "evaluate_constraints": "Enabled", "emit_metrics": "Enabled", "datatype_check_threshold": 1.0,
        "domain_content_threshold": 1.0, "distribution_constraints": {
            "perform_comparison": "Enabled", "comparison_threshold": 0.1, "comparison_method": "Robust",
            "categorical_comparison_threshold": 0.1, "categorical_drift_method": "LInfinity"}}
    chi = constraints.suggest(statistics.profiles(data), categorical_drift_method="ChiSquared")
    assert chi["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] == "ChiSquared"


def test_thresholds_in_force_merge_the_file_and_a_features_overrides():
    document = {"monitoring_config": {"datatype_check_threshold": 0.5,
                                      "distribution_constraints": {"comparison_threshold": 0.3}}}
    config = constraints.monitoring_config(document)
    assert config["datatype_check_threshold"] == 0.5 and config["domain_content_threshold"] == 1.0
    assert config["distribution_constraints"]["comparison_threshold"] == 0.3
    assert config["distribution_constraints"]["categorical_comparison_threshold"] == 0.3  # defaults to it
    feature = {"name": "x", "monitoring_config_overrides": {"evaluate_constraints": "Disabled"}}
    assert constraints.monitoring_config(document, feature)["evaluate_constraints"] == "Disabled"
    assert constraints.monitoring_config({})["distribution_constraints"]["comparison_method"] == "Robust"
