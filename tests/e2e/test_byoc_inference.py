"""A bring-your-own inference image: the contract alone, with no SageMaker toolkit inside."""

import time

import docker
import pytest
from botocore.exceptions import ClientError

from emulator_process import EmulatorProcess
from hosting import BUCKET, byoc_model, create_config, delete, deploy, variant
from test_transform_jobs import text, transform, wait

pytestmark = pytest.mark.docker


def containers_of(endpoint: str) -> list:
    return docker.from_env().containers.list(filters={"label": f"sagemaker-emulator.owner={endpoint}"})


def test_byoc_endpoint_passes_headers_both_ways(sm, runtime, byoc_image):
    endpoint = deploy(sm, create_config(sm, [variant(byoc_model(sm, byoc_image))]))
    try:
        r = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/plain", Body=b"hello",
                                    CustomAttributes="x=1")
        assert r["Body"].read() == b"HELLO batch=no"
        assert r["ContentType"] == "text/x-shout"
        assert r["CustomAttributes"] == "echo=x=1"
    finally:
        delete(sm, endpoint)


def test_transform_honours_execution_parameters(sm, s3, bucket, byoc_image):
    s3.put_object(Bucket=BUCKET, Key="bt/byoc/in/words.txt", Body=b"a\nb\nc\n")
    name = transform(sm, byoc_model(sm, byoc_image), f"s3://{BUCKET}/bt/byoc/in", f"s3://{BUCKET}/bt/byoc/out",
                     "text/plain", "text/plain")
    desc = wait(sm, name)
    assert desc["TransformJobStatus"] == "Completed", desc.get("FailureReason")
    # SINGLE_RECORD from /execution-parameters: one request per line, in input order.
    assert text(s3, "bt/byoc/out/words.txt.out") == "A batch=true\nB batch=true\nC batch=true\n"


def test_slow_container_is_a_model_error_and_idle_serverless_stops(tmp_path, sm, runtime, byoc_image):
    # An endpoint of the session's emulator: a second emulator starting up must leave it alone.
    neighbour = deploy(sm, create_config(sm, [variant(byoc_model(sm, byoc_image))]))
    emulator = EmulatorProcess(tmp_path / "data", env={"SAGEMAKER_EMULATOR_INVOCATION_TIMEOUT_SECONDS": "2",
                                                       "SAGEMAKER_EMULATOR_SERVERLESS_IDLE_SECONDS": "2"}).start()
    try:
        other_sm, other_runtime = emulator.client("sagemaker"), emulator.client("sagemaker-runtime")
        endpoint = deploy(other_sm, create_config(other_sm, [variant(byoc_model(other_sm, byoc_image))]))
        with pytest.raises(ClientError) as err:
            other_runtime.invoke_endpoint(EndpointName=endpoint, Body=b"sleep:4")
        assert err.value.response["Error"]["Code"] == "ModelError"
        assert "timed out while waiting for a response from container primary" in err.value.response["Error"]["Message"]
        assert other_runtime.invoke_endpoint(EndpointName=endpoint, Body=b"ok")["Body"].read() == b"OK batch=no"
        delete(other_sm, endpoint)

        serverless_variant = {"VariantName": "AllTraffic", "ModelName": byoc_model(other_sm, byoc_image),
                              "ServerlessConfig": {"MemorySizeInMB": 1024, "MaxConcurrency": 2}}
        serverless = deploy(other_sm, create_config(other_sm, [serverless_variant]))
        assert containers_of(serverless) == []
        assert other_runtime.invoke_endpoint(EndpointName=serverless, Body=b"hi")["Body"].read() == b"HI batch=no"
        assert len(containers_of(serverless)) == 1
        deadline = time.monotonic() + 15
        while containers_of(serverless) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert containers_of(serverless) == []  # stopped after 2 s idle
        assert other_runtime.invoke_endpoint(EndpointName=serverless, Body=b"again")["Body"].read() == b"AGAIN batch=no"
        delete(other_sm, serverless)
    finally:
        emulator.stop()
    assert runtime.invoke_endpoint(EndpointName=neighbour, Body=b"still")["Body"].read() == b"STILL batch=no"
    delete(sm, neighbour)
