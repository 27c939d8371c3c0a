"""What tests do as a SageMaker user does: upload code and data, create a job, wait."""

import io
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from emulator.aws.validation import answer_errors

REPO = Path(__file__).resolve().parent.parent
PYTORCH_DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.6-cpu-py312"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def ensure_bucket(s3, bucket: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=bucket)


def upload_sourcedir(s3, bucket: str, key: str, files: dict[str, Path]) -> str:
    """sourcedir.tar.gz as the SDK makes it; files maps archive name -> local path."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for arcname, path in files.items():
            tar.add(str(path), arcname=arcname)
    s3.put_object(Bucket=bucket, Key=key, Body=buf.getvalue())
    return f"s3://{bucket}/{key}"


def script_hyperparameters(program: str, submit_dir: str, user: dict | None = None) -> dict:
    """Hyperparameters JSON-encoded, as the SageMaker Python SDK sends them."""
    hps = {"sagemaker_program": program, "sagemaker_submit_directory": submit_dir,
           "sagemaker_container_log_level": 20, "sagemaker_region": "us-east-1", **(user or {})}
    return {k: json.dumps(v) for k, v in hps.items()}


def training_request(name: str, bucket: str, hyperparameters: dict, channels=(), instance_type="ml.m5.large",
                     count=1, max_runtime=600, image=PYTORCH_DLC, **extra) -> dict:
    request = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": ROLE,
        "HyperParameters": hyperparameters,
        "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/output"},
        "ResourceConfig": {"InstanceType": instance_type, "InstanceCount": count, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
    }
    if channels:
        request["InputDataConfig"] = [
            {"ChannelName": ch, "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}}}
            for ch, uri in channels]
    request.update(extra)
    return request


def script_tuning_request(name: str, bucket: str, code: str, strategy: str, max_jobs: int, parallel: int,
                          static: dict) -> dict:
    """A tuning job of tests/e2e/code/tune_train.py in script mode on the PyTorch image, over its
    `position` (0 to 6), maximizing the `objective` it prints."""
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy, "RandomSeed": 3,
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "objective"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": max_jobs, "MaxParallelTrainingJobs": parallel},
            "ParameterRanges": {"ContinuousParameterRanges": [{"Name": "position", "MinValue": "0", "MaxValue": "6"}]}},
        "TrainingJobDefinition": {
            "StaticHyperParameters": script_hyperparameters("tune_train.py", code, static),
            "AlgorithmSpecification": {"TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File", "MetricDefinitions": [
                {"Name": "objective", "Regex": r"objective=([-0-9.]+)"}]},
            "RoleArn": ROLE, "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/tuning-output"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 600}}}


def wait_for(sm, name: str, timeout: float = 300, statuses=("Completed", "Failed", "Stopped")) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desc = sm.describe_training_job(TrainingJobName=name)
        if desc["TrainingJobStatus"] in statuses:
            return desc
        time.sleep(0.2)
    raise AssertionError(f"{name} still {desc['TrainingJobStatus']}/{desc['SecondaryStatus']}")


def wait_until(condition, timeout: float, what: str):
    """condition()'s first truthy answer, polled until the deadline; else AssertionError naming what."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def read_tar(s3, uri: str) -> dict[str, bytes]:
    bucket, key = uri[5:].split("/", 1)
    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def user_shell_env(port: int, home: Path) -> dict:
    """A user's environment after `eval "$(sagemaker-emulator env)"`: nothing AWS- or
    SageMaker-specific of ours leaks in, and HOME is theirs (the SDK config file lands there)."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAGEMAKER_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    printed = subprocess.run([str(Path(sys.executable).parent / "sagemaker-emulator"), "env", "--port", str(port)],
                             env=env, capture_output=True, text=True, check=True).stdout
    env.update(line[len("export "):].split("=", 1) for line in printed.splitlines())
    return env


def log_messages(logs, group: str, prefix: str) -> list[str]:
    try:
        streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=prefix)["logStreams"]
    except logs.exceptions.ResourceNotFoundException:  # no job has logged yet
        return []
    return [e["message"] for s in streams for e in logs.get_log_events(
        logGroupName=group, logStreamName=s["logStreamName"], startFromHead=True)["events"]]


def wait_for_log_line(logs, job: str, line: str, timeout: float = 120) -> None:
    """Until a training job's log holds `line` (its script reached that point)."""
    wait_until(lambda: line in log_messages(logs, "/aws/sagemaker/TrainingJobs", f"{job}/"), timeout, repr(line))


def held_to_output_shapes(client):
    """The client, every successful SageMaker answer it receives checked against the operation's
    output shape (types, enums, patterns, lengths): a test whose call gets an answer AWS could
    not send fails at that call."""
    def check(http_response, model, **kwargs):
        if http_response.status_code == 200 and http_response.content:
            errors = answer_errors(json.loads(http_response.content), model.output_shape)
            assert not errors, f"{model.name} answered outside its output shape: {errors}"
    client.meta.events.register("after-call.sagemaker", check)
    return client
