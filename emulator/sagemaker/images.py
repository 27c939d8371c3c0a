"""Which local image runs for the image URI a request names, and what the platform knows of it.

AWS's framework image URIs, any account, region (every partition's registry domain) and tag,
resolve to the emulator's images, which run the same toolkits and contracts:
`pytorch-training` / `pytorch-inference` -> the PyTorch image, `sagemaker-scikit-learn` ->
scikit-learn, `sagemaker-xgboost` (and the legacy `xgboost` algorithm) -> XGBoost,
`sagemaker-model-monitor-analyzer` -> the Model Monitor analyzer. Any other
URI is a bring-your-own image, run as given. When the tag asks for another framework or
Python version than the image has, the job still runs, and the user is told so: once in the
emulator's log per URI, and at the top of each training job's log, where `fit(logs=True)`
shows it.

Built-in algorithms come with metric definitions, as on AWS: a training job on the XGBoost
image in algorithm mode (no `sagemaker_program` hyperparameter) and without MetricDefinitions
of its own reports the algorithm's metrics (`train:rmse`, `validation:auc`, ...) in
FinalMetricDataList. `builtin_metric_definitions` and `builtin_tuning_objectives` answer
them for an image URI (hyperparameter tuning resolves `validation:rmse` with them).
"""

import logging
import re
import threading
from dataclasses import dataclass
from typing import Callable

from ..execution.framework_image import (IMAGE_PYTHON, MODEL_MONITOR_IMAGE, PYTORCH_IMAGE, SKLEARN_IMAGE, SKLEARN_VERSION,
                                         XGBOOST_IMAGE, XGBOOST_VERSION, image_torch_version)

log = logging.getLogger(__name__)

# Every partition's ECR domain (botocore's endpoints: aws, aws-cn, aws-us-gov, the isolated ones, aws-eusc).
REGISTRY_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "amazonaws.eu", "c2s.ic.gov", "sc2s.sgov.gov",
                    "cloud.adc-e.uk", "csp.hci.ic.gov")
_ECR_URI = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.(?:%s)/(?P<repository>[a-z0-9._/-]+?)(?::(?P<tag>[\w.\-]+))?$"
                      % "|".join(re.escape(d) for d in REGISTRY_DOMAINS))


@dataclass(frozen=True)
class Framework:
    name: str                       # as the notice names it: "PyTorch"
    repositories: tuple[str, ...]   # AWS's ECR repositories that resolve to the image
    image: str                      # the local image
    version: Callable[[], str]      # the framework version the local image runs


# The notebook image (containers/notebook): what notebook instances and Studio's JupyterLab spaces
# run. Studio's own image choices (ResourceSpec.SageMakerImageArn: SageMaker Distribution, any
# version or alias) run as it too; a custom image (a user's ECR image) is not emulated.
JUPYTERLAB_VERSION = "4.6.6"
NOTEBOOK_SDK_VERSION = "2.257.7"  # the SageMaker Python SDK 2.x the kernels import
NOTEBOOK_IMAGE = f"sagemaker-emulator/notebook:jupyterlab-{JUPYTERLAB_VERSION}"
STUDIO_IMAGES = ("sagemaker-distribution-cpu", "sagemaker-distribution-gpu")
_STUDIO_IMAGE_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:image(?:-version)?/(?P<image>[^/]+)(?:/\d+)?$")


def studio_image(image_arn: str | None) -> str | None:
    """The local image for a Studio app's SageMakerImageArn (None: the default), else None."""
    if not image_arn:
        return NOTEBOOK_IMAGE
    match = _STUDIO_IMAGE_ARN.match(image_arn)
    return NOTEBOOK_IMAGE if match and match["image"] in STUDIO_IMAGES else None


FRAMEWORKS = (
    Framework("PyTorch", ("pytorch-training", "pytorch-inference"), PYTORCH_IMAGE, image_torch_version),
    Framework("scikit-learn", ("sagemaker-scikit-learn",), SKLEARN_IMAGE, lambda: SKLEARN_VERSION),
    Framework("XGBoost", ("sagemaker-xgboost", "xgboost"), XGBOOST_IMAGE, lambda: XGBOOST_VERSION),
    Framework("Model Monitor", ("sagemaker-model-monitor-analyzer",), MODEL_MONITOR_IMAGE, lambda: "latest"),
)
_BY_REPOSITORY = {repository: f for f in FRAMEWORKS for repository in f.repositories}
_told: set[str] = set()
_told_lock = threading.Lock()


