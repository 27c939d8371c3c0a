"""Endpoints through boto3 against the in-process emulator on the fake runner: deployment,
invocations, the health monitor replacing a dead container, start-up failures and
ServiceUnavailable, without Docker. Each ServeProgram is what an inference image would do."""

import threading
import uuid

import pytest
from botocore.exceptions import ClientError

from fake_runner import KILLED, ServeProgram
from helpers import ROLE, training_request, wait_until
from in_process import BUCKET


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def echo(request):
    """An inference handler: what the model file says, and the request it answered."""
    weights = (request.model_dir / "model.txt").read_text() if request.model_dir else "no model"
    return 200, "text/plain", f"{weights} saw {request.body.decode()}".encode()


@pytest.fixture
def deploy(sm):
    """Creates model, config and endpoint for an image; the endpoints go at the test's end."""
    created = []

    def create(image: str, model_data: str | None = None) -> str:
        model, config, endpoint = unique("model"), unique("config"), unique("endpoint")
        container = {"Image": image, **({"ModelDataUrl": model_data} if model_data else {})}
        sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer=container)
        sm.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": model, "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}])
        sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
        created.append(endpoint)
        return endpoint
    yield create
    for endpoint in created:
        try:
            sm.delete_endpoint(EndpointName=endpoint)
        except ClientError:
            pass  # deleted by the test, or still Creating/Failed


def settled(sm, endpoint: str, timeout: float = 10) -> dict:
    def done():
        desc = sm.describe_endpoint(EndpointName=endpoint)
        return desc if desc["EndpointStatus"] in ("InService", "Failed") else None
    return wait_until(done, timeout, f"endpoint {endpoint} to be InService or Failed")


def invoke(runtime, endpoint: str, body: bytes = b"x") -> bytes:
    return runtime.invoke_endpoint(EndpointName=endpoint, Body=body, ContentType="text/plain")["Body"].read()


def answers(runtime, endpoint: str, body: bytes = b"x") -> bytes | None:
    try:
        return invoke(runtime, endpoint, body)
    except ClientError:
        return None


def test_an_endpoint_serves_the_model_a_training_job_made(sm, runtime, fake_runner, image, deploy):
    def train(host):
        (host.root / "model" / "model.txt").write_text("weights-7")
        return 0
    job = unique("job")
    sm.create_training_job(**training_request(job, BUCKET, {}, image=image(train)))
    artifacts = wait_until(lambda: sm.describe_training_job(TrainingJobName=job).get("ModelArtifacts"), 10,
                           "the job's model")["S3ModelArtifacts"]
    serving_image = image(ServeProgram(echo))

    endpoint = deploy(serving_image, artifacts)

    desc = settled(sm, endpoint)
    assert desc["EndpointStatus"] == "InService", desc.get("FailureReason")
    assert desc["ProductionVariants"][0]["DeployedImages"][0]["ResolvedImage"] == (
        f"{serving_image.split(':')[0]}@{fake_runner.image_id(serving_image)}")
    assert invoke(runtime, endpoint, b"[1, 2]") == b"weights-7 saw [1, 2]"

    sm.delete_endpoint(EndpointName=endpoint)
    wait_until(lambda: not fake_runner.serving(owner=endpoint), 5, "the endpoint's container to stop")


def test_a_model_error_is_a_424_with_the_containers_answer(sm, runtime, image, deploy):
    def refuse(request):
        return 400, "text/plain", b"expected JSON"
    endpoint = deploy(image(ServeProgram(refuse)))
    assert settled(sm, endpoint)["EndpointStatus"] == "InService"

    with pytest.raises(ClientError) as error:
        invoke(runtime, endpoint)

    response = error.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("ModelError", 424)
    assert (response["OriginalStatusCode"], response["OriginalMessage"]) == (400, "expected JSON")


