"""Model Monitor, with the SageMaker Python SDK 2.x: train an Iris classifier, deploy it with data
capture on, baseline its training data, send it normal traffic (no violations), then shifted
traffic (the measurements of a different field: baseline_drift_check violations).

Nothing here knows about the emulator: run it in the environment `sagemaker-emulator env`
prints (or on AWS, with a real role ARN: ROLE_ARN). Each check is a one-time NOW schedule over
the last hour of captured traffic; on AWS an execution takes some 20 minutes to start, here
seconds.
"""

import os
import tempfile
import time
from pathlib import Path

import boto3
import numpy as np
import sagemaker
from sagemaker.deserializers import CSVDeserializer
from sagemaker.model_monitor import CronExpressionGenerator, DataCaptureConfig, DefaultModelMonitor
from sagemaker.model_monitor.dataset_format import DatasetFormat
from sagemaker.pytorch import PyTorch
from sagemaker.serializers import CSVSerializer
from sklearn.datasets import load_iris

HERE = Path(__file__).resolve().parent
WORK = Path(tempfile.mkdtemp(prefix="monitoring-example-"))
TERMINAL = ("Completed", "CompletedWithViolations", "Failed", "Stopped")

session = sagemaker.Session()
bucket = session.default_bucket()
account = boto3.client("sts", region_name=session.boto_region_name).get_caller_identity()["Account"]
role = os.environ.get("ROLE_ARN", f"arn:aws:iam::{account}:role/SageMakerRole")


def datasets() -> tuple[Path, np.ndarray]:
    """train.csv (the label first, as the endpoint's captured records will read) and the held-out rows."""
    iris = load_iris()
    order = np.random.default_rng(0).permutation(len(iris.target))
    train, held_out = order[:100], order[100:]
    path = WORK / "train.csv"
    names = ["species"] + [n.replace(" (cm)", "").replace(" ", "_") for n in iris.feature_names]
    rows = np.column_stack([iris.target[train], iris.data[train]])
    np.savetxt(path, rows, delimiter=",", header=",".join(names), comments="", fmt=["%d"] + ["%.1f"] * 4)
    return path, iris.data[held_out]


def check(monitor: DefaultModelMonitor, what: str) -> None:
    """A NOW schedule over the last hour of captured traffic, its outcome printed."""
    monitor.create_monitoring_schedule(endpoint_input=predictor.endpoint_name,
                                       output_s3_uri=f"s3://{bucket}/monitoring-example/reports",
                                       statistics=monitor.baseline_statistics(),
                                       constraints=monitor.suggested_constraints(),
                                       schedule_cron_expression=CronExpressionGenerator.now(),
                                       data_analysis_start_time="-PT1H", data_analysis_end_time="-PT0H")
    sm = session.sagemaker_client
    while True:
        executions = sm.list_monitoring_executions(
            MonitoringScheduleName=monitor.monitoring_schedule_name)["MonitoringExecutionSummaries"]
        if executions and executions[0]["MonitoringExecutionStatus"] in TERMINAL:
            break
        time.sleep(5)
    print(f"\n{what}: {executions[0]['MonitoringExecutionStatus']} {executions[0].get('FailureReason', '')}")
    violations = monitor.latest_monitoring_constraint_violations()
    for violation in (violations.body_dict["violations"] if violations else []):
        print(f"  {violation['feature_name']:>13} {violation['constraint_check_type']}: {violation['description']}")
    monitor.delete_monitoring_schedule()


def send(rows: np.ndarray) -> None:
    for row in rows:
        predictor.predict(row.reshape(1, -1))
    time.sleep(5)  # data capture writes its files every few seconds


train_csv, held_out = datasets()
estimator = PyTorch(entry_point="train.py", source_dir=str(HERE), role=role, framework_version="2.6",
                    py_version="py312", instance_count=1, instance_type="ml.m5.large", hyperparameters={"epochs": 200})
estimator.fit({"train": session.upload_data(str(train_csv), key_prefix="monitoring-example/train")})
predictor = estimator.deploy(
    initial_instance_count=1, instance_type="ml.m5.large", serializer=CSVSerializer(), deserializer=CSVDeserializer(),
    data_capture_config=DataCaptureConfig(enable_capture=True, sampling_percentage=100,
                                          destination_s3_uri=f"s3://{bucket}/monitoring-example/capture"))
try:
    print("a held-out flower is class", predictor.predict(held_out[:1]))
    monitor = DefaultModelMonitor(role=role, instance_count=1, instance_type="ml.m5.xlarge",
                                  max_runtime_in_seconds=1800)
    monitor.suggest_baseline(baseline_dataset=str(train_csv), dataset_format=DatasetFormat.csv(header=True),
                             wait=True, logs=False)
    send(held_out)
    check(monitor, "normal traffic")
    send(held_out * 1.6 + 1.0)  # flowers from another field: bigger in every way
    check(monitor, "after shifted traffic")
finally:
    predictor.delete_model()
    predictor.delete_endpoint()
