"""The XGBoost image end to end over boto3: the built-in algorithm (CSV and LIBSVM channels,
its evaluation lines and built-in metrics in FinalMetricDataList without MetricDefinitions,
xgboost-model, hosting CSV/LIBSVM/JSON as AWS's algorithm answers, a bad hyperparameter's
FailureReason) and script mode."""

import json
import re
import subprocess

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes

from helpers import REPO, ensure_bucket, log_messages, read_tar, training_request, wait_for
from hosting import create_config, create_model, delete, deploy, unique, variant
from script_jobs import run_script_job
from sdk_flows import run_flow

from emulator.execution.framework_image import XGBOOST_IMAGE

pytestmark = pytest.mark.docker

XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
BUCKET = "e2e-xgboost"


def csv_rows(features, labels=None) -> str:
    rows = features if labels is None else np.column_stack([labels, features])
    return "".join(",".join(map(repr, row.tolist())) + "\n" for row in rows)


def libsvm_rows(features, labels) -> str:
    return "".join(f"{label} " + " ".join(f"{i}:{v!r}" for i, v in enumerate(row.tolist())) + "\n"
                   for row, label in zip(features, labels))


@pytest.fixture(scope="module")
def diabetes(s3):
    ensure_bucket(s3, BUCKET)
    features, labels = load_diabetes(return_X_y=True)
    s3.put_object(Bucket=BUCKET, Key="diabetes/train/train.csv", Body=csv_rows(features[:300], labels[:300]))
    s3.put_object(Bucket=BUCKET, Key="diabetes/validation/validation.csv",
                  Body=csv_rows(features[300:], labels[300:]))
    return features, labels


def algorithm_job(sm, hyperparameters: dict, channels: dict, content_type="text/csv", image=XGBOOST) -> dict:
    name = unique("xgb")
    request = training_request(name, BUCKET, hyperparameters, channels=list(channels.items()), image=image)
    for channel in request.get("InputDataConfig", []):
        channel["ContentType"] = content_type
    sm.create_training_job(**request)
    return wait_for(sm, name)


@pytest.fixture(scope="module")
def regression(sm, diabetes):
    desc = algorithm_job(sm, {"num_round": "20", "objective": "reg:squarederror", "max_depth": "3", "eta": "0.3"},
                         {"train": f"s3://{BUCKET}/diabetes/train/",
                          "validation": f"s3://{BUCKET}/diabetes/validation/"})
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    return desc


def test_regression_reports_its_built_in_metrics(s3, logs, regression):
    lines = log_messages(logs, "/aws/sagemaker/TrainingJobs", f"{regression['TrainingJobName']}/")
    rounds = [line for line in lines if re.match(r"\[\d+\]#011train-rmse:", line)]
    assert len(rounds) == 20  # xgboost's tab-separated evaluation line, as SageMaker's log writes it
    last = re.fullmatch(r"\[19\]#011train-rmse:(\S+)#011validation-rmse:(\S+)", rounds[-1])
    final = {m["MetricName"]: m["Value"] for m in regression["FinalMetricDataList"]}
    assert final == {"train:rmse": pytest.approx(float(last[1])), "validation:rmse": pytest.approx(float(last[2]))}
    assert final["train:rmse"] < final["validation:rmse"] < 70  # the labels' spread is about 77
    assert list(read_tar(s3, regression["ModelArtifacts"]["S3ModelArtifacts"])) == ["xgboost-model"]


def xgboost_predicts(s3, tmp_path, artifact: str, features) -> list[float]:
    """What xgboost itself predicts with the job's model on the rows (run in the image)."""
    (tmp_path / "xgboost-model").write_bytes(read_tar(s3, artifact)["xgboost-model"])
    np.savetxt(tmp_path / "rows.csv", features, delimiter=",")
    script = ("import numpy, xgboost; b = xgboost.Booster(); b.load_model('/w/xgboost-model'); "
              "print(b.predict(xgboost.DMatrix(numpy.loadtxt('/w/rows.csv', delimiter=',', ndmin=2))).tolist())")
    out = subprocess.run(["docker", "run", "--rm", "-v", f"{tmp_path}:/w", XGBOOST_IMAGE, "python", "-c", script],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_hosting_answers_csv_libsvm_and_json(sm, s3, runtime, diabetes, regression, tmp_path):
    artifact = regression["ModelArtifacts"]["S3ModelArtifacts"]
    endpoint = deploy(sm, create_config(sm, [variant(create_model(sm, artifact, image=XGBOOST))]))
    try:
        features, labels = diabetes
        rows = features[300:305]
        expected = xgboost_predicts(s3, tmp_path, artifact, rows)
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=csv_rows(rows))
        assert answer["ContentType"] == "text/csv; charset=utf-8"  # the algorithm's default Accept
        assert [float(p) for p in answer["Body"].read().decode().splitlines()] == pytest.approx(expected)
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/libsvm", Accept="application/json",
                                         Body=libsvm_rows(rows, labels[300:305]))
        assert answer["ContentType"] == "application/json"
        scores = json.loads(answer["Body"].read())["predictions"]
        assert [p["score"] for p in scores] == pytest.approx(expected)
        with pytest.raises(runtime.exceptions.ModelError) as refused:
            runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json", Body=b"[[1, 2]]")
        assert refused.value.response["OriginalStatusCode"] == 415
        assert refused.value.response["OriginalMessage"].startswith(
            "application/json is not an accepted ContentType: csv, libsvm,")
    finally:
        delete(sm, endpoint)


