"""The SageMaker Python SDK 2.x (pinned in the `sdk` extra), unchanged, on its AWS code
path against the emulator: Session, upload_data, PyTorch.fit(logs=True), deploy, predict
(NPY and JSON), delete_model/delete_endpoint, transformer().transform(), and a generic
Estimator with a bring-your-own image."""

import io
import json
import subprocess
import tarfile
import sys

import pytest

from helpers import REPO, user_shell_env

pytestmark = pytest.mark.docker


def test_sdk2_train_deploy_predict_transform(emulator, s3, byoc_image, tmp_path):
    env = user_shell_env(emulator.port, tmp_path / "home")
    result = subprocess.run([sys.executable, str(REPO / "tests/e2e/sdk/sdk2_flow.py"), str(REPO / "tests/e2e/code"),
                             str(tmp_path), byoc_image], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["bucket"] == "sagemaker-us-east-1-123456789012"  # from the SDK config `env` wrote: no STS call
    assert seen["status"] == "Completed"
    assert seen["npy"] == [[6.0, -1.0]]
    assert seen["json"] == [[15.0, -1.0]]
    assert seen["transform"] == "6.0,-1.0\n1.0,0.0\n"
    # fit(logs=True) streamed the job's own output, and the notice that the local image's
    # PyTorch and Python are not the 2.6/py312 the URI names.
    assert "saved model.pt" in result.stdout + result.stderr
    assert "PyTorch 2.6 asked" in result.stdout + result.stderr
    # The SDK's debugger and profiler settings are kept and echoed, not refused.
    assert seen["debug_hook"]["S3OutputPath"].startswith("s3://sagemaker-us-east-1-123456789012/")
    assert "S3OutputPath" in seen["profiler"] or "DisableProfiler" in seen["profiler"]
    # TrainingJobAnalytics reads the metric's time series from CloudWatch, a point per second.
    assert seen["curve"] == [["train:loss", 1.0], ["train:loss", 0.5], ["train:loss", 0.3333]]
    assert seen["byoc_status"] == "Completed"
    bucket, key = seen["byoc_model"][len("s3://"):].split("/", 1)
    with tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())) as tar:
        trained = json.load(tar.extractfile("model.json"))
    assert trained == {"hyperparameters": {"greeting": "hi", "rounds": "3"}, "training_files": ["tiny_train.py"],
                       "hosts": ["algo-1"]}
