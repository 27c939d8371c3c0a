"""The console's SageMaker Pipelines pages in a real browser (Debian's Chromium, driven by
Playwright): a pipeline created with boto3 (a processing step running a script from S3 on the
PyTorch image, a condition on the score the script wrote to a property file, a Fail step in the
else branch) is drawn from its definition; the user follows an execution whose steps change
status live to the Fail step's message, sees the next execution's processing step as a cache
hit of it, reaches the job's page from its step, and stops another execution from its page."""

import re

import pytest
from playwright.sync_api import expect

import pipeline_steps as steps
from browser import stop_from_its_page
from helpers import PYTORCH_DLC, REPO, ROLE, ensure_bucket, wait_until
from hosting import unique
from pipeline_steps import get, join

pytestmark = pytest.mark.docker

BUCKET = "e2e-console"
SHOTS = REPO / "docs" / "console"
CODE = "/opt/ml/processing/input/code"
EVALUATION = "/opt/ml/processing/evaluation"
# Sleeps the seconds it is given (so that the page sees it run), then scores 0.5. As the
# container's first process it must end itself on SIGTERM (a stop): no default handler does.
SCORE = f"""
import json, pathlib, signal, sys, time
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
print("scoring", flush=True)
time.sleep(float(sys.argv[1]))
pathlib.Path("{EVALUATION}/evaluation.json").write_text(json.dumps({{"score": 0.5}}))
"""
# Each data-status the Compute step's box had, in order (observed as the page changes it).
RECORD_STATUSES = """() => {
  const box = document.querySelector('g.dag-step[data-step="Compute"]');
  window.statusesSeen = [box.dataset.status];
  new MutationObserver(() => window.statusesSeen.push(box.dataset.status))
    .observe(box, { attributes: true, attributeFilter: ["data-status"] });
}"""


def create_pipeline(sm, s3) -> str:
    """Compute (processing, cached) -> CheckScore (score >= Threshold) -> else TooLow (Fail)."""
    ensure_bucket(s3, BUCKET)
    name = unique("console-pipeline")
    s3.put_object(Bucket=BUCKET, Key=f"{name}/code/score.py", Body=SCORE.encode())
    compute = steps.processing(
        "Compute", PYTORCH_DLC, inputs=[("code", f"s3://{BUCKET}/{name}/code", CODE)],
        outputs=[("evaluation", f"s3://{BUCKET}/{name}/evaluation", EVALUATION)],
        PropertyFiles=[{"PropertyFileName": "Score", "OutputName": "evaluation", "FilePath": "evaluation.json"}],
        CacheConfig={"Enabled": True, "ExpireAfter": "PT1H"})
    compute["Arguments"]["AppSpecification"].update(ContainerEntrypoint=["python3", f"{CODE}/score.py"],
                                                    ContainerArguments=[get("Parameters.Seconds")])
    score = {"Std:JsonGet": {"PropertyFile": get("Steps.Compute.PropertyFiles.Score"), "Path": "score"}}
    check = steps.condition(
        "CheckScore", [{"Type": "GreaterThanOrEqualTo", "LeftValue": score, "RightValue": get("Parameters.Threshold")}],
        else_steps=[steps.fail("TooLow", join("score", score, "is below", get("Parameters.Threshold"), on=" "))])
    sm.create_pipeline(PipelineName=name, RoleArn=ROLE, PipelineDescription="scores, then checks the score",
                       PipelineDefinition=steps.definition(compute, check, parameters=[
                           {"Name": "Seconds", "Type": "String", "DefaultValue": "4"},
                           {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.9}]))
    return name


def start(sm, pipeline: str, **parameters) -> str:
    return sm.start_pipeline_execution(PipelineName=pipeline, PipelineParameters=[
        {"Name": k, "Value": str(v)} for k, v in parameters.items()])["PipelineExecutionArn"]


