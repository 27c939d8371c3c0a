"""Processing jobs end to end: boto3 over HTTP against `sagemaker-emulator serve`, real Docker,
the PyTorch framework image running a processing script (tests/e2e/code/processing/probe.py)."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from helpers import PYTORCH_DLC, REPO, ROLE, ensure_bucket, log_messages, wait_until

pytestmark = pytest.mark.docker
BUCKET = "e2e-processing"
GROUP = "/aws/sagemaker/ProcessingJobs"
PROBE = REPO / "tests/e2e/code/processing/probe.py"
CODE_PATH = "/opt/ml/processing/input/code"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def code(s3):
    ensure_bucket(s3, BUCKET)
    s3.put_object(Bucket=BUCKET, Key="code/probe.py", Body=PROBE.read_bytes())
    return f"s3://{BUCKET}/code/probe.py"


def probe_request(name: str, code: str, data_prefix: str, args=(), count: int = 1,
                  distribution: str = "FullyReplicated", **extra) -> dict:
    return {
        "ProcessingJobName": name, "RoleArn": ROLE,
        "AppSpecification": {"ImageUri": PYTORCH_DLC, "ContainerEntrypoint": ["python3", f"{CODE_PATH}/probe.py"],
                             "ContainerArguments": list(args) or ["--mode", "report"]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": count, "InstanceType": "ml.m5.large",
                                                  "VolumeSizeInGB": 5}},
        "ProcessingInputs": [
            {"InputName": "code", "S3Input": {"S3Uri": code, "LocalPath": CODE_PATH, "S3DataType": "S3Prefix",
                                              "S3InputMode": "File"}},
            {"InputName": "data", "S3Input": {"S3Uri": data_prefix, "LocalPath": "/opt/ml/processing/input/data",
                                              "S3DataType": "S3Prefix", "S3InputMode": "File",
                                              "S3DataDistributionType": distribution}}],
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": "report", "S3Output": {"S3Uri": f"s3://{BUCKET}/out/{name}",
                                                  "LocalPath": "/opt/ml/processing/output/report",
                                                  "S3UploadMode": "EndOfJob"}}]},
        "StoppingCondition": {"MaxRuntimeInSeconds": 300},
        **extra}


def outputs(s3, name: str) -> dict[str, bytes]:
    prefix = f"out/{name}/"
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {o["Key"][len(prefix):]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def put_data(s3, prefix: str, files: dict[str, bytes]) -> str:
    for key, body in files.items():
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{key}", Body=body)
    return f"s3://{BUCKET}/{prefix}"


def test_a_job_runs_under_the_processing_contract(sm, s3, logs, code):
    name = unique("proc")
    data = put_data(s3, f"data/{name}", {"a.csv": b"x,y\n", "sub/b.csv": b"z\n"})
    sm.create_processing_job(**probe_request(name, code, data, Environment={"PROBE_FLAG": "on"}))
    sm.get_waiter("processing_job_completed_or_stopped").wait(
        ProcessingJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    desc = sm.describe_processing_job(ProcessingJobName=name)
    assert desc["ProcessingJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["ExitMessage"] == "processed on algo-1"
    assert desc["ProcessingStartTime"] <= desc["ProcessingEndTime"]

    files = outputs(s3, name)
    assert sorted(files) == ["algo-1-a.csv.upper", "algo-1-b.csv.upper", "algo-1.json"]
    assert files["algo-1-a.csv.upper"] == b"X,Y\n"
    report = json.loads(files["algo-1.json"])
    assert report["args"] == ["--mode", "report"]
    assert report["inputs"] == {"code": ["probe.py"], "data": ["a.csv", "sub/b.csv"]}
    assert report["resourceconfig"]["current_host"] == "algo-1" and report["resourceconfig"]["hosts"] == ["algo-1"]
    assert report["job_name"] == name
    assert {"ProcessingJobArn", "ProcessingInputs", "ProcessingOutputConfig", "AppSpecification",
            "ProcessingResources", "RoleArn", "StoppingCondition", "Environment"} <= set(report["config_keys"])
    assert report["app"]["ContainerEntrypoint"] == ["python3", f"{CODE_PATH}/probe.py"]
    assert report["env"] == {"PROBE_FLAG": "on"}
    assert report["aws_credentials_in_env"] == ["AWS_SECRET_ACCESS_KEY"]  # the emulator's dummy ones, not the host's

    streams = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=f"{name}/")["logStreams"]
    assert [s["logStreamName"].rsplit("-", 1)[0] for s in streams] == [f"{name}/algo-1"]
    assert "probe on algo-1: 2 data files" in log_messages(logs, GROUP, f"{name}/")

    listed = sm.list_processing_jobs(NameContains=name)["ProcessingJobSummaries"]
    assert [(j["ProcessingJobName"], j["ProcessingJobStatus"], j["ExitMessage"]) for j in listed] == \
        [(name, "Completed", "processed on algo-1")]


def test_two_instances_share_a_sharded_input_and_see_each_other(sm, s3, code):
    name = unique("proc2")
    data = put_data(s3, f"data/{name}", {f"part-{i}.csv": f"row {i}\n".encode() for i in range(4)})
    sm.create_processing_job(**probe_request(name, code, data, count=2, distribution="ShardedByS3Key"))
    desc = finished(sm, name)
    assert desc["ProcessingJobStatus"] == "Completed", desc.get("FailureReason")
    # Both hosts' messages, concatenated.
    assert desc["ExitMessage"] == "processed on algo-1processed on algo-2"
    files = outputs(s3, name)
    reports = {h: json.loads(files[f"{h}.json"]) for h in ("algo-1", "algo-2")}
    assert reports["algo-1"]["resolved"] == ["algo-2"] and reports["algo-2"]["resolved"] == ["algo-1"]
    assert reports["algo-2"]["resourceconfig"]["hosts"] == ["algo-1", "algo-2"]
    shards = [reports[h]["inputs"]["data"] for h in ("algo-1", "algo-2")]
    assert sorted(shards[0] + shards[1]) == [f"part-{i}.csv" for i in range(4)]
    assert shards[0] and shards[1] and not set(shards[0]) & set(shards[1])


def test_a_failing_script_fails_the_job_with_its_message(sm, s3, logs, code):
    name = unique("procfail")
    data = put_data(s3, f"data/{name}", {"a.csv": b"1\n"})
    sm.create_processing_job(**probe_request(name, code, data, args=["--fail"]))
    desc = finished(sm, name)
    assert desc["ProcessingJobStatus"] == "Failed"
    assert desc["FailureReason"] == "AlgorithmError: See job logs for more information"
    assert desc["ExitMessage"] == "the input had no rows"
    assert outputs(s3, name) == {}  # a failed job's outputs are not uploaded
    assert "failing on purpose" in log_messages(logs, GROUP, f"{name}/")


def test_a_stopped_job_saves_what_its_handler_wrote(sm, s3, logs, code):
    name = unique("procstop")
    data = put_data(s3, f"data/{name}", {"a.csv": b"1\n"})
    sm.create_processing_job(**probe_request(name, code, data, args=["--wait-for-stop"]))
    wait_until(lambda: "handler installed" in log_messages(logs, GROUP, f"{name}/"), 120, "the handler")
    sm.stop_processing_job(ProcessingJobName=name)
    assert sm.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"] in ("Stopping", "Stopped")
    desc = finished(sm, name)
    assert desc["ProcessingJobStatus"] == "Stopped"
    assert outputs(s3, name)["algo-1-stopped.txt"] == b"saved on SIGTERM"
    with pytest.raises(ClientError) as failure:
        sm.stop_processing_job(ProcessingJobName=name)
    assert failure.value.response["Error"]["Code"] == "ValidationException"


def finished(sm, name: str, timeout: float = 300) -> dict:
    def terminal():
        desc = sm.describe_processing_job(ProcessingJobName=name)
        return desc if desc["ProcessingJobStatus"] in ("Completed", "Failed", "Stopped") else None
    return wait_until(terminal, timeout, f"processing job {name} to end")
