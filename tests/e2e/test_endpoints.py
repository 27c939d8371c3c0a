"""Endpoints end to end: a model the emulator trained, deployed and invoked with boto3."""

import concurrent.futures
import datetime
import io
import json
import socket
import threading
import time

import numpy as np
import pytest
from botocore.exceptions import ClientError

from helpers import wait_until
from hosting import INFERENCE_DLC, create_config, create_model, custom_env, delete, deploy, variant, wait_in_service

pytestmark = pytest.mark.docker

@pytest.fixture(scope="module")
def default_endpoint(sm, artifact):
    endpoint = deploy(sm, create_config(sm, [variant(create_model(sm, artifact))]))
    yield endpoint
    delete(sm, endpoint)


@pytest.fixture(scope="module")
def custom_endpoint(sm, artifact, user_code):
    model = create_model(sm, artifact, custom_env(user_code, SAGEMAKER_MODEL_SERVER_WORKERS="2"))
    endpoint = deploy(sm, create_config(sm, [variant(model)]))
    yield endpoint
    delete(sm, endpoint)


def test_default_handlers_json_csv_npy(sm, runtime, default_endpoint):
    desc = sm.describe_endpoint(EndpointName=default_endpoint)
    assert desc["EndpointStatus"] == "InService"
    [summary] = desc["ProductionVariants"]
    assert summary["VariantName"] == "AllTraffic"
    assert summary["CurrentInstanceCount"] == summary["DesiredInstanceCount"] == 1
    assert summary["CurrentWeight"] == 1.0
    assert summary["DeployedImages"][0]["SpecifiedImage"] == INFERENCE_DLC

    r = runtime.invoke_endpoint(EndpointName=default_endpoint, ContentType="application/json",
                                Accept="application/json", Body=json.dumps([[1, 2, 3], [4, 5, 6]]))
    assert json.loads(r["Body"].read()) == [[6.0, -1.0], [15.0, -1.0]]
    assert r["ContentType"] == "application/json"
    assert r["InvokedProductionVariant"] == "AllTraffic"

    r = runtime.invoke_endpoint(EndpointName=default_endpoint, ContentType="text/csv", Accept="text/csv",
                                Body="1,2,3\n0,1,0")
    assert r["Body"].read().decode().split() == ["6.0,-1.0", "1.0,-1.0"]

    buf = io.BytesIO()
    np.save(buf, np.array([[2, 2, 2]], dtype=np.float32))
    r = runtime.invoke_endpoint(EndpointName=default_endpoint, ContentType="application/x-npy",
                                Accept="application/x-npy", Body=buf.getvalue())
    assert np.load(io.BytesIO(r["Body"].read())).tolist() == [[6.0, 0.0]]


def test_unsupported_content_type_is_a_model_error(runtime, default_endpoint):
    with pytest.raises(ClientError) as err:
        runtime.invoke_endpoint(EndpointName=default_endpoint, ContentType="image/png", Body=b"\x89PNG")
    error = err.value.response
    assert error["Error"]["Code"] == "ModelError"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert error["OriginalStatusCode"] == 500
    assert "image/png" in error["OriginalMessage"]
    assert error["LogStreamArn"].endswith(f"log-group:/aws/sagemaker/Endpoints/{default_endpoint}")
    assert error["Error"]["Message"].startswith("Received server error (500) from primary with message")


def test_endpoint_logs_reach_cloudwatch(logs, default_endpoint):
    group = f"/aws/sagemaker/Endpoints/{default_endpoint}"
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"].split("/")[0] for s in streams] == ["AllTraffic"]
    assert streams[0]["logStreamName"].split("/")[1].startswith("i-")
    events = logs.get_log_events(logGroupName=group, logStreamName=streams[0]["logStreamName"],
                                 startFromHead=True)["events"]
    assert any("Booting worker" in e["message"] for e in events)


def test_user_handlers_answer_on_both_workers(runtime, custom_endpoint):
    def invoke(**request):
        r = runtime.invoke_endpoint(EndpointName=custom_endpoint, ContentType="application/json",
                                    Body=json.dumps({"inputs": [[1, 1, 1]], **request}))
        body = json.loads(r["Body"].read())
        assert body["outputs"] == [[3.0, 0.0]]
        return body["pid"]

    # SAGEMAKER_MODEL_SERVER_WORKERS=2: while one worker is busy with a slow request the other
    # answers (which worker takes a request is up to the kernel: sequential calls may all reach one).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(invoke, sleep=3)
        pids = {invoke()}
        while len(pids) < 2 and not slow.done():
            pids.add(invoke())
        pids.add(slow.result())
    assert len(pids) == 2


