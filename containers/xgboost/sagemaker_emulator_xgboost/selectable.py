"""Selectable inference output: with SAGEMAKER_INFERENCE_OUTPUT (e.g. `predicted_label,probabilities`)
the algorithm answers each prediction as the named keys (what Autopilot and Clarify ask for),
as AWS's container does:

- predicted_label, labels, probability, probabilities, raw_score, raw_scores for classification
  objectives, predicted_score for regression; a key the objective does not have is NaN;
- application/json `{"predictions": [{...}, ...]}`, application/jsonlines one object a line,
  text/csv the keys' values in the order named (a list as `"[...]"`).
"""

import json
import logging
import math

log = logging.getLogger(__name__)

ENV = "SAGEMAKER_INFERENCE_OUTPUT"
_CLASSIFICATION = ("predicted_label", "labels", "raw_score", "raw_scores")
VALID_KEYS = {
    "reg:squarederror": ("predicted_score",), "reg:logistic": ("predicted_score",), "reg:gamma": ("predicted_score",),
    "reg:absoluteerror": ("predicted_score",), "reg:tweedie": ("predicted_score",),
    "binary:logistic": (*_CLASSIFICATION, "probability", "probabilities"),
    "binary:logitraw": _CLASSIFICATION, "binary:hinge": _CLASSIFICATION, "multi:softmax": _CLASSIFICATION,
    "multi:softprob": (*_CLASSIFICATION, "probability", "probabilities"),
}


def selected_keys(value: str) -> list[str]:
    return value.replace(" ", "").lower().split(",")


def _labels(objective, num_class, raw):
    if "binary:" in objective:
        return [0, 1]
    return list(range(int(num_class))) if "multi:" in objective and num_class else math.nan


def _predicted_label(objective, num_class, raw):
    if objective in ("binary:hinge", "multi:softmax"):
        return raw.item()
    if objective == "binary:logistic":
        return int(raw > 0.5)
    if objective == "binary:logitraw":
        return int(raw > 0)
    return int(raw.argmax()) if objective == "multi:softprob" else math.nan


def _probability(objective, num_class, raw):
    if objective == "multi:softprob":
        return max(raw).item()
    return raw.item() if objective == "binary:logistic" else math.nan


def _probabilities(objective, num_class, raw):
    if objective == "multi:softprob":
        return raw.tolist()
    return [1.0 - raw.item(), raw.item()] if objective == "binary:logistic" else math.nan


def _raw_score(objective, num_class, raw):
    if objective == "multi:softprob":
        return max(raw).item()
    return raw.item() if objective in ("binary:logitraw", "binary:hinge", "binary:logistic", "multi:softmax") \
        else math.nan


def _raw_scores(objective, num_class, raw):
    if objective == "multi:softprob":
        return raw.tolist()
    if objective in ("binary:logitraw", "binary:hinge", "binary:logistic", "multi:softmax"):
        return [1.0 - raw.item(), raw.item()]
    return math.nan


_VALUES = {"predicted_label": _predicted_label, "labels": _labels, "probability": _probability,
           "probabilities": _probabilities, "raw_score": _raw_score, "raw_scores": _raw_scores,
           "predicted_score": lambda objective, num_class, raw: raw.item()}


def select(raw_predictions, keys: list[str], objective: str, num_class="") -> list[dict]:
    """One dict per prediction with the keys asked (NaN for those the objective does not have)."""
    if objective not in VALID_KEYS:
        raise ValueError(f"Objective `{objective}` unsupported for selectable inference predictions.")
    invalid = set(keys) - set(VALID_KEYS[objective])
    if invalid:
        log.warning("Selected key(s) %s incompatible for objective '%s'. Please use list of compatible selectable "
                    "inference predictions: %s", invalid, objective, list(VALID_KEYS[objective]))
    return [{key: math.nan if key in invalid else _VALUES[key](objective, num_class, raw) for key in keys}
            for raw in raw_predictions]


def encode(predictions: list[dict], keys: list[str], accept: str, batch: bool) -> str:
    if accept == "application/json":
        return json.dumps({"predictions": predictions})
    if accept == "application/jsonlines":
        return "".join(json.dumps(entry) + "\n" for entry in predictions)
    if accept == "text/csv":
        lines = "\n".join(",".join(f'"{p[k]}"' if isinstance(p[k], list) else str(p[k]) for k in keys)
                          for p in predictions)
        return lines + "\n" if batch else lines
    raise RuntimeError(f"Cannot encode selected predictions into accept type '{accept}'.")
