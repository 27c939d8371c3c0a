"""Model quality: the model's metrics from predictions and ground truth labels, the
constraints a baseline suggests on them, and the violations of those.

Metrics are AWS's per problem type (`regression_metrics`: mae, mse, rmse, r2;
`binary_classification_metrics`: confusion matrix, recall, precision, accuracy, the true
and false positive and negative rates, F0.5/F1/F2, and with probabilities the ROC and
precision-recall curves, auc and au_prc; `multiclass_classification_metrics`: confusion
matrix, accuracy and the support-weighted recall, precision and F-scores), each with the
same metric of the best constant classifier (binary: always the positive class, as AWS's
examples show; multiclass: always the most frequent class). Each value has a
`standard_deviation`: "NaN" under 200 records, else the deviation of the metric over five
random 80% samples, as AWS computes it.

Suggested constraints are each metric's baseline value as a threshold, with the comparison
that means worse (LessThanThreshold for scores, GreaterThanThreshold for errors); a
violation is a current value on the wrong side of its threshold.

Where the labels come from: a baseline dataset's columns named (or, without a header,
indexed) by inference_attribute, probability_attribute and ground_truth_attribute; a
monitoring execution's captured endpointOutput (inference_attribute and
probability_attribute index CSV fields or name JSON members) joined with the ground truth
records ({"groundTruthData": {"data": ..., "encoding": "CSV"|"JSON"}, "eventMetadata":
{"eventId": ...}}) whose eventId is the capture's inferenceId (its eventId when the caller
gave none).
"""

import datetime
import json
import math
from dataclasses import dataclass

import numpy as np

from .datasets import Dataset, capture_records, csv_rows, files, part_rows, record_id
from .environment import Job, JobError

REGRESSION = "Regression"
BINARY = "BinaryClassification"
MULTICLASS = "MulticlassClassification"
SECTION = {REGRESSION: "regression", BINARY: "binary_classification", MULTICLASS: "multiclass_classification"}
MIN_RECORDS_FOR_DEVIATION = 200
SAMPLES, SAMPLE_SHARE = 5, 0.8
LESS, GREATER = "LessThanThreshold", "GreaterThanThreshold"
# The metrics a baseline constrains, and the comparison that is a violation.
CONSTRAINED = {
    REGRESSION: {"mae": GREATER, "mse": GREATER, "rmse": GREATER, "r2": LESS},
    BINARY: {**{m: LESS for m in ("recall", "precision", "accuracy", "true_positive_rate", "true_negative_rate",
                                  "auc", "f0_5", "f1", "f2")},
             "false_positive_rate": GREATER, "false_negative_rate": GREATER},
    MULTICLASS: {m: LESS for m in ("accuracy", "weighted_recall", "weighted_precision", "weighted_f0_5",
                                   "weighted_f1", "weighted_f2")},
}


@dataclass
class Labeled:
    labels: list            # ground truth
    predictions: list       # the model's answers (labels or values)
    probabilities: list | None = None  # binary: the positive class's probability


# -- metrics ---------------------------------------------------------------------------------

def f_beta(precision: float, recall: float, beta: float) -> float:
    b2 = beta * beta
    denominator = b2 * precision + recall
    return (1 + b2) * precision * recall / denominator if denominator else 0.0


def _ratio(a: float, b: float) -> float:
    return float(a) / b if b else 0.0


