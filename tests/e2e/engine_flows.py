"""What the tests of where containers run (test_remote_engine.py, test_compose.py) do as a user
does, whichever engine runs the containers: train on the scikit-learn image (its code and data
fetched from the emulator's S3 from inside the container), deploy the model and predict, and a
processing job whose Continuous output must reach S3 while it runs."""

import io
import json

import joblib
import numpy as np

from helpers import REPO, ROLE, ensure_bucket, read_tar, script_hyperparameters, training_request, upload_sourcedir, \
    wait_for, wait_until
from hosting import create_config, create_model, delete, deploy, unique, variant

SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
CODE = REPO / "tests/e2e/code/engine"
FEATURES = np.array([[float(i), float(i % 7)] for i in range(40)])
LABELS = 2 * FEATURES[:, 0] - FEATURES[:, 1] + 1


def train(sm, s3, bucket: str, extra_channels: list[dict] = ()) -> tuple[dict, dict]:
    """A Completed training job and what its container recorded of where it ran (where.json)."""
    ensure_bucket(s3, bucket)
    rows = "".join(",".join(map(str, [label, *row])) + "\n" for row, label in zip(FEATURES, LABELS))
    s3.put_object(Bucket=bucket, Key="engine/train/rows.csv", Body=rows.encode())
    code = upload_sourcedir(s3, bucket, f"code/{unique('where')}/sourcedir.tar.gz",
                            {"train_where.py": CODE / "train_where.py"})
    name = unique("where")
    request = training_request(name, bucket, script_hyperparameters("train_where.py", code),
                               channels=[("train", f"s3://{bucket}/engine/train/")], image=SKLEARN)
    request["InputDataConfig"] += list(extra_channels)
    sm.create_training_job(**request)
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    return desc, json.loads(read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])["where.json"])


def predictions(sm, s3, runtime, bucket: str, artifact: str) -> tuple[list[str], list[str]]:
    """(what the endpoint answers, what the trained model predicts here) for a few rows; the
    endpoint is deleted again."""
    code = upload_sourcedir(s3, bucket, f"code/{unique('serve')}/sourcedir.tar.gz",
                            {"inference.py": REPO / "tests/e2e/code/sklearn/inference.py"})
    model = create_model(sm, artifact, {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": code},
                         image=SKLEARN)
    endpoint = deploy(sm, create_config(sm, [variant(model)]))
    try:
        rows = FEATURES[[3, 17, 30]]
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Accept="text/csv",
                                         Body="\n".join(",".join(map(str, row)) for row in rows))
        expected = joblib.load(io.BytesIO(read_tar(s3, artifact)["model.joblib"])).predict(rows)
        return answer["Body"].read().decode().splitlines(), [str(p) for p in expected]
    finally:
        delete(sm, endpoint)
        sm.delete_model(ModelName=model)


def continuous_processing(sm, s3, bucket: str) -> dict[str, bytes]:
    """The objects a Completed processing job's Continuous output left in S3."""
    ensure_bucket(s3, bucket)
    s3.put_object(Bucket=bucket, Key="code/continuous.py", Body=(CODE / "continuous.py").read_bytes())
    name = unique("continuous")
    prefix = f"continuous/{name}"
    sm.create_processing_job(
        ProcessingJobName=name, RoleArn=ROLE,
        AppSpecification={"ImageUri": SKLEARN, "ContainerEntrypoint": [
            "python3", "/opt/ml/processing/code/continuous.py", bucket, prefix]},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5}},
        ProcessingInputs=[{"InputName": "code", "S3Input": {
            "S3Uri": f"s3://{bucket}/code/continuous.py", "LocalPath": "/opt/ml/processing/code",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "out", "S3Output": {
            "S3Uri": f"s3://{bucket}/{prefix}", "LocalPath": "/opt/ml/processing/out", "S3UploadMode": "Continuous"}}]},
        StoppingCondition={"MaxRuntimeInSeconds": 300})

    def ended():
        desc = sm.describe_processing_job(ProcessingJobName=name)
        return desc if desc["ProcessingJobStatus"] in ("Completed", "Failed", "Stopped") else None
    desc = wait_until(ended, 300, f"processing job {name} to end")
    assert desc["ProcessingJobStatus"] == "Completed", (desc.get("FailureReason"), desc.get("ExitMessage"))
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix + "/").get("Contents", [])
    return {o["Key"][len(prefix) + 1:]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}
