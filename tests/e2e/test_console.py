"""The web console in a real browser (Debian's Chromium, driven by Playwright), as a user
follows a training job and tries an endpoint. The screenshots land in docs/console/, where
the README shows them."""

import json

import pytest
from playwright.sync_api import expect

from helpers import REPO, ensure_bucket, script_hyperparameters, training_request, upload_sourcedir, wait_for
from hosting import create_config, create_model, deploy, unique, variant

pytestmark = pytest.mark.docker

SHOTS = REPO / "docs" / "console"
BUCKET = "e2e-console"
LOSS = {"Name": "train:loss", "Regex": "loss=([0-9.]+)"}


def start_job(sm, s3, name: str, lines=8, interval=1.5, program="tiny_train.py") -> None:
    ensure_bucket(s3, BUCKET)
    code = upload_sourcedir(s3, BUCKET, "code/sourcedir.tar.gz",
                            {"tiny_train.py": REPO / "tests/e2e/code/tiny_train.py"})
    hyperparameters = script_hyperparameters(program, code, {"loss-lines": lines, "loss-interval": interval})
    request = training_request(name, BUCKET, hyperparameters, channels=[("train", f"s3://{BUCKET}/code/")])
    request["AlgorithmSpecification"]["MetricDefinitions"] = [LOSS]
    sm.create_training_job(**request)


def test_follow_a_training_job(sm, s3, open_page):
    name = unique("console-job")
    start_job(sm, s3, name)

    # The list, left open: the row turns from InProgress to Completed without a reload.
    listing = open_page()
    listing.goto("/")
    row = listing.locator(f'tr[data-key="{name}"]')
    expect(row.locator(".badge")).to_contain_text("InProgress")
    expect(row).to_contain_text("ml.m5.large")
    listing.evaluate("window.notReloaded = true")
    row_top = row.bounding_box()["y"]

    # The job's page, reached with the keyboard.
    page = open_page()
    page.goto("/")
    page.locator(f'tr[data-key="{name}"] a').focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(name)
    head = page.locator(".page-head .badge")
    chart = page.locator('figure[data-chart="train:loss"]')

    # The chart gains points while the job runs.
    seen = set()
    for _ in range(100):
        points = int(chart.get_attribute("data-points") or 0)
        if points and "InProgress" in head.inner_text():
            seen.add(points)
        if len(seen) >= 2 or head.get_attribute("data-status") != "InProgress":
            break
        page.wait_for_timeout(300)
    assert len(seen) >= 2, f"the chart showed {seen} point counts while the job ran"

    expect(head).to_have_attribute("data-status", "Completed", timeout=120_000)
    expect(chart).to_have_attribute("data-points", "8", timeout=10_000)
    expect(page.locator("pre.log")).to_contain_text("epoch=7 loss=0.1250", timeout=10_000)
    expect(page.locator('tr[data-key="loss-lines"]')).to_contain_text("8")
    expect(page.locator('tr[data-key="train"]')).to_contain_text(f"s3://{BUCKET}/code/")
    expect(page.locator('tr[data-key^="Completed-"]')).to_contain_text("Training job completed")
    expect(page.locator(".page-head button", has_text="Stop")).to_be_disabled()

    artifact = page.locator(f'li[data-key="output/{name}/output/model.tar.gz"]')
    expect(artifact).to_contain_text("KB")
    expect(artifact.locator("ul.members")).to_contain_text("model.pt")
    download = page.request.get(artifact.locator("a").first.get_attribute("href"))
    assert download.status == 200 and download.body()[:2] == b"\x1f\x8b"
    page.screenshot(path=SHOTS / "training-job.png", full_page=True)

    expect(row.locator(".badge")).to_have_text("Completed", timeout=10_000)
    assert listing.evaluate("window.notReloaded") is True
    assert row.bounding_box()["y"] == row_top  # no layout jump as rows refresh
    listing.screenshot(path=SHOTS / "training-jobs.png")


