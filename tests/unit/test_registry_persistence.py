"""The registry lives in the SQLite store under --data-dir: what one emulator registered, the
next one on the same data dir describes, lists and keeps numbering (the operations called as
the provider serves them, validated and shaped as over HTTP)."""

from emulator.aws.protocol import invoke
from emulator.aws.specs import service_model
from emulator.sagemaker.provider import SageMakerProvider
from emulator.sagemaker.registry.api import RegistryApi
from emulator.sagemaker.registry.model_registry import ModelRegistry
from emulator.sagemaker.tagging import Tagging
from emulator.store import Store

SPEC = {"Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1",
                        "ModelDataUrl": "s3://models/churn/model.tar.gz"}]}


def registry_on(path):
    """The registry's operations on the store at `path`, as one emulator serves them."""
    store = Store(path)
    registry = ModelRegistry(store, "us-east-1", "123456789012")
    tagging = Tagging(store, registry.resources)
    provider = SageMakerProvider([RegistryApi(registry, tagging), tagging])
    model = service_model("sagemaker")
    return lambda operation, **params: invoke(model.operation_model(operation), params, provider)


def test_groups_versions_and_approvals_survive_a_restart(tmp_path):
    first = registry_on(tmp_path / "state.sqlite3")
    first("CreateModelPackageGroup", ModelPackageGroupName="Churn", Tags=[{"Key": "team", "Value": "risk"}])
    one = first("CreateModelPackage", ModelPackageGroupName="Churn", InferenceSpecification=SPEC)["ModelPackageArn"]
    two = first("CreateModelPackage", ModelPackageGroupName="Churn", InferenceSpecification=SPEC)["ModelPackageArn"]
    first("UpdateModelPackage", ModelPackageArn=one, ModelApprovalStatus="Approved", ApprovalDescription="good")
    first("DeleteModelPackage", ModelPackageName=two)

    again = registry_on(tmp_path / "state.sqlite3")

    described = again("DescribeModelPackage", ModelPackageName="churn/1")
    assert (described["ModelApprovalStatus"], described["ApprovalDescription"]) == ("Approved", "good")
    assert described["InferenceSpecification"] == SPEC
    assert [s["ModelPackageArn"] for s in again("ListModelPackages", ModelPackageGroupName="Churn")[
        "ModelPackageSummaryList"]] == [one]
    group_arn = again("DescribeModelPackageGroup", ModelPackageGroupName="Churn")["ModelPackageGroupArn"]
    assert again("ListTags", ResourceArn=group_arn)["Tags"] == [{"Key": "team", "Value": "risk"}]
    # Version 2 was deleted, and its number is not given again.
    assert again("CreateModelPackage", ModelPackageGroupName="Churn", InferenceSpecification=SPEC)[
        "ModelPackageArn"].endswith(":model-package/churn/3")
