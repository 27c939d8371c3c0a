"""The evaluation metrics the algorithm knows, and the ones it computes itself.

MAXIMIZE and MINIMIZE are every metric `eval_metric` (and a tuning objective
`validation:<metric>`) may name, as the 1.7-1 container lists them; which way each is better
decides early stopping. CUSTOM are those the container computes with scikit-learn instead of
xgboost (xgboost knows some under other definitions, or not at all); their names print in
the same `<data>-<metric>:<value>` form.
"""

MAXIMIZE = ("accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map", "ndcg",
            "precision", "r2", "recall", "precision_macro", "precision_micro", "recall_macro", "recall_micro")
MINIMIZE = ("aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik",
            "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe", "mse",
            "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik")
CUSTOM = ("accuracy", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "mse", "rmse", "mae", "precision",
          "precision_macro", "precision_micro", "r2", "recall", "recall_macro", "recall_micro")


def _class_labels(preds, objective: str):
    """Predictions to class labels as the container reads margins: the arg-max of per-class
    scores, the label itself (multi:softmax), else log-odds > 0. xgboost hands a custom metric
    transformed predictions, so probabilities count from 0.5."""
    import numpy as np

    if preds.ndim > 1:
        return np.argmax(preds, axis=-1)
    if objective == "multi:softmax":
        return preds.astype(int)
    threshold = 0.5 if objective in ("binary:logistic", "reg:logistic") else 0.0
    return (preds > threshold).astype(int)


def _scorers(objective: str):
    from sklearn import metrics as m

    def labelled(score):
        return lambda labels, preds: score(labels, _class_labels(preds, objective)) if preds.size else 0.0

    return {
        "accuracy": labelled(m.accuracy_score),
        "balanced_accuracy": labelled(m.balanced_accuracy_score),
        "f1": labelled(lambda y, p: m.f1_score(y, p, average="macro")),
        "f1_binary": labelled(lambda y, p: m.f1_score(y, p, average="binary")),
        "f1_macro": labelled(lambda y, p: m.f1_score(y, p, average="macro")),
        "mse": m.mean_squared_error,
        "rmse": m.root_mean_squared_error,
        "mae": m.mean_absolute_error,
        "precision": labelled(m.precision_score),
        "precision_macro": labelled(lambda y, p: m.precision_score(y, p, average="macro")),
        "precision_micro": labelled(lambda y, p: m.precision_score(y, p, average="micro")),
        "r2": m.r2_score,
        "recall": labelled(m.recall_score),
        "recall_macro": labelled(lambda y, p: m.recall_score(y, p, average="macro")),
        "recall_micro": labelled(lambda y, p: m.recall_score(y, p, average="micro")),
    }


def custom_metric(names: list[str], objective: str):
    """xgb.train's custom_metric computing `names` (a subset of CUSTOM), or None."""
    if not names:
        return None
    scorers = _scorers(objective)

    def evaluate(preds, dmatrix):
        labels = dmatrix.get_label()
        return [(name, float(scorers[name](labels, preds))) for name in names]
    return evaluate
