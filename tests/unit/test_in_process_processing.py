"""Processing jobs through boto3 against the in-process emulator on the fake runner: the
container contract (config files, inputs at their LocalPath, outputs to S3, ExitMessage),
statuses, stop, timeouts and validation, without Docker. Each program below is what a
processing image would do in its container."""

import gzip
import json
import threading
import uuid

import pytest
from botocore.exceptions import ClientError

from fake_runner import TERMINATED
from helpers import wait_until
from in_process import BUCKET

ROLE = "arn:aws:iam::123456789012:role/processing"
TERMINAL = ("Completed", "Failed", "Stopped")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def request(name: str, image: str, inputs=(), outputs=(), count: int = 1, **extra) -> dict:
    """A CreateProcessingJob request; inputs and outputs are (name, S3 URI, LocalPath[, S3Input extras])."""
    body = {
        "ProcessingJobName": name, "RoleArn": ROLE,
        "AppSpecification": {"ImageUri": image, "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/x.py"]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": count, "InstanceType": "ml.m5.large",
                                                  "VolumeSizeInGB": 5}},
        "ProcessingInputs": [{"InputName": n, "S3Input": {"S3Uri": uri, "LocalPath": path, "S3DataType": "S3Prefix",
                                                          "S3InputMode": "File", **(more[0] if more else {})}}
                             for n, uri, path, *more in inputs],
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": n, "S3Output": {"S3Uri": uri, "LocalPath": path,
                                           "S3UploadMode": more[0] if more else "EndOfJob"}}
            for n, uri, path, *more in outputs]},
        **extra}
    return body


def finished(sm, name: str, timeout: float = 10) -> dict:
    def terminal():
        desc = sm.describe_processing_job(ProcessingJobName=name)
        return desc if desc["ProcessingJobStatus"] in TERMINAL else None
    return wait_until(terminal, timeout, f"processing job {name} to end")


