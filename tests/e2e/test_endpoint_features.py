"""Endpoint control-plane errors, failures, async inference, serverless and data capture."""

import json
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from helpers import ROLE
from hosting import (BUCKET, INFERENCE_DLC, create_config, create_model, custom_env, delete, deploy, unique,
                     variant, wait_in_service)

pytestmark = pytest.mark.docker


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]


def test_control_plane_errors(sm, artifact):
    model = create_model(sm, artifact)
    error = error_of(sm.create_model, ModelName=model, ExecutionRoleArn=ROLE,
                     PrimaryContainer={"Image": INFERENCE_DLC})
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("Cannot create already existing model")

    for call, kwargs, noun in [(sm.describe_model, {"ModelName": "nope"}, "model"),
                               (sm.describe_endpoint_config, {"EndpointConfigName": "nope"}, "endpoint configuration"),
                               (sm.describe_endpoint, {"EndpointName": "nope"}, "endpoint"),
                               (sm.delete_endpoint, {"EndpointName": "nope"}, "endpoint")]:
        error = error_of(call, **kwargs)
        assert (error["Code"], error["Message"]) == ("ValidationException", f'Could not find {noun} "nope".')

    error = error_of(sm.create_endpoint_config, EndpointConfigName=unique("c"),
                     ProductionVariants=[variant("no-such-model")])
    assert error["Message"] == 'Could not find model "no-such-model".'
    error = error_of(sm.create_endpoint, EndpointName=unique("e"), EndpointConfigName="nope")
    assert error["Message"] == 'Could not find endpoint configuration "nope".'
    error = error_of(sm.create_model, ModelName="bad_name", ExecutionRoleArn=ROLE,
                     PrimaryContainer={"Image": INFERENCE_DLC})
    assert error["Code"] == "ValidationException" and "modelName" in error["Message"]

    config = create_config(sm, [variant(model)])
    endpoint = deploy(sm, config, wait=False)
    error = error_of(sm.create_endpoint, EndpointName=endpoint, EndpointConfigName=config)
    assert error["Message"].startswith("Cannot create already existing endpoint")
    error = error_of(sm.delete_endpoint_config, EndpointConfigName=config)  # in use while Creating
    assert error["Code"] == "ValidationException" and "being created or updated" in error["Message"]
    wait_in_service(sm, endpoint)

    listed = sm.list_endpoints(NameContains=endpoint)["Endpoints"]
    assert [(e["EndpointName"], e["EndpointStatus"]) for e in listed] == [(endpoint, "InService")]
    assert model in [m["ModelName"] for m in sm.list_models(NameContains="model-", MaxResults=100)["Models"]]
    # As on AWS, a live endpoint keeps serving after its config and model are deleted.
    sm.delete_endpoint_config(EndpointConfigName=config)
    sm.delete_model(ModelName=model)
    delete(sm, endpoint)
    assert error_of(sm.describe_endpoint, EndpointName=endpoint)["Code"] == "ValidationException"


def test_failed_endpoints_say_why(sm, s3, artifact, user_code):
    broken = create_model(sm, artifact, custom_env(user_code, FAIL_MODEL_FN="1"))
    endpoint = deploy(sm, create_config(sm, [variant(broken)]), wait=False)
    with pytest.raises(Exception):
        sm.get_waiter("endpoint_in_service").wait(EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    desc = sm.describe_endpoint(EndpointName=endpoint)
    assert desc["EndpointStatus"] == "Failed"
    assert "did not pass the ping health check" in desc["FailureReason"]
    assert "model_fn was told to fail" in desc["FailureReason"]
    error = error_of(sm.update_endpoint, EndpointName=endpoint, EndpointConfigName=create_config(
        sm, [variant(create_model(sm, artifact))]))
    assert error["Code"] == "ValidationException"
    delete(sm, endpoint)

    missing = create_model(sm, f"s3://{BUCKET}/no/such/model.tar.gz")
    endpoint = deploy(sm, create_config(sm, [variant(missing)]), wait=False)
    for _ in range(100):
        desc = sm.describe_endpoint(EndpointName=endpoint)
        if desc["EndpointStatus"] != "Creating":
            break
        time.sleep(0.1)
    assert desc["EndpointStatus"] == "Failed"
    assert "could not find model data" in desc["FailureReason"]
    delete(sm, endpoint)


def test_failed_update_keeps_the_old_containers_serving(sm, runtime, artifact, user_code):
    endpoint = deploy(sm, create_config(sm, [variant(create_model(sm, artifact))]))
    broken = create_model(sm, artifact, custom_env(user_code, FAIL_MODEL_FN="1"))
    sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=create_config(sm, [variant(broken, "Broken")]))
    wait_in_service(sm, endpoint)
    desc = sm.describe_endpoint(EndpointName=endpoint)
    assert "model_fn was told to fail" in desc["FailureReason"]
    assert [v["VariantName"] for v in desc["ProductionVariants"]] == ["AllTraffic"]
    r = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json", Body=b"[[1,1,1]]")
    assert r["InvokedProductionVariant"] == "AllTraffic"
    delete(sm, endpoint)


