"""The Model resource: containers (image, model data, environment) an endpoint or a
transform job runs."""

from ...aws.errors import ValidationException
from ...hosting.live import ContainerFailed
from ..images import resolve_image
from ..arns import arn
from ..resources import Kind

MODEL = Kind(kind="model", noun="model", prefix="Model", list_key="Models",
             summary=("ModelName", "ModelArn", "CreationTime"))

_ECHOED = ("PrimaryContainer", "Containers", "InferenceExecutionConfig", "ExecutionRoleArn",
           "VpcConfig", "EnableNetworkIsolation")


def new_document(request: dict, region: str, account: str, now: float) -> dict:
    check_request(request)
    doc = {k: request[k] for k in _ECHOED if k in request}
    doc.setdefault("EnableNetworkIsolation", False)
    name = request["ModelName"]
    doc.update({"ModelName": name, "ModelArn": arn(region, account, "model", name),
                "CreationTime": now})
    return doc


def check_request(request: dict) -> None:
    containers = containers_of(request)
    if not containers:
        raise ValidationException("Either PrimaryContainer or Containers must be specified")
    if "PrimaryContainer" in request and "Containers" in request:
        raise ValidationException("PrimaryContainer and Containers cannot both be specified")
    for container in containers:
        if not container.get("Image") and not container.get("ModelPackageName"):
            raise ValidationException("Image must be specified for each container definition")
        if container.get("ModelPackageName"):
            raise ValidationException("ModelPackageName is not supported by the emulator; specify Image")
        url = container.get("ModelDataUrl")
        if url and not url.startswith("s3://"):
            raise ValidationException(f"Value '{url}' at 'primaryContainer.modelDataUrl' failed to "
                                      "satisfy constraint: Member must be an s3:// URI")
        if container.get("Mode") == "MultiModel":
            raise ValidationException("Mode MultiModel (multi-model endpoints) is not supported by "
                                      "the emulator yet; use SingleModel")


def containers_of(doc: dict) -> list[dict]:
    if doc.get("PrimaryContainer"):
        return [doc["PrimaryContainer"]]
    return list(doc.get("Containers") or [])


def serving_container(model: dict) -> tuple[dict, str]:
    """(ContainerDefinition, local image) of a model an endpoint or transform job runs."""
    containers = containers_of(model)
    if len(containers) != 1:
        raise ContainerFailed("ClientError: models with several containers (inference pipelines) "
                              "are not supported by the emulator")
    return containers[0], resolve_image(containers[0]["Image"])
