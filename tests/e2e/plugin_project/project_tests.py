"""A user's project tested with the plugin's fixtures, run with pytest in a subprocess by
tests/e2e/test_testing_plugin.py: the first test trains with the SageMaker SDK 2.x and makes a
model; the second, in the same session, sees nothing of them and can make the same model again."""

import collections
import os
from pathlib import Path

from sagemaker.pytorch import PyTorch

HERE = Path(__file__).parent
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-cpu-py312"
MADE = {}  # what the first test made, for the second to look for


def counted(client):
    calls = collections.Counter()
    client.meta.events.register("before-call.sagemaker", lambda model, **_: calls.update([model.name]))
    return calls


def make_model(sm, artifact: str) -> None:
    sm.create_model(ModelName="plugin-project", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": IMAGE, "ModelDataUrl": artifact})


def test_trains_a_model(sagemaker_emulator_isolated):
    emulator = sagemaker_emulator_isolated
    assert os.environ["AWS_ENDPOINT_URL"] == emulator.url
    session = emulator.sagemaker_session()
    calls = counted(session.sagemaker_client)
    data = session.upload_data(str(HERE / "train.py"), key_prefix="plugin-project/data")
    estimator = PyTorch(entry_point="train.py", source_dir=str(HERE), role=ROLE, framework_version="2.6",
                        py_version="py312", instance_count=1, instance_type="ml.m5.large", sagemaker_session=session)

    estimator.fit({"training": data}, logs=True)

    # The fast path: the logs loop described the job at each short poll, not after 5 s and then
    # every 30 s (twice in the life of a job of seconds).
    assert calls["DescribeTrainingJob"] >= 10
    job = estimator.latest_training_job.describe()
    assert job["TrainingJobStatus"] == "Completed"
    make_model(emulator.client("sagemaker"), job["ModelArtifacts"]["S3ModelArtifacts"])
    MADE.update(job=job["TrainingJobName"], data=data, artifact=job["ModelArtifacts"]["S3ModelArtifacts"])


def test_sees_nothing_the_first_test_made(sagemaker_emulator_isolated):
    sm, s3, logs = (sagemaker_emulator_isolated.client(s) for s in ("sagemaker", "s3", "logs"))
    assert MADE, "the training test runs first"
    assert sm.list_models(NameContains="plugin-project")["Models"] == []
    bucket, key = MADE["data"][len("s3://"):].split("/", 1)
    assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount") == 0
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/sagemaker/TrainingJobs")["logGroups"]
    assert groups == [] or logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                                     logStreamNamePrefix=MADE["job"])["logStreams"] == []
    # Jobs cannot be deleted (on AWS neither): the first test's is there, ended.
    assert sm.describe_training_job(TrainingJobName=MADE["job"])["TrainingJobStatus"] == "Completed"
    make_model(sm, MADE["artifact"])  # the same name again: the first test's model is gone