def test_async_inference(sm, s3, runtime, artifact, user_code):
    model = create_model(sm, artifact, custom_env(user_code))
    config = create_config(sm, [variant(model)], AsyncInferenceConfig={"OutputConfig": {
        "S3OutputPath": f"s3://{BUCKET}/async/out", "S3FailurePath": f"s3://{BUCKET}/async/fail"}})
    endpoint = deploy(sm, config)
    try:
        s3.put_object(Bucket=BUCKET, Key="async/in/good.json", Body=json.dumps({"inputs": [[1, 2, 3]]}))
        s3.put_object(Bucket=BUCKET, Key="async/in/bad.json", Body=json.dumps({"inputs": [[1]], "fail": True}))
        good = runtime.invoke_endpoint_async(EndpointName=endpoint, ContentType="application/json",
                                             InputLocation=f"s3://{BUCKET}/async/in/good.json")
        bad = runtime.invoke_endpoint_async(EndpointName=endpoint, ContentType="application/json",
                                            InputLocation=f"s3://{BUCKET}/async/in/bad.json", InferenceId="bad-1")
        assert good["ResponseMetadata"]["HTTPStatusCode"] == 202
        assert good["OutputLocation"] == f"s3://{BUCKET}/async/out/{good['InferenceId']}.out"
        assert bad["FailureLocation"] == f"s3://{BUCKET}/async/fail/bad-1-error.out"
        result = read_when_there(s3, good["OutputLocation"])
        assert json.loads(result)["outputs"] == [[6.0, -1.0]]
        assert b"input_fn was told to fail" in read_when_there(s3, bad["FailureLocation"])

        sync_only = deploy(sm, create_config(sm, [variant(model)]))
        error = error_of(runtime.invoke_endpoint_async, EndpointName=sync_only,
                         InputLocation=f"s3://{BUCKET}/async/in/good.json")
        assert error["Code"] == "ValidationError"
        delete(sm, sync_only)
    finally:
        delete(sm, endpoint)


def read_when_there(s3, uri, timeout=30) -> bytes:
    bucket, key = uri[5:].split("/", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError:
            time.sleep(0.2)
    raise AssertionError(f"{uri} never appeared")


def test_serverless_cold_start_concurrency_and_describe(emulator, sm, artifact, user_code):
    model = create_model(sm, artifact, custom_env(user_code))
    serverless = {"MemorySizeInMB": 2048, "MaxConcurrency": 1}
    config = create_config(sm, [{"VariantName": "AllTraffic", "ModelName": model, "ServerlessConfig": serverless}])
    started = time.monotonic()
    endpoint = deploy(sm, config)
    assert time.monotonic() - started < 5  # no container until the first call
    [summary] = sm.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]
    assert summary["CurrentServerlessConfig"] == serverless and "CurrentInstanceCount" not in summary
    runtime = emulator.client("sagemaker-runtime")
    # ThrottlingException is retried by boto3; one attempt shows it to the caller.
    strict = boto3.client("sagemaker-runtime", endpoint_url=emulator.url, region_name="us-east-1",
                          aws_access_key_id="t", aws_secret_access_key="t",
                          config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    try:
        t0 = time.monotonic()
        r = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                    Body=json.dumps({"inputs": [[1, 1, 1]]}))
        cold = time.monotonic() - t0
        assert json.loads(r["Body"].read())["outputs"] == [[3.0, 0.0]]
        t0 = time.monotonic()
        runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                Body=json.dumps({"inputs": [[1, 1, 1]]}))
        assert time.monotonic() - t0 < cold

        slow = threading.Thread(target=lambda: strict.invoke_endpoint(
            EndpointName=endpoint, ContentType="application/json",
            Body=json.dumps({"inputs": [[1, 1, 1]], "sleep": 2})))
        slow.start()
        time.sleep(0.5)
        error = error_of(strict.invoke_endpoint, EndpointName=endpoint, ContentType="application/json",
                         Body=json.dumps({"inputs": [[1, 1, 1]]}))
        slow.join()
        assert error["Code"] == "ThrottlingException"
    finally:
        delete(sm, endpoint)


def test_data_capture(sm, s3, runtime, artifact):
    model = create_model(sm, artifact)
    destination = f"s3://{BUCKET}/capture"
    config = create_config(sm, [variant(model)], DataCaptureConfig={
        "EnableCapture": True, "InitialSamplingPercentage": 100, "DestinationS3Uri": destination,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]}})
    endpoint = deploy(sm, config)
    try:
        capture = sm.describe_endpoint(EndpointName=endpoint)["DataCaptureConfig"]
        assert capture["CaptureStatus"] == "Started" and capture["CurrentSamplingPercentage"] == 100
        for i in range(3):
            runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                    Accept="application/json", Body=json.dumps([[i, 0, 0]]), InferenceId=f"id-{i}")
        prefix = f"capture/{endpoint}/AllTraffic/"
        expected = ["id-0", "id-1", "id-2"]

        def captured():
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]
            return keys, [json.loads(line) for k in keys
                          for line in s3.get_object(Bucket=BUCKET, Key=k)["Body"].read().decode().splitlines()]

        def inference_ids(records):
            return sorted(r["eventMetadata"].get("inferenceId", "") for r in records)

        # The records may land in several objects, written by different flushes: wait for all of them.
        deadline = time.monotonic() + 30
        keys, records = captured()
        while time.monotonic() < deadline and inference_ids(records) != expected:
            time.sleep(0.3)
            keys, records = captured()
        assert inference_ids(records) == expected
        assert all(k.endswith(".jsonl") for k in keys)
        assert len(keys[0][len(prefix):].split("/")) == 5  # yyyy/mm/dd/hh/file
        first = next(r for r in records if r["eventMetadata"]["inferenceId"] == "id-2")
        assert first["captureData"]["endpointInput"] == {"observedContentType": "application/json", "mode": "INPUT",
                                                         "data": "[[2, 0, 0]]", "encoding": "JSON"}
        assert json.loads(first["captureData"]["endpointOutput"]["data"]) == [[2.0, 2.0]]
        assert first["eventVersion"] == "0"
    finally:
        delete(sm, endpoint)