def test_batch_transform_writes_one_prediction_a_line(sm, s3, diabetes, regression, tmp_path):
    """SAGEMAKER_BATCH: the algorithm answers one prediction per line, which MultiRecord batches keep."""
    features, _ = diabetes
    rows = features[300:310]
    s3.put_object(Bucket=BUCKET, Key="transform/in/rows.csv", Body=csv_rows(rows))
    artifact = regression["ModelArtifacts"]["S3ModelArtifacts"]
    name = unique("xgb-transform")
    sm.create_transform_job(
        TransformJobName=name, ModelName=create_model(sm, artifact, image=XGBOOST), BatchStrategy="MultiRecord",
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                        "S3Uri": f"s3://{BUCKET}/transform/in/"}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": f"s3://{BUCKET}/transform/out/{name}", "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1})
    sm.get_waiter("transform_job_completed_or_stopped").wait(
        TransformJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    desc = sm.describe_transform_job(TransformJobName=name)
    assert desc["TransformJobStatus"] == "Completed", desc.get("FailureReason")
    out = s3.get_object(Bucket=BUCKET, Key=f"transform/out/{name}/rows.csv.out")["Body"].read().decode()
    assert [float(p) for p in out.splitlines()] == pytest.approx(xgboost_predicts(s3, tmp_path, artifact, rows))


def test_libsvm_channels_classification_metrics_and_selectable_output(sm, s3, runtime):
    features, labels = load_breast_cancer(return_X_y=True)
    s3.put_object(Bucket=BUCKET, Key="cancer/train/train.libsvm", Body=libsvm_rows(features[:400], labels[:400]))
    s3.put_object(Bucket=BUCKET, Key="cancer/validation/validation.libsvm",
                  Body=libsvm_rows(features[400:], labels[400:]))
    desc = algorithm_job(sm, {"num_round": "10", "objective": "binary:logistic", "eval_metric": "logloss,auc"},
                         {"train": f"s3://{BUCKET}/cancer/train/", "validation": f"s3://{BUCKET}/cancer/validation/"},
                         content_type="text/libsvm")
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    final = {m["MetricName"]: m["Value"] for m in desc["FinalMetricDataList"]}
    assert set(final) == {"train:logloss", "train:auc", "validation:logloss", "validation:auc"}
    assert final["validation:auc"] > 0.9
    # Selectable inference output, as Autopilot and Clarify ask the algorithm for it.
    model = create_model(sm, desc["ModelArtifacts"]["S3ModelArtifacts"], image=XGBOOST,
                         environment={"SAGEMAKER_INFERENCE_OUTPUT": "predicted_label,probability"})
    endpoint = deploy(sm, create_config(sm, [variant(model)]))
    try:
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/libsvm",
                                         Accept="application/jsonlines", Body=libsvm_rows(features[400:], labels[400:]))
        chosen = [json.loads(line) for line in answer["Body"].read().decode().splitlines()]
        assert all(c["predicted_label"] == int(c["probability"] > 0.5) for c in chosen)
        assert np.mean([c["predicted_label"] for c in chosen] == labels[400:]) > 0.9
    finally:
        delete(sm, endpoint)


def test_two_instances_train_together_on_their_shards(sm, s3, logs, diabetes):
    features, labels = diabetes
    for part, rows in enumerate((slice(0, 150), slice(150, 300))):
        s3.put_object(Bucket=BUCKET, Key=f"sharded/train/part-{part}.csv", Body=csv_rows(features[rows], labels[rows]))
    name = unique("xgb-2")
    request = training_request(name, BUCKET, {"num_round": "5", "objective": "reg:squarederror"}, count=2,
                               channels=[("train", f"s3://{BUCKET}/sharded/train/"),
                                         ("validation", f"s3://{BUCKET}/diabetes/validation/")], image=XGBOOST)
    for channel in request["InputDataConfig"]:
        channel["ContentType"] = "text/csv"
    request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataDistributionType"] = "ShardedByS3Key"
    sm.create_training_job(**request)
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    assert {m["MetricName"] for m in desc["FinalMetricDataList"]} == {"train:rmse", "validation:rmse"}
    assert list(read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])) == ["xgboost-model"]  # algo-1's
    lines = log_messages(logs, "/aws/sagemaker/TrainingJobs", f"{name}/algo-1")
    assert "Distributed node training with 2 hosts: ['algo-1', 'algo-2']" in " ".join(lines)
    assert any(re.search(r"\[4\]#011train-rmse:\S+#011validation-rmse:", line) for line in lines)


def test_a_missing_num_round_fails_with_the_algorithms_message(sm, diabetes):
    desc = algorithm_job(sm, {"objective": "reg:squarederror"}, {"train": f"s3://{BUCKET}/diabetes/train/"})
    assert desc["TrainingJobStatus"] == "Failed"
    assert desc["FailureReason"] == "AlgorithmError: framework error: \nMissing required hyperparameter: num_round"


def test_script_mode(sm, s3, logs, diabetes):
    desc = run_script_job(sm, s3, BUCKET, {"train_xgb.py": REPO / "tests/e2e/code/xgboost/train_xgb.py"},
                          "train_xgb.py", {"num_round": 4}, f"s3://{BUCKET}/diabetes/train/", XGBOOST)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    assert "FinalMetricDataList" not in desc  # script mode: no built-in metrics, none asked for
    assert list(read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])) == ["model.json"]
    assert "script mode: 4 rounds, xgboost 3.2.0" in log_messages(logs, "/aws/sagemaker/TrainingJobs", f"{desc['TrainingJobName']}/")


def test_sdk2_unchanged(emulator, tmp_path):
    """The SDK 2.x's generic Estimator on image_uris.retrieve("xgboost", ...), in a user's shell environment."""
    seen = run_flow(emulator, tmp_path, "sdk2_images.py", "xgboost", str(REPO / "tests/e2e/code"), str(tmp_path))
    assert seen["image"] == XGBOOST
    assert seen["status"] == "Completed" and seen["metrics"] == ["train:rmse", "validation:rmse"]
