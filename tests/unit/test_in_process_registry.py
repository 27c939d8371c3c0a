"""The Model Registry through boto3 against the in-process emulator: groups, versions, approval,
lists, errors, deletion rules, and a model made from an approved version serving on an
endpoint (the fake runner's container is what an inference image would do)."""

import datetime
import io
import tarfile
import uuid

import pytest
from botocore.exceptions import ClientError

from fake_runner import ServeProgram
from helpers import ROLE, wait_until
from in_process import BUCKET

ACCOUNT_ARN = "arn:aws:sagemaker:us-east-1:123456789012"
CALLER = {"IamIdentity": {"Arn": "arn:aws:sts::123456789012:assumed-role/SageMakerEmulatorExecutionRole/"
                                 "sagemaker-emulator"}}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def spec(image: str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1", model_data: str | None = None,
         environment: dict | None = None) -> dict:
    container = {"Image": image, **({"ModelDataUrl": model_data} if model_data else {}),
                 **({"Environment": environment} if environment else {})}
    return {"Containers": [container], "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"], "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large"],
            "SupportedTransformInstanceTypes": ["ml.m5.large"]}


def new_group(sm, prefix: str = "Group") -> str:
    name = unique(prefix)
    sm.create_model_package_group(ModelPackageGroupName=name)
    return name


def register(sm, group: str, **extra) -> str:
    return sm.create_model_package(ModelPackageGroupName=group, InferenceSpecification=extra.pop("spec", spec()),
                                   **extra)["ModelPackageArn"]


def error_of(call, **request) -> tuple[str, str]:
    with pytest.raises(ClientError) as error:
        call(**request)
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_a_group_numbers_its_versions_from_one_and_never_reuses_a_number(sm):
    group = new_group(sm, "Churn")

    arns = [register(sm, group, ModelPackageDescription=f"try {i}") for i in (1, 2, 3)]
    sm.delete_model_package(ModelPackageName=arns[2])
    fourth = register(sm, group)

    lower = group.lower()  # SageMaker writes names in ARNs in lower case
    assert arns + [fourth] == [f"{ACCOUNT_ARN}:model-package/{lower}/{n}" for n in (1, 2, 3, 4)]
    assert register(sm, new_group(sm)).endswith("/1")  # each group counts its own
    desc = sm.describe_model_package(ModelPackageName=f"{group}/2")
    assert desc == sm.describe_model_package(ModelPackageName=arns[1]) | {"ResponseMetadata": desc["ResponseMetadata"]}
    assert {k: desc[k] for k in ("ModelPackageName", "ModelPackageGroupName", "ModelPackageVersion",
                                 "ModelPackageArn", "ModelPackageDescription", "ModelPackageStatus",
                                 "ModelPackageStatusDetails", "ModelApprovalStatus", "CertifyForMarketplace",
                                 "CreatedBy", "InferenceSpecification")} == {
        "ModelPackageName": group, "ModelPackageGroupName": group, "ModelPackageVersion": 2,
        "ModelPackageArn": arns[1], "ModelPackageDescription": "try 2", "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
        "ModelApprovalStatus": "PendingManualApproval", "CertifyForMarketplace": False, "CreatedBy": CALLER,
        "InferenceSpecification": spec()}
    group_desc = sm.describe_model_package_group(ModelPackageGroupName=f"{ACCOUNT_ARN}:model-package-group/{lower}")
    assert (group_desc["ModelPackageGroupName"], group_desc["ModelPackageGroupStatus"],
            group_desc["CreatedBy"]) == (group, "Completed", CALLER)


