"""kill -9 of `serve` at awkward moments: the next `serve` on the same data dir starts by
itself, in seconds, with nothing acknowledged lost and nothing of the dead one left running."""

import signal
import threading
import time
from pathlib import Path

import docker
import pytest

from emulator.backing.child_process import start_time
from emulator_process import EmulatorProcess
from helpers import PYTORCH_DLC, ensure_bucket, log_messages, read_tar, training_request, wait_until
from hosting import byoc_model, create_config, delete, unique, variant, wait_in_service

pytestmark = pytest.mark.docker

LABEL = "sagemaker-emulator"


@pytest.fixture
def first(tmp_path):
    """The emulator the test kills; ended here too when the test fails before its kill."""
    emulator = EmulatorProcess(tmp_path / "data").start()
    yield emulator
    emulator.stop()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def kill_9(emulator: EmulatorProcess) -> list[int]:
    """SIGKILL the emulator; returns the pids of the children it had."""
    kids = children(emulator.proc.pid)
    emulator.proc.send_signal(signal.SIGKILL)
    emulator.proc.wait()
    return kids


def restart(first: EmulatorProcess) -> tuple[EmulatorProcess, float]:
    started = time.monotonic()
    second = EmulatorProcess(first.data_dir, port=first.port).start(timeout=60)
    return second, time.monotonic() - started


def labelled(**labels) -> tuple[list, list]:
    client = docker.from_env()
    filters = {"label": [f"{LABEL}.{k}={v}" for k, v in labels.items()]}
    return client.containers.list(all=True, filters=filters), client.networks.list(filters=filters)


def test_kill_9_while_a_job_trains(first):
    job = unique("crash-training")
    sm, s3, logs = first.client("sagemaker"), first.client("s3"), first.client("logs")
    cloudwatch = first.client("cloudwatch")
    ensure_bucket(s3, "crash")
    s3.put_object(Bucket="crash", Key="kept.txt", Body=b"acknowledged")
    request = training_request(job, "crash", {}, count=2)
    request["AlgorithmSpecification"] = {
        "TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
        "ContainerEntrypoint": ["sh", "-c", "echo started-$(hostname) loss=0.25; sleep 600"],
        "MetricDefinitions": [{"Name": "loss", "Regex": "loss=([0-9.]+)"}]}
    sm.create_training_job(**request)
    wait_until(lambda: len([m for m in log_messages(logs, "/aws/sagemaker/TrainingJobs", f"{job}/")
                            if m.startswith("started-")]) == 2, 120, "both hosts log")
    points = wait_until(lambda: cloudwatch.get_metric_statistics(
        Namespace="/aws/sagemaker/TrainingJobs", MetricName="loss",
        Dimensions=[{"Name": "TrainingJobName", "Value": job}],
        StartTime=time.time() - 3600, EndTime=time.time() + 60, Period=60, Statistics=["SampleCount"])["Datapoints"],
        30, "the loss metric")
    assert labelled(job=job)[1], "a two-host job has its own network"

    kids = kill_9(first)
    # The kernel ends SeaweedFS with the emulator: nothing holds the data dir.
    wait_until(lambda: all(start_time(pid) is None for pid in kids), 20, f"children {kids} end")

    second, seconds = restart(first)
    try:
        assert seconds < 30
        sm, s3, logs = second.client("sagemaker"), second.client("s3"), second.client("logs")
        desc = sm.describe_training_job(TrainingJobName=job)
        assert desc["TrainingJobStatus"] == "Failed"
        assert "emulator stopped while this job was running" in desc["FailureReason"]
        containers, networks = labelled(job=job)
        assert containers == [] and networks == []
        assert s3.get_object(Bucket="crash", Key="kept.txt")["Body"].read() == b"acknowledged"
        assert sorted(m.split()[0] for m in log_messages(logs, "/aws/sagemaker/TrainingJobs", f"{job}/")
                      if m.startswith("started-")) == ["started-algo-1", "started-algo-2"]
        after = second.client("cloudwatch").get_metric_statistics(
            Namespace="/aws/sagemaker/TrainingJobs", MetricName="loss",
            Dimensions=[{"Name": "TrainingJobName", "Value": job}],
            StartTime=time.time() - 3600, EndTime=time.time() + 60, Period=60, Statistics=["SampleCount"])
        assert sum(p["SampleCount"] for p in after["Datapoints"]) >= sum(p["SampleCount"] for p in points)
    finally:
        second.stop()


def test_kill_9_while_a_job_uploads(first):
    job = unique("crash-upload")
    sm, s3 = first.client("sagemaker"), first.client("s3")
    ensure_bucket(s3, "crash")
    request = training_request(job, "crash", {})
    request["AlgorithmSpecification"] = {
        "TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
        "ContainerEntrypoint": ["sh", "-c", "head -c 150000000 /dev/urandom > /opt/ml/model/big.bin"]}
    sm.create_training_job(**request)
    wait_until(lambda: sm.describe_training_job(TrainingJobName=job)["SecondaryStatus"] == "Uploading",
               120, "the job uploads")
    kill_9(first)

    second, seconds = restart(first)
    try:
        assert seconds < 30
        sm, s3 = second.client("sagemaker"), second.client("s3")
        desc = sm.describe_training_job(TrainingJobName=job)
        assert desc["TrainingJobStatus"] == "Failed"
        assert "emulator stopped" in desc["FailureReason"]
        # The model was not acknowledged: either no object, or a whole one, never a torn one.
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="crash", Prefix=f"output/{job}/")
                .get("Contents", [])]
        if f"output/{job}/output/model.tar.gz" in keys:
            assert len(read_tar(s3, f"s3://crash/output/{job}/output/model.tar.gz")["big.bin"]) == 150000000
        assert labelled(job=job) == ([], [])
    finally:
        second.stop()


def test_kill_9_while_an_endpoint_is_created_and_another_serves(first, byoc_image):
    sm, runtime = first.client("sagemaker"), first.client("sagemaker-runtime")
    serving = unique("serving")
    sm.create_endpoint(EndpointName=serving, EndpointConfigName=create_config(sm, [variant(byoc_model(sm, byoc_image))]))
    wait_in_service(sm, serving)
    creating = unique("creating")
    answered, stop = [], threading.Event()

    def load():
        client = first.client("sagemaker-runtime")
        while not stop.is_set():
            try:
                answered.append(client.invoke_endpoint(EndpointName=serving, Body=b"x")["Body"].read())
            except Exception:  # the emulator is killed under it
                return
    threads = [threading.Thread(target=load, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    wait_until(lambda: len(answered) > 20, 30, "invocations under load")
    sm.create_endpoint(EndpointName=creating, EndpointConfigName=create_config(sm, [variant(byoc_model(sm, byoc_image))]))
    kill_9(first)
    stop.set()
    for t in threads:
        t.join(10)

    second, seconds = restart(first)
    try:
        assert seconds < 30
        sm, runtime = second.client("sagemaker"), second.client("sagemaker-runtime")
        wait_in_service(sm, serving)
        assert runtime.invoke_endpoint(EndpointName=serving, Body=b"back")["Body"].read() == b"BACK batch=no"
        failed = sm.describe_endpoint(EndpointName=creating)
        assert failed["EndpointStatus"] == "Failed"
        assert "emulator stopped while this endpoint was being created" in failed["FailureReason"]
        # Only the serving endpoint's new container runs; the dead emulator's are gone.
        assert labelled(owner=creating)[0] == []
        assert [c.status for c in labelled(owner=serving)[0]] == ["running"]
        delete(sm, serving)
        delete(sm, creating)
    finally:
        second.stop()