def uri_pattern(repository: str) -> str:
    """How `images list` shows the URIs that resolve to a framework's image."""
    return f"<account>.dkr.ecr.<region>.<domain>/{repository}:<tag>"


def framework_of(uri: str) -> tuple[Framework, str | None] | None:
    """(framework, tag) for an AWS framework image URI, else None."""
    match = _ECR_URI.match(uri)
    if not match or match["repository"] not in _BY_REPOSITORY:
        return None
    return _BY_REPOSITORY[match["repository"]], match["tag"]


def resolve_image(uri: str) -> str:
    found = framework_of(uri)
    return found[0].image if found else uri


def version_notice(uri: str) -> str | None:
    """What differs between the tag's framework/Python versions and the local image's, else None."""
    found = framework_of(uri)
    if not found or not found[1]:
        return None
    framework, tag = found
    parts = tag.split("-")
    differences = []
    local = framework.version()
    if re.fullmatch(r"\d+(\.\d+)*", parts[0]) and not _same_release(parts[0], local):
        differences.append(f"{framework.name} {parts[0]} asked, {local} runs")
    python = next((p[2] + "." + p[3:] for p in parts if re.fullmatch(r"py3\d+", p)), None)
    if python and python != IMAGE_PYTHON:
        differences.append(f"Python {python} asked, {IMAGE_PYTHON} runs")
    if not differences:
        return None
    notice = f"sagemaker-emulator: {uri} runs as the local image {framework.image}: {'; '.join(differences)}"
    with _told_lock:
        if uri not in _told:
            _told.add(uri)
            log.warning(notice)
    return notice


def _same_release(asked: str, local: str) -> bool:
    """2.6 matches 2.6.x; 2.6.0 matches only 2.6.0."""
    return local.split(".")[:len(asked.split("."))] == asked.split(".")


# -- built-in algorithms' metrics ----------------------------------------------------------

# The XGBoost algorithm's evaluation metrics and which way each is better (the container's lists).
_XGBOOST_MAXIMIZE = ("accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map", "ndcg",
                     "precision", "r2", "recall", "precision_macro", "precision_micro", "recall_macro",
                     "recall_micro")
_XGBOOST_MINIMIZE = ("aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik",
                     "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe", "mse",
                     "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik")
# The regex AWS's DescribeTrainingJob shows for them: the algorithm's evaluation line as
# SageMaker's log has it, tabs written #011 ("[3]#011train-rmse:1.2#011validation-rmse:2.3").
_XGBOOST_REGEX = r".*\[[0-9]+\].*#011{data}-{metric}:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
_XGBOOST_DIRECTIONS = {**{m: "Maximize" for m in _XGBOOST_MAXIMIZE}, **{m: "Minimize" for m in _XGBOOST_MINIMIZE}}
_BUILTIN_METRICS = {
    XGBOOST_IMAGE: [{"Name": f"{data}:{metric}", "Regex": _XGBOOST_REGEX.format(data=data, metric=metric)}
                    for metric in _XGBOOST_DIRECTIONS for data in ("train", "validation")],
}
_BUILTIN_OBJECTIVES = {
    XGBOOST_IMAGE: [{"MetricName": f"validation:{metric}", "Type": direction}
                    for metric, direction in _XGBOOST_DIRECTIONS.items()],
}


def builtin_metric_definitions(image_uri: str) -> list[dict]:
    """The built-in algorithm's MetricDefinitions ({"Name", "Regex"}) for the image, [] if it has none."""
    return [dict(d) for d in _BUILTIN_METRICS.get(resolve_image(image_uri), [])]


def builtin_tuning_objectives(image_uri: str) -> list[dict]:
    """The metrics a tuning job may optimise on the built-in algorithm ({"MetricName", "Type":
    "Maximize" | "Minimize"}), as the algorithm lists them; [] if it has none."""
    return [dict(d) for d in _BUILTIN_OBJECTIVES.get(resolve_image(image_uri), [])]


def job_metric_definitions(algorithm_specification: dict, hyperparameters: dict) -> list[dict]:
    """What a training job's log is matched with: its own MetricDefinitions, else, on a built-in
    algorithm running as one (no `sagemaker_program`: not script mode), the algorithm's."""
    if algorithm_specification.get("MetricDefinitions"):
        return algorithm_specification["MetricDefinitions"]
    if "sagemaker_program" in hyperparameters:
        return []
    return builtin_metric_definitions(algorithm_specification.get("TrainingImage", ""))