def test_filters_narrow_the_list(sm, open_page):
    jobs = sm.list_training_jobs(SortBy="CreationTime", SortOrder="Descending", MaxResults=100)["TrainingJobSummaries"]
    assert jobs, "the previous test ran a job"
    page = open_page()
    page.goto("/#/training-jobs")
    page.get_by_label("Name contains").fill("no-such-job-anywhere")
    expect(page.locator("tbody")).to_contain_text("Nothing matches.")
    page.get_by_label("Name contains").fill(jobs[0]["TrainingJobName"])
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Name contains").fill("")
    page.get_by_label("Status").select_option("Failed")
    failed = {j["TrainingJobName"] for j in jobs if j["TrainingJobStatus"] == "Failed"}
    if failed:
        expect(page.locator("tbody tr")).to_have_count(len(failed))
    else:
        expect(page.locator("tbody")).to_contain_text("Nothing matches.")


def test_stop_a_job_and_read_why_one_failed(sm, s3, open_page):
    running, failing = unique("console-stop"), unique("console-fail")
    start_job(sm, s3, running, lines=120, interval=1)
    start_job(sm, s3, failing, program="no_such_script.py")
    page = open_page()
    page.goto(f"/#/training-jobs/{running}")
    head = page.locator(".page-head .badge")
    # Once the script runs: a SIGTERM before the toolkit starts it reaches no one (see DockerRunner).
    expect(page.locator("pre.log")).to_contain_text("epoch=1 ", timeout=60_000)
    page.get_by_role("button", name="Stop").click()
    expect(head).to_have_attribute("data-status", "Stopped", timeout=60_000)
    assert sm.describe_training_job(TrainingJobName=running)["TrainingJobStatus"] == "Stopped"

    assert wait_for(sm, failing)["TrainingJobStatus"] == "Failed"
    page.goto(f"/#/training-jobs/{failing}")
    expect(page.locator(".problem .error")).to_contain_text("Failure reason: AlgorithmError")


def test_try_an_endpoint(sm, artifact, open_page):
    model = create_model(sm, artifact)
    config = create_config(sm, [variant(model)])
    endpoint = deploy(sm, config)

    page = open_page()
    page.goto("/#/endpoints")
    expect(page.locator(f'tr[data-key="{endpoint}"] .badge')).to_have_text("InService")
    page.locator(f'tr[data-key="{endpoint}"] a').click()
    expect(page.locator("h1")).to_have_text(endpoint)
    expect(page.locator('tr[data-key="AllTraffic"]')).to_contain_text(model)

    page.get_by_label("Content type").fill("application/json")
    page.get_by_label("Request body").fill(json.dumps([[1, 2, 3], [4, 5, 6]]))
    page.get_by_role("button", name="Invoke").click()
    response = page.locator("pre.response")
    expect(response).to_be_visible()
    assert json.loads(response.inner_text()) == [[6.0, -1.0], [15.0, -1.0]]
    expect(page.locator(".try-result")).to_contain_text("variant AllTraffic")

    page.get_by_label("Request body").fill("not json")
    page.get_by_role("button", name="Invoke").click()
    expect(page.locator(".try-result .error")).to_contain_text("ModelError")

    expect(page.locator('figure[data-chart="Invocations"]')).not_to_have_attribute("data-points", "0", timeout=15_000)
    expect(page.locator('figure[data-chart="Model latency (ms)"]')).not_to_have_attribute("data-points", "0")
    expect(page.locator("pre.log")).not_to_be_empty(timeout=10_000)
    page.get_by_label("Request body").fill(json.dumps([[1, 2, 3]]))
    page.get_by_role("button", name="Invoke").click()
    expect(page.locator("pre.response")).to_contain_text("6.0")
    page.screenshot(path=SHOTS / "endpoint.png", full_page=True)

    for hash_, name in (("#/models", model), ("#/endpoint-configs", config)):
        page.goto("/" + hash_)
        expect(page.locator(f'tr[data-key="{name}"]')).to_be_visible()

    page.goto(f"/#/endpoints/{endpoint}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.locator("main > .problem")).to_contain_text("does not exist", timeout=60_000)
    sm.get_waiter("endpoint_deleted").wait(EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
