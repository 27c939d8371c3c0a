"""Algorithm mode: train the built-in XGBoost from hyperparameters and channels alone.

hyperparameters.json and inputdataconfig.json are checked first (hyperparameters.py,
channels.py), then `train` (and `validation`, if given) are read and xgb.train runs with
xgboost's EvaluationMonitor printing `[i]\\ttrain-<metric>:<v>\\tvalidation-<metric>:<v>`
each round (SageMaker's log shows the tab as #011, which the built-in metric definitions
match). early_stopping_rounds watches the last eval_metric (or the tuning objective) on
`validation` and keeps the best round; the model is saved as /opt/ml/model/xgboost-model.
On several instances the hosts train together (distributed.py).
"""

import json
import logging
import os
import warnings

from . import channels, data, distributed, hyperparameters, metrics
from .hyperparameters import UserError

log = logging.getLogger(__name__)

CONFIG_DIR = "/opt/ml/input/config"
DATA_DIR = "/opt/ml/input/data"
MODEL_DIR = "/opt/ml/model"
MODEL_NAME = "xgboost-model"
# Errors xgboost raises for data the user can fix: the container reports them as they are.
CUSTOMER_ERRORS = (
    "label must be in [0,1] for logistic regression", "label must be in [0, num_class)",
    "Target is multiclass but average='binary'", "feature_names mismatch",
    "Check failed: preds.size() == info.labels_.size()",
    "Check failed: !auc_error AUC: the dataset only contains pos or neg samples",
    "Check failed: base_score > 0.0f && base_score < 1.0f base_score must be in (0,1) for logistic loss",
    "Check failed: label_correct PoissonRegression: label must be nonnegative",
    "Check failed: label_correct TweedieRegression: label must be nonnegative",
    "Parameter reg_lambda should be greater equal to 0")


def _read_json(name: str) -> dict:
    with open(os.path.join(CONFIG_DIR, name)) as f:
        return json.load(f)


def run() -> None:
    config = hyperparameters.validate(_read_json("hyperparameters.json"))
    if config.get("updater"):
        config["updater"] = ",".join(config["updater"])
    inputs = channels.validate_channels(_read_json("inputdataconfig.json"))
    resources = _read_json("resourceconfig.json")
    hosts, current_host = sorted(resources["hosts"]), resources["current_host"]
    if config.pop("use_dask_gpu_training", "false") == "true":
        raise UserError("sagemaker-emulator's XGBoost has no GPU: use_dask_gpu_training is not supported")
    fmt = channels.content_format(inputs["train"].get("ContentType"))
    csv_weights = config.pop("csv_weights", 0)
    train_path = os.path.join(DATA_DIR, "train")
    validation_path = os.path.join(DATA_DIR, "validation") if "validation" in inputs else None
    matrices = {}
    for name, path in (("train", train_path), ("validation", validation_path)):
        if path is None or not os.path.exists(path):
            continue
        channels.check_no_hidden_files(path)
        for file in channels.data_files(path):
            channels.check_file_format(file, fmt)
        matrix = data.read(path, fmt, csv_weights)
        if matrix is not None:
            matrices[name] = matrix
    if "train" not in matrices:
        raise UserError(f"No data in training channel path {train_path}")
    if validation_path and "validation" not in matrices:
        raise UserError(f"No data in validation channel path {validation_path}")
    if len(hosts) == 1:
        log.info("Single node training.")
        booster = train(config, matrices["train"], matrices.get("validation"))
    else:
        with distributed.cluster(hosts, current_host):
            booster = train(config, matrices["train"], matrices.get("validation"))
        if current_host != hosts[0]:
            return  # the hosts' models are the same; the first host's is saved
    os.makedirs(MODEL_DIR, exist_ok=True)
    with warnings.catch_warnings():  # xgboost 3 says which format a file without extension gets (UBJSON)
        warnings.simplefilter("ignore", UserWarning)
        booster.save_model(os.path.join(MODEL_DIR, MODEL_NAME))


def train(config: dict, train_matrix, validation_matrix):
    import xgboost as xgb

    if config.pop("_kfold", None) is not None:
        raise UserError("sagemaker-emulator's XGBoost does not run cross-validation (_kfold)")
    config.pop("_num_cv_round", None)
    config.pop("save_model_on_termination", None)
    num_round = config.pop("num_round")
    early_stopping_rounds = config.pop("early_stopping_rounds", None)
    tuning_objective = config.pop("_tuning_objective_metric", None)
    objective_metric = tuning_objective.split(":")[1] if tuning_objective else None
    asked = config.get("eval_metric")
    wanted = sorted(set(asked or []) | {objective_metric}) if objective_metric else asked
    custom = [m for m in wanted or [] if m in metrics.CUSTOM]
    builtin = [m for m in wanted or [] if m not in metrics.CUSTOM]
    if builtin:
        config["eval_metric"] = builtin
    else:
        config.pop("eval_metric", None)
    stop_on = objective_metric or (asked[-1] if asked else None)
    log.info("Train matrix has %d rows and %d columns", train_matrix.num_row(), train_matrix.num_col())
    evals = [(train_matrix, "train")]
    callbacks = [xgb.callback.EvaluationMonitor()]
    if validation_matrix is not None:
        log.info("Validation matrix has %d rows", validation_matrix.num_row())
        evals.append((validation_matrix, "validation"))
        if early_stopping_rounds and stop_on:
            callbacks.append(xgb.callback.EarlyStopping(
                rounds=early_stopping_rounds, data_name="validation", metric_name=stop_on,
                maximize=stop_on in metrics.MAXIMIZE, save_best=True))
    try:
        return xgb.train(config, train_matrix, num_boost_round=num_round, evals=evals,
                         custom_metric=metrics.custom_metric(custom, config.get("objective", "reg:squarederror")),
                         callbacks=callbacks, verbose_eval=False)
    except Exception as error:
        if any(message in str(error) for message in CUSTOMER_ERRORS):
            raise UserError(str(error)) from error
        raise hyperparameters.AlgorithmError(f"XGB train call failed with exception:\n {error}") from error
