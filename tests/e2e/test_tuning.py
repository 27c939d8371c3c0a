"""Hyperparameter tuning end to end on real Docker: boto3 tuning a script-mode training script
on the PyTorch image (4 trials, 2 at a time), and the SageMaker Python SDK 2.x's
HyperparameterTuner, unchanged, on that script and on the XGBoost built-in algorithm's own
objective."""

import json
import subprocess
import sys
import uuid

import pytest

from helpers import REPO, ensure_bucket, read_tar, script_tuning_request, upload_sourcedir, user_shell_env, wait_until

pytestmark = pytest.mark.docker

CODE = REPO / "tests/e2e/code"
BUCKET = "tuning-e2e"


def objective(position: float) -> float:
    """What tune_train.py reports last for a position, with --bonus 1."""
    return round(-(position - 3) ** 2 + 1, 6)


def test_boto3_tunes_a_script_on_the_pytorch_image(sm, s3):
    ensure_bucket(s3, BUCKET)
    code = upload_sourcedir(s3, BUCKET, "tuning/sourcedir.tar.gz", {"tune_train.py": CODE / "tune_train.py"})
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    sm.create_hyper_parameter_tuning_job(**script_tuning_request(name, BUCKET, code, "Bayesian", 4, 2,
                                                                 {"bonus": 1, "epochs": 2}))

    desc = wait_until(lambda: (d := sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name))
                      ["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping") and d, 300,
                      f"tuning job {name} to end")

    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["TrainingJobStatusCounters"]["Completed"] == 4
    found = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="FinalObjectiveMetricValue", SortOrder="Descending")[
        "TrainingJobSummaries"]
    assert [t["TrainingJobStatus"] for t in found] == ["Completed"] * 4
    for trial in found:  # the script saw the tuned position, and the objective it printed is what the job reports
        position = float(trial["TunedHyperParameters"]["position"])
        assert trial["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == pytest.approx(objective(position),
                                                                                              abs=1e-5)
    best = desc["BestTrainingJob"]
    assert best["TrainingJobName"] == found[0]["TrainingJobName"]
    job = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])
    assert job["TuningJobArn"] == desc["HyperParameterTuningJobArn"]
    assert json.loads(read_tar(s3, job["ModelArtifacts"]["S3ModelArtifacts"])["model.json"]) == {
        "position": float(best["TunedHyperParameters"]["position"])}
    # Two at a time: no trial started while two others ran.
    spans = [(t["TrainingStartTime"], t["TrainingEndTime"]) for t in found]
    assert max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans) <= 2


def test_sdk2_hyperparameter_tuner(emulator, tmp_path):
    env = user_shell_env(emulator.port, tmp_path / "home")
    result = subprocess.run([sys.executable, str(REPO / "tests/e2e/sdk/sdk2_tuning_flow.py"), str(CODE),
                             str(tmp_path)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    pytorch = seen["pytorch"]
    assert pytorch["status"] == "Completed"
    rows = {r["TrainingJobName"]: r for r in pytorch["rows"]}
    assert len(rows) == 2 and all(r["TrainingJobStatus"] == "Completed" for r in rows.values())
    for row in rows.values():
        assert row["FinalObjectiveValue"] == pytest.approx(objective(row["position"]), abs=1e-5)
    assert pytorch["best"] == max(rows.values(), key=lambda r: r["FinalObjectiveValue"])["TrainingJobName"]
    assert pytorch["best_estimator_job"] == pytorch["best"]
    assert pytorch["best_model"].endswith(f"/{pytorch['best']}/output/model.tar.gz")
    assert float(pytorch["best_hyperparameters"]["position"]) == pytest.approx(rows[pytorch["best"]]["position"])

    xgboost = seen["xgboost"]
    assert xgboost["status"] == "Completed"
    assert len(xgboost["values"]) == 2 and 0 < xgboost["values"][0] < 1  # a real RMSE on y = 3a + b + noise
    assert xgboost["best_value"] == xgboost["values"][0]  # Minimize: the lower one
    assert xgboost["best_estimator_job"] == xgboost["best"]
