"""The Model resource: containers (image, model data, environment) an endpoint or a
transform job runs.

A container may name a registered model package instead of an image
(`{"ModelPackageName": arn}`): DescribeModel shows the container as it was given, and what
runs is the package's inference containers as they were when the model was made (kept in
the document under PACKAGE_CONTAINERS, which no output shape names), so a model keeps
serving when its package changes or goes, as a model on AWS does.
"""

from ...aws.errors import ValidationException
from ...hosting.live import ContainerFailed
from ..images import resolve_image
from ..arns import arn
from ..resources import Kind

MODEL = Kind(kind="model", noun="model", prefix="Model", list_key="Models",
             summary=("ModelName", "ModelArn", "CreationTime"))

_ECHOED = ("PrimaryContainer", "Containers", "InferenceExecutionConfig", "ExecutionRoleArn",
           "VpcConfig", "EnableNetworkIsolation")
PACKAGE_CONTAINERS = "ModelPackageContainers"
# Members a container naming a ModelPackageName takes from the package instead.
_FROM_PACKAGE = ("Image", "ModelDataUrl", "ModelDataSource")


def new_document(request: dict, region: str, account: str, now: float, model_packages) -> dict:
    """model_packages: the registry (model_containers(container) -> the package's
    ContainerDefinitions), for containers that name a ModelPackageName."""
    check_request(request)
    doc = {k: request[k] for k in _ECHOED if k in request}
    containers = containers_of(request)
    if any(c.get("ModelPackageName") for c in containers):
        doc[PACKAGE_CONTAINERS] = [resolved for c in containers
                                   for resolved in (model_packages.model_containers(c) if c.get("ModelPackageName")
                                                    else [c])]
        for container in doc[PACKAGE_CONTAINERS]:
            check_container(container)
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
        if container.get("ModelPackageName"):
            given = [member for member in _FROM_PACKAGE if container.get(member)]
            if given:
                raise ValidationException(f"{' and '.join(given)} cannot be specified with ModelPackageName: "
                                          "a model made from a model package runs the package's containers")
        elif not container.get("Image"):
            raise ValidationException("Image must be specified for each container definition")
        check_container(container)


def check_container(container: dict) -> None:
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
    containers = model.get(PACKAGE_CONTAINERS) or containers_of(model)
    if len(containers) != 1:
        raise ContainerFailed("ClientError: models with several containers (inference pipelines) "
                              "are not supported by the emulator")
    return containers[0], resolve_image(containers[0]["Image"])
