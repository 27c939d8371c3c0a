"""Model Monitor through boto3 against the in-process emulator on the fake runner: job
definitions, schedules and executions as AWS answers them, and NOW schedules over an
endpoint's captured traffic. The analyzer image is the fake runner's program that runs the
real analyzer (containers/model-monitor) on the job's real /opt/ml files, so the reports in
S3 are the ones the image writes; only Docker is left out."""

import json
import random
import sys
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from emulator.sagemaker.images import resolve_image
from fake_runner import ServeProgram
from helpers import ROLE, wait_until
from in_process import BUCKET

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "containers" / "model-monitor"))

from model_monitor_analyzer.main import main as analyzer_main  # noqa: E402

ANALYZER_URI = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
CAPTURE = f"s3://{BUCKET}/monitor-capture"
OUTPUT = f"s3://{BUCKET}/monitor-reports"
TERMINAL = ("Completed", "CompletedWithViolations", "Failed", "Stopped")
ONE_HOUR_BACK = {"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT1H", "DataAnalysisEndTime": "-PT0H"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def analyzer(host) -> int:
    """What the analyzer image does in its container, here on the host's /opt/ml folder."""
    environment = {k: str(host.layout.host_path(v)) if v.startswith("/opt/ml/") else v
                   for k, v in host.environment.items()}
    return analyzer_main(environment, message_file=host.root / "output" / "message")


def model(request):
    """y = x0 + x1 + x2 for each CSV line: the answer, as text/csv."""
    rows = [[float(v) for v in line.split(",")] for line in request.body.decode().splitlines() if line]
    return 200, "text/csv", "\n".join(f"{sum(r):.4f}" for r in rows).encode()


def rows(count: int, shift: float = 0.0, seed: int = 0) -> list[list[float]]:
    rng = random.Random(seed)
    return [[round(rng.uniform(0, 1) + shift, 4) for _ in range(3)] for _ in range(count)]


def baseline_csv(count: int = 200) -> bytes:
    """The training data: the label (the model's answer) first, then the features, as the SDK's
    DatasetFormat.csv(header=True) with output columns at the START expects."""
    return ("y,x0,x1,x2\n" + "".join(f"{sum(r):.4f},{r[0]},{r[1]},{r[2]}\n" for r in rows(count, seed=1))).encode()


@pytest.fixture(scope="module")
def analyzer_image(fake_runner):
    fake_runner.images[resolve_image(ANALYZER_URI)] = analyzer
    return ANALYZER_URI


@pytest.fixture(scope="module")
def serving(fake_runner):
    name = "fake/monitored-model:1"
    fake_runner.images[name] = ServeProgram(model)
    return name


def deploy_captured(sm, image: str, capture: bool = True) -> str:
    name = unique("monitored")
    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image})
    config = {"EndpointConfigName": name, "ProductionVariants": [{
        "VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}]}
    if capture:
        config["DataCaptureConfig"] = {"EnableCapture": True, "InitialSamplingPercentage": 100,
                                       "DestinationS3Uri": CAPTURE, "CaptureOptions": [
                                           {"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
    sm.create_endpoint_config(**config)
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    wait_until(lambda: sm.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService", 10,
               f"{name} to be InService")
    return name


def send(runtime, s3, endpoint: str, traffic: list[list[float]]) -> None:
    """Invokes with each row (CSV) and waits until every record is in a capture file."""
    for row in traffic:
        runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=",".join(map(str, row)))

    def captured():
        listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"monitor-capture/{endpoint}/").get("Contents", [])
        lines = sum(s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read().count(b"\n") for o in listed)
        return lines >= len(traffic)
    wait_until(captured, 10, f"{endpoint}'s traffic to be captured")


def processing_finished(sm, name: str, timeout: float = 30) -> dict:
    def ended():
        desc = sm.describe_processing_job(ProcessingJobName=name)
        return desc if desc["ProcessingJobStatus"] in ("Completed", "Failed", "Stopped") else None
    return wait_until(ended, timeout, f"processing job {name} to end")


def suggest_baseline(sm, s3, image: str, environment: dict | None = None, dataset: bytes | None = None) -> str:
    """A baselining job as the SDK's suggest_baseline makes it; returns its output URI."""
    name = unique("baseline")
    s3.put_object(Bucket=BUCKET, Key=f"{name}/input/train.csv", Body=dataset or baseline_csv())
    output = f"s3://{BUCKET}/{name}/output"
    sm.create_processing_job(
        ProcessingJobName=name, RoleArn=ROLE, AppSpecification={"ImageUri": image},
        ProcessingInputs=[{"InputName": "baseline_dataset_input", "S3Input": {
            "S3Uri": f"s3://{BUCKET}/{name}/input", "LocalPath": "/opt/ml/processing/input/baseline_dataset_input",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "monitoring_output", "S3Output": {
            "S3Uri": output, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                               "VolumeSizeInGB": 20}},
        Environment={"dataset_format": json.dumps({"csv": {"header": True, "output_columns_position": "START"}}),
                     "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
                     "output_path": "/opt/ml/processing/output", "publish_cloudwatch_metrics": "Disabled",
                     **(environment or {})})
    desc = processing_finished(sm, name)
    assert desc["ProcessingJobStatus"] == "Completed", desc.get("ExitMessage") or desc.get("FailureReason")
    return name


def data_quality_definition(sm, image: str, endpoint: str, baseline: dict, endpoint_input: dict | None = None,
                            **extra) -> str:
    name = unique("dq")
    sm.create_data_quality_job_definition(
        JobDefinitionName=name, DataQualityBaselineConfig=baseline,
        DataQualityAppSpecification={"ImageUri": image, "Environment": {"publish_cloudwatch_metrics": "Enabled"}},
        DataQualityJobInput={"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input/endpoint",
                                               **(endpoint_input or {})}},
        DataQualityJobOutputConfig={"MonitoringOutputs": [{"S3Output": {
            "S3Uri": OUTPUT, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "Continuous"}}]},
        JobResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
        RoleArn=ROLE, StoppingCondition={"MaxRuntimeInSeconds": 1800}, **extra)
    return name


def schedule(sm, definition: str, monitoring_type: str = "DataQuality", config: dict = ONE_HOUR_BACK, **extra) -> str:
    name = unique("schedule")
    sm.create_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig={
        "ScheduleConfig": config, "MonitoringJobDefinitionName": definition, "MonitoringType": monitoring_type},
        **extra)
    return name


def executions(sm, schedule_name: str) -> list[dict]:
    return sm.list_monitoring_executions(MonitoringScheduleName=schedule_name)["MonitoringExecutionSummaries"]


def finished_execution(sm, schedule_name: str, timeout: float = 30) -> dict:
    def ended():
        found = executions(sm, schedule_name)
        return found[0] if found and found[0]["MonitoringExecutionStatus"] in TERMINAL else None
    return wait_until(ended, timeout, f"{schedule_name}'s execution to end")


def report(s3, desc: dict, name: str) -> dict:
    uri = desc["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    bucket, key = uri[5:].split("/", 1)
    return json.loads(s3.get_object(Bucket=bucket, Key=f"{key}/{name}")["Body"].read())


def error_of(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


@pytest.fixture(scope="module")
def baseline(sm, s3, analyzer_image):
    return suggest_baseline(sm, s3, analyzer_image)


def test_a_baselining_job_suggests_statistics_and_constraints(sm, s3, baseline):
    desc = sm.describe_processing_job(ProcessingJobName=baseline)
    constraints = report(s3, desc, "constraints.json")
    assert [(f["name"], f["inferred_type"], f["completeness"]) for f in constraints["features"]] == [
        ("y", "Fractional", 1.0), ("x0", "Fractional", 1.0), ("x1", "Fractional", 1.0), ("x2", "Fractional", 1.0)]
    statistics = report(s3, desc, "statistics.json")
    assert statistics["dataset"] == {"item_count": 200}
    x0 = statistics["features"][1]["numerical_statistics"]
    assert x0["common"] == {"num_present": 200, "num_missing": 0} and 0 <= x0["min"] < x0["max"] <= 1
    assert len(x0["distribution"]["kll"]["buckets"]) == 10 and sum(b["count"] for b in x0["distribution"]["kll"]
                                                                   ["buckets"]) == 200
    assert "ExitMessage" not in desc  # a baseline has no violations to tell


def test_a_now_schedule_over_shifted_traffic_reports_drift_and_over_clean_traffic_none(
        sm, s3, runtime, in_process, analyzer_image, serving, baseline):
    output = f"s3://{BUCKET}/{baseline}/output"
    clean, shifted = deploy_captured(sm, serving), deploy_captured(sm, serving)
    send(runtime, s3, clean, rows(40, seed=2))
    send(runtime, s3, shifted, rows(40, shift=3.0, seed=3))
    by_files = data_quality_definition(sm, analyzer_image, clean, {
        "ConstraintsResource": {"S3Uri": f"{output}/constraints.json"},
        "StatisticsResource": {"S3Uri": f"{output}/statistics.json"}}, {"ExcludeFeaturesAttribute": "x2"})
    by_job = data_quality_definition(sm, analyzer_image, shifted, {"BaseliningJobName": baseline})
    clean_schedule, shifted_schedule = schedule(sm, by_files), schedule(sm, by_job)

    done = finished_execution(sm, clean_schedule)
    assert done["MonitoringExecutionStatus"] == "Completed", done.get("FailureReason")
    job = sm.describe_processing_job(ProcessingJobName=done["ProcessingJobArn"].split("/")[-1])
    assert job["ExitMessage"] == "Completed: Job completed successfully with no violations."
    assert report(s3, job, "constraint_violations.json") == {"violations": []}
    assert [f["name"] for f in report(s3, job, "statistics.json")["features"]] == ["y", "x0", "x1"]  # x2 excluded

    drifted = finished_execution(sm, shifted_schedule)
    assert drifted["MonitoringExecutionStatus"] == "CompletedWithViolations"
    assert (drifted["EndpointName"], drifted["MonitoringJobDefinitionName"], drifted["MonitoringType"]) == (
        shifted, by_job, "DataQuality")
    job = sm.describe_processing_job(ProcessingJobName=drifted["ProcessingJobArn"].split("/")[-1])
    assert job["ProcessingJobName"].startswith("model-monitoring-")
    found = report(s3, job, "constraint_violations.json")["violations"]
    assert {v["feature_name"] for v in found if v["constraint_check_type"] == "baseline_drift_check"} == {
        "y", "x0", "x1", "x2"}
    assert job["ExitMessage"] == f"CompletedWithViolations: Job completed successfully with {len(found)} violations."
    # The report is where AWS puts it: <S3Uri>/<endpoint>/<schedule>/yyyy/mm/dd/hh.
    scheduled = time.gmtime(drifted["ScheduledTime"].timestamp())
    assert job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == (
        f"{OUTPUT}/{shifted}/{shifted_schedule}/{time.strftime('%Y/%m/%d/%H', scheduled)}")
    # The container contract: the window, the endpoint, the baseline files, the captured data.
    environment = job["Environment"]
    assert environment["sagemaker_endpoint_name"] == shifted
    assert environment["sagemaker_monitoring_schedule_name"] == shifted_schedule
    assert environment["baseline_constraints"] == "/opt/ml/processing/baseline/constraints/constraints.json"
    assert json.loads(environment["dataset_format"]) == {
        "sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}
    assert time.mktime(time.strptime(environment["end_time"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(
        time.strptime(environment["start_time"], "%Y-%m-%dT%H:%M:%SZ")) == 3600
    assert {i["InputName"]: i["S3Input"]["S3DataType"] for i in job["ProcessingInputs"]} == {
        "endpoint_input": "ManifestFile", "baseline_constraints": "S3Prefix", "baseline_statistics": "S3Prefix"}

    described = sm.describe_monitoring_schedule(MonitoringScheduleName=shifted_schedule)
    assert described["MonitoringScheduleStatus"] == "Scheduled" and described["EndpointName"] == shifted
    assert described["LastMonitoringExecutionSummary"]["ProcessingJobArn"] == drifted["ProcessingJobArn"]
    assert described["LastMonitoringExecutionSummary"]["MonitoringExecutionStatus"] == "CompletedWithViolations"

    # publish_cloudwatch_metrics Enabled: the drift distance per feature, in AWS's namespace.
    cloudwatch = in_process.client("cloudwatch")
    dimensions = [{"Name": "Endpoint", "Value": shifted}, {"Name": "MonitoringSchedule", "Value": shifted_schedule}]
    points = cloudwatch.get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics", MetricName="feature_baseline_drift_x0", Dimensions=dimensions,
        StartTime=time.time() - 7200, EndTime=time.time() + 60, Period=60, Statistics=["Maximum"])["Datapoints"]
    assert points and points[0]["Maximum"] > 0.5


def test_a_window_without_captured_data_fails_without_a_processing_job(sm, s3, runtime, analyzer_image, serving,
                                                                       baseline):
    endpoint = deploy_captured(sm, serving)
    send(runtime, s3, endpoint, rows(3))
    earlier = {"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT3H", "DataAnalysisEndTime": "-PT2H"}
    name = schedule(sm, data_quality_definition(sm, analyzer_image, endpoint, {"BaseliningJobName": baseline}),
                    config=earlier)
    failed = finished_execution(sm, name)
    assert failed["MonitoringExecutionStatus"] == "Failed"
    assert failed["FailureReason"].startswith("Job inputs had no data")
    assert "ProcessingJobArn" not in failed


def ground_truth(s3, prefix: str, labels: dict[str, str]) -> str:
    hour = time.strftime("%Y/%m/%d/%H", time.gmtime())
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{hour}/labels.jsonl", Body="\n".join(json.dumps({
        "groundTruthData": {"data": label, "encoding": "CSV"}, "eventMetadata": {"eventId": event},
        "eventVersion": "0"}) for event, label in labels.items()).encode())
    return f"s3://{BUCKET}/{prefix}"


def test_model_quality_joins_predictions_with_ground_truth(sm, s3, runtime, analyzer_image, serving):
    endpoint = deploy_captured(sm, serving)
    traffic = rows(30, seed=4)
    for i, row in enumerate(traffic):
        runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=",".join(map(str, row)),
                                InferenceId=f"id-{i}")
    send(runtime, s3, endpoint, [])
    wait_until(lambda: sum(s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read().count(b"\n") for o in
                           s3.list_objects_v2(Bucket=BUCKET, Prefix=f"monitor-capture/{endpoint}/").get(
                               "Contents", [])) >= 30, 10, "the traffic to be captured")
    # The truth is the model's answer, off by 1 for a third of the records.
    truth = ground_truth(s3, unique("truth"), {f"id-{i}": f"{sum(r) + (1 if i % 3 == 0 else 0):.4f}"
                                               for i, r in enumerate(traffic)})
    baseline = suggest_baseline(sm, s3, analyzer_image, dataset=("prediction,label\n" + "".join(
        f"{v},{v}\n" for v in range(20))).encode(), environment={
        "analysis_type": "MODEL_QUALITY", "problem_type": "Regression", "inference_attribute": "prediction",
        "ground_truth_attribute": "label", "dataset_format": json.dumps({"csv": {"header": True}})})
    name = unique("mq")
    sm.create_model_quality_job_definition(
        JobDefinitionName=name, ModelQualityBaselineConfig={"BaseliningJobName": baseline},
        ModelQualityAppSpecification={"ImageUri": analyzer_image, "ProblemType": "Regression"},
        ModelQualityJobInput={"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input/ep",
                                                "InferenceAttribute": "0"},
                              "GroundTruthS3Input": {"S3Uri": truth}},
        ModelQualityJobOutputConfig={"MonitoringOutputs": [{"S3Output": {
            "S3Uri": OUTPUT, "LocalPath": "/opt/ml/processing/output"}}]},
        JobResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
        RoleArn=ROLE)
    done = finished_execution(sm, schedule(sm, name, monitoring_type="ModelQuality"))
    assert done["MonitoringExecutionStatus"] == "CompletedWithViolations", done.get("FailureReason")
    job = sm.describe_processing_job(ProcessingJobName=done["ProcessingJobArn"].split("/")[-1])
    metrics = report(s3, job, "statistics.json")["regression_metrics"]
    assert metrics["mae"]["value"] == pytest.approx(10 / 30, abs=1e-3)  # 10 of 30 records off by 1
    assert {v["metric_name"] for v in report(s3, job, "constraint_violations.json")["violations"]} == {
        "mae", "mse", "rmse", "r2"}  # the baseline was perfect


def test_job_definitions_as_aws_answers_them(sm, analyzer_image, serving):
    endpoint = deploy_captured(sm, serving)
    name = data_quality_definition(sm, analyzer_image, endpoint, {}, Tags=[{"Key": "team", "Value": "ml"}])
    desc = sm.describe_data_quality_job_definition(JobDefinitionName=name)
    assert desc["JobDefinitionArn"] == f"arn:aws:sagemaker:us-east-1:123456789012:data-quality-job-definition/{name}"
    assert desc["DataQualityJobInput"]["EndpointInput"]["EndpointName"] == endpoint
    assert sm.list_tags(ResourceArn=desc["JobDefinitionArn"])["Tags"] == [{"Key": "team", "Value": "ml"}]
    [summary] = sm.list_data_quality_job_definitions(EndpointName=endpoint)["JobDefinitionSummaries"]
    assert summary == {"MonitoringJobDefinitionName": name, "MonitoringJobDefinitionArn": desc["JobDefinitionArn"],
                       "CreationTime": desc["CreationTime"], "EndpointName": endpoint}
    assert error_of(sm.create_data_quality_job_definition, **{
        k: v for k, v in desc.items() if k in ("JobDefinitionName", "DataQualityAppSpecification", "RoleArn",
                                               "DataQualityJobInput", "DataQualityJobOutputConfig", "JobResources")
    })["Code"] == "ResourceInUse"
    assert error_of(sm.describe_model_quality_job_definition, JobDefinitionName=name)["Code"] == "ResourceNotFound"
    error = error_of(sm.create_model_quality_job_definition, JobDefinitionName=unique("mq"),
                     ModelQualityAppSpecification={"ImageUri": analyzer_image},
                     ModelQualityJobInput={"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/x"},
                                           "GroundTruthS3Input": {"S3Uri": "s3://b/t"}},
                     ModelQualityJobOutputConfig={"MonitoringOutputs": [{"S3Output": {
                         "S3Uri": OUTPUT, "LocalPath": "/opt/ml/processing/output"}}]},
                     JobResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                     "VolumeSizeInGB": 20}}, RoleArn=ROLE)
    assert (error["Code"], "ProblemType must be specified" in error["Message"]) == ("ValidationException", True)

    in_use = schedule(sm, name)
    assert error_of(sm.delete_data_quality_job_definition, JobDefinitionName=name)["Code"] == "ResourceInUse"
    sm.delete_monitoring_schedule(MonitoringScheduleName=in_use)
    assert error_of(sm.describe_monitoring_schedule, MonitoringScheduleName=in_use)["Code"] == "ResourceNotFound"
    sm.delete_data_quality_job_definition(JobDefinitionName=name)
    assert error_of(sm.delete_data_quality_job_definition, JobDefinitionName=name)["Code"] == "ResourceNotFound"