def test_a_container_that_dies_is_replaced(sm, runtime, logs, fake_runner, image, deploy):
    endpoint = deploy(image(ServeProgram(echo)))
    assert settled(sm, endpoint)["EndpointStatus"] == "InService"
    [first] = fake_runner.serving(owner=endpoint)

    first.exit(KILLED)  # as an out-of-memory kill does

    replaced = wait_until(lambda: [c for c in fake_runner.serving(owner=endpoint) if c is not first], 10,
                          "a new container for the endpoint")
    assert len(replaced) == 1
    assert wait_until(lambda: answers(runtime, endpoint), 5, "invocations to answer again") == b"no model saw x"
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
    group = f"/aws/sagemaker/Endpoints/{endpoint}"

    def replacement_noted():
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        return any(f"its container exited with code {KILLED}" in event["message"]
                   for stream in streams
                   for event in logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"])
    assert wait_until(replacement_noted, 5, "the replacement in the endpoint's log")


def test_no_healthy_instance_is_service_unavailable_until_one_is_back(sm, runtime, fake_runner, image, deploy):
    ready = threading.Event()
    ready.set()
    endpoint = deploy(image(ServeProgram(echo, ping=lambda: 200 if ready.is_set() else 503)))
    assert settled(sm, endpoint)["EndpointStatus"] == "InService"
    [first] = fake_runner.serving(owner=endpoint)
    ready.clear()  # the replacement will not pass /ping until the test says so
    try:
        first.exit(KILLED)

        with pytest.raises(ClientError) as error:
            invoke(runtime, endpoint)
        response = error.value.response
        assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
            "ServiceUnavailable", 503)
        wait_until(lambda: [c for c in fake_runner.serving(owner=endpoint) if c is not first], 10,
                   "a replacement starting")
        with pytest.raises(ClientError) as error:
            invoke(runtime, endpoint)  # the replacement is up but not healthy yet
        assert error.value.response["Error"]["Code"] == "ServiceUnavailable"
    finally:
        ready.set()

    assert wait_until(lambda: answers(runtime, endpoint), 5, "invocations to answer again") == b"no model saw x"


def test_a_container_that_exits_at_start_fails_the_endpoint_with_its_error(sm, fake_runner, image, deploy):
    def crash(container):
        container.print("Loading the model from /opt/ml/model")
        container.print("ValueError: model.pth is missing")
        container.exit(1)
    endpoint = deploy(image(ServeProgram(echo, ping=lambda: 503, start=crash)))

    desc = settled(sm, endpoint)

    assert desc["EndpointStatus"] == "Failed"
    assert desc["FailureReason"] == (
        "The primary container for production variant AllTraffic did not pass the ping health check: it exited "
        "with code 1. Please check CloudWatch logs for this endpoint. Last error: ValueError: model.pth is missing")
    assert not fake_runner.serving(owner=endpoint)


def test_an_image_the_runner_cannot_serve_fails_the_endpoint(sm, deploy):
    endpoint = deploy("fake/never-built:1")

    desc = settled(sm, endpoint)

    assert desc["EndpointStatus"] == "Failed"
    assert desc["FailureReason"].startswith("ClientError: image fake/never-built:1 not found on this host")


def test_invoke_endpoint_needs_the_name_s_own_case(sm, runtime, image, deploy):
    # DescribeEndpoint finds a name whatever its case (SageMaker's names are case-insensitive);
    # the runtime's InvokeEndpoint does not: another case is an endpoint not found.
    endpoint = deploy(image(ServeProgram(echo)))
    assert settled(sm, endpoint)["EndpointStatus"] == "InService"
    assert sm.describe_endpoint(EndpointName=endpoint.upper())["EndpointName"] == endpoint
    assert invoke(runtime, endpoint).endswith(b"saw x")

    with pytest.raises(ClientError) as error:
        invoke(runtime, endpoint.upper())

    response = error.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationError", 400)
    assert response["Error"]["Message"] == f"Endpoint {endpoint.upper()} of account 123456789012 not found."


def test_search_finds_endpoints_by_status_and_config(sm, image, deploy):
    endpoint = deploy(image(ServeProgram(echo)))
    desc = settled(sm, endpoint)
    sm.add_tags(ResourceArn=desc["EndpointArn"], Tags=[{"Key": "stage", "Value": "test"}])

    def search(*filters):
        return sm.search(Resource="Endpoint", SearchExpression={"Filters": [
            {"Name": "EndpointName", "Operator": "Equals", "Value": endpoint},
            *({"Name": n, "Operator": "Equals", "Value": v} for n, v in filters)]})["Results"]

    [found] = search(("EndpointStatus", "InService"), ("EndpointConfigName", desc["EndpointConfigName"]))
    assert found["Endpoint"]["EndpointArn"] == desc["EndpointArn"]
    assert found["Endpoint"]["ProductionVariants"][0]["VariantName"] == "AllTraffic"
    assert found["Endpoint"]["Tags"] == [{"Key": "stage", "Value": "test"}]
    assert not search(("EndpointStatus", "Failed"))
