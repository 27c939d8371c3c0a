"""The training API's answers to good and bad requests, as boto3 sees them."""

import time
import uuid

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from helpers import ensure_bucket, training_request, wait_for

BUCKET = "e2e-api"


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response


def test_describe_unknown_job_is_a_validation_exception(sm):
    response = error_of(sm.describe_training_job, TrainingJobName="does-not-exist")
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"] == "Requested resource not found."
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error_of(sm.stop_training_job, TrainingJobName="does-not-exist")["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize("change, field, constraint", [
    (lambda r: r.update(TrainingJobName="bad_name!"), "trainingJobName", "regular expression pattern"),
    (lambda r: r.update(TrainingJobName="x" * 64), "trainingJobName", "less than or equal to 63"),
    (lambda r: r["AlgorithmSpecification"].update(TrainingInputMode="Bogus"),
     "algorithmSpecification.trainingInputMode", "enum value set"),
    (lambda r: r["ResourceConfig"].update(InstanceType="ml.nope.large"), "resourceConfig.instanceType", "enum"),
    (lambda r: r.update(RoleArn="not-a-role-arn-at-all"), "roleArn", "regular expression pattern"),
    (lambda r: r.update(HyperParameters={"k": "v" * 2501}), "hyperParameters.k", "less than or equal to 2500"),
])
def test_bad_input_names_the_field(sm, change, field, constraint):
    request = training_request(f"bad-{uuid.uuid4().hex[:6]}", BUCKET, {})
    change(request)
    error = error_of(sm.create_training_job, **request)["Error"]
    assert error["Code"] == "ValidationException"
    assert f"at '{field}'" in error["Message"] and constraint in error["Message"]
    assert "validation error" in error["Message"]


def test_missing_member_is_caught_by_botocore_and_by_the_server(sm, emulator):
    with pytest.raises(ParamValidationError):
        sm.create_training_job(TrainingJobName="x")
    import json
    import urllib3
    # A client that skips botocore's checks still gets AWS's answer, not a 500.
    body = json.dumps({"TrainingJobName": "raw-call"})
    r = urllib3.request("POST", emulator.url + "/", body=body, headers={
        "X-Amz-Target": "SageMaker.CreateTrainingJob", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sagemaker/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    assert r.status == 400
    payload = json.loads(r.data)
    assert payload["__type"] == "ValidationException"
    assert "Value null at 'roleArn' failed to satisfy constraint: Member must not be null" in payload["message"]
    body = json.dumps({"TrainingJobName": "raw-call", "RoleArn": "arn:aws:iam::123456789012:role/r",
                       "OutputDataConfig": {"S3OutputPath": "s3://b/o"}})
    r = urllib3.request("POST", emulator.url + "/", body=body, headers={
        "X-Amz-Target": "SageMaker.CreateTrainingJob",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sagemaker/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    assert r.status == 400
    assert json.loads(r.data)["message"] == "AlgorithmSpecification must be specified"
    r = urllib3.request("POST", emulator.url + "/", body=b"{not json", headers={
        "X-Amz-Target": "SageMaker.CreateTrainingJob",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sagemaker/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    assert r.status == 400 and json.loads(r.data)["__type"] == "SerializationException"


def test_non_s3_output_path_and_duplicate_channels_are_refused(sm):
    request = training_request("bad-output", BUCKET, {})
    request["OutputDataConfig"]["S3OutputPath"] = "/tmp/out"
    error = error_of(sm.create_training_job, **request)["Error"]
    assert error["Code"] == "ValidationException" and "s3OutputPath" in error["Message"]
    request = training_request("dup-channels", BUCKET, {}, channels=[("train", "s3://b/a"), ("train", "s3://b/c")])
    assert error_of(sm.create_training_job, **request)["Error"]["Code"] == "ValidationException"


@pytest.mark.docker
def test_duplicate_name_list_filters_sort_paging_and_tags(sm, s3):
    ensure_bucket(s3, BUCKET)
    tag = uuid.uuid4().hex[:6]
    names = [f"list-{tag}-{i}" for i in range(3)]
    for name in names:
        sm.create_training_job(**training_request(name, BUCKET, {}, image="no-such/image:latest",
                                                  Tags=[{"Key": "team", "Value": "ml"}]))
        time.sleep(0.01)
    error = error_of(sm.create_training_job, **training_request(names[0], BUCKET, {}))["Error"]
    assert error["Code"] == "ResourceInUse"
    for name in names:
        wait_for(sm, name)
    # The duplicate attempt did not change what was stored.
    assert sm.describe_training_job(TrainingJobName=names[0])["TrainingJobStatus"] == "Failed"

    listed = sm.list_training_jobs(NameContains=tag, SortBy="Name", SortOrder="Descending")
    assert [s["TrainingJobName"] for s in listed["TrainingJobSummaries"]] == names[::-1]
    assert sm.list_training_jobs(NameContains=tag, StatusEquals="Completed")["TrainingJobSummaries"] == []
    first = sm.list_training_jobs(NameContains=tag, MaxResults=2)
    assert len(first["TrainingJobSummaries"]) == 2 and "NextToken" in first
    second = sm.list_training_jobs(NameContains=tag, MaxResults=2, NextToken=first["NextToken"])
    assert [s["TrainingJobName"] for s in second["TrainingJobSummaries"]] == [names[2]]
    assert "NextToken" not in second
    paginated = [s["TrainingJobName"] for page in sm.get_paginator("list_training_jobs").paginate(
        NameContains=tag, PaginationConfig={"PageSize": 1}) for s in page["TrainingJobSummaries"]]
    assert paginated == names

    arn = sm.describe_training_job(TrainingJobName=names[0])["TrainingJobArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{names[0]}"
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "dev"}])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "stage", "Value": "dev"}, {"Key": "team", "Value": "ml"}]
    sm.delete_tags(ResourceArn=arn, TagKeys=["team"])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "stage", "Value": "dev"}]


