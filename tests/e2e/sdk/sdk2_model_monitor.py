"""The SageMaker Python SDK 2.x's Model Monitor, unchanged, against the emulator, with nothing but
the environment `sagemaker-emulator env` prints: DefaultModelMonitor.suggest_baseline on the
training data, create_monitoring_schedule with CronExpressionGenerator.now() over an
endpoint's shifted traffic and over another's clean traffic, list_executions,
latest_monitoring_statistics() and latest_monitoring_constraint_violations(); a
ModelQualityMonitor with ground truth. The SDK's own waits are long fixed sleeps, so this
script asks for wait=False and polls with boto3. Prints one JSON line of what it saw.

argv: work folder, the clean endpoint, the shifted endpoint (both capture their traffic; the
clean one's calls carry InferenceIds id-0, id-1, ...), the clean traffic's ground truth as
JSON ({"id-0": "2.5", ...}).
"""

import datetime
import json
import sys
import time
from pathlib import Path

import sagemaker
from sagemaker.model_monitor import CronExpressionGenerator, DefaultModelMonitor, EndpointInput, ModelQualityMonitor
from sagemaker.model_monitor.dataset_format import DatasetFormat
from sagemaker.s3 import S3Uploader

work, clean, shifted, truth = Path(sys.argv[1]), sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
role = "arn:aws:iam::123456789012:role/SageMakerRole"
session = sagemaker.Session()
sm = session.sagemaker_client
bucket = session.default_bucket()
TERMINAL = ("Completed", "CompletedWithViolations", "Failed", "Stopped")


def wait_processing(name: str) -> dict:
    for _ in range(600):
        desc = sm.describe_processing_job(ProcessingJobName=name)
        if desc["ProcessingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return desc
        time.sleep(0.5)
    raise SystemExit(f"{name} did not end")


def wait_execution(schedule: str) -> dict:
    for _ in range(600):
        found = sm.list_monitoring_executions(MonitoringScheduleName=schedule)["MonitoringExecutionSummaries"]
        if found and found[0]["MonitoringExecutionStatus"] in TERMINAL:
            return found[0]
        time.sleep(0.5)
    raise SystemExit(f"{schedule}'s execution did not end")


def now_schedule(monitor, endpoint_input, **extra) -> dict:
    monitor.create_monitoring_schedule(endpoint_input=endpoint_input, schedule_cron_expression=CronExpressionGenerator.now(),
                                       data_analysis_start_time="-PT1H", data_analysis_end_time="-PT0H", **extra)
    execution = wait_execution(monitor.monitoring_schedule_name)
    return {"status": execution["MonitoringExecutionStatus"], "reason": execution.get("FailureReason"),
            "executions": len(monitor.list_executions())}


# The training data of tiny_train.py's model (out = [x0 + x1 + x2, x0 - x1]), outputs first; the
# test sends these rows as the clean traffic (eighths: the model's float32 answers are exact).
rows = [(i % 8 / 8, i % 4 / 4, i % 2 / 2) for i in range(48)]
(work / "train.csv").write_text("y0,y1,x0,x1,x2\n" + "".join(
    f"{a + b + c},{a - b},{a},{b},{c}\n" for a, b, c in rows))
seen = {}

monitor = DefaultModelMonitor(role=role, instance_count=1, instance_type="ml.m5.xlarge", volume_size_in_gb=5,
                              max_runtime_in_seconds=600)
job = monitor.suggest_baseline(baseline_dataset=str(work / "train.csv"), dataset_format=DatasetFormat.csv(header=True),
                               wait=False, logs=False)
seen["baseline_status"] = wait_processing(job.job_name)["ProcessingJobStatus"]
statistics, constraints = monitor.baseline_statistics(), monitor.suggested_constraints()
seen["baseline"] = [(f["name"], f["inferred_type"]) for f in constraints.body_dict["features"]]
seen["baseline_items"] = statistics.body_dict["dataset"]["item_count"]

seen["shifted"] = now_schedule(monitor, shifted, statistics=statistics, constraints=constraints,
                               output_s3_uri=f"s3://{bucket}/monitor/shifted")
violations = monitor.latest_monitoring_constraint_violations().body_dict["violations"]
seen["shifted_violations"] = sorted({(v["feature_name"], v["constraint_check_type"]) for v in violations})
seen["shifted_statistics_items"] = monitor.latest_monitoring_statistics().body_dict["dataset"]["item_count"]
seen["shifted_schedule"] = monitor.monitoring_schedule_name
seen["shifted_report"] = monitor.list_executions()[-1].output.destination
monitor.delete_monitoring_schedule()

# The same monitor's next schedule, given no statistics and constraints: the SDK sends only
# the baselining job's name, and the baseline is what that job wrote.
seen["clean"] = now_schedule(monitor, clean)
seen["clean_violations"] = monitor.latest_monitoring_constraint_violations().body_dict["violations"]
monitor.delete_monitoring_schedule()

# Model quality: the clean endpoint's first output against the ground truth, by inference id.
hour = datetime.datetime.now(datetime.timezone.utc).strftime("%Y/%m/%d/%H")
truth_uri = f"s3://{bucket}/monitor/ground-truth"
S3Uploader.upload_string_as_file_body("\n".join(json.dumps({
    "groundTruthData": {"data": label, "encoding": "CSV"}, "eventMetadata": {"eventId": inference_id},
    "eventVersion": "0"}) for inference_id, label in truth.items()), f"{truth_uri}/{hour}/labels.jsonl")
(work / "validation.csv").write_text("prediction,label\n" + "".join(f"{i / 10},{i / 10}\n" for i in range(30)))
quality = ModelQualityMonitor(role=role, instance_count=1, instance_type="ml.m5.xlarge")
job = quality.suggest_baseline(baseline_dataset=str(work / "validation.csv"), dataset_format=DatasetFormat.csv(header=True),
                               problem_type="Regression", inference_attribute="prediction",
                               ground_truth_attribute="label", wait=False, logs=False)
seen["quality_baseline_status"] = wait_processing(job.job_name)["ProcessingJobStatus"]
seen["quality"] = now_schedule(quality, EndpointInput(endpoint_name=clean, destination="/opt/ml/processing/input/endpoint",
                                                      inference_attribute="0"),
                               ground_truth_input=truth_uri, problem_type="Regression",
                               constraints=quality.suggested_constraints())
metrics = quality.latest_monitoring_statistics().body_dict["regression_metrics"]
seen["quality_mae"] = metrics["mae"]["value"]
seen["quality_violations"] = sorted(v["metric_name"] for v in
                                    quality.latest_monitoring_constraint_violations().body_dict["violations"])
quality.delete_monitoring_schedule()
print(json.dumps(seen))
