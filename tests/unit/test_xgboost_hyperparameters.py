"""The XGBoost algorithm's hyperparameter checks, with the messages AWS's container fails a job with
(containers/xgboost; importable without the image)."""

import pytest

from sagemaker_emulator_xgboost.hyperparameters import AlgorithmError, UserError, validate


def failure(hyperparameters: dict) -> str:
    with pytest.raises((UserError, AlgorithmError)) as raised:
        validate(hyperparameters)
    return str(raised.value)


def test_strings_parse_to_the_types_xgboost_takes():
    assert validate({"num_round": "50", "eta": "0.2", "max_depth": "5", "objective": "reg:squarederror",
                     "eval_metric": "rmse,mae", "subsample": "0.8"}) == {
        "num_round": 50, "eta": 0.2, "max_depth": 5, "objective": "reg:squarederror",
        "eval_metric": ["rmse", "mae"], "subsample": 0.8}


def test_aliases_become_the_names_the_algorithm_knows():
    assert validate({"num_round": "3", "learning_rate": "0.1", "reg_lambda": "2", "reg_alpha": "0",
                     "min_split_loss": "1"}) == {"num_round": 3, "eta": 0.1, "lambda": 2.0, "alpha": 0.0, "gamma": 1.0}


def test_num_round_is_required():
    assert failure({"objective": "reg:squarederror"}) == "Missing required hyperparameter: num_round"


def test_unknown_and_unparsable_ones_are_named():
    assert failure({"num_round": "3", "silent": "1"}) == "Extraneous hyperparameter found: silent"
    assert failure({"num_round": "ten"}) == "Hyperparameter num_round: could not parse value (caused by ValueError)"
    assert failure({"num_round": "3", "max_depth": "2.5"}) == \
        "Hyperparameter max_depth: could not parse value (caused by ValueError)"


def test_ranges_read_as_the_container_prints_them():
    assert failure({"num_round": "0"}) == "Hyperparameter num_round: 0 is not in [1, +inf)"
    assert failure({"num_round": "3", "eta": "2"}) == "Hyperparameter eta: 2.0 is not in [0, 1]"
    assert failure({"num_round": "3", "subsample": "0"}) == "Hyperparameter subsample: 0.0 is not in (0, 1]"
    assert failure({"num_round": "3", "booster": "forest"}) == \
        "Hyperparameter booster: forest is not in ['gbtree', 'gblinear', 'dart']"
    assert failure({"num_round": "3", "tree_method": "fast"}) == \
        "Hyperparameter tree_method: fast is not in ['auto', 'exact', 'approx', 'hist', 'gpu_hist']"
    assert failure({"num_round": "3", "objective": "reg:linear", "eval_metric": "rmse,bogus"}).startswith(
        "Hyperparameter eval_metric: value ['rmse', 'bogus'] not in range ['accuracy', 'auc',")


def test_checks_between_hyperparameters():
    assert failure({"num_round": "3", "objective": "multi:softmax"}) == \
        "Require input for parameter 'num_class' for multi-classification"
    assert validate({"num_round": "3", "objective": "multi:softprob", "num_class": "3"})["num_class"] == 3
    assert failure({"num_round": "3", "objective": "reg:squarederror", "eval_metric": "auc"}) == \
        "Metric 'auc' can only be applied for classification and ranking problems."
    assert validate({"num_round": "3", "objective": "binary:logistic", "eval_metric": "auc,logloss"})[
        "eval_metric"] == ["auc", "logloss"]
    assert failure({"num_round": "3", "monotone_constraints": "(1,-1)"}) == (
        "monotone_constraints can be used only when the tree_method parameter is set to either 'exact' or 'hist'.")
    assert validate({"num_round": "3", "tree_method": "hist", "monotone_constraints": "(1,-1)"})[
        "monotone_constraints"] == (1, -1)


def test_metric_thresholds():
    assert validate({"num_round": "3", "objective": "binary:logistic", "eval_metric": "error@0.7"})[
        "eval_metric"] == ["error@0.7"]
    assert failure({"num_round": "3", "objective": "binary:logistic", "eval_metric": "auc@0.5"}) == (
        "Metric 'auc@0.5' is not supported. Parameter 'eval_metric' with customized threshold should be one of "
        "these options: 'error', 'ndcg', 'map'.")
    assert failure({"num_round": "3", "objective": "binary:logistic", "eval_metric": "error@high"}) == \
        "Threshold value 't' in 'error@t' expects float input."


def test_a_tuning_objective_must_be_a_validation_metric():
    assert validate({"num_round": "3", "_tuning_objective_metric": "validation:rmse"})[
        "_tuning_objective_metric"] == "validation:rmse"
    assert failure({"num_round": "3", "_tuning_objective_metric": "train:rmse"}).startswith(
        "Hyperparameter _tuning_objective_metric: train:rmse is not in ['validation:accuracy',")
