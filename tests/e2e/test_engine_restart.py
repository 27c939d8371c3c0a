"""The Docker engine restarted under a running job, an endpoint and a transform job: the
jobs fail with a clear reason, the endpoint serves again once the engine is back, and the
API answers throughout. Runs last (tests/conftest.py): it takes the engine away from
everything on this machine for a few seconds."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import boto3
import docker
import pytest
from botocore.config import Config

from emulator_process import EmulatorProcess
from helpers import PYTORCH_DLC, ensure_bucket, training_request
from hosting import byoc_model, create_config, delete, unique, variant, wait_in_service

pytestmark = [pytest.mark.docker, pytest.mark.engine_restart]

DOCKER_PID = Path("/var/run/docker.pid")


def restartable() -> bool:
    """An engine this test may restart: a dockerd started as scripts/docker-engine.sh starts it
    (as root, not by a service manager, which would restart it its own way)."""
    if os.geteuid() != 0 or not DOCKER_PID.exists() or not shutil.which("dockerd"):
        return False
    managed = shutil.which("systemctl") and subprocess.run(
        ["systemctl", "is-active", "--quiet", "docker"], capture_output=True).returncode == 0
    return not managed


def restart_engine(while_down) -> None:
    pid = int(DOCKER_PID.read_text())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists(), "dockerd did not stop"
    while_down()
    with open("/var/log/dockerd.log", "ab") as log:
        subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            docker.from_env(timeout=2).ping()
            return
        except Exception:
            time.sleep(0.2)
    raise AssertionError("dockerd did not come back within 60 s")


@pytest.mark.skipif(not restartable(), reason="needs root and a dockerd started by scripts/docker-engine.sh")
def test_engine_restart_under_a_job_an_endpoint_and_a_transform(tmp_path, byoc_image):
    emulator = EmulatorProcess(tmp_path / "data").start()
    try:
        sm, s3 = emulator.client("sagemaker"), emulator.client("s3")
        runtime = emulator.client("sagemaker-runtime")
        ensure_bucket(s3, "engine")
        job = unique("engine-training")
        request = training_request(job, "engine", {})
        request["AlgorithmSpecification"] = {"TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
                                             "ContainerEntrypoint": ["sh", "-c", "sleep 600"]}
        sm.create_training_job(**request)
        model = byoc_model(sm, byoc_image)
        endpoint = unique("engine")
        sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=create_config(sm, [variant(model)]))
        wait_in_service(sm, endpoint)
        # A transform job over many objects, so that it is still running when the engine goes.
        for i in range(400):
            s3.put_object(Bucket="engine", Key=f"batch/{i:04d}.txt", Body=f"record {i}".encode())
        transform = unique("transform")
        sm.create_transform_job(
            TransformJobName=transform, ModelName=model, MaxConcurrentTransforms=1,
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://engine/batch/"}}},
            TransformOutput={"S3OutputPath": "s3://engine/out/"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1})
        deadline = time.monotonic() + 120
        while sm.describe_training_job(TrainingJobName=job)["SecondaryStatus"] != "Training" \
                or not s3.list_objects_v2(Bucket="engine", Prefix="out/").get("KeyCount"):
            assert time.monotonic() < deadline, "the job and the transform did not get going"
            time.sleep(0.2)

        quick = Config(retries={"max_attempts": 1}, read_timeout=10, connect_timeout=5)
        api = boto3.client("sagemaker", endpoint_url=emulator.url, region_name="us-east-1", config=quick,
                           aws_access_key_id="test", aws_secret_access_key="test")

        def api_answers_while_the_engine_is_down():
            for _ in range(5):
                started = time.monotonic()
                api.describe_training_job(TrainingJobName=job)
                api.list_endpoints()
                api.describe_endpoint(EndpointName=endpoint)
                api.describe_transform_job(TransformJobName=transform)
                assert time.monotonic() - started < 5
        restart_engine(api_answers_while_the_engine_is_down)

        trained = wait_terminal(lambda: sm.describe_training_job(TrainingJobName=job), "TrainingJobStatus")
        assert trained["TrainingJobStatus"] == "Failed"
        assert "stopped from outside the emulator (the container engine stopped" in trained["FailureReason"]
        done = wait_terminal(lambda: sm.describe_transform_job(TransformJobName=transform), "TransformJobStatus")
        assert done["TransformJobStatus"] == "Failed" and done["FailureReason"]

        deadline = time.monotonic() + 120
        while True:
            try:
                assert runtime.invoke_endpoint(EndpointName=endpoint, Body=b"again")["Body"].read() == b"AGAIN batch=no"
                break
            except Exception:
                assert time.monotonic() < deadline, "the endpoint did not serve again after the engine came back"
                time.sleep(0.5)
        assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
        delete(sm, endpoint)
        client = docker.from_env()
        deadline = time.monotonic() + 60
        while client.containers.list(all=True, filters={"label": f"sagemaker-emulator.job={job}"}):
            assert time.monotonic() < deadline, "the job's container was not removed"
            time.sleep(0.5)
    finally:
        emulator.stop()


def wait_terminal(describe, key: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        doc = describe()
        if doc[key] in ("Completed", "Failed", "Stopped"):
            return doc
        assert time.monotonic() < deadline, f"still {doc[key]}"
        time.sleep(0.3)
