"""The scikit-learn image end to end over boto3, as AWS's sagemaker-scikit-learn container behaves:
script-mode training with a .py and a .sh entry point (SM_* variables, hyperparameters as
arguments, requirements.txt), and serving a joblib model with an inference script (the
image's JSON/CSV defaults; a single CSV row fails as on AWS; no model_fn, no endpoint)."""

import io
import json

import joblib
import numpy as np
import pytest
from botocore.exceptions import ClientError
from sklearn.datasets import load_iris

from helpers import PYTORCH_DLC, REPO, ensure_bucket, log_messages, read_tar, upload_sourcedir
from hosting import create_config, create_model, delete, deploy, variant
from script_jobs import run_script_job
from sdk_flows import run_flow

pytestmark = pytest.mark.docker

SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
BUCKET = "e2e-sklearn"
CODE = REPO / "tests/e2e/code/sklearn"


@pytest.fixture(scope="module")
def iris(s3):
    ensure_bucket(s3, BUCKET)
    features, labels = load_iris(return_X_y=True)
    rows = "\n".join(",".join([str(label), *map(str, row)]) for row, label in zip(features, labels)) + "\n"
    s3.put_object(Bucket=BUCKET, Key="iris/train/iris.csv", Body=rows.encode())
    return features, labels


def train(sm, s3, program: str, hyperparameters: dict, image=SKLEARN) -> dict:
    return run_script_job(sm, s3, BUCKET, {name: CODE / name for name in (program, "requirements.txt")}, program,
                          hyperparameters, f"s3://{BUCKET}/iris/train/", image)


@pytest.fixture(scope="module")
def trained(sm, s3, iris):
    desc = train(sm, s3, "train_iris.py", {"max-depth": 3})
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    return desc


def test_python_entry_point_sees_the_training_contract(s3, logs, iris, trained):
    files = read_tar(s3, trained["ModelArtifacts"]["S3ModelArtifacts"])
    seen = json.loads(files["env.json"])
    assert seen["SM_CHANNEL_TRAIN"] == "/opt/ml/input/data/train"
    assert seen["SM_MODEL_DIR"] == "/opt/ml/model"
    assert json.loads(seen["SM_CHANNELS"]) == ["train"]
    assert json.loads(seen["SM_HPS"]) == {"max-depth": 3}
    assert json.loads(seen["SM_USER_ARGS"]) == ["--max-depth", "3"]
    assert seen["SM_MODULE_NAME"] == "train_iris" and json.loads(seen["SM_HOSTS"]) == ["algo-1"]
    model = joblib.load(io.BytesIO(files["model.joblib"]))
    features, labels = iris
    assert (model.predict(features) == labels).mean() > 0.9
    lines = log_messages(logs, "/aws/sagemaker/TrainingJobs", f"{trained['TrainingJobName']}/")
    assert lines[0].endswith(": scikit-learn 1.2 asked, 1.9.1 runs")  # the emulator's notice opens the log
    assert "trained a depth-3 tree on 150 rows" in lines
    assert any("requirements.txt" in line for line in lines)  # the toolkit installed them first


def test_shell_entry_point(sm, s3, iris):
    desc = train(sm, s3, "train.sh", {"greeting": "hi"})
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    shell = read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])["shell.txt"].decode().splitlines()
    assert shell == ["args: --greeting hi", "channel: /opt/ml/input/data/train", "greeting: hi", "sklearn 1.9.1"]


def test_the_pytorch_image_carries_scikit_learn_and_pandas(sm, s3, iris):
    """As AWS's PyTorch DLCs do: the same scikit-learn script trains on the PyTorch image."""
    desc = train(sm, s3, "train_iris.py", {"max-depth": 2}, image=PYTORCH_DLC)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    assert "model.joblib" in read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])


def test_serving_a_joblib_model_with_the_default_handlers(sm, s3, runtime, iris, trained):
    code = upload_sourcedir(s3, BUCKET, "code/serve/sourcedir.tar.gz", {"inference.py": CODE / "inference.py"})
    artifact = trained["ModelArtifacts"]["S3ModelArtifacts"]
    model = create_model(sm, artifact, {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": code},
                         image=SKLEARN)
    endpoint = deploy(sm, create_config(sm, [variant(model)]))
    try:
        features, _ = iris
        rows = features[[0, 60, 120]]
        expected = joblib.load(io.BytesIO(read_tar(s3, artifact)["model.joblib"])).predict(rows)
        csv_rows = "\n".join(",".join(map(str, row)) for row in rows)
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Accept="text/csv",
                                         Body=csv_rows)
        assert answer["ContentType"] == "text/csv; charset=utf-8"
        assert answer["Body"].read().decode() == "".join(f"{p}\n" for p in expected)  # one prediction a line
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                         Body=json.dumps(rows.tolist()))
        assert answer["ContentType"] == "application/json"  # Accept unset: the JSON default
        assert json.loads(answer["Body"].read()) == expected.tolist()
        buffer = io.BytesIO()
        np.save(buffer, rows)
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/x-npy",
                                         Accept="application/x-npy", Body=buffer.getvalue())
        assert np.load(io.BytesIO(answer["Body"].read())).tolist() == expected.tolist()
        # As AWS's container does, one CSV row decodes to a 1-D array, which the model refuses.
        with pytest.raises(ClientError) as one_row:
            runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=csv_rows.splitlines()[0])
        assert one_row.value.response["Error"]["Code"] == "ModelError"
        assert one_row.value.response["OriginalStatusCode"] == 500
        with pytest.raises(ClientError) as unsupported:
            runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/plain", Body=b"5.1 3.5 1.4 0.2")
        assert unsupported.value.response["OriginalStatusCode"] == 415
        assert "Content type text/plain is not supported by this framework" in \
            unsupported.value.response["OriginalMessage"]
    finally:
        delete(sm, endpoint)


def test_without_model_fn_the_endpoint_fails(sm, s3, logs, trained):
    code = upload_sourcedir(s3, BUCKET, "code/no-model-fn/sourcedir.tar.gz",
                            {"no_model_fn.py": CODE / "no_model_fn.py"})
    model = create_model(sm, trained["ModelArtifacts"]["S3ModelArtifacts"],
                         {"SAGEMAKER_PROGRAM": "no_model_fn.py", "SAGEMAKER_SUBMIT_DIRECTORY": code}, image=SKLEARN)
    endpoint = deploy(sm, create_config(sm, [variant(model)]), wait=False)
    waiter = sm.get_waiter("endpoint_in_service")
    with pytest.raises(Exception):
        waiter.wait(EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    desc = sm.describe_endpoint(EndpointName=endpoint)
    assert desc["EndpointStatus"] == "Failed"
    assert "did not pass the ping health check" in desc["FailureReason"]
    lines = log_messages(logs, f"/aws/sagemaker/Endpoints/{endpoint}", "AllTraffic/")
    assert any("Please provide a model_fn implementation." in line for line in lines)
    sm.delete_endpoint(EndpointName=endpoint)


def test_sdk2_unchanged(emulator, tmp_path):
    """The SDK 2.x's SKLearn(...).fit(), in a user's shell environment."""
    seen = run_flow(emulator, tmp_path, "sdk2_images.py", "sklearn", str(REPO / "tests/e2e/code"), str(tmp_path))
    assert seen["image"] == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    assert seen["status"] == "Completed" and seen["model"].endswith("/output/model.tar.gz")