def test_what_a_version_carries_is_described_as_registered(sm):
    group = new_group(sm)
    metrics = {"ModelQuality": {"Statistics": {"ContentType": "application/json",
                                               "S3Uri": f"s3://{BUCKET}/evaluation.json"}}}
    registered = {"ModelMetrics": metrics, "MetadataProperties": {"GeneratedBy": "a pipeline", "CommitId": "abc"},
                  "CustomerMetadataProperties": {"team": "risk"}, "Domain": "MACHINE_LEARNING",
                  "Task": "CLASSIFICATION", "SamplePayloadUrl": f"s3://{BUCKET}/sample.csv",
                  "ModelApprovalStatus": "Approved", "SkipModelValidation": "None"}

    arn = register(sm, group, spec=spec(environment={"THRESHOLD": "0.5"}), **registered)

    desc = sm.describe_model_package(ModelPackageName=arn)
    assert {k: desc[k] for k in registered} == registered
    assert desc["InferenceSpecification"]["Containers"][0]["Environment"] == {"THRESHOLD": "0.5"}


def test_approval_and_metadata_change_with_update_model_package(sm):
    arn = register(sm, new_group(sm), CustomerMetadataProperties={"team": "risk", "stage": "dev"})
    before = sm.describe_model_package(ModelPackageName=arn)

    answer = sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved",
                                     ApprovalDescription="AUC 0.91 on the holdout",
                                     CustomerMetadataProperties={"stage": "prod", "owner": "ana"},
                                     CustomerMetadataPropertiesToRemove=["team"])

    after = sm.describe_model_package(ModelPackageName=arn)
    assert answer["ModelPackageArn"] == arn
    assert (after["ModelApprovalStatus"], after["ApprovalDescription"]) == ("Approved", "AUC 0.91 on the holdout")
    assert after["CustomerMetadataProperties"] == {"stage": "prod", "owner": "ana"}
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    assert after["LastModifiedBy"] == CALLER
    assert "LastModifiedBy" not in before

    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected",
                            CustomerMetadataPropertiesToRemove=["stage", "owner"])
    rejected = sm.describe_model_package(ModelPackageName=arn)
    assert rejected["ModelApprovalStatus"] == "Rejected"
    assert rejected["ApprovalDescription"] == "AUC 0.91 on the holdout"  # kept until changed
    assert "CustomerMetadataProperties" not in rejected


def test_list_model_packages_filters_by_group_approval_and_type(sm):
    group, other = new_group(sm, "Listed"), new_group(sm, "Listed")
    first, second, third = (register(sm, group) for _ in range(3))
    register(sm, other)
    unversioned = sm.create_model_package(ModelPackageName=unique("Listed"), InferenceSpecification=spec(),
                                          CertifyForMarketplace=False)["ModelPackageArn"]
    sm.update_model_package(ModelPackageArn=second, ModelApprovalStatus="Approved")

    def arns(**request):
        return [s["ModelPackageArn"] for s in sm.list_model_packages(**request)["ModelPackageSummaryList"]]

    assert arns(ModelPackageGroupName=group) == [first, second, third]  # oldest first: AWS's default order
    assert arns(ModelPackageGroupName=f"{ACCOUNT_ARN}:model-package-group/{group.lower()}") == [first, second, third]
    assert arns(ModelPackageGroupName=group, ModelApprovalStatus="Approved") == [second]
    assert arns(ModelPackageGroupName=group, ModelApprovalStatus="PendingManualApproval") == [first, third]
    assert arns(ModelPackageGroupName=group, SortBy="CreationTime", SortOrder="Descending") == [third, second, first]
    # Without a group, AWS lists unversioned packages unless ModelPackageType says otherwise.
    assert unversioned in arns(NameContains="Listed")
    assert not set(arns(NameContains="Listed")) & {first, second, third}
    assert {first, second, third} <= set(arns(NameContains=group, ModelPackageType="Versioned"))
    assert {first, unversioned} <= set(arns(NameContains="Listed", ModelPackageType="Both"))
    [summary] = sm.list_model_packages(ModelPackageGroupName=group, ModelApprovalStatus="Approved")[
        "ModelPackageSummaryList"]
    # A version is named by its group and number in a list, as AWS lists it.
    assert {k: summary[k] for k in summary if k != "CreationTime"} == {
        "ModelPackageGroupName": group, "ModelPackageVersion": 2, "ModelPackageArn": second,
        "ModelPackageStatus": "Completed", "ModelApprovalStatus": "Approved"}


