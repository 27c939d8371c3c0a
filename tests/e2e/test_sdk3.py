"""The SageMaker Python SDK 3.x (the `sdk3` extra, in its own .venv-sdk3: it cannot share a
venv with 2.x), unchanged, on its AWS code path against the emulator: ModelTrainer.train
(logs=True) with the role left to the SDK, ModelBuilder.build/deploy, Endpoint.invoke."""

import json
import subprocess

import pytest

from helpers import REPO, user_shell_env

pytestmark = pytest.mark.docker
SDK3_PYTHON = REPO / ".venv-sdk3/bin/python"


def test_sdk3_train_build_deploy_invoke(emulator, sm, tmp_path):
    assert SDK3_PYTHON.exists(), "scripts/setup.sh makes .venv-sdk3"
    env = user_shell_env(emulator.port, tmp_path / "home")
    result = subprocess.run([str(SDK3_PYTHON), str(REPO / "tests/e2e/sdk/sdk3_flow.py"), str(REPO / "tests/e2e/code")],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert seen["bucket"] == "sagemaker-us-east-1-123456789012"
    assert seen["status"] == "Completed"
    # The SDK found the caller's role through STS and IAM, as in a SageMaker notebook.
    assert seen["role"] == "arn:aws:iam::123456789012:role/SageMakerEmulatorExecutionRole"
    assert seen["outputs"] == [[6.0, -1.0]]
    assert "saved model.pt" in result.stdout + result.stderr  # train(logs=True) streamed the job's output
    with pytest.raises(sm.exceptions.ClientError):
        sm.describe_endpoint(EndpointName=seen["endpoint"])
