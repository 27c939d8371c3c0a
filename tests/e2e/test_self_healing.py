"""An endpoint instance whose container dies or hangs is replaced, as AWS replaces unhealthy
instances: calls in the gap answer ServiceUnavailable (503), a new container serves, the
dead one is removed, and the endpoint's log group shows the replacement. The same once the
Docker engine is back after it was away."""

import re
import socket
import threading
import time
from pathlib import Path

import boto3
import docker
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from docker.errors import NotFound

from emulator_process import EmulatorProcess
from hosting import BUCKET, byoc_model, create_config, delete, deploy, variant

pytestmark = pytest.mark.docker

DEADLINE_SECONDS = 120


@pytest.fixture(scope="module")
def strict(emulator):
    """A runtime client that shows every error to the caller (boto3 retries 503s otherwise)."""
    return boto3.client("sagemaker-runtime", endpoint_url=emulator.url, region_name="us-east-1",
                        aws_access_key_id="t", aws_secret_access_key="t",
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=90))


@pytest.fixture(scope="module")
def engine():
    return docker.from_env()


def containers_of(engine, endpoint: str) -> list:
    return engine.containers.list(all=True, filters={"label": f"sagemaker-emulator.owner={endpoint}"})


def instance_id(container) -> str:
    return "i-" + container.name.rsplit("-i-", 1)[1]  # smemu-endpoint-<endpoint>-<variant>-i-<hex>


def invoke_until_it_answers(strict, endpoint: str, body: bytes) -> list[ClientError]:
    """Invoke until the endpoint answers again; the errors seen on the way."""
    errors = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            answer = strict.invoke_endpoint(EndpointName=endpoint, Body=body)["Body"].read()
            assert answer == body.upper() + b" batch=no"
            return errors
        except ClientError as error:
            errors.append(error)
        assert time.monotonic() < deadline, f"the endpoint did not serve again: {errors[-1]}"
        time.sleep(0.2)


def wait_until_gone(engine, container) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            engine.containers.get(container.id)
        except NotFound:
            return
        assert time.monotonic() < deadline, f"the failed container {container.name} was not removed"
        time.sleep(0.2)


def stream_lines(logs, endpoint: str, stream: str) -> list[str]:
    events = logs.get_log_events(logGroupName=f"/aws/sagemaker/Endpoints/{endpoint}", logStreamName=stream,
                                 startFromHead=True)["events"]
    return [e["message"] for e in events]


def assert_replacement_logged(logs, endpoint: str, old: str, new: str, why: str) -> None:
    old_lines = stream_lines(logs, endpoint, f"AllTraffic/{old}")
    assert any(f"Instance {old} failed its health check: {why}" in line for line in old_lines), old_lines
    assert f"Instance {old} was replaced by instance {new}." in old_lines
    new_lines = stream_lines(logs, endpoint, f"AllTraffic/{new}")
    assert f"Instance {new} replaces instance {old}, which failed its health check." in new_lines


def assert_service_unavailable(errors: list[ClientError]) -> None:
    assert errors, "the endpoint answered at once: nothing was replaced"
    for error in errors:
        assert error.response["Error"]["Code"] == "ServiceUnavailable", error.response
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert "no healthy instance" in error.response["Error"]["Message"]


def test_a_killed_container_is_replaced(sm, logs, strict, engine, byoc_image):
    endpoint = deploy(sm, create_config(sm, [variant(byoc_model(sm, byoc_image))]))
    try:
        assert strict.invoke_endpoint(EndpointName=endpoint, Body=b"before")["Body"].read() == b"BEFORE batch=no"
        [old] = containers_of(engine, endpoint)
        old.kill()

        assert_service_unavailable(invoke_until_it_answers(strict, endpoint, b"again"))
        wait_until_gone(engine, old)
        [new] = containers_of(engine, endpoint)
        assert new.id != old.id and new.status == "running"
        assert_replacement_logged(logs, endpoint, instance_id(old), instance_id(new),
                                  "its container exited with code 137")
        assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
    finally:
        delete(sm, endpoint)
    deadline = time.monotonic() + 60
    while containers_of(engine, endpoint):
        assert time.monotonic() < deadline, "the endpoint's containers were not removed with it"
        time.sleep(0.2)


def test_a_hung_container_is_replaced(sm, logs, strict, engine, byoc_image):
    endpoint = deploy(sm, create_config(sm, [variant(byoc_model(sm, byoc_image))]))
    try:
        [old] = containers_of(engine, endpoint)
        old.pause()  # /ping stops answering; the container still runs
        wait_until_gone(engine, old)
        invoke_until_it_answers(strict, endpoint, b"unpaused")
        [new] = containers_of(engine, endpoint)
        assert new.id != old.id
        assert_replacement_logged(logs, endpoint, instance_id(old), instance_id(new),
                                  "it did not answer /ping within 2 seconds 3 times in a row")
    finally:
        delete(sm, endpoint)