def test_lists_sort_and_page(sm):
    prefix = unique("paged")
    names = [f"{prefix}-{letter}" for letter in "cab"]
    for name in names:
        sm.create_model_package_group(ModelPackageGroupName=name, ModelPackageGroupDescription=f"group {name}")

    def pages(**request) -> list[list[str]]:
        seen, token = [], None
        while True:
            answer = sm.list_model_package_groups(NameContains=prefix, MaxResults=2,
                                                  **request, **({"NextToken": token} if token else {}))
            seen.append([g["ModelPackageGroupName"] for g in answer["ModelPackageGroupSummaryList"]])
            token = answer.get("NextToken")
            if not token:
                return seen

    assert pages() == [names[:2], names[2:]]  # by creation, oldest first
    assert pages(SortBy="Name") == [sorted(names)[:2], sorted(names)[2:]]
    assert pages(SortBy="Name", SortOrder="Descending") == [sorted(names, reverse=True)[:2], [sorted(names)[0]]]
    [summary] = sm.list_model_package_groups(NameContains=names[1])["ModelPackageGroupSummaryList"]
    assert (summary["ModelPackageGroupDescription"], summary["ModelPackageGroupStatus"]) == (
        f"group {names[1]}", "Completed")
    created = sm.describe_model_package_group(ModelPackageGroupName=names[1])["CreationTime"]
    hour = datetime.timedelta(hours=1)  # botocore sends whole seconds: these groups share one

    def created_between(after, before):
        return [g["ModelPackageGroupName"] for g in sm.list_model_package_groups(
            NameContains=prefix, CreationTimeAfter=after, CreationTimeBefore=before)["ModelPackageGroupSummaryList"]]
    assert created_between(created - hour, created + hour) == names
    assert created_between(created + hour, created + 2 * hour) == []
    assert sm.list_model_package_groups(NameContains=prefix, CrossAccountFilterOption="CrossAccount")[
        "ModelPackageGroupSummaryList"] == []


def test_unknown_names_and_bad_requests_are_validation_errors(sm):
    group = new_group(sm)

    assert error_of(sm.describe_model_package_group, ModelPackageGroupName="no-such-group") == (
        "ValidationException", f"ModelPackageGroup {ACCOUNT_ARN}:model-package-group/no-such-group does not exist.")
    assert error_of(sm.describe_model_package, ModelPackageName=f"{group}/7") == (
        "ValidationException", f"ModelPackage {ACCOUNT_ARN}:model-package/{group.lower()}/7 does not exist.")
    assert error_of(sm.describe_model_package, ModelPackageName="arn:aws:sagemaker:us-east-1:111122223333:"
                    f"model-package/{group}/1")[0] == "ValidationException"  # another account's
    assert error_of(sm.create_model_package, ModelPackageGroupName="no-such-group", InferenceSpecification=spec()
                    )[1] == f"ModelPackageGroup {ACCOUNT_ARN}:model-package-group/no-such-group does not exist."
    assert error_of(sm.create_model_package_group, ModelPackageGroupName=group.upper()) == (
        "ValidationException", f"Model Package Group already exists: {ACCOUNT_ARN}:model-package-group/{group.lower()}")
    assert error_of(sm.create_model_package, ModelPackageGroupName=group, ModelPackageName="both",
                    InferenceSpecification=spec()) == (
        "ValidationException", "Both ModelPackageName and ModelPackageGroupName are provided in the input. "
                               "Cannot determine which one to use.")
    code, message = error_of(sm.create_model_package, InferenceSpecification=spec())
    assert code == "ValidationException" and "ModelPackageGroupName" in message
    assert error_of(sm.create_model_package, ModelPackageName=unique("unversioned"),
                    InferenceSpecification=spec(environment={"A": "1"}))[1].endswith(
        "Environment variable map cannot be specified when using non-versioned ModelPackages")
    assert error_of(sm.create_model_package_group, ModelPackageGroupName="under_score")[1].startswith(
        "1 validation error detected: Value 'under_score' at 'modelPackageGroupName' failed to satisfy constraint")
    assert error_of(sm.update_model_package, ModelPackageArn=f"{ACCOUNT_ARN}:model-package/{group}/9",
                    ModelApprovalStatus="Approved")[0] == "ValidationException"
    assert error_of(sm.update_model_package, ModelPackageArn=f"{ACCOUNT_ARN}:model-package/{group}/1",
                    ModelApprovalStatus="Maybe")[0] == "ValidationException"
    # A failed create took no version number.
    assert register(sm, group).endswith("/1")


