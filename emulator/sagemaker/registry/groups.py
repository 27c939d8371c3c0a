"""The ModelPackageGroup resource: a named, ordered set of model package versions.

A group is Completed as soon as it is created (there is nothing to set up), and it counts
the versions registered in it so that a deleted version's number is never given again."""

from ...aws.errors import ValidationException
from ..arns import arn
from ..resources import Kind

MODEL_PACKAGE_GROUP = Kind(
    kind="model-package-group", noun="model package group", prefix="ModelPackageGroup",
    list_key="ModelPackageGroupSummaryList",
    summary=("ModelPackageGroupName", "ModelPackageGroupArn", "ModelPackageGroupDescription", "CreationTime",
             "ModelPackageGroupStatus", "ManagedConfiguration"),
    # The SDK's register() creates a group unless it exists, and matches "already exists".
    duplicate=lambda doc: ValidationException(f"Model Package Group already exists: {doc['ModelPackageGroupArn']}"),
    default_order="Ascending")  # ListModelPackageGroups' documented default

# Not an output member (so never answered): the highest version number given in the group.
LATEST_VERSION = "LatestModelPackageVersion"

_ECHOED = ("ModelPackageGroupDescription", "ManagedConfiguration")


def new_document(request: dict, region: str, account: str, now: float, created_by: dict) -> dict:
    name = request["ModelPackageGroupName"]
    doc = {k: request[k] for k in _ECHOED if k in request}
    doc.update({"ModelPackageGroupName": name,
                "ModelPackageGroupArn": arn(region, account, "model-package-group", name),
                "CreationTime": now, "CreatedBy": created_by, "ModelPackageGroupStatus": "Completed",
                LATEST_VERSION: 0})
    return doc


def take_version(doc: dict) -> int:
    """The next version number (for Store.update: changes the document it is given)."""
    doc[LATEST_VERSION] = doc.get(LATEST_VERSION, 0) + 1
    return doc[LATEST_VERSION]
