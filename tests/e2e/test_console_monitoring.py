"""Model Monitor on the console's endpoint page, in a real browser (Debian's Chromium, driven by
Playwright): an endpoint of the tiny PyTorch model captures shifted traffic; a baselining job
on the analyzer image profiles the training data; a data quality schedule (NOW, over the last
hour) named after that job, all made with boto3 as a user would, runs its execution in a real
container. The endpoint's page shows the schedule, follows the execution to
CompletedWithViolations, lists the drift it found (read from S3), links its processing job, and
shows the baseline's per-feature statistics."""

import json

import pytest
from playwright.sync_api import expect

from helpers import REPO, ROLE, wait_until
from hosting import create_config, create_model, delete, deploy, unique, variant, wait_in_service

pytestmark = pytest.mark.docker

SHOTS = REPO / "docs" / "console"
ANALYZER = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
PROCESSING = "/opt/ml/processing"
# The tiny model's training data (out = [x0 + x1 + x2, x0 - x1]), outputs first, as the SDK's
# DatasetFormat.csv(header=True) has them; eighths, which the model's float32 answers keep exact.
ROWS = [(i % 8 / 8, i % 4 / 4, i % 2 / 2) for i in range(48)]
TRAINING = "y0,y1,x0,x1,x2\n" + "".join(f"{a + b + c},{a - b},{a},{b},{c}\n" for a, b, c in ROWS)
RESOURCES = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 5}}


def s3_json(s3, uri: str) -> dict:
    bucket, key = uri[len("s3://"):].split("/", 1)
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def start_baselining(sm, s3, bucket: str) -> str:
    """A baselining job as the SDK's suggest_baseline makes it (not waited for)."""
    name = unique("console-baseline")
    s3.put_object(Bucket=bucket, Key=f"{name}/train.csv", Body=TRAINING.encode())
    sm.create_processing_job(
        ProcessingJobName=name, RoleArn=ROLE, AppSpecification={"ImageUri": ANALYZER}, ProcessingResources=RESOURCES,
        ProcessingInputs=[{"InputName": "baseline_dataset_input", "S3Input": {
            "S3Uri": f"s3://{bucket}/{name}/train.csv", "LocalPath": f"{PROCESSING}/input/baseline_dataset_input",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "monitoring_output", "S3Output": {
            "S3Uri": f"s3://{bucket}/{name}/output", "LocalPath": f"{PROCESSING}/output", "S3UploadMode": "EndOfJob"}}]},
        Environment={"dataset_format": json.dumps({"csv": {"header": True, "output_columns_position": "START"}}),
                     "dataset_source": f"{PROCESSING}/input/baseline_dataset_input",
                     "output_path": f"{PROCESSING}/output", "publish_cloudwatch_metrics": "Disabled"})
    return name


def captured(s3, bucket: str, endpoint: str) -> int:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"console-capture/{endpoint}/").get("Contents", [])
    return sum(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read().count(b"\n") for o in listed)


@pytest.fixture
def shifted_endpoint(sm, s3, runtime, bucket, artifact):
    """(endpoint, baselining job): the endpoint captured traffic whose x0 and x1 moved by 3."""
    baseline = start_baselining(sm, s3, bucket)
    capture = {"EnableCapture": True, "InitialSamplingPercentage": 100,
               "DestinationS3Uri": f"s3://{bucket}/console-capture",
               "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
    endpoint = deploy(sm, create_config(sm, [variant(create_model(sm, artifact))], DataCaptureConfig=capture), wait=False)
    wait_in_service(sm, endpoint)
    for a, b, c in ROWS:
        runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=f"{a + 3},{b + 3},{c}")
    wait_until(lambda: captured(s3, bucket, endpoint) >= len(ROWS), 30, "the traffic to be captured")
    wait_until(lambda: sm.describe_processing_job(ProcessingJobName=baseline)["ProcessingJobStatus"] in (
        "Completed", "Failed"), 120, "the baselining job to end")
    assert sm.describe_processing_job(ProcessingJobName=baseline)["ProcessingJobStatus"] == "Completed"
    yield endpoint, baseline
    for schedule in sm.list_monitoring_schedules(EndpointName=endpoint)["MonitoringScheduleSummaries"]:
        sm.delete_monitoring_schedule(MonitoringScheduleName=schedule["MonitoringScheduleName"])
    delete(sm, endpoint)


