"""The process runner (no Docker): same API, same /opt/ml contract, in a bubblewrap sandbox."""

import json
import shutil

import pytest

from emulator_process import EmulatorProcess
from helpers import (REPO, ensure_bucket, read_tar, script_hyperparameters, training_request,
                     upload_sourcedir, wait_for, wait_for_log_line)


@pytest.fixture(scope="module")
def process_emulator(tmp_path_factory):
    assert shutil.which("bwrap"), "scripts/setup.sh installs bubblewrap"
    proc = EmulatorProcess(tmp_path_factory.mktemp("process") / "data",
                           extra_args=["--runner", "process"]).start()
    yield proc
    proc.stop()


def test_probe_job_sees_the_contract_at_opt_ml(process_emulator):
    sm, s3 = process_emulator.client("sagemaker"), process_emulator.client("s3")
    ensure_bucket(s3, "proc")
    code = upload_sourcedir(s3, "proc", "code/sourcedir.tar.gz", {"probe.py": REPO / "tests/e2e/code/probe.py"})
    s3.put_object(Bucket="proc", Key="data/x.csv", Body=b"5\n")
    sm.create_training_job(**training_request("proc-probe", "proc", script_hyperparameters(
        "probe.py", code, {"epochs": 2}), channels=[("training", "s3://proc/data")]))
    desc = wait_for(sm, "proc-probe", timeout=180)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    probe = json.loads(read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])["probe.json"])
    assert probe["argv"] == ["--epochs", "2"]
    assert probe["data"] == {"training": {"x.csv": "5\n"}}
    assert probe["config"]["resourceconfig.json"]["current_host"] == "algo-1"
    assert probe["env"]["SM_MODEL_DIR"] == "/opt/ml/model"
    assert probe["env"]["TRAINING_JOB_NAME"] == "proc-probe"
    assert probe["env"]["AWS_ACCESS_KEY_ID"] == "emulator"


def test_stop_and_unsupported_images(process_emulator):
    sm, s3 = process_emulator.client("sagemaker"), process_emulator.client("s3")
    ensure_bucket(s3, "proc")
    code = upload_sourcedir(s3, "proc", "code/sourcedir.tar.gz", {"probe.py": REPO / "tests/e2e/code/probe.py"})
    sm.create_training_job(**training_request("proc-stop", "proc", script_hyperparameters(
        "probe.py", code, {"mode": "term", "seconds": 300})))
    wait_for_log_line(process_emulator.client("logs"), "proc-stop", "probe: waiting for SIGTERM")
    sm.stop_training_job(TrainingJobName="proc-stop")
    desc = wait_for(sm, "proc-stop", timeout=60)
    assert desc["TrainingJobStatus"] == "Stopped"
    assert read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])["saved-on-sigterm.txt"] == b"bye"

    sm.create_training_job(**training_request("proc-byoc", "proc", {}, image="my/own:image"))
    desc = wait_for(sm, "proc-byoc")
    assert desc["TrainingJobStatus"] == "Failed" and "process runner" in desc["FailureReason"]