def test_user_code_errors_are_model_errors(runtime, custom_endpoint):
    with pytest.raises(ClientError) as err:
        runtime.invoke_endpoint(EndpointName=custom_endpoint, ContentType="application/json",
                                Body=json.dumps({"inputs": [[1, 1, 1]], "fail": True}))
    assert err.value.response["Error"]["Code"] == "ModelError"
    assert "input_fn was told to fail" in err.value.response["OriginalMessage"]
    # The endpoint still answers the next caller.
    r = runtime.invoke_endpoint(EndpointName=custom_endpoint, ContentType="application/json",
                                Body=json.dumps({"inputs": [[0, 0, 1]]}))
    assert json.loads(r["Body"].read())["outputs"] == [[1.0, 0.0]]


def _invocation_metrics(cloudwatch, endpoint: str, since: datetime.datetime) -> dict:
    dims = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}]

    def query(qid, name, stat):
        return {"Id": qid, "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": name,
                                                     "Dimensions": dims}, "Period": 3600, "Stat": stat}}
    results = cloudwatch.get_metric_data(
        MetricDataQueries=[query("calls", "Invocations", "Sum"), query("errors", "Invocation5XXErrors", "Sum"),
                           query("p50", "ModelLatency", "p50"), query("p99", "ModelLatency", "p99"),
                           query("overhead", "OverheadLatency", "Average")],
        StartTime=since, EndTime=since + datetime.timedelta(hours=2))["MetricDataResults"]
    return {r["Id"]: sum(r["Values"]) for r in results}


def test_invocation_metrics_in_cloudwatch(runtime, cloudwatch, custom_endpoint):
    """Invocations, errors and latency percentiles as SageMaker publishes them (AWS/SageMaker)."""
    since = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)

    def settled():
        """The count once earlier calls' records have all arrived: two reads over 1 s apart agree
        (the emulator sends them once a second)."""
        first = _invocation_metrics(cloudwatch, custom_endpoint, since)
        time.sleep(1.2)
        second = _invocation_metrics(cloudwatch, custom_endpoint, since)
        return second if second == first else None
    before = wait_until(settled, 30, "earlier invocations' metrics to arrive")
    for _ in range(5):
        runtime.invoke_endpoint(EndpointName=custom_endpoint, ContentType="application/json",
                                Body=json.dumps({"inputs": [[1, 1, 1]]}))
    with pytest.raises(ClientError):
        runtime.invoke_endpoint(EndpointName=custom_endpoint, ContentType="application/json",
                                Body=json.dumps({"inputs": [[1, 1, 1]], "fail": True}))
    def arrived():
        now = _invocation_metrics(cloudwatch, custom_endpoint, since)
        return now if now.get("calls", 0) - before.get("calls", 0) >= 6 else None
    after = wait_until(arrived, 30, "the 6 calls' metrics")
    assert after["calls"] - before.get("calls", 0) == 6
    assert after["errors"] - before.get("errors", 0) == 1
    assert 0 < after["p50"] <= after["p99"] < 60e6  # microseconds
    assert after["overhead"] > 0


def test_transform_fn_alone(sm, runtime, artifact, user_code):
    model = create_model(sm, artifact, custom_env(user_code, SAGEMAKER_PROGRAM="transform_fn_inference.py"))
    endpoint = deploy(sm, create_config(sm, [variant(model)]))
    try:
        r = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                    Body=json.dumps({"rows": [[1, 2, 3], [1, 1, 1]]}))
        assert r["ContentType"] == "application/vnd.sums+json"
        assert json.loads(r["Body"].read()) == {"sums": [6.0, 3.0], "content_type": "application/json"}
    finally:
        delete(sm, endpoint)


