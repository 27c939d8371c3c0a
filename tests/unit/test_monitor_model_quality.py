"""The Model Monitor analyzer's model quality metrics (AWS's documented binary example, and
scikit-learn's answers), suggested constraints and violations, and the join of captured
predictions with ground truth by inference id."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as sk

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "containers" / "model-monitor"))

from model_monitor_analyzer import model_quality as mq  # noqa: E402
from model_monitor_analyzer.environment import Job, JobError  # noqa: E402


def values(section: dict) -> dict:
    return {k: v["value"] for k, v in section.items() if isinstance(v, dict) and "value" in v}


def test_binary_metrics_match_awss_documented_example():
    section = mq.metrics(mq.BINARY, mq.Labeled(labels=["0", "0", "0", "1"], predictions=["0", "1", "1", "1"]))
    assert section["confusion_matrix"] == {"0": {"0": 1, "1": 2}, "1": {"0": 0, "1": 1}}
    expected = {"recall": 1.0, "precision": 1 / 3, "accuracy": 0.5, "recall_best_constant_classifier": 1.0,
                "precision_best_constant_classifier": 0.25, "accuracy_best_constant_classifier": 0.25,
                "true_positive_rate": 1.0, "true_negative_rate": 1 / 3, "false_positive_rate": 2 / 3,
                "false_negative_rate": 0.0, "f0_5": 0.3846153846153846, "f1": 0.5, "f2": 0.7142857142857143,
                "f0_5_best_constant_classifier": 0.29411764705882354, "f1_best_constant_classifier": 0.4,
                "f2_best_constant_classifier": 0.625}
    assert values(section) == pytest.approx(expected)
    assert section["recall"]["standard_deviation"] == "NaN"  # under 200 records


def test_binary_metrics_from_probabilities_with_curves():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 300)
    scores = np.clip(y * 0.3 + rng.uniform(0, 0.7, 300), 0, 1).round(2)
    section = mq.metrics(mq.BINARY, mq.Labeled(labels=list(y), predictions=[None] * 300, probabilities=list(scores)),
                         threshold=0.6)
    predicted = (scores >= 0.6).astype(int)
    assert section["precision"]["value"] == pytest.approx(sk.precision_score(y, predicted))
    assert section["f2"]["value"] == pytest.approx(sk.fbeta_score(y, predicted, beta=2))
    assert section["auc"]["value"] == pytest.approx(sk.roc_auc_score(y, scores))
    fpr, tpr, _ = sk.roc_curve(y, scores, drop_intermediate=False)
    curve = section["receiver_operating_characteristic_curve"]
    assert curve["false_positive_rates"] == pytest.approx(list(fpr))
    assert curve["true_positive_rates"] == pytest.approx(list(tpr))
    precision, recall, _ = sk.precision_recall_curve(y, scores)
    assert section["au_prc"]["value"] == pytest.approx(sk.auc(recall, precision))
    assert isinstance(section["precision"]["standard_deviation"], float)  # 300 records: a deviation


def test_multiclass_and_regression_metrics_match_scikit_learn():
    rng = np.random.default_rng(11)
    y = rng.choice(["setosa", "versicolor", "virginica"], 250, p=[0.5, 0.3, 0.2])
    predicted = np.where(rng.uniform(size=250) < 0.7, y, rng.choice(["setosa", "virginica"], 250))
    section = mq.metrics(mq.MULTICLASS, mq.Labeled(list(y), list(predicted)))
    p, r, f1, _ = sk.precision_recall_fscore_support(y, predicted, average="weighted", zero_division=0)
    assert values(section)["weighted_precision"] == pytest.approx(p)
    assert values(section)["weighted_recall"] == pytest.approx(r)
    assert values(section)["weighted_f1"] == pytest.approx(f1)
    assert values(section)["weighted_f0_5"] == pytest.approx(
        sk.fbeta_score(y, predicted, beta=0.5, average="weighted", zero_division=0))
    share = float(np.mean(y == "setosa"))  # the best constant classifier says setosa
    assert values(section)["accuracy_best_constant_classifier"] == pytest.approx(share)
    assert section["confusion_matrix"]["setosa"]["setosa"] == int(np.sum((y == "setosa") & (predicted == "setosa")))
    assert section["accuracy"]["standard_deviation"] > 0

    truth, guess = rng.normal(10, 2, 50), rng.normal(10, 2, 50)
    regression = values(mq.metrics(mq.REGRESSION, mq.Labeled(list(truth), [str(g) for g in guess])))
    assert regression == pytest.approx({"mae": sk.mean_absolute_error(truth, guess),
                                        "mse": sk.mean_squared_error(truth, guess),
                                        "rmse": np.sqrt(sk.mean_squared_error(truth, guess)),
                                        "r2": sk.r2_score(truth, guess)})


def test_constraints_and_violations():
    baseline = {"regression_metrics": {"mae": {"value": 1.0, "standard_deviation": "NaN"},
                                       "r2": {"value": 0.9, "standard_deviation": "NaN"}}}
    suggested = mq.suggest(mq.REGRESSION, baseline)
    assert suggested == {"version": 0.0, "regression_constraints": {
        "mae": {"threshold": 1.0, "comparison_operator": "GreaterThanThreshold"},
        "r2": {"threshold": 0.9, "comparison_operator": "LessThanThreshold"}}}
    current = {"regression_metrics": {"mae": {"value": 1.5, "standard_deviation": 0.1},
                                      "r2": {"value": 0.95, "standard_deviation": "NaN"}}}
    assert mq.check(mq.REGRESSION, current, suggested) == [
        {"constraint_check_type": "GreaterThanThreshold", "metric_name": "mae",
         "description": "Metric mae with 1.5 +/- 0.1 was GreaterThanThreshold '1'"}]
    with pytest.raises(JobError, match="no binary_classification_constraints"):
        mq.check(mq.BINARY, {"binary_classification_metrics": {}}, suggested)


def capture_line(event_id: str, output: str, inference_id: str | None, when: str = "2024-05-01T10:30:00Z") -> str:
    metadata = {"eventId": event_id, "inferenceTime": when, **({"inferenceId": inference_id} if inference_id else {})}
    return json.dumps({"captureData": {"endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
                                                          "data": output, "encoding": "CSV"}},
                       "eventMetadata": metadata, "eventVersion": "0"})


def truth_line(event_id: str, label: str) -> str:
    return json.dumps({"groundTruthData": {"data": label, "encoding": "CSV"}, "eventMetadata": {"eventId": event_id},
                       "eventVersion": "0"})


def test_captured_predictions_join_ground_truth_by_inference_id(tmp_path):
    (tmp_path / "capture/ep/AllTraffic/2024/05/01/10").mkdir(parents=True)
    (tmp_path / "capture/ep/AllTraffic/2024/05/01/10/a.jsonl").write_text("\n".join([
        capture_line("e1", "1,0.9", "id-1"), capture_line("e2", "0,0.2", "id-2"),
        capture_line("e3", "1,0.7", None),            # joined by its eventId
        capture_line("e4", "1,0.8", "no-truth"),      # no ground truth: left out
        capture_line("e5", "0,0.1", "id-5", when="2024-05-01T12:00:00Z")]))  # outside the window
    (tmp_path / "truth/2024/05/01/11").mkdir(parents=True)
    (tmp_path / "truth/2024/05/01/11/t.jsonl").write_text("\n".join([
        truth_line("id-1", "1"), truth_line("id-2", "1"), truth_line("e3", "0"), truth_line("id-5", "0")]))
    job = Job.from_environment({
        "dataset_format": json.dumps({"sagemakerCaptureJson": {"captureIndexNames": ["endpointOutput"]}}),
        "dataset_source": str(tmp_path / "capture"), "output_path": str(tmp_path / "out"),
        "analysis_type": "MODEL_QUALITY", "problem_type": "BinaryClassification",
        "inference_attribute": "0", "probability_attribute": "1", "ground_truth_source": str(tmp_path / "truth"),
        "baseline_constraints": "/unused", "start_time": "2024-05-01T10:00:00Z", "end_time": "2024-05-01T11:00:00Z"})
    labeled = mq.captured_labels(job)
    assert (labeled.labels, labeled.predictions, labeled.probabilities) == (
        ["1", "1", "0"], ["1", "0", "1"], ["0.9", "0.2", "0.7"])