def test_follow_an_execution_to_its_fail_step_then_a_cache_hit(sm, s3, open_page):
    pipeline = create_pipeline(sm, s3)
    failing = start(sm, pipeline)
    failing_id = failing.rsplit("/", 1)[1]

    # The execution's page: the graph, the Compute step running, then done; the Fail step's message.
    page = open_page()
    page.goto(f"/#/pipelines/{pipeline}/executions/{failing_id}")
    page.wait_for_selector('g.dag-step[data-step="Compute"]')
    page.evaluate(RECORD_STATUSES)
    graph = page.locator("svg.dag")
    expect(graph.locator("g.dag-step")).to_have_count(3)
    for source, target, label in (("Compute", "CheckScore", ""), ("CheckScore", "TooLow", "if false"),
                                  ("Compute", "TooLow", "")):  # TooLow's message reads Compute's property file
        expect(graph.locator(f'g.dag-edge[data-from="{source}"][data-to="{target}"]')).to_have_text(label)
    head = page.locator(".page-head .badge")
    expect(head).to_have_attribute("data-status", "Failed", timeout=180_000)
    seen = page.evaluate("window.statusesSeen")
    assert "Executing" in seen and seen[-1] == "Succeeded" and seen.index("Executing") < seen.index("Succeeded"), seen
    message = "score 0.5 is below 0.9"
    expect(page.locator(".problem .error")).to_contain_text("Failure reason: Step failure: One or multiple steps failed.")
    expect(graph.locator('g.dag-step[data-step="CheckScore"]')).to_contain_text("Succeeded (False)")
    expect(graph.locator('g.dag-step[data-step="TooLow"]')).to_have_attribute("data-status", "Failed")
    rows = page.locator("#section-steps ~ .table-wrap tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator('tr[data-key="CheckScore"]')).to_contain_text("Outcome: False")
    expect(page.locator('tr[data-key="TooLow"] td.outcome')).to_have_text(message)
    expect(page.locator('tr[data-key="TooLow"] td.reason')).to_have_text(message)
    expect(page.locator('tr[data-key="Compute"]')).to_have_text(re.compile(r"^ComputeProcessingSucceeded.*1"))
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    described = {s["StepName"]: s for s in sm.list_pipeline_execution_steps(PipelineExecutionArn=failing)[
        "PipelineExecutionSteps"]}
    assert described["TooLow"]["Metadata"] == {"Fail": {"ErrorMessage": message}}
    page.screenshot(path=SHOTS / "pipeline-execution.png", full_page=True)

    # The step's job, by its real name (the ARN in the step's Metadata has it in lower case).
    job = page.locator('tr[data-key="Compute"] td.outcome a')
    job_name = job.inner_text()
    assert job_name.startswith(f"pipelines-{failing_id}-Compute-")
    assert sm.describe_processing_job(ProcessingJobName=job_name)["ProcessingJobArn"] == \
        described["Compute"]["Metadata"]["ProcessingJob"]["Arn"]
    job.click()
    expect(page.locator("h1")).to_have_text(job_name)
    expect(page.locator(".page-head .badge")).to_have_attribute("data-status", "Completed")

    # The next execution, over a lower threshold: Compute is a cache hit of the first, the condition true.
    passing = start(sm, pipeline, Threshold=0.1)
    page.goto(f"/#/pipelines/{pipeline}/executions/{passing.rsplit('/', 1)[1]}")
    expect(head).to_have_attribute("data-status", "Succeeded", timeout=60_000)
    compute = page.locator('g.dag-step[data-step="Compute"]')
    expect(compute).to_have_attribute("data-cached", "true")
    expect(compute).to_contain_text("cache hit")
    expect(page.locator('tr[data-key="Compute"] td.cache a')).to_have_text(failing_id)
    expect(page.locator('tr[data-key="CheckScore"]')).to_contain_text("Outcome: True")
    expect(page.locator('g.dag-step[data-step="TooLow"]')).to_contain_text("not started")

    # The pipeline's page: both executions with their parameters; the graph shows the newest.
    page.goto(f"/#/pipelines/{pipeline}")
    expect(page.locator("dl.summary")).to_contain_text("scores, then checks the score")
    expect(page.locator(f'tr[data-key="{failing}"]')).to_contain_text("Failed")
    expect(page.locator(f'tr[data-key="{failing}"] td.parameters')).to_have_text("Seconds=4Threshold=0.9")
    expect(page.locator(f'tr[data-key="{passing}"] td.parameters')).to_have_text("Seconds=4Threshold=0.1")
    expect(page.locator("#section-executions ~ .table-wrap tbody tr").first).to_have_attribute("data-key", passing)
    expect(page.locator(".dag-caption")).to_contain_text("Succeeded")
    expect(page.locator('g.dag-step[data-step="CheckScore"]')).to_contain_text("Succeeded (True)")

    # The list: the last execution and its status.
    page.goto("/#/pipelines")
    page.get_by_label("Name starts with").fill(pipeline)
    row = page.locator(f'tr[data-key="{pipeline}"]')
    expect(row).to_contain_text("scores, then checks the score")
    expect(row.locator(".badge")).to_have_text("Succeeded")
    expect(page.locator("tbody tr")).to_have_count(1)


def printed(logs, job: str, text: str) -> bool:
    """Whether the processing job's container has printed text."""
    group = "/aws/sagemaker/ProcessingJobs"
    try:
        streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=f"{job}/")["logStreams"]
    except logs.exceptions.ResourceNotFoundException:
        return False
    return any(text in event["message"] for stream in streams for event in logs.get_log_events(
        logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True)["events"])


def test_stop_an_execution_from_its_page(sm, s3, logs, open_page):
    pipeline = create_pipeline(sm, s3)
    arn = start(sm, pipeline, Seconds=600)
    page = open_page()
    page.goto(f"/#/pipelines/{pipeline}/executions/{arn.rsplit('/', 1)[1]}")
    compute = page.locator('g.dag-step[data-step="Compute"]')
    expect(compute).to_have_attribute("data-status", "Executing", timeout=60_000)
    job = page.locator('tr[data-key="Compute"] td.outcome a')
    expect(job).to_be_visible()
    # Stopped once its SIGTERM handler is set (before, the container's first process ignores the signal).
    wait_until(lambda: printed(logs, job.inner_text(), "scoring"), 60, "the script to start")
    stop_from_its_page(page)
    expect(compute).to_have_attribute("data-status", "Stopped")
    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Stopped"
    step = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"][0]
    described = sm.describe_processing_job(ProcessingJobName=job.inner_text())
    assert (described["ProcessingJobArn"], described["ProcessingJobStatus"]) == (
        step["Metadata"]["ProcessingJob"]["Arn"], "Stopped")
