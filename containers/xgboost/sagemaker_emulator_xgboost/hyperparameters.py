"""The algorithm's hyperparameters: which exist, how each parses, what range it takes, and
the checks between them, with the messages AWS's container fails a job with.

Validation runs as the container's does, and fails at the first problem:
1. aliases become their names (learning_rate -> eta, min_split_loss -> gamma,
   reg_lambda -> lambda, reg_alpha -> alpha);
2. `Missing required hyperparameter: num_round`;
3. each given one parses (`Extraneous hyperparameter found: x`,
   `Hyperparameter x: could not parse value (caused by ValueError)`);
4. each is in its range (`Hyperparameter eta: 2.0 is not in [0, 1]`);
5. the checks between them (num_class for multi:*, auc only for binary:/rank:, ...).
The result maps names to parsed values (int, float, str, list) for xgb.train.
"""

import ast
from dataclasses import dataclass
from typing import Callable

from . import metrics


class UserError(Exception):
    """A problem the user can fix (a hyperparameter, a channel, the data)."""

    def __init__(self, message: str, caused_by: Exception | None = None):
        super().__init__(message + (f" (caused by {type(caused_by).__name__})" if caused_by else ""))


class AlgorithmError(Exception):
    def __init__(self, message: str, caused_by: Exception | None = None):
        super().__init__(message + (f" (caused by {type(caused_by).__name__})" if caused_by else ""))


@dataclass(frozen=True)
class Interval:
    min_open: float | None = None
    min_closed: float | None = None
    max_open: float | None = None
    max_closed: float | None = None

    def __contains__(self, value) -> bool:
        return not ((self.min_open is not None and value <= self.min_open)
                    or (self.min_closed is not None and value < self.min_closed)
                    or (self.max_open is not None and value >= self.max_open)
                    or (self.max_closed is not None and value > self.max_closed))

    def __str__(self) -> str:
        low = f"({self.min_open}, " if self.min_open is not None else \
            f"[{self.min_closed}, " if self.min_closed is not None else "(-inf, "
        high = f"{self.max_open})" if self.max_open is not None else \
            f"{self.max_closed}]" if self.max_closed is not None else "+inf)"
        return low + high


class Choices:
    """A categorical range whose membership a function decides; shown as its list."""

    def __init__(self, values, accepts: Callable[[list, str], bool] = lambda values, value: value in values):
        self.values, self.accepts = list(values), accepts

    def __contains__(self, value) -> bool:
        return self.accepts(self.values, value)

    def __str__(self) -> str:
        return str(self.values)


def _parse_list(value):
    return value.split(",")


