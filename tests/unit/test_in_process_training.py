"""Training jobs through boto3 against the in-process emulator on the fake runner: the
worker's stages, data movement to and from the real S3, stop, timeouts and failure reasons,
without Docker. Each program below is what a training image would do in its container."""

import json
import uuid


from fake_runner import KILLED, TERMINATED
from helpers import read_tar, training_request, wait_until
from in_process import BUCKET

LOST_REASON = ("InternalServerError: the job's container on algo-1 was stopped from outside the emulator "
               "(the container engine stopped or restarted, or a docker stop/kill); run the job again")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def finished(sm, name: str, timeout: float = 10) -> dict:
    def terminal():
        desc = sm.describe_training_job(TrainingJobName=name)
        return desc if desc["TrainingJobStatus"] in ("Completed", "Failed", "Stopped") else None
    return wait_until(terminal, timeout, f"training job {name} to end")


def reaches(sm, name: str, secondary: str, timeout: float = 10) -> dict:
    def there():
        desc = sm.describe_training_job(TrainingJobName=name)
        return desc if desc["SecondaryStatus"] == secondary else None
    return wait_until(there, timeout, f"training job {name} to reach {secondary}")


def create(sm, image: str, **extra) -> str:
    name = unique("job")
    sm.create_training_job(**training_request(name, BUCKET, {}, image=image, **extra))
    return name


def log_lines(logs, name: str) -> list[str]:
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                        logStreamNamePrefix=name)["logStreams"]
    return [event["message"] for stream in streams for event in logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream["logStreamName"])["events"]]


def save_model(text: str, file: str = "model.txt"):
    """A program that writes `text` to /opt/ml/model/`file` and exits 0."""
    def program(host):
        (host.root / "model" / file).write_text(text)
        return 0
    return program


def test_completed_job_moves_input_in_and_model_out(sm, s3, logs, image):
    key = unique("input") + "/data.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"1,2,3\n")

    def train(host):
        hyperparameters = json.loads((host.root / "input/config/hyperparameters.json").read_text())
        data = (host.root / "input/data/train/data.csv").read_text()
        host.print(f"epoch=1 loss={hyperparameters['loss']}")
        (host.root / "model" / "model.txt").write_text(f"trained on {data.strip()} by {host.environment['TRAINING_JOB_NAME']}")
        (host.root / "output" / "data" / "summary.txt").write_text("done")
        return 0
    name = unique("job")
    request = training_request(name, BUCKET, {"loss": "0.25"}, image=image(train),
                               channels=[("train", f"s3://{BUCKET}/{key.rsplit('/', 1)[0]}")])
    request["AlgorithmSpecification"]["MetricDefinitions"] = [{"Name": "train:loss", "Regex": r"loss=([0-9.]+)"}]
    sm.create_training_job(**request)

    desc = finished(sm, name)

    assert (desc["TrainingJobStatus"], desc["SecondaryStatus"]) == ("Completed", "Completed"), desc.get("FailureReason")
    assert [t["Status"] for t in desc["SecondaryStatusTransitions"]] == [
        "Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert desc["ModelArtifacts"]["S3ModelArtifacts"] == f"s3://{BUCKET}/output/{name}/output/model.tar.gz"
    assert read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"]) == {"model.txt": f"trained on 1,2,3 by {name}".encode()}
    assert read_tar(s3, f"s3://{BUCKET}/output/{name}/output/output.tar.gz") == {"summary.txt": b"done"}
    assert [(m["MetricName"], m["Value"]) for m in desc["FinalMetricDataList"]] == [("train:loss", 0.25)]
    assert wait_until(lambda: "epoch=1 loss=0.25" in log_lines(logs, name), 5, "the job's line in its log stream")


def test_every_host_model_lands_in_one_archive(sm, s3, image):
    def train(host):
        config = json.loads((host.root / "input/config/resourceconfig.json").read_text())
        (host.root / "model" / f"{host.name}.txt").write_text(f"{config['current_host']} of {config['hosts']}")
        return 0
    name = create(sm, image(train), count=2)

    desc = finished(sm, name)

    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    assert read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"]) == {
        "algo-1.txt": b"algo-1 of ['algo-1', 'algo-2']", "algo-2.txt": b"algo-2 of ['algo-1', 'algo-2']"}


def test_nonzero_exit_fails_with_the_failure_file(sm, s3, image):
    def train(host):
        (host.root / "output" / "data" / "partial.txt").write_text("half")
        (host.root / "output" / "failure").write_text("ValueError: learning_rate must be positive")
        return 1
    name = create(sm, image(train))

    desc = finished(sm, name)

    assert (desc["TrainingJobStatus"], desc["SecondaryStatus"]) == ("Failed", "Failed")
    assert desc["FailureReason"] == "AlgorithmError: ValueError: learning_rate must be positive"
    assert "ModelArtifacts" not in desc
    assert read_tar(s3, f"s3://{BUCKET}/output/{name}/output/output.tar.gz") == {"partial.txt": b"half"}


