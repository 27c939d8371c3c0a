"""emulator.testing.Emulator on an emulator already running ($SAGEMAKER_EMULATOR_URL or url=):
the environment pointed at it and put back, and `isolated()`, which removes what a block made
and keeps what was there before. Against the in-process emulator on the fake runner."""

import os
import uuid

import pytest
from botocore.exceptions import ClientError

from emulator.testing import Emulator
from fake_runner import ServeProgram
from helpers import ROLE, ensure_bucket, training_request, wait_until
from in_process import BUCKET

DEFAULT_BUCKET = "sagemaker-us-east-1-123456789012"  # the SDK's, named in the config `env` writes


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def run_until_stopped(host):
    host.wait_for_stop()
    return 0


def gone(call, **params) -> bool:
    try:
        call(**params)
        return False
    except ClientError:
        return True


def job_streams(logs, job: str) -> list:
    try:
        return logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                         logStreamNamePrefix=f"{job}/")["logStreams"]
    except logs.exceptions.ResourceNotFoundException:  # the group went too: this block made it
        return []


def test_isolated_removes_what_the_block_made_and_keeps_what_was_there(in_process, sm, s3, logs, image):
    kept_model, kept_key = unique("kept"), unique("kept")
    sm.create_model(ModelName=kept_model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image(run_until_stopped)})
    ensure_bucket(s3, DEFAULT_BUCKET)
    s3.put_object(Bucket=DEFAULT_BUCKET, Key=kept_key, Body=b"session data")
    serving = image(ServeProgram(lambda request: (200, "text/plain", b"ok")))
    name, group = unique("made"), f"/test/{unique('made')}"
    environment = dict(os.environ)

    with Emulator(url=in_process.url, fast_path=False) as emulator, emulator.isolated():
        assert os.environ["AWS_ENDPOINT_URL"] == in_process.url
        made = emulator.client("sagemaker")
        made.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": serving})
        made.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
        made.create_endpoint(EndpointName=name, EndpointConfigName=name)  # still Creating as the block ends
        made.create_training_job(**training_request(name, BUCKET, {}, image=image(run_until_stopped)))
        emulator.client("s3").put_object(Bucket=DEFAULT_BUCKET, Key=f"{name}/b", Body=b"2")
        emulator.client("logs").create_log_group(logGroupName=group)
        wait_until(lambda: made.describe_training_job(TrainingJobName=name)["SecondaryStatus"] == "Training", 10,
                   "the job to be training")

    assert dict(os.environ) == environment
    assert gone(sm.describe_endpoint, EndpointName=name)
    assert gone(sm.describe_endpoint_config, EndpointConfigName=name)
    assert gone(sm.describe_model, ModelName=name)
    assert sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] == "Stopped"
    assert gone(s3.head_object, Bucket=DEFAULT_BUCKET, Key=f"{name}/b")
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    assert job_streams(logs, name) == []
    assert sm.describe_model(ModelName=kept_model)["ModelName"] == kept_model
    assert s3.get_object(Bucket=DEFAULT_BUCKET, Key=kept_key)["Body"].read() == b"session data"


def test_an_emulator_that_does_not_answer_is_named(monkeypatch):
    monkeypatch.setenv("SAGEMAKER_EMULATOR_URL", "http://127.0.0.1:9")

    with pytest.raises(RuntimeError, match="no SageMaker emulator answers at http://127.0.0.1:9"):
        Emulator().start()