def test_schedules_as_aws_answers_them(sm, analyzer_image, serving, baseline):
    endpoint, uncaptured = deploy_captured(sm, serving), deploy_captured(sm, serving, capture=False)
    definition = data_quality_definition(sm, analyzer_image, endpoint, {"BaseliningJobName": baseline})
    hourly = {"ScheduleExpression": "cron(0 * ? * * *)"}
    name = schedule(sm, definition, config=hourly, Tags=[{"Key": "stage", "Value": "test"}])
    wait_until(lambda: sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleStatus"]
               == "Scheduled", 5, "the schedule to be Scheduled")
    desc = sm.describe_monitoring_schedule(MonitoringScheduleName=name)
    assert desc["MonitoringScheduleArn"] == f"arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/{name}"
    assert desc["MonitoringScheduleConfig"] == {"ScheduleConfig": hourly, "MonitoringJobDefinitionName": definition,
                                                "MonitoringType": "DataQuality"}
    assert "LastMonitoringExecutionSummary" not in desc  # the top of the hour has not come
    assert sm.list_tags(ResourceArn=desc["MonitoringScheduleArn"])["Tags"] == [{"Key": "stage", "Value": "test"}]
    [summary] = sm.list_monitoring_schedules(EndpointName=endpoint)["MonitoringScheduleSummaries"]
    assert (summary["MonitoringScheduleName"], summary["MonitoringJobDefinitionName"], summary["MonitoringType"]) == (
        name, definition, "DataQuality")

    sm.stop_monitoring_schedule(MonitoringScheduleName=name)
    assert sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleStatus"] == "Stopped"
    assert name in [s["MonitoringScheduleName"] for s in sm.list_monitoring_schedules(
        StatusEquals="Stopped", MaxResults=100)["MonitoringScheduleSummaries"]]
    sm.start_monitoring_schedule(MonitoringScheduleName=name)
    wait_until(lambda: sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleStatus"]
               == "Scheduled", 5, "the schedule to be Scheduled again")
    sm.update_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig={
        "ScheduleConfig": {"ScheduleExpression": "cron(0 0/2 ? * * *)"}, "MonitoringJobDefinitionName": definition,
        "MonitoringType": "DataQuality"})
    assert sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleConfig"][
        "ScheduleConfig"] == {"ScheduleExpression": "cron(0 0/2 ? * * *)"}

    def refused(config: dict, schedule_name: str | None = None) -> dict:
        return error_of(sm.create_monitoring_schedule, MonitoringScheduleName=schedule_name or unique("bad"),
                        MonitoringScheduleConfig=config)
    named = {"MonitoringJobDefinitionName": definition, "MonitoringType": "DataQuality"}
    assert refused({**named, "ScheduleConfig": {"ScheduleExpression": "cron(0 25 ? * * *)"}})["Message"].startswith(
        "Invalid ScheduleExpression 'cron(0 25 ? * * *)'")
    assert "required when ScheduleExpression is NOW" in refused(
        {**named, "ScheduleConfig": {"ScheduleExpression": "NOW"}})["Message"]
    assert refused({**named, "ScheduleConfig": hourly}, schedule_name=name)["Code"] == "ResourceInUse"
    assert "No data quality job definition named nope" in refused(
        {"MonitoringJobDefinitionName": "nope", "MonitoringType": "DataQuality"})["Message"]
    assert "does not capture its data" in refused({"MonitoringJobDefinition": {
        "MonitoringInputs": [{"EndpointInput": {"EndpointName": uncaptured, "LocalPath": "/opt/ml/processing/in"}}],
        "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": OUTPUT,
                                                                       "LocalPath": "/opt/ml/processing/out"}}]},
        "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                  "VolumeSizeInGB": 20}},
        "MonitoringAppSpecification": {"ImageUri": analyzer_image}, "RoleArn": ROLE}})["Message"]
    assert error_of(sm.describe_monitoring_schedule, MonitoringScheduleName="nope")["Code"] == "ResourceNotFound"
    assert error_of(sm.start_monitoring_schedule, MonitoringScheduleName="nope")["Code"] == "ResourceNotFound"
    sm.delete_monitoring_schedule(MonitoringScheduleName=name)