def test_nonzero_exit_without_failure_file_names_the_code(sm, image):
    name = create(sm, image(lambda host: 2))

    desc = finished(sm, name)

    assert desc["FailureReason"] == "AlgorithmError: , exit code: 2"


def test_one_failing_host_fails_the_cluster(sm, image):
    def train(host):
        if host.name == "algo-2":
            (host.root / "output" / "failure").write_text("RuntimeError: NCCL timeout")
            return 1
        host.wait_for_stop()  # algo-1 would train on; the platform tears the cluster down
        return TERMINATED
    name = create(sm, image(train), count=2)

    desc = finished(sm, name)

    assert desc["TrainingJobStatus"] == "Failed"
    assert desc["FailureReason"] == "AlgorithmError: RuntimeError: NCCL timeout"


def test_stop_keeps_the_model_saved_on_sigterm(sm, s3, image):
    def train(host):
        (host.root / "model" / "epoch-1.txt").write_text("weights 1")
        host.wait_for_stop()
        (host.root / "model" / "on-sigterm.txt").write_text("saved in the grace period")
        return TERMINATED
    name = create(sm, image(train))
    reaches(sm, name, "Training")

    sm.stop_training_job(TrainingJobName=name)

    desc = finished(sm, name)
    assert (desc["TrainingJobStatus"], desc["SecondaryStatus"]) == ("Stopped", "Stopped")
    # Stopping until Stopped: the status never goes back to InProgress (Uploading) meanwhile.
    assert [t["Status"] for t in desc["SecondaryStatusTransitions"]][-3:] == ["Training", "Stopping", "Stopped"]
    assert read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"]) == {
        "epoch-1.txt": b"weights 1", "on-sigterm.txt": b"saved in the grace period"}


def test_a_job_deaf_to_sigterm_is_killed_after_the_grace_period(sm, image):
    def train(host):
        host.wait_for_stop(ignore_sigterm=True)  # returns on the kill, 60 s at most
        return KILLED
    name = create(sm, image(train))
    reaches(sm, name, "Training")

    sm.stop_training_job(TrainingJobName=name)

    desc = finished(sm, name, timeout=10)  # the emulator's grace period is 1 s here
    assert (desc["TrainingJobStatus"], desc["SecondaryStatus"]) == ("Stopped", "Stopped")


def test_max_runtime_stops_the_job(sm, s3, image):
    def train(host):
        (host.root / "model" / "model.txt").write_text("as far as it got")
        host.wait_for_stop()
        return TERMINATED
    name = create(sm, image(train), max_runtime=1)

    desc = finished(sm, name)

    assert (desc["TrainingJobStatus"], desc["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")
    assert desc["SecondaryStatusTransitions"][-1]["StatusMessage"] == (
        "Training job stopped because it exceeded MaxRuntimeInSeconds")
    assert read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"]) == {"model.txt": b"as far as it got"}


def test_an_image_that_cannot_start_fails_the_job_with_why(sm):
    name = create(sm, "fake/not-on-this-host:1")

    desc = finished(sm, name)

    assert desc["TrainingJobStatus"] == "Failed"
    assert desc["FailureReason"].startswith("ClientError: image fake/not-on-this-host:1 not found on this host")
    assert desc["SecondaryStatusTransitions"][-1]["Status"] == "Failed"


def test_a_host_lost_from_outside_fails_the_job(sm, s3, fake_runner, image):
    def train(host):
        (host.root / "output" / "data" / "log.txt").write_text("kept")
        host.print("training")
        host.wait_for_stop()
        return TERMINATED
    name = create(sm, image(train))
    job = wait_until(lambda: fake_runner.jobs.get(name), 10, "the job's container to start")

    job.lose()  # as `docker kill` or an engine restart does

    desc = finished(sm, name)
    assert (desc["TrainingJobStatus"], desc["FailureReason"]) == ("Failed", LOST_REASON)
    assert "ModelArtifacts" not in desc
    assert read_tar(s3, f"s3://{BUCKET}/output/{name}/output/output.tar.gz") == {"log.txt": b"kept"}


def test_a_program_that_raises_fails_like_a_crashed_process(sm, logs, image):
    def train(host):
        raise MemoryError("CUDA out of memory")
    name = create(sm, image(train))

    desc = finished(sm, name)

    assert desc["FailureReason"] == "AlgorithmError: , exit code: 1"
    assert wait_until(lambda: "MemoryError: CUDA out of memory" in log_lines(logs, name), 5, "the traceback in the log")
