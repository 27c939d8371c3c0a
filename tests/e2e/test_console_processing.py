"""The console's processing job pages in a real browser (Debian's Chromium, driven by
Playwright): jobs created with boto3 run in real containers (the PyTorch image, a script
given as an input, as the SDK's ScriptProcessor gives it) and the user follows them in the
list and on a job's page."""

import re

import pytest
from playwright.sync_api import expect

from browser import stop_from_its_page
from helpers import PYTORCH_DLC, ROLE, ensure_bucket
from hosting import unique

pytestmark = pytest.mark.docker

BUCKET = "e2e-console"
CODE = "/opt/ml/processing/input/code"
NUMBERS = "/opt/ml/processing/input/numbers"
SUMS = "/opt/ml/processing/output/sums"
# Counts steps a second apart (so the list sees the job run), then sums its input into an output.
SUM = f"""
import pathlib, sys, time
steps = int(sys.argv[1])
for step in range(steps):
    print(f"step {{step}} of {{steps}}", flush=True)
    time.sleep(1)
numbers = pathlib.Path("{NUMBERS}/numbers.txt").read_text().split()
total = sum(int(n) for n in numbers)
pathlib.Path("{SUMS}/sum.txt").write_text(f"{{total}}\\n")
print(f"sum={{total}}", flush=True)
pathlib.Path("/opt/ml/output/message").write_text(f"summed {{len(numbers)}} numbers")
"""
# Runs until stopped; on SIGTERM leaves a file in its output, which a stopped job keeps.
UNTIL_STOPPED = f"""
import pathlib, signal, sys, time
def stop(signum, frame):
    pathlib.Path("{SUMS}/stopped.txt").write_text("stopped")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("waiting for a stop", flush=True)
while True:
    time.sleep(0.1)
"""
FAILS = """
import pathlib, sys
pathlib.Path("/opt/ml/output/message").write_text("no numbers today")
sys.exit(2)
"""


def start_job(sm, s3, name: str, script: str, args=(), **extra) -> str:
    """A job that runs script on numbers.txt, each input in a folder of its own; returns the
    numbers' folder."""
    ensure_bucket(s3, BUCKET)
    s3.put_object(Bucket=BUCKET, Key=f"code/{name}/job.py", Body=script.encode())
    s3.put_object(Bucket=BUCKET, Key=f"numbers/{name}/numbers.txt", Body=b"1 2 3 4\n")
    data = f"s3://{BUCKET}/numbers/{name}/"
    app = {"ImageUri": PYTORCH_DLC, "ContainerEntrypoint": ["python3", f"{CODE}/job.py"]}
    if args:
        app["ContainerArguments"] = list(args)
    inputs = [("code", f"s3://{BUCKET}/code/{name}/", CODE), ("numbers", data, NUMBERS)]
    sm.create_processing_job(
        ProcessingJobName=name, RoleArn=ROLE, AppSpecification=app,
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5}},
        ProcessingInputs=[{"InputName": input_name, "S3Input": {"S3Uri": uri, "LocalPath": path, "S3DataType": "S3Prefix",
                                                                "S3InputMode": "File"}}
                          for input_name, uri, path in inputs],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "sums", "S3Output": {
            "S3Uri": f"s3://{BUCKET}/sums/{name}", "LocalPath": SUMS, "S3UploadMode": "EndOfJob"}}]},
        StoppingCondition={"MaxRuntimeInSeconds": 300}, **extra)
    return data


def test_follow_a_processing_job(sm, s3, open_page):
    name = unique("console-proc")
    data = start_job(sm, s3, name, SUM, ["6"], Environment={"GREETING": "hello"})

    # The list, left open: the row turns from InProgress to Completed without a reload.
    listing = open_page()
    listing.goto("/#/processing-jobs")
    row = listing.locator(f'tr[data-key="{name}"]')
    expect(row.locator(".badge")).to_have_text("InProgress")
    expect(row).to_contain_text("1 × ml.m5.large")
    listing.evaluate("window.notReloaded = true")

    page = open_page()
    page.goto("/#/processing-jobs")
    page.locator(f'tr[data-key="{name}"] a').click()
    expect(page.locator("h1")).to_have_text(name)
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text(f"{PYTORCH_DLC}")
    expect(summary).to_contain_text(f'["python3","{CODE}/job.py"]')
    expect(summary).to_contain_text('["6"]')
    expect(summary).to_contain_text("GREETING=hello")
    expect(page.locator('tr[data-key="numbers"]')).to_have_text(
        re.compile(rf"numbers\s*{re.escape(data)}\s*{NUMBERS}\s*S3Prefix\s*File\s*FullyReplicated\s*None"))
    expect(page.locator('tr[data-key="sums"]')).to_have_text(
        re.compile(rf"sums\s*s3://{BUCKET}/sums/{name}\s*{SUMS}\s*EndOfJob"))
    expect(page.locator("pre.log")).to_contain_text("step 1 of 6", timeout=120_000)

    head = page.locator(".page-head .badge")
    expect(head).to_have_attribute("data-status", "Completed", timeout=120_000)
    expect(summary).to_contain_text("summed 4 numbers")
    expect(page.locator("pre.log")).to_contain_text("sum=10")
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    uploaded = page.locator(f'[data-output="sums"] li[data-key="sums/{name}/sum.txt"]')
    expect(uploaded).to_contain_text("sum.txt 3 B")
    download = page.request.get(uploaded.locator("a").get_attribute("href"))
    assert download.status == 200 and download.body() == b"10\n"

    expect(row.locator(".badge")).to_have_text("Completed", timeout=10_000)
    expect(row).to_contain_text("summed 4 numbers")
    assert listing.evaluate("window.notReloaded") is True


def test_read_why_a_job_failed_and_stop_another(sm, s3, open_page):
    failing, running = unique("console-proc-fail"), unique("console-proc-stop")
    start_job(sm, s3, failing, FAILS)
    start_job(sm, s3, running, UNTIL_STOPPED)

    # The list, narrowed to the failing job: why it failed, and the status filter.
    page = open_page()
    page.goto("/#/processing-jobs")
    page.get_by_label("Name contains").fill(failing)
    row = page.locator(f'tr[data-key="{failing}"]')
    expect(row.locator(".badge")).to_have_text("Failed", timeout=120_000)
    expect(row).to_contain_text("AlgorithmError: See job logs for more information · no numbers today")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Status").select_option("Completed")
    expect(page.locator("tbody")).to_contain_text("Nothing matches.")
    page.get_by_label("Status").select_option("Failed")
    row.locator("a").click()
    expect(page.locator(".problem .error")).to_contain_text("Failure reason: AlgorithmError")
    expect(page.locator('[data-output="sums"]')).to_contain_text(
        f"Nothing under s3://{BUCKET}/sums/{failing}/: a failed job's outputs are not uploaded.")

    # Stop, once the other job's handler is set (and the failed job's container is gone: Chromium
    # drops the requests in flight as a container's network interface comes or goes).
    page.goto(f"/#/processing-jobs/{running}")
    expect(page.locator("pre.log")).to_contain_text("waiting for a stop", timeout=120_000)
    stop_from_its_page(page, timeout_ms=60_000)
    expect(page.locator(f'[data-output="sums"] li[data-key="sums/{running}/stopped.txt"]')).to_be_visible()
    assert sm.describe_processing_job(ProcessingJobName=running)["ProcessingJobStatus"] == "Stopped"