def test_a_group_is_deleted_only_once_its_versions_are(sm):
    group = new_group(sm)
    arns = [register(sm, group) for _ in range(2)]

    code, message = error_of(sm.delete_model_package_group, ModelPackageGroupName=group)
    assert code == "ConflictException" and "model packages" in message
    for arn in arns:
        sm.delete_model_package(ModelPackageName=arn)
    sm.delete_model_package_group(ModelPackageGroupName=group)

    assert error_of(sm.describe_model_package_group, ModelPackageGroupName=group)[0] == "ValidationException"
    assert error_of(sm.delete_model_package, ModelPackageName=arns[0])[1].endswith("does not exist.")
    assert error_of(sm.delete_model_package_group, ModelPackageGroupName=group)[1].endswith("does not exist.")
    sm.create_model_package_group(ModelPackageGroupName=group)  # the name is free again; versions start over
    assert register(sm, group).endswith("/1")


def test_a_client_token_makes_create_model_package_idempotent(sm):
    group, token = new_group(sm), uuid.uuid4().hex[:20]

    first = register(sm, group, ClientToken=token)
    again = register(sm, group, ClientToken=token)

    assert again == first
    assert len(sm.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]) == 1


def test_groups_and_versions_carry_tags(sm):
    group = unique("tagged")
    group_arn = sm.create_model_package_group(ModelPackageGroupName=group, Tags=[{"Key": "team", "Value": "risk"}])[
        "ModelPackageGroupArn"]
    version = register(sm, group, Tags=[{"Key": "stage", "Value": "dev"}])

    sm.add_tags(ResourceArn=version, Tags=[{"Key": "owner", "Value": "ana"}])

    assert sm.list_tags(ResourceArn=group_arn)["Tags"] == [{"Key": "team", "Value": "risk"}]
    assert sm.list_tags(ResourceArn=version)["Tags"] == [{"Key": "owner", "Value": "ana"},
                                                         {"Key": "stage", "Value": "dev"}]
    in_group = {"Filters": [{"Name": "ModelPackageGroupName", "Operator": "Equals", "Value": group}]}
    [package] = sm.search(Resource="ModelPackage", SearchExpression={"Filters": [
        *in_group["Filters"], {"Name": "ModelApprovalStatus", "Operator": "Equals", "Value": "PendingManualApproval"}]})[
        "Results"]
    assert package["ModelPackage"]["ModelPackageArn"] == version
    assert package["ModelPackage"]["Tags"] == [{"Key": "owner", "Value": "ana"}, {"Key": "stage", "Value": "dev"}]
    sm.delete_model_package(ModelPackageName=version)
    assert error_of(sm.list_tags, ResourceArn=version)[0] == "ValidationException"
    assert not sm.search(Resource="ModelPackage", SearchExpression=in_group)["Results"]
    # The SDK's register() looks its group up with Search before creating one.
    [found] = sm.search(Resource="ModelPackageGroup", SearchExpression={"Filters": [
        {"Name": "ModelPackageGroupName", "Operator": "Equals", "Value": group}]})["Results"]
    assert found["ModelPackageGroup"]["Tags"] == [{"Key": "team", "Value": "risk"}]


def test_an_unversioned_package_has_a_name_and_no_version(sm):
    name = unique("Marketplace")

    arn = sm.create_model_package(ModelPackageName=name, InferenceSpecification=spec())["ModelPackageArn"]

    desc = sm.describe_model_package(ModelPackageName=name)
    assert arn == f"{ACCOUNT_ARN}:model-package/{name.lower()}"
    assert (desc["ModelPackageName"], desc["ModelPackageStatus"]) == (name, "Completed")
    assert not {"ModelPackageGroupName", "ModelPackageVersion", "ModelApprovalStatus"} & set(desc)
    assert error_of(sm.create_model_package, ModelPackageName=name, InferenceSpecification=spec()) == (
        "ValidationException", f'Cannot create already existing model package "{arn}".')
    [summary] = sm.list_model_packages(NameContains=name)["ModelPackageSummaryList"]
    assert summary["ModelPackageName"] == name