def _parse_literal(value):
    return ast.literal_eval(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Hyperparameter:
    name: str
    parse: Callable = str
    range: object = None
    required: bool = False
    depends_on: tuple[str, ...] = ()
    check: Callable | None = None  # (value, {dependency: value}) -> None, raises UserError
    shape: str = "scalar"  # "scalar", "list" (comma-separated), "nested" (list of lists), "tuple"

    def validate_range(self, value) -> None:
        if self.range is None:
            return
        if self.shape == "scalar":
            if value not in self.range:
                raise UserError(f"Hyperparameter {self.name}: {value} is not in {self.range}")
            return
        elements = [e for outer in value for e in outer] if self.shape == "nested" else value
        if any(element not in self.range for element in elements):
            raise UserError(f"Hyperparameter {self.name}: value {value} not in range {self.range}")


def _integer(name, **kw):
    return Hyperparameter(name, parse=int, **kw)


def _continuous(name, **kw):
    return Hyperparameter(name, parse=float, **kw)


def _categorical(name, values, **kw):
    return Hyperparameter(name, range=values if isinstance(values, Choices) else list(values), **kw)


# -- the checks between hyperparameters --------------------------------------------------

_TREE_PLUGINS = ("grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker", "sync", "refresh", "prune",
                 "grow_quantile_histmaker")
_TREE_BUILD_PLUGINS = ("grow_colmaker", "distcol", "grow_histmaker", "grow_colmaker", "grow_quantile_histmaker")
_LINEAR_PLUGINS = ("shotgun", "coord_descent")


def _check_updater(value, deps):
    if deps.get("booster") == "gblinear":
        if not (len(value) == 1 and value[0] in _LINEAR_PLUGINS):
            # The container's message shows a generator here, not the options; kept as it reads.
            raise UserError("Linear updater should be one of these options: {}.".format(
                ", ".join("'{0}'".format(u for u in _LINEAR_PLUGINS))))
    elif deps.get("process_type") == "update":
        if not all(x in ("refresh", "prune") for x in value):
            raise UserError("process_type 'update' can only be used with updater 'refresh' and 'prune'")
    else:
        if not all(x in _TREE_PLUGINS for x in value):
            raise UserError("Tree updater should be selected from these options: 'grow_colmaker', 'distcol', "
                            "'grow_histmaker', 'grow_skmaker', 'grow_quantile_histmaker', 'sync', 'refresh', "
                            "'prune', 'shortgun', 'coord_descent'.")
        if sum(1 for x in value if x in _TREE_BUILD_PLUGINS) > 1:
            raise UserError("Only one tree grow plugin can be selected. Choose one from thefollowing: "
                            "'grow_colmaker', 'distcol', 'grow_histmaker', 'grow_skmaker'")


def _check_objective(value, deps):
    if value in ("multi:softmax", "multi:softprob") and deps.get("num_class") is None:
        raise UserError("Require input for parameter 'num_class' for multi-classification")


def _accepts_metric(supported, metric: str) -> bool:
    if "<function" in metric:
        raise UserError(f"User defined evaluation metric {metric} is not supported yet.")
    if "@" in metric:
        name, threshold = (part.strip() for part in metric.split("@", 1))
        if name not in ("error", "ndcg", "map"):
            raise UserError(f"Metric '{metric}' is not supported. Parameter 'eval_metric' with customized threshold "
                            "should be one of these options: 'error', 'ndcg', 'map'.")
        try:
            float(threshold)
        except ValueError:
            raise UserError(f"Threshold value 't' in '{name}@t' expects float input.") from None
        return True
    return metric in supported


def _check_eval_metric(value, deps):
    objective = deps["objective"]  # as in the container: eval_metric without objective is a KeyError
    if "auc" in value and not objective.startswith(("binary:", "rank:")):
        raise UserError("Metric 'auc' can only be applied for classification and ranking problems.")
    if "aft-nloglik" in value and objective != "survival:aft":
        raise UserError("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.")


def _needs_tree_method(allowed: tuple[str, ...], message: str):
    def check(value, deps):
        if value is not None and deps.get("tree_method") not in allowed:
            raise UserError(message)
    return check


OBJECTIVES = ("aft_loss_distribution", "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
              "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map", "reg:linear",
              "reg:squarederror", "reg:logistic", "reg:gamma", "reg:pseudohubererror", "reg:squaredlogerror",
              "reg:absoluteerror", "reg:tweedie", "survival:aft", "survival:cox")
TUNING_OBJECTIVES = tuple(f"validation:{m}" for m in (*metrics.MAXIMIZE, *metrics.MINIMIZE))
_TRUE_FALSE = ("true", "false")

TABLE = (
    _integer("num_round", required=True, range=Interval(min_closed=1)),
    _integer("csv_weights", range=Interval(min_closed=0, max_closed=1)),
    _integer("early_stopping_rounds", range=Interval(min_closed=1)),
    _categorical("booster", ("gbtree", "gblinear", "dart")),
    _integer("verbosity", range=Interval(min_closed=0, max_closed=3)),
    _integer("nthread", range=Interval(min_closed=1)),
    _continuous("eta", range=Interval(min_closed=0, max_closed=1)),
    _continuous("gamma", range=Interval(min_closed=0)),
    _integer("max_depth", range=Interval(min_closed=0)),
    _continuous("min_child_weight", range=Interval(min_closed=0)),
    _continuous("max_delta_step", range=Interval(min_closed=0)),
    _continuous("subsample", range=Interval(min_open=0, max_closed=1)),
    _continuous("colsample_bytree", range=Interval(min_open=0, max_closed=1)),
    _continuous("colsample_bylevel", range=Interval(min_open=0, max_closed=1)),
    _continuous("colsample_bynode", range=Interval(min_open=0, max_closed=1)),
    _continuous("lambda", range=Interval(min_closed=0)),
    _continuous("alpha", range=Interval(min_closed=0)),
    _categorical("tree_method", Choices(("auto", "exact", "approx", "hist", "gpu_hist"))),
    _continuous("sketch_eps", range=Interval(min_open=0, max_open=1)),
    _continuous("scale_pos_weight", range=Interval(min_open=0)),
    Hyperparameter("updater", parse=_parse_list, shape="list", depends_on=("booster", "process_type"),
                   check=_check_updater,
                   range=["grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker", "sync", "refresh", "prune",
                          "grow_colmaker", "distcol", "grow_histmaker", "grow_colmaker", "shotgun", "coord_descent",
                          "refresh", "prune"]),
    _categorical("dsplit", ("row", "col")),
    _integer("refresh_leaf", range=Interval(min_closed=0, max_closed=1)),
    _categorical("process_type", ("default", "update")),
    _categorical("grow_policy", ("depthwise", "lossguide")),
    _integer("max_leaves", range=Interval(min_closed=0)),
    _integer("max_bin", range=Interval(min_closed=0)),
    _categorical("predictor", Choices(("auto", "cpu_predictor", "gpu_predictor"))),
    Hyperparameter("monotone_constraints", parse=_parse_literal, shape="tuple", range=[-1, 0, 1],
                   depends_on=("tree_method",),
                   check=_needs_tree_method(("exact", "hist"), "monotone_constraints can be used only when the "
                                            "tree_method parameter is set to either 'exact' or 'hist'.")),
    Hyperparameter("interaction_constraints", parse=_parse_literal, shape="nested", range=Interval(min_closed=1),
                   depends_on=("tree_method",),
                   check=_needs_tree_method(("exact", "hist", "approx"), "interaction_constraints can be used only "
                                            "when the tree_method parameter is set to either 'exact', 'hist' or "
                                            "'approx'.")),
    _categorical("sample_type", ("uniform", "weighted")),
    _categorical("normalize_type", ("tree", "forest")),
    _continuous("rate_drop", range=Interval(min_closed=0, max_closed=1)),
    _integer("one_drop", range=Interval(min_closed=0, max_closed=1)),
    _continuous("skip_drop", range=Interval(min_closed=0, max_closed=1)),
    _continuous("lambda_bias", range=Interval(min_closed=0, max_closed=1)),
    _continuous("tweedie_variance_power", range=Interval(min_open=1, max_open=2)),
    _categorical("objective", OBJECTIVES, depends_on=("num_class",), check=_check_objective),
    _integer("num_class", range=Interval(min_closed=2)),
    _continuous("base_score", range=Interval(min_closed=0)),
    _integer("_kfold", range=Interval(min_closed=2)),
    _integer("_num_cv_round", range=Interval(min_closed=1)),
    _categorical("_tuning_objective_metric", TUNING_OBJECTIVES),
    Hyperparameter("eval_metric", parse=_parse_list, shape="list", depends_on=("objective",),
                   check=_check_eval_metric, range=Choices((*metrics.MAXIMIZE, *metrics.MINIMIZE), _accepts_metric)),
    _integer("seed", range=Interval(min_open=-(2 ** 31), max_open=2 ** 31 - 1)),
    _integer("num_parallel_tree", range=Interval(min_closed=1)),
    _categorical("save_model_on_termination", _TRUE_FALSE),
    _categorical("aft_loss_distribution", ("normal", "logistic", "extreme")),
    _continuous("aft_loss_distribution_scale", range=Interval(min_closed=0)),
    _categorical("deterministic_histogram", _TRUE_FALSE),
    _categorical("sampling_method", ("uniform", "gradient_based")),
    _integer("prob_buffer_row", range=Interval(min_open=1.0)),
    _categorical("use_dask_gpu_training", _TRUE_FALSE),
)
BY_NAME = {hp.name: hp for hp in TABLE}
ALIASES = {"learning_rate": "eta", "min_split_loss": "gamma", "reg_lambda": "lambda", "reg_alpha": "alpha"}


def _dependency_order(names) -> list[str]:
    """Each name after those it depends on (the container's topological order)."""
    order, seen = [], set()

    def visit(name):
        seen.add(name)
        for dep in BY_NAME[name].depends_on:
            if dep in names and dep not in seen:
                visit(dep)
        order.append(name)
    for name in names:
        if name not in seen:
            visit(name)
    return order


def validate(given: dict[str, str]) -> dict:
    """The hyperparameters parsed and checked (see the module docstring); UserError otherwise."""
    given = {ALIASES.get(name, name): value for name, value in given.items()}
    for hp in TABLE:
        if hp.required and hp.name not in given:
            raise UserError(f"Missing required hyperparameter: {hp.name}")
    parsed = {}
    for name, value in given.items():
        if name not in BY_NAME:
            raise UserError(f"Extraneous hyperparameter found: {name}")
        try:
            parsed[name] = BY_NAME[name].parse(value)
        except ValueError as error:
            raise UserError(f"Hyperparameter {name}: could not parse value", caused_by=error) from error
    for name, value in parsed.items():
        try:
            BY_NAME[name].validate_range(value)
        except UserError:
            raise
        except Exception as error:
            raise AlgorithmError(f"Hyperparameter {name}: unexpected failure when validating {value}",
                                 caused_by=error) from error
    validated = {}
    for name in _dependency_order(list(parsed)):
        hp = BY_NAME[name]
        if hp.check:
            hp.check(parsed[name], {dep: validated[dep] for dep in hp.depends_on if dep in validated})
        validated[name] = parsed[name]
    return validated