def test_an_endpoints_page_shows_its_schedule_the_drift_it_found_and_the_baseline(sm, s3, bucket, open_page,
                                                                                 shifted_endpoint):
    endpoint, baseline = shifted_endpoint
    definition, schedule = unique("console-dq"), unique("console-schedule")
    sm.create_data_quality_job_definition(
        JobDefinitionName=definition, DataQualityBaselineConfig={"BaseliningJobName": baseline},
        DataQualityAppSpecification={"ImageUri": ANALYZER},
        DataQualityJobInput={"EndpointInput": {"EndpointName": endpoint, "LocalPath": f"{PROCESSING}/input/endpoint"}},
        DataQualityJobOutputConfig={"MonitoringOutputs": [{"S3Output": {
            "S3Uri": f"s3://{bucket}/console-reports", "LocalPath": f"{PROCESSING}/output"}}]},
        JobResources=RESOURCES, RoleArn=ROLE, StoppingCondition={"MaxRuntimeInSeconds": 600})
    sm.create_monitoring_schedule(MonitoringScheduleName=schedule, MonitoringScheduleConfig={
        "ScheduleConfig": {"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT1H", "DataAnalysisEndTime": "-PT0H"},
        "MonitoringJobDefinitionName": definition, "MonitoringType": "DataQuality"})

    # The page, open as the schedule starts: the execution reaches CompletedWithViolations in place.
    page = open_page()
    page.goto(f"/#/endpoints/{endpoint}")
    monitoring = page.locator("#section-model-monitoring").locator("..")
    expect(monitoring.locator(f'tr[data-key="{schedule}"]')).to_contain_text(
        "Data quality", timeout=10_000)
    expect(monitoring.locator(f'tr[data-key="{schedule}"] td.cron')).to_have_text("NOW · data from -PT1H to -PT0H")
    execution = monitoring.locator(".executions tbody tr").first
    expect(execution.locator(".badge")).to_have_text("CompletedWithViolations", timeout=180_000)
    summary = sm.list_monitoring_executions(MonitoringScheduleName=schedule)["MonitoringExecutionSummaries"][0]
    job = summary["ProcessingJobArn"].rsplit("/", 1)[1]
    report = sm.describe_processing_job(ProcessingJobName=job)["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    found = s3_json(s3, f"{report}/constraint_violations.json")["violations"]
    assert {(v["feature_name"], v["constraint_check_type"]) for v in found} == {
        ("x0", "baseline_drift_check"), ("x1", "baseline_drift_check"), ("y0", "baseline_drift_check")}
    expect(execution.locator("td.violations")).to_have_text(str(len(found)))
    expect(monitoring.locator(f'tr[data-key="{schedule}"] td.last-execution .badge')).to_have_text(
        "CompletedWithViolations")
    expect(monitoring.locator(f'tr[data-key="{schedule}"] .badge').first).to_have_text("Scheduled")

    # The drift, feature by feature, as the report in S3 says it.
    violations = monitoring.locator(".violations tbody tr")
    expect(violations).to_have_count(len(found))
    shown = {tuple(violations.nth(i).locator("td").all_inner_texts()) for i in range(len(found))}
    assert shown == {(v["feature_name"], v["constraint_check_type"], v["description"]) for v in found}
    assert any("distance" in v["description"] for v in found)

    # The baseline: what the baselining job wrote, per feature.
    statistics = s3_json(s3, f"s3://{bucket}/{baseline}/output/statistics.json")
    block = monitoring.locator(f'.baseline[data-schedule="{schedule}"]')
    expect(block).to_contain_text(f"s3://{bucket}/{baseline}/output/statistics.json")
    expect(block.locator("tbody tr")).to_have_count(5)
    x0 = next(f for f in statistics["features"] if f["name"] == "x0")["numerical_statistics"]
    assert (x0["common"]["num_present"], x0["mean"], x0["min"], x0["max"]) == (48, 0.4375, 0.0, 0.875)
    expect(block.locator('tr[data-key="x0"]')).to_have_text("x0Fractional4800.437500.875—")
    page.screenshot(path=SHOTS / "endpoint-monitoring.png", full_page=True)

    # The execution's processing job, from its row.
    execution.locator("td.job a").click()
    expect(page.locator("h1")).to_have_text(job)
    expect(page.locator("dl.summary")).to_contain_text(f"CompletedWithViolations: Job completed successfully with "
                                                       f"{len(found)} violations.")
