"""Algorithm mode's endpoint: the built-in XGBoost's /invocations as AWS's container answers it.

The model is every file of /opt/ml/model (not dot files): one booster, or an ensemble of
several (averaged; voted for multi:softmax and binary:hinge) unless
SAGEMAKER_INFERENCE_ENSEMBLE=false; each loads as a pickle or as xgboost's own format.
A request:
- empty body: 204;
- Content-Type text/csv (features only), text/libsvm or text/x-libsvm, else 415 with the reason;
- predictions that fail: 400 `Unable to evaluate payload provided: ...`;
- Accept text/csv (one prediction per line; the default, or SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT),
  application/json (`{"predictions": [{"score": p}, ...]}`); application/jsonlines only with
  selectable output (SAGEMAKER_INFERENCE_OUTPUT: selectable.py), else 500 as the container
  answers it; application/x-recordio-protobuf: 500 (the emulator does not write it); another: 406;
- in a batch transform (SAGEMAKER_BATCH): one prediction per line whatever the Accept.
"""

import json
import logging
import multiprocessing
import os
import pickle

from sagemaker_emulator_serving import encoders
from sagemaker_emulator_serving.reply import Reply
from sagemaker_emulator_serving.framework import INTERNAL_ERROR_PAGE, flask_content_type

from . import channels, payloads, selectable

log = logging.getLogger(__name__)

SUPPORTED_ACCEPTS = ["application/json", "application/jsonlines", "application/x-recordio-protobuf", "text/csv"]
MAX_CONTENT_LENGTH = int(os.getenv("MAX_CONTENT_LENGTH", "6291456"))
VOTED = ("multi:softmax", "binary:hinge")


_PARSERS = {channels.CSV: payloads.csv_to_dmatrix, channels.LIBSVM: payloads.libsvm_to_dmatrix}


def parse_payload(body: bytes, content_type: str | None):
    fmt = channels.content_format(content_type)
    if fmt in _PARSERS:
        try:
            return _PARSERS[fmt](body.strip().decode("utf-8")), fmt
        except Exception as e:
            raise RuntimeError(f"Loading {fmt} data failed with Exception, please ensure data is in {fmt} format:\n"
                               f" {type(e)}\n {e}") from e
    if fmt == channels.RECORDIO_PROTOBUF:
        raise RuntimeError("Content-type application/x-recordio-protobuf is not supported by sagemaker-emulator's "
                           "XGBoost: send text/csv or text/libsvm")
    raise RuntimeError(f"Content-type {content_type} is not supported.")


def load_boosters(model_dir: str, ensemble: bool) -> list[tuple[object, bool]]:
    """(booster, pickled) for each model file: all of them for an ensemble, else the first."""
    import xgboost as xgb

    paths = [os.path.join(model_dir, f) for f in sorted(os.listdir(model_dir))
             if os.path.isfile(os.path.join(model_dir, f)) and not f.startswith(".")]
    loaded = []
    for path in paths if ensemble else paths[:1]:
        log.info("Loading the model from %s", path)
        try:
            with open(path, "rb") as f:
                booster, pickled = pickle.load(f), True
        except Exception as pickle_error:
            try:
                booster, pickled = xgb.Booster(), False
                booster.load_model(path)
            except Exception as xgb_error:
                raise RuntimeError(f"Model {path} cannot be loaded:\nPickle load error={pickle_error}"
                                   f"\nXGB load model error={xgb_error}") from xgb_error
        booster.set_param("nthread", 1)
        loaded.append((booster, pickled))
    if not loaded:
        raise RuntimeError(f"No model file found in {model_dir}")
    return loaded


def _check_features(booster, dmatrix, fmt: str) -> None:
    """The container's check for pickled models: the request's width fits the model's."""
    model, given = booster.num_features(), dmatrix.num_col()
    if fmt == channels.LIBSVM and given > model + 1:
        raise ValueError(f"Feature size of libsvm inference data {given} is larger than feature size of trained "
                         f"model {model}.")
    if fmt == channels.CSV and given not in (model, model - 1):
        raise ValueError(f"Feature size of {fmt} inference data {given} is not consistent with feature size of "
                         f"trained model {model}.")


class ScoringHandler:
    def __init__(self):
        self.boosters = []
        self.config = {}
        self.objective = None

    def load(self, model_dir: str) -> None:
        ensemble = os.environ.get("SAGEMAKER_INFERENCE_ENSEMBLE", "true") == "true"
        self.boosters = load_boosters(model_dir, ensemble)
        self.config = json.loads(self.boosters[0][0].save_config())
        self.objective = self.config["learner"]["objective"]["name"]
        log.info("Model objective : %s", self.objective)

    def predict(self, dmatrix, fmt: str):
        import numpy as np

        if self.boosters[0][1]:
            _check_features(self.boosters[0][0], dmatrix, fmt)
        predictions = [booster.predict(dmatrix, validate_features=False) for booster, _ in self.boosters]
        if len(predictions) == 1:
            return predictions[0]
        if self.objective in VOTED:
            from scipy import stats

            return stats.mode(predictions).mode
        return np.mean(predictions, axis=0)

    def invoke(self, body: bytes, headers: dict[str, str]) -> Reply:
        if not body:
            return Reply(204, b"", "text/html; charset=utf-8")
        try:
            dmatrix, fmt = parse_payload(body, headers.get("Content-Type"))
        except Exception as e:
            log.exception(e)
            return Reply(415, str(e), "text/html; charset=utf-8")
        try:
            predictions = self.predict(dmatrix, fmt)
        except Exception as e:
            log.exception(e)
            return Reply(400, f"Unable to evaluate payload provided: {e}", "text/html; charset=utf-8")
        accept = channels.split_header(headers.get("Accept", ""))[0]
        if not accept or accept == encoders.ANY:
            accept = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")
        elif accept.lower() not in SUPPORTED_ACCEPTS:
            return Reply(406, f"Accept type {accept} is not supported. Please use supported accept types: "
                              f"{SUPPORTED_ACCEPTS}.", "text/html; charset=utf-8")
        accept = accept.lower()
        if os.environ.get(selectable.ENV):
            return self.selected(predictions, accept)
        predictions = predictions.tolist()
        if os.environ.get("SAGEMAKER_BATCH"):
            answer = "\n".join(map(str, predictions)) + "\n"
        elif accept == encoders.JSON:
            answer = json.dumps({"predictions": [{"score": p} for p in predictions]})
        else:
            try:
                answer = encoders.encode(predictions, accept)
            except encoders.UnsupportedFormatError:
                log.exception("Exception on /invocations [POST]")
                return Reply(500, INTERNAL_ERROR_PAGE, "text/html; charset=utf-8")
        return Reply(200, answer, flask_content_type(accept))

    def selected(self, predictions, accept: str) -> Reply:
        try:
            keys = selectable.selected_keys(os.environ[selectable.ENV])
            num_class = self.config["learner"]["learner_model_param"].get("num_class", "")
            chosen = selectable.select(predictions, keys, self.objective, num_class=num_class)
            answer = selectable.encode(chosen, keys, accept, batch=bool(os.environ.get("SAGEMAKER_BATCH")))
        except Exception as e:
            log.exception(e)
            return Reply(500, str(e), "text/html; charset=utf-8")
        return Reply(200, answer, flask_content_type(accept))

    def execution_parameters(self) -> Reply:
        return Reply(200, json.dumps({"MaxConcurrentTransforms": multiprocessing.cpu_count(),
                                      "BatchStrategy": "MULTI_RECORD",
                                      "MaxPayloadInMB": int(MAX_CONTENT_LENGTH / 1024 ** 2)}), "application/json")
