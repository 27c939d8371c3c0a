"""The ModelPackage resource: a version in a group, or an unversioned package.

Status: AWS reports Pending/InProgress while it validates a package (ValidationSpecification's
transform jobs) and scans its images; the emulator runs neither, so a package is Completed
when it is created, with empty ValidationStatuses and ImageScanStatuses, as AWS shows a
package without validation profiles once it is done. ValidationSpecification is kept and
echoed, not run.

Deployment: CreateModel with {"ModelPackageName": ...} takes the package's inference
containers (`model_containers`); a versioned package must be Approved for that, as on AWS
(the SDK's ModelPackage.deploy() approves one first for this reason).
"""

from ...aws.errors import ValidationException
from ..arns import arn
from ..resources import Kind

MODEL_PACKAGE = Kind(
    kind="model-package", noun="model package", prefix="ModelPackage", list_key="ModelPackageSummaryList",
    summary=("ModelPackageName", "ModelPackageGroupName", "ModelPackageVersion", "ModelPackageArn",
             "ModelPackageDescription", "CreationTime", "ModelPackageStatus", "ModelApprovalStatus",
             "ModelLifeCycle", "ModelPackageRegistrationType"),
    default_order="Ascending",  # ListModelPackages' documented default
    extra_filters={"ModelApprovalStatus": lambda doc, status: doc.get("ModelApprovalStatus") == status})

PENDING = "PendingManualApproval"  # a new version's approval status unless the request sets one
APPROVED = "Approved"
# Not an output member (never answered): the ClientToken a package was created with.
CLIENT_TOKEN = "ClientToken"

_ECHOED = ("ModelPackageDescription", "ModelPackageRegistrationType", "InferenceSpecification",
           "ValidationSpecification", "SourceAlgorithmSpecification", "CertifyForMarketplace",
           "ModelApprovalStatus", "MetadataProperties", "ModelMetrics", "Domain", "Task", "SamplePayloadUrl",
           "CustomerMetadataProperties", "DriftCheckBaselines", "AdditionalInferenceSpecifications",
           "SkipModelValidation", "SourceUri", "SecurityConfig", "ModelCard", "ModelLifeCycle",
           "ManagedStorageType")
# UpdateModelPackage members that replace the stored value.
_REPLACED = ("ModelApprovalStatus", "ApprovalDescription", "ModelPackageRegistrationType", "InferenceSpecification",
             "SourceUri", "ModelCard", "ModelLifeCycle")
# What a model's container takes from a package's container (ContainerDefinition members);
# ImageDigest, ProductId, Framework, NearestModelName, ... describe the package only.
_DEPLOYED = ("ContainerHostname", "Image", "ModelDataUrl", "ModelDataSource", "AdditionalModelDataSources")


def is_versioned(doc: dict) -> bool:
    return "ModelPackageVersion" in doc


def new_document(request: dict, group: dict | None, version: int | None, region: str, account: str, now: float,
                 created_by: dict) -> dict:
    """A version `version` of `group`, or (group None) the unversioned ModelPackageName."""
    check_specifications(request, versioned=group is not None)
    doc = {k: request[k] for k in _ECHOED if k in request}
    doc.setdefault("CertifyForMarketplace", False)
    if group is not None:
        name = group["ModelPackageGroupName"]
        resource = f"{name}/{version}"
        doc.update(ModelPackageGroupName=name, ModelPackageVersion=version)
        doc.setdefault("ModelApprovalStatus", PENDING)
    else:
        name = resource = request["ModelPackageName"]
    doc.update({"ModelPackageName": name, "ModelPackageArn": arn(region, account, "model-package", resource),
                "CreationTime": now, "LastModifiedTime": now, "CreatedBy": created_by,
                "ModelPackageStatus": "Completed",
                "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []}})
    if request.get("ClientToken"):
        doc[CLIENT_TOKEN] = request["ClientToken"]
    return doc


def check_specifications(request: dict, versioned: bool) -> None:
    specifications = [request["InferenceSpecification"]] if request.get("InferenceSpecification") else []
    specifications += request.get("AdditionalInferenceSpecifications") or []
    for spec in specifications:
        for container in spec["Containers"]:
            if not container.get("Image"):
                raise ValidationException("Image must be specified for each container of an InferenceSpecification")
            if container.get("Environment") and not versioned:
                # AWS's words.
                raise ValidationException("1 validation errors detected:Environment variable map cannot be "
                                          "specified when using non-versioned ModelPackages")
    _check_unique_names(request.get("AdditionalInferenceSpecifications") or [])


def _check_unique_names(specifications: list[dict]) -> None:
    names = [s["Name"] for s in specifications]
    if len(set(names)) != len(names):
        raise ValidationException("The Name of each AdditionalInferenceSpecification must be unique")


def apply_update(doc: dict, request: dict, now: float, by: dict) -> None:
    """UpdateModelPackage on the stored document (for Store.update)."""
    check_specifications({"InferenceSpecification": request.get("InferenceSpecification"),
                          "AdditionalInferenceSpecifications": request.get("AdditionalInferenceSpecificationsToAdd")},
                         versioned=is_versioned(doc))
    for member in _REPLACED:
        if member in request:
            doc[member] = request[member]
    properties = {**doc.get("CustomerMetadataProperties", {}), **(request.get("CustomerMetadataProperties") or {})}
    for key in request.get("CustomerMetadataPropertiesToRemove") or []:
        properties.pop(key, None)
    if properties:
        doc["CustomerMetadataProperties"] = properties
    else:
        doc.pop("CustomerMetadataProperties", None)
    added = request.get("AdditionalInferenceSpecificationsToAdd")
    if added:
        doc["AdditionalInferenceSpecifications"] = [*doc.get("AdditionalInferenceSpecifications", []), *added]
        _check_unique_names(doc["AdditionalInferenceSpecifications"])
    doc["LastModifiedTime"] = now
    doc["LastModifiedBy"] = by


def summary_list(answer: dict) -> dict:
    """ListModelPackages names a version by its group and number, not by ModelPackageName."""
    for summary in answer[MODEL_PACKAGE.list_key]:
        if "ModelPackageVersion" in summary:
            summary.pop("ModelPackageName", None)
    return answer


def model_containers(package: dict, container: dict) -> list[dict]:
    """The ContainerDefinitions a model made from `package` runs: the package's inference
    containers (or those of its AdditionalInferenceSpecification named by the model's
    container), with the model container's Environment over each container's own."""
    package_arn = package["ModelPackageArn"]
    if is_versioned(package) and package.get("ModelApprovalStatus") != APPROVED:
        raise ValidationException(
            f"Model package {package_arn} cannot be deployed: its ModelApprovalStatus is "
            f"{package.get('ModelApprovalStatus')}, and a versioned model package must be Approved to create a "
            "model from it (UpdateModelPackage with ModelApprovalStatus=Approved)")
    spec = package.get("InferenceSpecification")
    named = container.get("InferenceSpecificationName")
    if named:
        spec = next((s for s in package.get("AdditionalInferenceSpecifications", []) if s["Name"] == named), None)
        if spec is None:
            raise ValidationException(f"Model package {package_arn} has no AdditionalInferenceSpecification "
                                      f"named {named}")
    if not spec:
        raise ValidationException(f"Model package {package_arn} has no InferenceSpecification to create a "
                                  "model from")
    return [{**{k: c[k] for k in _DEPLOYED if k in c},
             "Environment": {**c.get("Environment", {}), **container.get("Environment", {})}}
            for c in spec["Containers"]]