def test_response_stream(runtime, custom_endpoint):
    r = runtime.invoke_endpoint_with_response_stream(
        EndpointName=custom_endpoint, ContentType="application/json", Accept="application/jsonlines",
        Body=json.dumps({"inputs": [[1, 1, 1]], "stream": 4}))
    assert r["ContentType"] == "application/jsonlines"
    assert r["InvokedProductionVariant"] == "AllTraffic"
    parts = [event["PayloadPart"]["Bytes"] for event in r["Body"]]
    assert b"".join(parts).decode().splitlines() == [json.dumps({"part": i}) for i in range(4)]
    assert len(parts) >= 2  # chunks arrive as the container streams them, not as one body


def test_runtime_validation_errors(runtime, default_endpoint):
    cases = [
        (dict(EndpointName="no-such-endpoint", Body=b"{}"), "Endpoint no-such-endpoint of account"),
        (dict(EndpointName=default_endpoint, Body=b"x" * (6 * 1024 * 1024 + 1)), "exceeds the maximum"),
        (dict(EndpointName=default_endpoint, Body=b"[[1,2,3]]", ContentType="application/json",
              TargetVariant="Nope"), "Variant Nope not found"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ClientError) as err:
            runtime.invoke_endpoint(**kwargs)
        assert err.value.response["Error"]["Code"] == "ValidationError"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert message in err.value.response["Error"]["Message"]


def test_garbage_from_a_client_does_not_break_the_endpoint(emulator, runtime, default_endpoint):
    with socket.create_connection(("127.0.0.1", emulator.port)) as sock:
        sock.sendall(b"POST /endpoints/" + default_endpoint.encode() + b"/invocations HTTP/1.1\r\n"
                     b"Content-Length: 999999\r\nAuthorization: AWS4-HMAC-SHA256 Credential=x/20260101/"
                     b"us-east-1/sagemaker/aws4_request\r\n\r\n\x00\xff garbage")
    r = runtime.invoke_endpoint(EndpointName=default_endpoint, ContentType="application/json",
                                Body=b"[[1,0,0]]")
    assert json.loads(r["Body"].read()) == [[1.0, 1.0]]


def test_variants_split_traffic_and_target_variant(sm, runtime, artifact):
    model = create_model(sm, artifact)
    config = create_config(sm, [variant(model, "Blue", weight=1.0), variant(model, "Green", weight=3.0)])
    endpoint = deploy(sm, config)
    try:
        seen = [runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                        Body=b"[[1,2,3]]")["InvokedProductionVariant"] for _ in range(80)]
        assert 5 <= seen.count("Blue") <= 35 and seen.count("Blue") + seen.count("Green") == 80
        for target in ("Blue", "Green"):
            r = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                        Body=b"[[1,2,3]]", TargetVariant=target)
            assert r["InvokedProductionVariant"] == target
        weights = {v["VariantName"]: v["CurrentWeight"]
                   for v in sm.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]}
        assert weights == {"Blue": 1.0, "Green": 3.0}
    finally:
        delete(sm, endpoint)


def test_update_endpoint_under_load_fails_no_call(sm, runtime, artifact):
    endpoint = deploy(sm, create_config(sm, [variant(create_model(sm, artifact), "Old", count=2)]))
    new_config = create_config(sm, [variant(create_model(sm, artifact), "New")])
    results, stop = [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                r = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                            Body=b"[[1,2,3]]")
                assert json.loads(r["Body"].read()) == [[6.0, -1.0]]
                results.append(r["InvokedProductionVariant"])
            except ClientError as exc:
                results.append(exc.response["Error"]["Code"])
    threads = [threading.Thread(target=hammer) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        time.sleep(0.5)
        sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=new_config)
        desc = sm.describe_endpoint(EndpointName=endpoint)
        assert desc["EndpointStatus"] == "Updating"
        assert desc["PendingDeploymentSummary"]["EndpointConfigName"] == new_config
        with pytest.raises(ClientError) as err:  # one change at a time
            sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=new_config)
        assert err.value.response["Error"]["Code"] == "ValidationException"
        wait_in_service(sm, endpoint)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert set(results) == {"Old", "New"}, {r for r in results if r not in ("Old", "New")}
    assert results[-1] == "New"
    desc = sm.describe_endpoint(EndpointName=endpoint)
    assert desc["EndpointConfigName"] == new_config
    assert [v["VariantName"] for v in desc["ProductionVariants"]] == ["New"]
    assert "PendingDeploymentSummary" not in desc
    delete(sm, endpoint)
