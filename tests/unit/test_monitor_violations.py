"""Each of the Model Monitor analyzer's violation checks, and the drift distances, on small
frames with known answers."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "containers" / "model-monitor"))

from model_monitor_analyzer import constraints, distance, statistics, violations  # noqa: E402
from model_monitor_analyzer.datasets import Dataset  # noqa: E402
from model_monitor_analyzer.sketch import KLLSketch  # noqa: E402


def baseline_of(**columns):
    """(constraints, statistics) a baseline of these columns suggests."""
    data = pd.DataFrame(columns, dtype=object)
    profiles = statistics.profiles(data)
    return constraints.suggest(profiles), statistics.statistics(profiles, len(data))


def found(current: dict, baseline: tuple) -> list[tuple[str, str, str]]:
    report = violations.check(statistics.profiles(pd.DataFrame(current, dtype=object)), *baseline)
    return [(v.feature_name, v.constraint_check_type, v.description) for v in report.violations]


NUMBERS = [str(v) for v in range(20)]


def test_the_same_data_raises_no_violation():
    assert found({"x": NUMBERS, "c": ["a", "b"] * 10}, baseline_of(x=NUMBERS, c=["a", "b"] * 10)) == []


def test_data_type_check():
    baseline = baseline_of(x=NUMBERS)
    current = NUMBERS[:10] + [f"{v}.5" for v in range(10)]
    [(feature, check, description)] = [v for v in found({"x": current}, baseline) if v[1] == "data_type_check"]
    assert (feature, check) == ("x", "data_type_check")
    assert description == ("Data type match requirement is not met. Expected data type: Integral, Expected match: "
                           "100.0%. Observed: Only 50.0% of data is Integral.")


def test_completeness_check():
    baseline = baseline_of(x=NUMBERS)
    assert found({"x": NUMBERS[:15] + [""] * 5}, baseline)[0] == (
        "x", "completeness_check", "Data completeness requirement is not met. Expected completeness: 100.0%. "
                                   "Observed completeness: 75.0%.")


def test_missing_and_extra_column_checks():
    baseline = baseline_of(x=NUMBERS, y=NUMBERS)
    assert found({"x": NUMBERS, "z": NUMBERS}, baseline) == [
        ("y", "missing_column_check", "There are missing columns in current dataset. Number of columns in current "
                                      "dataset: 2, Number of columns in baseline constraints: 2"),
        ("z", "extra_column_check", "There are extra columns in current dataset. Number of columns in current "
                                    "dataset: 2, Number of columns in baseline constraints: 2")]


def test_categorical_values_check():
    baseline = baseline_of(color=["red", "blue"] * 10)
    [violation] = [v for v in found({"color": ["red", "blue"] * 8 + ["green", "pink"] * 2}, baseline)
                   if v[1] == "categorical_values_check"]
    assert violation[2] == ("Value set requirement is not met. Expected: 100.0% of values in the baseline domain. "
                            "Observed: only 80.0% of values are in it; values outside it: green, pink")


def test_baseline_drift_check_on_numbers_and_categories():
    baseline = baseline_of(x=NUMBERS, color=["red", "blue"] * 10)
    shifted = {"x": [str(v + 10) for v in range(20)], "color": ["red"] * 16 + ["blue"] * 4}
    drifts = {v[0]: v[2] for v in found(shifted, baseline) if v[1] == "baseline_drift_check"}
    # x: half the baseline lies below every shifted value; color: red went from 50% to 80%.
    assert drifts == {"x": "Baseline drift distance: 0.5 exceeds threshold: 0.1",
                      "color": "Baseline drift distance: 0.3 exceeds threshold: 0.1"}


def test_the_robust_method_needs_more_than_a_handful_of_records():
    constraints_document, statistics_document = baseline_of(x=NUMBERS)
    few = {"x": ["13", "15", "17"]}  # distance 0.65, under the 95% critical value for 20 and 3 records
    assert found(few, (constraints_document, statistics_document)) == []
    constraints_document["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple"
    assert [v[1] for v in found(few, (constraints_document, statistics_document))] == ["baseline_drift_check"]


def test_chi_squared_drift_is_a_small_p_value():
    constraints_document, statistics_document = baseline_of(color=["red", "blue"] * 50)
    constraints_document["monitoring_config"]["distribution_constraints"].update(
        categorical_drift_method="ChiSquared", categorical_comparison_threshold=0.05)
    assert found({"color": ["red", "blue"] * 50}, (constraints_document, statistics_document)) == []
    [(_, _, description)] = found({"color": ["red"] * 70 + ["blue"] * 30}, (constraints_document, statistics_document))
    assert description.startswith("Baseline drift p-value (ChiSquared): ") and "is below threshold: 0.05" in description


def test_checks_can_be_turned_off():
    constraints_document, statistics_document = baseline_of(x=NUMBERS, y=NUMBERS)
    bad = {"x": ["a"] * 20, "y": ["b"] * 20}
    constraints_document["features"][0]["monitoring_config_overrides"] = {"evaluate_constraints": "Disabled"}
    assert {v[0] for v in found(bad, (constraints_document, statistics_document))} == {"y"}
    constraints_document["monitoring_config"]["evaluate_constraints"] = "Disabled"
    assert found(bad, (constraints_document, statistics_document)) == []


def test_positional_columns_take_the_baselines_names():
    baseline = baseline_of(label=NUMBERS, x=NUMBERS)
    captured = Dataset(pd.DataFrame({"_c0": NUMBERS, "_c1": NUMBERS, "_c2": NUMBERS}, dtype=object), positional=True)
    aligned = captured.align([f["name"] for f in baseline[0]["features"]])
    assert list(aligned.frame.columns) == ["label", "x", "_c2"]
    assert [(v.feature_name, v.constraint_check_type)
            for v in violations.check(statistics.profiles(aligned.frame), *baseline).violations] == [
        ("_c2", "extra_column_check")]


def test_the_numerical_distance_is_the_largest_gap_between_the_cdfs():
    assert distance.numerical_distance(KLLSketch.of([1, 2, 3, 4]), KLLSketch.of([1, 2, 3, 4])) == 0.0
    assert distance.numerical_distance(KLLSketch.of([1, 2, 3, 4]), KLLSketch.of([3, 4, 5, 6])) == 0.5
    assert distance.numerical_distance(KLLSketch.of([1, 2]), KLLSketch.of([10, 20, 30])) == 1.0
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 20_000), rng.normal(0.3, 1, 20_000)  # sketched (compacted) both
    assert distance.numerical_distance(KLLSketch.of(a), KLLSketch.of(b)) == pytest.approx(
        scipy_stats.ks_2samp(a, b).statistic, abs=0.02)


def test_the_ks_critical_value():
    assert distance.ks_critical_value(100, 100) == pytest.approx(1.358 * np.sqrt(200 / 10_000))
    assert distance.ks_critical_value(0, 5) == float("inf")


def test_categorical_distances():
    assert distance.categorical_l_infinity({"a": 5, "b": 5}, {"a": 8, "b": 2}) == pytest.approx(0.3)
    assert distance.categorical_l_infinity({"a": 10}, {"b": 3}) == 1.0
    observed, baseline = {"a": 30, "b": 70}, {"a": 50, "b": 50}
    assert distance.chi_squared_p_value(baseline, observed) == pytest.approx(
        scipy_stats.chisquare([30, 70], [50, 50]).pvalue)
    assert distance.chi_squared_p_value(baseline, {"a": 50, "c": 1}) == 0.0  # a value the baseline never saw
