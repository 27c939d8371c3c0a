"""The SageMaker Python SDK 2.x (pinned in the `sdk` extra), unchanged, on its AWS code
path against the emulator: Session, upload_data, PyTorch.fit(logs=True), deploy, predict
(NPY and JSON), delete_model/delete_endpoint, transformer().transform()."""

import json
import subprocess
import sys

import pytest

from helpers import REPO, user_shell_env

pytestmark = pytest.mark.docker


def test_sdk2_train_deploy_predict_transform(emulator, tmp_path):
    env = user_shell_env(emulator.port, tmp_path / "home")
    result = subprocess.run([sys.executable, str(REPO / "tests/e2e/sdk/sdk2_flow.py"), str(REPO / "tests/e2e/code"),
                             str(tmp_path)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["bucket"] == "sagemaker-us-east-1-123456789012"  # from the SDK config `env` wrote: no STS call
    assert seen["status"] == "Completed"
    assert seen["npy"] == [[6.0, -1.0]]
    assert seen["json"] == [[15.0, -1.0]]
    assert seen["transform"] == "6.0,-1.0\n1.0,0.0\n"
    # fit(logs=True) streamed the job's own output.
    assert "saved model.pt" in result.stdout + result.stderr
