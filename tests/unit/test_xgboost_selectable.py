"""The XGBoost algorithm's selectable inference output (SAGEMAKER_INFERENCE_OUTPUT), as AWS's
container answers it, on predictions xgboost would give (containers/xgboost; numpy only)."""

import json
import math

import numpy as np
import pytest

from sagemaker_emulator_xgboost import selectable


def test_binary_logistic_keys():
    keys = selectable.selected_keys("predicted_label, probability,probabilities,labels")
    chosen = selectable.select(np.array([0.8, 0.25], dtype=np.float32), keys, "binary:logistic")
    assert chosen[0]["predicted_label"] == 1 and chosen[1]["predicted_label"] == 0
    assert chosen[0]["probability"] == pytest.approx(0.8)
    assert chosen[1]["probabilities"] == pytest.approx([0.75, 0.25])
    assert chosen[0]["labels"] == [0, 1]


def test_multiclass_probabilities_and_the_winning_class():
    raw = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]], dtype=np.float32)
    chosen = selectable.select(raw, ["predicted_label", "probability", "labels"], "multi:softprob", num_class="3")
    assert [c["predicted_label"] for c in chosen] == [1, 0]
    assert chosen[0]["probability"] == pytest.approx(0.7) and chosen[0]["labels"] == [0, 1, 2]


def test_a_key_the_objective_lacks_is_nan_and_an_unknown_objective_is_refused():
    chosen = selectable.select(np.array([3.5]), ["predicted_score", "probability"], "reg:squarederror")
    assert chosen[0]["predicted_score"] == 3.5 and math.isnan(chosen[0]["probability"])
    with pytest.raises(ValueError, match="^Objective `rank:pairwise` unsupported for selectable inference"):
        selectable.select(np.array([1.0]), ["predicted_score"], "rank:pairwise")


def test_encodings():
    chosen = [{"predicted_label": 1, "probabilities": [0.25, 0.75]}, {"predicted_label": 0, "probabilities": [0.9, 0.1]}]
    keys = ["predicted_label", "probabilities"]
    assert json.loads(selectable.encode(chosen, keys, "application/json", batch=False)) == {"predictions": chosen}
    lines = selectable.encode(chosen, keys, "application/jsonlines", batch=False).splitlines()
    assert [json.loads(line) for line in lines] == chosen
    assert selectable.encode(chosen, keys, "text/csv", batch=False) == '1,"[0.25, 0.75]"\n0,"[0.9, 0.1]"'
    assert selectable.encode(chosen, keys, "text/csv", batch=True).endswith('"[0.9, 0.1]"\n')
    with pytest.raises(RuntimeError, match="Cannot encode selected predictions into accept type"):
        selectable.encode(chosen, keys, "application/x-recordio-protobuf", batch=False)