def objects(s3, prefix: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {o["Key"][len(prefix):]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def test_a_completed_job_follows_the_container_contract(sm, s3, logs, image):
    base = unique("proc")
    s3.put_object(Bucket=BUCKET, Key=f"{base}/code/x.py", Body=b"print('hi')")
    s3.put_object(Bucket=BUCKET, Key=f"{base}/raw/a.csv", Body=b"1,2\n")
    s3.put_object(Bucket=BUCKET, Key=f"{base}/raw/sub/b.csv", Body=b"3,4\n")
    seen = {}

    def process(host):
        root = host.root
        seen["config"] = json.loads((root / "config/processingjobconfig.json").read_text())
        seen["resources"] = json.loads((root / "config/resourceconfig.json").read_text())
        seen["code"] = (root / "processing/input/code/x.py").read_text()
        seen["env"] = host.environment.get("STAGE")
        rows = (root / "processing/input/raw/a.csv").read_text() + (root / "processing/input/raw/sub/b.csv").read_text()
        seen["output exists"] = (root / "processing/output/train").is_dir()
        (root / "processing/output/train/rows.csv").write_text(rows)
        (root / "output/message").write_text("2 rows")
        host.print("processed 2 rows")
        return 0
    name = unique("job")
    sm.create_processing_job(**request(
        name, image(process),
        inputs=[("code", f"s3://{BUCKET}/{base}/code/x.py", "/opt/ml/processing/input/code"),
                ("raw", f"s3://{BUCKET}/{base}/raw", "/opt/ml/processing/input/raw")],
        outputs=[("train", f"s3://{BUCKET}/{base}/out/train", "/opt/ml/processing/output/train")],
        Environment={"STAGE": "test"}, Tags=[{"Key": "team", "Value": "ml"}]))

    desc = finished(sm, name)

    assert desc["ProcessingJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["ExitMessage"] == "2 rows"
    assert desc["ProcessingStartTime"] <= desc["ProcessingEndTime"]
    assert desc["ProcessingJobArn"].endswith(f":processing-job/{name}")
    assert desc["ProcessingInputs"][1]["S3Input"]["S3DataDistributionType"] == "FullyReplicated"
    assert objects(s3, f"{base}/out/train/") == {"rows.csv": b"1,2\n3,4\n"}
    assert seen["code"] == "print('hi')" and seen["env"] == "test" and seen["output exists"]
    assert seen["resources"]["current_host"] == "algo-1" and seen["resources"]["hosts"] == ["algo-1"]
    assert seen["config"]["ProcessingJobName"] == name
    assert seen["config"]["AppSpecification"]["ContainerArguments"] is None
    assert seen["config"]["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == 1
    stream = logs.describe_log_streams(logGroupName="/aws/sagemaker/ProcessingJobs",
                                       logStreamNamePrefix=f"{name}/algo-1-")["logStreams"][0]["logStreamName"]
    assert wait_until(lambda: "processed 2 rows" in [e["message"] for e in logs.get_log_events(
        logGroupName="/aws/sagemaker/ProcessingJobs", logStreamName=stream)["events"]], 5, "the job's log line")
    summaries = sm.list_processing_jobs(NameContains=name)["ProcessingJobSummaries"]
    assert [(s["ProcessingJobName"], s["ProcessingJobStatus"], s["ExitMessage"]) for s in summaries] == [
        (name, "Completed", "2 rows")]
    assert sm.list_tags(ResourceArn=desc["ProcessingJobArn"])["Tags"] == [{"Key": "team", "Value": "ml"}]


def test_a_failing_container_fails_the_job_and_keeps_no_outputs(sm, s3, image):
    base = unique("proc")

    def process(host):
        (host.root / "processing/output/o/partial.csv").write_text("x")
        (host.root / "output/message").write_text("bad input: column 3 missing")
        return 1
    name = unique("job")
    sm.create_processing_job(**request(name, image(process),
                                       outputs=[("o", f"s3://{BUCKET}/{base}/o", "/opt/ml/processing/output/o")]))

    desc = finished(sm, name)

    assert desc["ProcessingJobStatus"] == "Failed"
    assert desc["FailureReason"] == "AlgorithmError: See job logs for more information"
    assert desc["ExitMessage"] == "bad input: column 3 missing"
    assert objects(s3, f"{base}/o/") == {}


def test_sharded_inputs_split_across_instances_and_outputs_merge(sm, s3, image):
    base = unique("proc")
    for i in range(4):
        s3.put_object(Bucket=BUCKET, Key=f"{base}/in/part-{i}", Body=str(i).encode())

    def process(host):
        parts = sorted(p.name for p in (host.root / "processing/input/data").iterdir())
        (host.root / f"processing/output/o/{host.name}.txt").write_text(",".join(parts))
        return 0
    name = unique("job")
    sm.create_processing_job(**request(
        name, image(process), count=2,
        inputs=[("data", f"s3://{BUCKET}/{base}/in", "/opt/ml/processing/input/data",
                 {"S3DataDistributionType": "ShardedByS3Key"})],
        outputs=[("o", f"s3://{BUCKET}/{base}/o", "/opt/ml/processing/output/o")]))

    desc = finished(sm, name)

    assert desc["ProcessingJobStatus"] == "Completed", desc.get("FailureReason")
    assert objects(s3, f"{base}/o/") == {"algo-1.txt": b"part-0,part-2", "algo-2.txt": b"part-1,part-3"}


def test_gzip_input_in_pipe_mode_arrives_decompressed(sm, s3, image):
    base = unique("proc")
    s3.put_object(Bucket=BUCKET, Key=f"{base}/in/rows.csv.gz", Body=gzip.compress(b"a,b\n"))

    def process(host):
        return 0 if (host.root / "processing/input/data/rows.csv").read_bytes() == b"a,b\n" else 3
    name = unique("job")
    sm.create_processing_job(**request(name, image(process), inputs=[(
        "data", f"s3://{BUCKET}/{base}/in", "/opt/ml/processing/input/data",
        {"S3InputMode": "Pipe", "S3CompressionType": "Gzip"})]))

    assert finished(sm, name)["ProcessingJobStatus"] == "Completed"


def test_stop_uploads_what_was_written_and_ends_stopped(sm, s3, image):
    base = unique("proc")
    wrote = threading.Event()

    def process(host):
        (host.root / "processing/output/o/first.txt").write_text("1")
        wrote.set()
        host.wait_for_stop()
        return TERMINATED
    name = unique("job")
    sm.create_processing_job(**request(name, image(process),
                                       outputs=[("o", f"s3://{BUCKET}/{base}/o", "/opt/ml/processing/output/o")]))
    # Its program has written (a job stopped before its container starts has nothing to upload).
    wait_until(wrote.is_set, 5, "the program to write its first file")

    sm.stop_processing_job(ProcessingJobName=name)

    assert sm.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"] in ("Stopping", "Stopped")
    desc = finished(sm, name)
    assert desc["ProcessingJobStatus"] == "Stopped"
    assert objects(s3, f"{base}/o/") == {"first.txt": b"1"}
    with pytest.raises(ClientError) as error:
        sm.stop_processing_job(ProcessingJobName=name)
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_max_runtime_stops_the_job(sm, image):
    def process(host):
        host.wait_for_stop()
        return TERMINATED
    name = unique("job")
    sm.create_processing_job(**request(name, image(process), StoppingCondition={"MaxRuntimeInSeconds": 1}))

    assert finished(sm, name)["ProcessingJobStatus"] == "Stopped"


def test_continuous_outputs_reach_s3_while_the_job_runs(sm, s3, image):
    base = unique("proc")

    def process(host):
        (host.root / "processing/output/live/progress.txt").write_text("half way")
        host.wait_for_stop()
        return TERMINATED
    name = unique("job")
    sm.create_processing_job(**request(name, image(process), outputs=[
        ("live", f"s3://{BUCKET}/{base}/live", "/opt/ml/processing/output/live", "Continuous")]))

    wait_until(lambda: objects(s3, f"{base}/live/") == {"progress.txt": b"half way"}, 10,
               "the output uploaded while the job runs")
    assert sm.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"] == "InProgress"
    sm.stop_processing_job(ProcessingJobName=name)
    assert finished(sm, name)["ProcessingJobStatus"] == "Stopped"


def test_a_message_that_is_not_utf8_fails_the_job(sm, image):
    def process(host):
        (host.root / "output/message").write_bytes(b"\xff\xfe bad")
        return 0
    name = unique("job")
    sm.create_processing_job(**request(name, image(process)))

    desc = finished(sm, name)

    assert (desc["ProcessingJobStatus"], desc["FailureReason"]) == (
        "Failed", "ClientError: /opt/ml/output/message is not UTF-8 text")


def test_a_missing_input_fails_the_job_as_a_client_error(sm, image):
    name = unique("job")
    sm.create_processing_job(**request(name, image(lambda host: 0), inputs=[
        ("data", "s3://no-such-bucket-here/x", "/opt/ml/processing/input/data")]))

    desc = finished(sm, name)

    assert desc["ProcessingJobStatus"] == "Failed"
    assert desc["FailureReason"].startswith("ClientError: ")


@pytest.mark.parametrize("change, field", [
    (lambda r: r["ProcessingInputs"][0]["S3Input"].update(LocalPath="/etc/x"), "LocalPath"),
    (lambda r: r["ProcessingInputs"][0]["S3Input"].update(LocalPath="/opt/ml/processing/../../etc"), "LocalPath"),
    (lambda r: r["ProcessingInputs"].append(dict(r["ProcessingInputs"][0])), "names must be unique"),
    (lambda r: r["ProcessingInputs"][0].update(DatasetDefinition={"LocalPath": "/opt/ml/processing/d"}),
     "DatasetDefinition"),
    (lambda r: r["ProcessingInputs"][0]["S3Input"].update(S3CompressionType="Gzip"), "S3CompressionType"),
    (lambda r: r["ProcessingOutputConfig"]["Outputs"][0]["S3Output"].update(
        LocalPath="/opt/ml/processing/input/data"), "also the LocalPath"),
    (lambda r: r["ProcessingOutputConfig"]["Outputs"][0]["S3Output"].update(S3Uri="https://x/y"), "S3Uri"),
])
def test_bad_requests_are_refused_naming_the_field(sm, change, field):
    name = unique("job")
    body = request(name, "fake/any:1", inputs=[("data", f"s3://{BUCKET}/x", "/opt/ml/processing/input/data")],
                   outputs=[("o", f"s3://{BUCKET}/o", "/opt/ml/processing/output/o")])
    change(body)

    with pytest.raises(ClientError) as error:
        sm.create_processing_job(**body)

    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert field in error.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        sm.describe_processing_job(ProcessingJobName=name)  # nothing was stored


def test_a_duplicate_name_and_an_unknown_name_answer_as_aws_does(sm, image):
    name = unique("job")
    sm.create_processing_job(**request(name, image(lambda host: 0)))
    with pytest.raises(ClientError) as duplicate:
        sm.create_processing_job(**request(name, image(lambda host: 0)))
    with pytest.raises(ClientError) as unknown:
        sm.describe_processing_job(ProcessingJobName=unique("nope"))

    assert duplicate.value.response["Error"]["Code"] == "ValidationException"
    assert unknown.value.response["Error"]["Code"] == "ValidationException"
    finished(sm, name)


def test_search_has_no_processing_job_resource_as_on_aws(sm):
    # botocore's Search Resource enum has no ProcessingJob: AWS refuses it, and so does this.
    with pytest.raises(ClientError) as err:
        sm.search(Resource="ProcessingJob")
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert "Value 'ProcessingJob' at 'resource' failed to satisfy constraint" in err.value.response["Error"]["Message"]