def regression_values(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    error = predicted - y
    mse = float(np.mean(error ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    return {"mae": float(np.mean(np.abs(error))), "mse": mse, "rmse": math.sqrt(mse),
            "r2": 1.0 - float(np.sum(error ** 2)) / total if total else 0.0}


def binary_values(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    tp = float(np.sum((y == 1) & (predicted == 1)))
    tn = float(np.sum((y == 0) & (predicted == 0)))
    fp = float(np.sum((y == 0) & (predicted == 1)))
    fn = float(np.sum((y == 1) & (predicted == 0)))
    n, positives = len(y), tp + fn
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, positives)
    constant_precision = _ratio(positives, n)  # the best constant classifier answers 1 every time
    constant_recall = 1.0 if positives else 0.0
    values = {"recall": recall, "precision": precision, "accuracy": _ratio(tp + tn, n),
              "recall_best_constant_classifier": constant_recall,
              "precision_best_constant_classifier": constant_precision,
              "accuracy_best_constant_classifier": constant_precision,
              "true_positive_rate": recall, "true_negative_rate": _ratio(tn, tn + fp),
              "false_positive_rate": _ratio(fp, tn + fp), "false_negative_rate": _ratio(fn, positives)}
    for name, beta in (("f0_5", 0.5), ("f1", 1.0), ("f2", 2.0)):
        values[name] = f_beta(precision, recall, beta)
        values[f"{name}_best_constant_classifier"] = f_beta(constant_precision, constant_recall, beta)
    return values


def multiclass_values(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    n = len(y)
    classes, support = np.unique(y, return_counts=True)
    weights = support / n
    recalls = np.array([_ratio(np.sum((y == c) & (predicted == c)), s) for c, s in zip(classes, support)])
    precisions = np.array([_ratio(np.sum((y == c) & (predicted == c)), np.sum(predicted == c)) for c in classes])
    share = float(weights.max())  # the best constant classifier answers the most frequent class
    values = {"accuracy": _ratio(np.sum(y == predicted), n), "weighted_recall": float(weights @ recalls),
              "weighted_precision": float(weights @ precisions),
              "accuracy_best_constant_classifier": share, "weighted_recall_best_constant_classifier": share,
              "weighted_precision_best_constant_classifier": share * share}
    for name, beta in (("f0_5", 0.5), ("f1", 1.0), ("f2", 2.0)):
        scores = np.array([f_beta(p, r, beta) for p, r in zip(precisions, recalls)])
        values[f"weighted_{name}"] = float(weights @ scores)
        values[f"weighted_{name}_best_constant_classifier"] = share * f_beta(share, 1.0, beta)
    return values


def roc_curve(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rates, true positive rates), one point per distinct score from the
    highest down, from (0, 0) to (1, 1)."""
    order = np.argsort(-scores, kind="stable")
    y, scores = y[order], scores[order]
    last_of_each = np.r_[np.nonzero(np.diff(scores))[0], len(scores) - 1]
    tps, fps = np.cumsum(y)[last_of_each], (last_of_each + 1) - np.cumsum(y)[last_of_each]
    positives, negatives = max(y.sum(), 1), max(len(y) - y.sum(), 1)
    return np.r_[0.0, fps / negatives], np.r_[0.0, tps / positives]


def precision_recall_curve(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-scores, kind="stable")
    y, scores = y[order], scores[order]
    last_of_each = np.r_[np.nonzero(np.diff(scores))[0], len(scores) - 1]
    tps = np.cumsum(y)[last_of_each]
    return tps / (last_of_each + 1), tps / max(y.sum(), 1)


def _area(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def _with_deviation(values_of, *arrays, rng: np.random.Generator) -> dict[str, dict]:
    """Each metric as {"value", "standard_deviation"} (see the module's docstring)."""
    values = values_of(*arrays)
    n = len(arrays[0])
    deviation = {name: "NaN" for name in values}
    if n >= MIN_RECORDS_FOR_DEVIATION:
        samples = []
        for _ in range(SAMPLES):
            chosen = rng.choice(n, size=int(n * SAMPLE_SHARE), replace=False)
            samples.append(values_of(*(a[chosen] for a in arrays)))
        deviation = {name: float(np.std([s[name] for s in samples])) for name in values}
    return {name: {"value": value, "standard_deviation": deviation[name]} for name, value in values.items()}


def confusion_matrix(labels: list[str], predicted: list[str]) -> dict:
    """{actual: {predicted: count}}, as AWS writes it."""
    classes = sorted({*labels, *predicted}, key=_label_order)
    return {a: {p: int(sum(1 for x, y in zip(labels, predicted) if x == a and y == p)) for p in classes}
            for a in classes}


def _label_order(label: str):
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def metrics(problem_type: str, labeled: Labeled, threshold: float = 0.5, seed: int = 0) -> dict:
    """The `<problem>_metrics` section of statistics.json."""
    rng = np.random.default_rng(seed)
    if not labeled.labels:
        raise JobError("Job inputs had no data: no record has both a prediction and a ground truth label")
    if problem_type == REGRESSION:
        return _with_deviation(regression_values, _numbers(labeled.labels, "ground truth"),
                               _numbers(labeled.predictions, "prediction"), rng=rng)
    if problem_type == BINARY:
        y = np.array([_binary(v, "ground truth") for v in labeled.labels])
        probabilities = (_numbers(labeled.probabilities, "probability")
                         if labeled.probabilities is not None else None)
        if labeled.predictions and labeled.predictions[0] is not None:
            predicted = np.array([_binary(v, "prediction") for v in labeled.predictions])
        elif probabilities is not None:
            predicted = (probabilities >= threshold).astype(int)
        else:
            raise JobError("a binary classification job needs inference_attribute or probability_attribute")
        section = {"confusion_matrix": confusion_matrix([str(v) for v in y], [str(v) for v in predicted]),
                   **_with_deviation(binary_values, y, predicted, rng=rng)}
        if probabilities is not None and 0 < y.sum() < len(y):
            fpr, tpr = roc_curve(y, probabilities)
            precisions, recalls = precision_recall_curve(y, probabilities)
            section["receiver_operating_characteristic_curve"] = {"false_positive_rates": fpr.tolist(),
                                                                  "true_positive_rates": tpr.tolist()}
            section["precision_recall_curve"] = {"precisions": precisions.tolist(), "recalls": recalls.tolist()}
            section["auc"] = {"value": _area(fpr, tpr), "standard_deviation": "NaN"}
            section["au_prc"] = {"value": _area(np.r_[0.0, recalls], np.r_[1.0, precisions]),
                                 "standard_deviation": "NaN"}
        return section
    if any(v is None for v in labeled.predictions):
        raise JobError("a multiclass classification job needs inference_attribute (the predicted label)")
    labels = [label_text(v) for v in labeled.labels]
    predicted = [label_text(v) for v in labeled.predictions]
    return {"confusion_matrix": confusion_matrix(labels, predicted),
            **_with_deviation(multiclass_values, np.array(labels, dtype=object), np.array(predicted, dtype=object),
                              rng=rng)}


def label_text(value) -> str:
    """A label as text: 1, 1.0 and "1" are all "1"."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _binary(value, what: str) -> int:
    text = label_text(value).lower()
    if text in ("1", "true"):
        return 1
    if text in ("0", "false"):
        return 0
    raise JobError(f"a binary classification {what} must be 0 or 1 (it is {value!r})")


def _numbers(values: list, what: str) -> np.ndarray:
    try:
        return np.array([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        bad = next(v for v in values if not _is_number(v))
        raise JobError(f"a {what} must be a number (one is {bad!r})")


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def statistics(problem_type: str, labeled: Labeled, threshold: float, now: datetime.datetime) -> dict:
    return {"version": 0.0,
            "dataset": {"item_count": len(labeled.labels), "evaluation_time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
            f"{SECTION[problem_type]}_metrics": metrics(problem_type, labeled, threshold)}


def suggest(problem_type: str, statistics_document: dict) -> dict:
    section = statistics_document[f"{SECTION[problem_type]}_metrics"]
    return {"version": 0.0, f"{SECTION[problem_type]}_constraints": {
        name: {"threshold": section[name]["value"], "comparison_operator": operator}
        for name, operator in CONSTRAINED[problem_type].items() if name in section}}


def check(problem_type: str, statistics_document: dict, constraints_document: dict) -> list[dict]:
    section = statistics_document[f"{SECTION[problem_type]}_metrics"]
    constraints = constraints_document.get(f"{SECTION[problem_type]}_constraints")
    if constraints is None:
        raise JobError(f"the baseline constraints have no {SECTION[problem_type]}_constraints (a model quality "
                       f"baseline of another problem type?)")
    violations = []
    for name, constraint in sorted(constraints.items()):
        if name not in section:
            continue
        value, threshold = section[name]["value"], float(constraint["threshold"])
        operator = constraint.get("comparison_operator", LESS)
        if (value < threshold) if operator == LESS else (value > threshold):
            deviation = section[name]["standard_deviation"]
            spread = f" +/- {deviation:.6g}" if isinstance(deviation, float) else ""
            violations.append({"constraint_check_type": operator, "metric_name": name,
                               "description": f"Metric {name} with {value:.6g}{spread} was {operator} '{threshold:.6g}'"})
    return violations


# -- where the labels come from ----------------------------------------------------------------

def column(dataset: Dataset, attribute: str | None, what: str) -> list | None:
    """A baseline dataset's column named by an attribute (a header name or an index)."""
    if attribute is None:
        return None
    frame = dataset.frame
    if attribute in frame.columns:
        return frame[attribute].tolist()
    if attribute.isdigit() and int(attribute) < len(frame.columns):
        return frame.iloc[:, int(attribute)].tolist()
    raise JobError(f"{what} {attribute!r} is not a column of the dataset (it has {', '.join(map(str, frame.columns))})")


def baseline_labels(dataset: Dataset, job: Job) -> Labeled:
    labels = column(dataset, job.ground_truth_attribute, "ground_truth_attribute")
    if labels is None:
        raise JobError("ground_truth_attribute must name the label column of a model quality baseline dataset")
    predictions = column(dataset, job.inference_attribute, "inference_attribute")
    probabilities = column(dataset, job.probability_attribute, "probability_attribute")
    if predictions is None and probabilities is None:
        raise JobError("inference_attribute or probability_attribute must name the prediction column")
    return Labeled(labels, predictions if predictions is not None else [None] * len(labels), probabilities)


def pick(row, attribute: str | None):
    """The value an attribute names in one output row (a CSV field index, a JSON member)."""
    if attribute is None:
        return row[0] if isinstance(row, list) and row else None
    if isinstance(row, list):
        return row[int(attribute)] if attribute.isdigit() and int(attribute) < len(row) else None
    key = attribute[2:] if attribute.startswith("$.") else attribute
    return row.get(key.replace("[", ".").replace("]", ""))


def ground_truth(source: str) -> dict[str, object]:
    """eventId -> label of every ground truth record under source."""
    labels = {}
    for path in files(source):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                data = record["groundTruthData"]
                event = record["eventMetadata"]["eventId"]
            except (ValueError, KeyError, TypeError):
                continue
            if str(data.get("encoding", "CSV")).upper() == "JSON":
                value = json.loads(data["data"])
                labels[str(event)] = value[0] if isinstance(value, list) else value
            else:
                fields = csv_rows(str(data["data"]))
                labels[str(event)] = fields[0][0] if fields and fields[0] else None
    return labels


def captured_labels(job: Job) -> Labeled:
    if not job.ground_truth_source:
        raise JobError("a model quality monitoring job needs ground truth (GroundTruthS3Input)")
    truth = ground_truth(job.ground_truth_source)
    labels, predictions, probabilities = [], [], []
    for record in capture_records(job):
        label = truth.get(str(record_id(record)))
        rows = part_rows((record.get("captureData") or {}).get("endpointOutput"))
        if label is None or not rows:
            continue
        labels.append(label)
        predictions.append(pick(rows[0], job.inference_attribute) if job.inference_attribute
                           or not job.probability_attribute else None)
        probabilities.append(pick(rows[0], job.probability_attribute))
    return Labeled(labels, predictions, probabilities if job.probability_attribute else None)