def test_search_training_jobs(sm, s3):
    """Search returns whole jobs (with their tags) in one call, filtered, sorted and paged."""
    ensure_bucket(s3, BUCKET)
    tag = uuid.uuid4().hex[:6]
    names = [f"search-{tag}-{i}" for i in range(3)]
    for i, name in enumerate(names):
        request = training_request(name, BUCKET, {"epochs": str(i)}, image="no-such/image:latest",
                                   instance_type="ml.m5.xlarge" if i else "ml.m5.large", Tags=[{"Key": "run", "Value": tag}])
        sm.create_training_job(**request)
        time.sleep(0.01)
    for name in names:
        wait_for(sm, name)

    def search(**kwargs):
        return sm.search(Resource="TrainingJob", **kwargs)
    mine = {"Filters": [{"Name": "Tags.run", "Operator": "Equals", "Value": tag}]}
    found = search(SearchExpression=mine, SortBy="CreationTime", SortOrder="Ascending")
    assert [r["TrainingJob"]["TrainingJobName"] for r in found["Results"]] == names
    assert found["TotalHits"] == {"Value": 3, "Relation": "EqualTo"}
    job = found["Results"][0]["TrainingJob"]
    assert job["ResourceConfig"]["InstanceType"] == "ml.m5.large" and job["TrainingJobStatus"] == "Failed"
    assert job["Tags"] == [{"Key": "run", "Value": tag}]

    xlarge = {**mine, "Filters": mine["Filters"] + [
        {"Name": "ResourceConfig.InstanceType", "Operator": "Equals", "Value": "ml.m5.xlarge"},
        {"Name": "HyperParameters.epochs", "Operator": "In", "Value": "1,2"}]}
    first = search(SearchExpression=xlarge, SortBy="TrainingJobName", SortOrder="Descending", MaxResults=1)
    assert [r["TrainingJob"]["TrainingJobName"] for r in first["Results"]] == [names[2]]
    rest = search(SearchExpression=xlarge, SortBy="TrainingJobName", SortOrder="Descending", NextToken=first["NextToken"])
    assert [r["TrainingJob"]["TrainingJobName"] for r in rest["Results"]] == [names[1]] and "NextToken" not in rest
    either = {"Operator": "Or", "SubExpressions": [
        {"Filters": [{"Name": "TrainingJobName", "Operator": "Equals", "Value": names[0]}]},
        {"Filters": [{"Name": "TrainingJobName", "Operator": "Contains", "Value": f"{tag}-2"}]}]}
    assert {r["TrainingJob"]["TrainingJobName"] for r in search(SearchExpression=either)["Results"]} == {names[0], names[2]}

    assert error_of(sm.search, Resource="Experiment")["Error"]["Code"] == "ValidationException"
    bad = error_of(sm.search, Resource="TrainingJob", SearchExpression={"Filters": [
        {"Name": "CreationTime", "Operator": "GreaterThan", "Value": "yesterday"}]})["Error"]
    assert bad["Code"] == "ValidationException" and "yesterday" in bad["Message"]


def test_unsupported_operation_is_an_aws_error(sm):
    error = error_of(sm.list_hub_contents, HubName="h", HubContentType="Model")["Error"]
    assert error["Code"] == "UnknownOperationException"


@pytest.mark.parametrize("uri, missing", [("s3://no-such-bucket-e2e/train/", "s3://no-such-bucket-e2e"),
                                          (f"s3://{BUCKET}/no-such-manifest", f"s3://{BUCKET}/no-such-manifest")])
def test_a_channel_that_does_not_exist_fails_the_job_as_a_client_error(sm, s3, uri, missing):
    ensure_bucket(s3, BUCKET)
    name = f"missing-channel-{uuid.uuid4().hex[:8]}"
    request = training_request(name, BUCKET, {}, channels=[("train", uri)])
    if "manifest" in uri:
        request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataType"] = "ManifestFile"
    sm.create_training_job(**request)
    desc = wait_for(sm, name, 60)
    assert desc["FailureReason"] == f"ClientError: {missing} does not exist"
    assert desc["SecondaryStatus"] == "Failed"
