"""SageMaker Pipelines on real Docker with the SDK 2.x unchanged, in a user's shell environment
(tests/e2e/sdk/sdk2_pipeline.py): the success path through real processing and training
containers to a registered model (the SDK's repack step on the scikit-learn image), then a
second run that fails at its Fail step with the joined message, its jobs cache hits of the first."""

import io
import json
import shutil
import tarfile
import subprocess
import sys

import pytest

from helpers import REPO, user_shell_env

pytestmark = pytest.mark.docker
CODE = REPO / "tests/e2e/code"


def test_sdk2_pipeline_succeeds_then_fails_at_its_fail_step_from_the_cache(emulator, sm, s3, tmp_path):
    code = tmp_path / "code"
    shutil.copytree(CODE / "pipelines", code / "pipelines")
    for folder, file in (("tiny", "tiny_train.py"), ("serve", "inference.py")):  # source_dirs of one file each
        (code / folder).mkdir()
        shutil.copy(CODE / file, code / folder)
    env = user_shell_env(emulator.port, tmp_path / "home")
    result = subprocess.run([sys.executable, str(REPO / "tests/e2e/sdk/sdk2_pipeline.py"), str(code), str(tmp_path)],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    first, second = seen["first"], seen["second"]
    assert first["status"] == "Succeeded", first["steps"]
    assert {n: s["status"] for n, s in first["steps"].items()} == {
        "Preprocess": "Succeeded", "Train": "Succeeded", "Evaluate": "Succeeded", "CheckAccuracy": "Succeeded",
        "Register-RepackModel-0": "Succeeded", "Register-RegisterModel": "Succeeded"}
    assert first["steps"]["CheckAccuracy"]["metadata"] == {"Condition": {"Outcome": "True"}}
    # The registered version's model is the repacked one: the trained model with the inference code.
    package = sm.describe_model_package(ModelPackageName=first["steps"]["Register-RegisterModel"]["metadata"][
        "RegisterModel"]["Arn"])
    assert (package["ModelPackageGroupName"], package["ModelApprovalStatus"]) == (seen["group"], "Approved")
    bucket, key = package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"][len("s3://"):].split("/", 1)
    with tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())) as tar:
        assert {"model.pt", "code/inference.py"} <= set(tar.getnames())
    training = first["steps"]["Train"]["metadata"]["TrainingJob"]["Arn"]
    jobs = sm.list_training_jobs(NameContains=first["arn"].rsplit("/", 1)[1])["TrainingJobSummaries"]
    assert [j["TrainingJobStatus"] for j in jobs if j["TrainingJobArn"] == training] == ["Completed"]

    assert second["status"] == "Failed"
    fail = second["steps"]["TooInaccurate"]
    assert (fail["status"], fail["reason"]) == ("Failed", "accuracy 1.0 is below 1.5")
    assert fail["metadata"] == {"Fail": {"ErrorMessage": "accuracy 1.0 is below 1.5"}}
    assert {n: second["steps"][n]["cached_from"] for n in ("Preprocess", "Train", "Evaluate")} == {
        "Preprocess": first["arn"], "Train": first["arn"], "Evaluate": first["arn"]}
    assert second["steps"]["Train"]["metadata"] == first["steps"]["Train"]["metadata"]
    assert seen["description"] == "upserted again"