def model_archive(s3, text: str) -> str:
    """model.tar.gz holding model.txt, in S3."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = text.encode()
        member = tarfile.TarInfo("model.txt")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    key = f"{unique('registry')}/model.tar.gz"
    s3.put_object(Bucket=BUCKET, Key=key, Body=buffer.getvalue())
    return f"s3://{BUCKET}/{key}"


def weights_and_threshold(request):
    """An inference handler: the model file's text and the environment the package set."""
    weights = (request.model_dir / "model.txt").read_text()
    return 200, "text/plain", f"{weights} at {request.environment['THRESHOLD']}".encode()


def test_a_model_made_from_an_approved_version_serves_on_an_endpoint(sm, s3, runtime, image):
    serving_image = image(ServeProgram(weights_and_threshold))
    group = new_group(sm)
    arn = register(sm, group, spec=spec(serving_image, model_archive(s3, "weights-v1"), {"THRESHOLD": "0.5"}))
    model, config, endpoint = unique("from-package"), unique("config"), unique("endpoint")

    code, message = error_of(sm.create_model, ModelName=model, ExecutionRoleArn=ROLE,
                             Containers=[{"ModelPackageName": arn}])
    assert code == "ValidationException" and "PendingManualApproval" in message
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, Containers=[{"ModelPackageName": arn}])
    sm.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": model, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    try:
        desc = wait_until(lambda: (d := sm.describe_endpoint(EndpointName=endpoint))["EndpointStatus"] != "Creating"
                          and d, 10, "the endpoint to be created")

        assert desc["EndpointStatus"] == "InService", desc.get("FailureReason")
        assert desc["ProductionVariants"][0]["DeployedImages"][0]["SpecifiedImage"] == serving_image
        assert sm.describe_model(ModelName=model)["Containers"] == [{"ModelPackageName": arn}]  # as given
        answer = runtime.invoke_endpoint(EndpointName=endpoint, Body=b"x", ContentType="text/plain")
        assert answer["Body"].read() == b"weights-v1 at 0.5"
    finally:
        sm.delete_endpoint(EndpointName=endpoint)


def test_a_model_from_a_package_takes_the_models_environment_over_the_packages(sm, s3, runtime, image):
    serving_image = image(ServeProgram(weights_and_threshold))
    name = unique("Unversioned")
    sm.create_model_package(ModelPackageName=name, InferenceSpecification=spec(serving_image,
                                                                               model_archive(s3, "weights-u")))
    model, config, endpoint = unique("from-package"), unique("config"), unique("endpoint")

    # An unversioned package needs no approval; the model's Environment reaches its container.
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE,
                    PrimaryContainer={"ModelPackageName": name, "Environment": {"THRESHOLD": "0.9"}})
    assert error_of(sm.create_model, ModelName=unique("both"), ExecutionRoleArn=ROLE,
                    PrimaryContainer={"ModelPackageName": name, "Image": serving_image})[0] == "ValidationException"
    assert error_of(sm.create_model, ModelName=unique("missing"), ExecutionRoleArn=ROLE,
                    PrimaryContainer={"ModelPackageName": "no-such-package"})[1] == (
        f"ModelPackage {ACCOUNT_ARN}:model-package/no-such-package does not exist.")
    sm.delete_model_package(ModelPackageName=name)  # the model keeps what it was made from
    sm.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": model, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    try:
        wait_until(lambda: sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService", 10,
                   "the endpoint to be InService")

        answer = runtime.invoke_endpoint(EndpointName=endpoint, Body=b"x", ContentType="text/plain")
        assert answer["Body"].read() == b"weights-u at 0.9"
    finally:
        sm.delete_endpoint(EndpointName=endpoint)
