"""The AWS CLI, unchanged, against the emulator: only the environment `sagemaker-emulator env`
prints (and --endpoint-url) points it here. Train, deploy, invoke, delete."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import PYTORCH_DLC, REPO, ROLE, script_hyperparameters, training_request, user_shell_env
from hosting import INFERENCE_DLC, unique

pytestmark = pytest.mark.docker
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def cli(emulator, tmp_path_factory):
    env = user_shell_env(emulator.port, tmp_path_factory.mktemp("cli-home"))  # nothing but the exports
    assert env["AWS_ENDPOINT_URL"] == emulator.url
    assert Path(env["SAGEMAKER_USER_CONFIG_OVERRIDE"]).read_text().count("DefaultS3Bucket") == 1

    def run(*args, env_endpoint=True, parse=True):
        chosen = env if env_endpoint else {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}
        result = subprocess.run([str(BIN / "aws"), *args], env=chosen, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if parse and result.stdout.strip() else result.stdout
    return run


def until(check, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError("timed out")


def test_cli_train_deploy_invoke(cli, emulator, tmp_path):
    bucket = unique("cli")
    cli("s3", "mb", f"s3://{bucket}", parse=False)
    archive = tmp_path / "sourcedir.tar.gz"
    subprocess.run(["tar", "-czf", str(archive), "-C", str(REPO / "tests/e2e/code"), "tiny_train.py"], check=True)
    cli("s3", "cp", str(archive), f"s3://{bucket}/code/sourcedir.tar.gz", parse=False)

    job = unique("cli-job")
    request = training_request(job, bucket, script_hyperparameters("tiny_train.py", f"s3://{bucket}/code/sourcedir.tar.gz"),
                               image=PYTORCH_DLC)
    (tmp_path / "job.json").write_text(json.dumps(request))
    arn = cli("sagemaker", "create-training-job", "--cli-input-json", f"file://{tmp_path / 'job.json'}")["TrainingJobArn"]
    assert arn.endswith(f"training-job/{job}")
    # The CLI's waiters poll every 120 s (training) and 30 s (endpoints) after a first
    # immediate look; wait with describe first so each waiter's first look decides.
    until(lambda: cli("sagemaker", "describe-training-job", "--training-job-name", job)["TrainingJobStatus"]
          in ("Completed", "Failed", "Stopped"))
    cli("sagemaker", "wait", "training-job-completed-or-stopped", "--training-job-name", job, parse=False)
    desc = cli("sagemaker", "describe-training-job", "--training-job-name", job,
               "--endpoint-url", emulator.url, env_endpoint=False)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    artifact = desc["ModelArtifacts"]["S3ModelArtifacts"]
    listed = cli("s3", "ls", artifact, parse=False)
    assert "model.tar.gz" in listed

    cli("sagemaker", "create-model", "--model-name", job, "--execution-role-arn", ROLE,
        "--primary-container", json.dumps({"Image": INFERENCE_DLC, "ModelDataUrl": artifact}))
    cli("sagemaker", "create-endpoint-config", "--endpoint-config-name", job, "--production-variants",
        json.dumps([{"VariantName": "AllTraffic", "ModelName": job, "InstanceType": "ml.m5.large",
                     "InitialInstanceCount": 1}]))
    assert cli("sagemaker", "create-endpoint", "--endpoint-name", job, "--endpoint-config-name", job)["EndpointArn"]
    until(lambda: cli("sagemaker", "describe-endpoint", "--endpoint-name", job)["EndpointStatus"] != "Creating")
    cli("sagemaker", "wait", "endpoint-in-service", "--endpoint-name", job, parse=False)

    (tmp_path / "in.json").write_text("[[1, 2, 3]]")
    meta = cli("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", job, "--content-type", "application/json",
               "--accept", "application/json", "--body", f"fileb://{tmp_path / 'in.json'}", str(tmp_path / "out.json"))
    assert meta["ContentType"] == "application/json" and meta["InvokedProductionVariant"] == "AllTraffic"
    assert json.loads((tmp_path / "out.json").read_text()) == [[6.0, -1.0]]

    cli("sagemaker", "delete-endpoint", "--endpoint-name", job, parse=False)
    cli("sagemaker", "wait", "endpoint-deleted", "--endpoint-name", job, parse=False)


def test_cli_identity(cli):
    identity = cli("sts", "get-caller-identity")
    assert identity["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/SageMakerEmulatorExecutionRole/")
    assert cli("iam", "get-role", "--role-name", "SageMakerEmulatorExecutionRole")["Role"]["RoleName"] == \
        "SageMakerEmulatorExecutionRole"
