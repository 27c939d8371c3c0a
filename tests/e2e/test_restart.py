"""State and data survive a restart of the emulator on the same --data-dir."""

import pytest

from emulator_process import EmulatorProcess
from helpers import PYTORCH_DLC, ensure_bucket, read_tar, training_request, wait_for
from hosting import byoc_model, create_config, delete, deploy, variant, wait_in_service

pytestmark = pytest.mark.docker


def job_log(logs) -> list[str]:
    stream = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                       logStreamNamePrefix="persisted/")["logStreams"][0]["logStreamName"]
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream,
                                 startFromHead=True)["events"]
    return [e["message"] for e in events]


def test_jobs_objects_and_logs_survive_a_restart(tmp_path, monkeypatch):
    # Credentials in the emulator's own environment (as scripts/demo.sh exports them) must not
    # change how S3 answers.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "someone")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    first = EmulatorProcess(tmp_path / "data").start()
    try:
        sm, s3 = first.client("sagemaker"), first.client("s3")
        ensure_bucket(s3, "persist")
        s3.put_object(Bucket="persist", Key="keep/me.txt", Body=b"still here")
        request = training_request("persisted", "persist", {})
        request["AlgorithmSpecification"] = {
            "TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
            "ContainerEntrypoint": ["sh", "-c", "echo hello-log; echo weights > /opt/ml/model/w.txt"]}
        sm.create_training_job(**request)
        desc = wait_for(sm, "persisted")
        assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
        before = job_log(first.client("logs"))
        assert before[-1] == "hello-log"
    finally:
        first.stop()

    second = EmulatorProcess(tmp_path / "data", port=first.port).start()
    try:
        sm, s3, logs = second.client("sagemaker"), second.client("s3"), second.client("logs")
        again = sm.describe_training_job(TrainingJobName="persisted")
        assert again["TrainingJobStatus"] == "Completed"
        assert again["SecondaryStatusTransitions"] == desc["SecondaryStatusTransitions"]
        assert s3.get_object(Bucket="persist", Key="keep/me.txt")["Body"].read() == b"still here"
        assert read_tar(s3, again["ModelArtifacts"]["S3ModelArtifacts"])["w.txt"] == b"weights\n"
        assert job_log(logs) == before
    finally:
        second.stop()


def test_endpoints_come_back_after_a_restart(tmp_path, byoc_image):
    first = EmulatorProcess(tmp_path / "data").start()
    try:
        sm = first.client("sagemaker")
        endpoint = deploy(sm, create_config(sm, [variant(byoc_model(sm, byoc_image))]))
        before = sm.describe_endpoint(EndpointName=endpoint)
    finally:
        first.stop()
    second = EmulatorProcess(tmp_path / "data", port=first.port).start()
    try:
        sm, runtime = second.client("sagemaker"), second.client("sagemaker-runtime")
        assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] in ("SystemUpdating", "InService")
        wait_in_service(sm, endpoint)
        after = sm.describe_endpoint(EndpointName=endpoint)
        assert after["EndpointArn"] == before["EndpointArn"]
        assert after["CreationTime"] == before["CreationTime"]
        assert runtime.invoke_endpoint(EndpointName=endpoint, Body=b"back")["Body"].read() == b"BACK batch=no"
        delete(sm, endpoint)
    finally:
        second.stop()