def test_a_killed_serverless_container_starts_again_on_the_next_call(sm, strict, engine, byoc_image):
    serverless = {"MemorySizeInMB": 1024, "MaxConcurrency": 2}
    config = create_config(sm, [{"VariantName": "AllTraffic", "ModelName": byoc_model(sm, byoc_image),
                                 "ServerlessConfig": serverless}])
    endpoint = deploy(sm, config)
    try:
        assert strict.invoke_endpoint(EndpointName=endpoint, Body=b"cold")["Body"].read() == b"COLD batch=no"
        [old] = containers_of(engine, endpoint)
        old.kill()
        assert strict.invoke_endpoint(EndpointName=endpoint, Body=b"warm")["Body"].read() == b"WARM batch=no"
        wait_until_gone(engine, old)
        [new] = containers_of(engine, endpoint)
        assert new.id != old.id
    finally:
        delete(sm, endpoint)


def test_an_async_endpoint_serves_again_after_its_container_is_killed(sm, s3, bucket, runtime, engine, byoc_image):
    config = create_config(sm, [variant(byoc_model(sm, byoc_image))], AsyncInferenceConfig={"OutputConfig": {
        "S3OutputPath": f"s3://{BUCKET}/healing/out", "S3FailurePath": f"s3://{BUCKET}/healing/fail"}})
    endpoint = deploy(sm, config)
    try:
        s3.put_object(Bucket=BUCKET, Key="healing/in.txt", Body=b"queued")
        [old] = containers_of(engine, endpoint)
        old.kill()
        deadline = time.monotonic() + DEADLINE_SECONDS
        failures = []
        while True:
            sent = runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=f"s3://{BUCKET}/healing/in.txt")
            result = outcome(s3, sent)
            if result[0] == "out":
                assert result[1] == b"QUEUED batch=no"
                break
            failures.append(result[1])
            assert time.monotonic() < deadline, f"the async endpoint did not serve again: {failures[-1]}"
        assert failures and all(b"no healthy instance" in failure for failure in failures)
        [new] = containers_of(engine, endpoint)
        assert new.id != old.id
    finally:
        delete(sm, endpoint)


def outcome(s3, sent: dict) -> tuple[str, bytes]:
    """("out", result) or ("fail", error) once the async request is done."""
    locations = {"out": sent["OutputLocation"], "fail": sent["FailureLocation"]}
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        for which, uri in locations.items():
            bucket, key = re.match(r"s3://([^/]+)/(.+)", uri).groups()
            try:
                return which, s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except ClientError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"async request {sent['InferenceId']} never finished")


class EngineLink:
    """The emulator's way to the Docker engine: a socket that forwards to the real one, which
    the test takes away and brings back, as a restarting engine is away for the emulator
    (connections break, new ones fail), without stopping the engine under other tests."""

    def __init__(self, path: Path, engine_socket: str = "/var/run/docker.sock"):
        self.path, self.engine_socket = path, engine_socket
        self.listener = None
        self.open: list[socket.socket] = []

    def up(self) -> None:
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(self.path))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        self.listener.close()
        self.path.unlink()
        for connection in self.open:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()
        self.open.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # taken down
            engine = socket.socket(socket.AF_UNIX)
            engine.connect(self.engine_socket)
            self.open += [client, engine]
            for source, target in ((client, engine), (engine, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def test_endpoints_recover_when_the_engine_is_back(tmp_path, engine, byoc_image):
    link = EngineLink(tmp_path / "engine.sock")
    link.up()
    emulator = EmulatorProcess(tmp_path / "data", env={"DOCKER_HOST": f"unix://{link.path}"}).start()
    try:
        sm, logs = emulator.client("sagemaker"), emulator.client("logs")
        quick = Config(retries={"total_max_attempts": 1}, read_timeout=10, connect_timeout=5)
        runtime = boto3.client("sagemaker-runtime", endpoint_url=emulator.url, region_name="us-east-1",
                               aws_access_key_id="t", aws_secret_access_key="t", config=quick)
        api = boto3.client("sagemaker", endpoint_url=emulator.url, region_name="us-east-1",
                           aws_access_key_id="t", aws_secret_access_key="t", config=quick)
        endpoint = deploy(sm, create_config(sm, [variant(byoc_model(sm, byoc_image))]))
        [old] = containers_of(engine, endpoint)

        link.down()
        old.kill()  # an engine that stops takes its containers with it
        # While the engine is away the API answers, invocations get AWS's 503, and the monitor
        # keeps trying to start a replacement (it says so in the failed instance's stream).
        stream = f"AllTraffic/{instance_id(old)}"
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not any("could not start" in line for line in stream_lines(logs, endpoint, stream)):
            started = time.monotonic()
            assert api.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
            assert endpoint in [e["EndpointName"] for e in api.list_endpoints()["Endpoints"]]
            with pytest.raises(ClientError) as error:
                runtime.invoke_endpoint(EndpointName=endpoint, Body=b"down")
            assert_service_unavailable([error.value])
            assert time.monotonic() - started < 5
            assert time.monotonic() < deadline, "no replacement was tried while the engine was away"
            time.sleep(0.5)

        link.up()
        invoke_until_it_answers(runtime, endpoint, b"back")
        wait_until_gone(engine, old)
        [new] = containers_of(engine, endpoint)
        assert new.id != old.id
        delete(sm, endpoint)
    finally:
        if link.listener.fileno() == -1:
            link.up()  # let the emulator's own clean-up through if the test stopped half-way
        emulator.stop()
