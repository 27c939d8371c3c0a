"""The console's hyperparameter tuning pages in a real browser (Debian's Chromium, driven by
Playwright): a tuning job created with boto3 tunes a script-mode script on the PyTorch image
(4 trials, 2 at a time, real containers), and the user follows it in the list and on its page,
where the trials and the chart fill in as trials end; another is stopped from its page."""

import re

import pytest
from playwright.sync_api import expect

from browser import stop_from_its_page
from helpers import PYTORCH_DLC, REPO, ROLE, ensure_bucket, script_hyperparameters, upload_sourcedir
from hosting import unique

pytestmark = pytest.mark.docker

BUCKET = "e2e-console"
SHOTS = REPO / "docs" / "console"
# Each change of the chart's point count, with the job's status as the page showed it then.
RECORD_CHART = """() => {
  window.chartSeen = [];
  const figure = document.querySelector('figure[data-chart="Objective by trial"]');
  new MutationObserver(() => window.chartSeen.push([figure.dataset.points,
    document.querySelector('.page-head .badge')?.dataset.status])).observe(figure, { attributes: true });
}"""


def start_tuning_job(sm, s3, name: str, trials: int = 4) -> None:
    """tune_train.py tuned on position in [0, 6]; its objective peaks at position 3."""
    ensure_bucket(s3, BUCKET)
    code = upload_sourcedir(s3, BUCKET, "code/tuning/sourcedir.tar.gz",
                            {"tune_train.py": REPO / "tests/e2e/code/tune_train.py"})
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": "Random", "RandomSeed": 7,
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "objective"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": trials, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {"ContinuousParameterRanges": [{"Name": "position", "MinValue": "0", "MaxValue": "6"}]}},
        TrainingJobDefinition={
            "StaticHyperParameters": script_hyperparameters("tune_train.py", code, {"bonus": 1, "epochs": 2}),
            "AlgorithmSpecification": {
                "TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "objective", "Regex": r"objective=([-0-9.]+)"}]},
            "RoleArn": ROLE, "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/tuning-output"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 300}})


def shown(value: float) -> str:
    """A value as the console shows it: six significant digits."""
    return f"{float(f'{value:.6g}')!r}".removesuffix(".0")


def test_follow_a_tuning_job(sm, s3, open_page):
    name = unique("console-tune")
    start_tuning_job(sm, s3, name)

    # The list, left open: the row's counters and best objective fill in without a reload.
    listing = open_page()
    listing.goto("/#/tuning-jobs")
    listing.get_by_label("Name contains").fill(name)
    row = listing.locator(f'tr[data-key="{name}"]')
    expect(row).to_contain_text("Random")
    expect(listing.locator("tbody tr")).to_have_count(1)
    listing.evaluate("window.notReloaded = true")

    # The job's page: trials and the chart fill in while the job runs.
    page = open_page()
    page.goto(f"/#/tuning-jobs/{name}")
    expect(page.locator("h1")).to_have_text(name)
    page.wait_for_selector('figure[data-chart="Objective by trial"]')
    page.evaluate(RECORD_CHART)
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text("Random (random seed 7)")
    expect(summary).to_contain_text("Maximize objective")
    expect(summary).to_contain_text("at most 4 training jobs, 2 at a time")
    expect(page.locator('tr[data-key="/position"]')).to_have_text(re.compile(r"position\s*Continuous\s*0 – 6\s*Auto"))
    head = page.locator(".page-head .badge")
    expect(head).to_have_attribute("data-status", "Completed", timeout=240_000)
    seen = page.evaluate("window.chartSeen")
    assert any(status == "InProgress" and 0 < int(points) < 4 for points, status in seen), seen

    # Every trial, as the API lists them, sorted by objective (best first), the best marked.
    api = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="FinalObjectiveMetricValue", SortOrder="Descending")[
        "TrainingJobSummaries"]
    best = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)["BestTrainingJob"]
    assert len(api) == 4 and best["TrainingJobName"] == api[0]["TrainingJobName"]
    expect(page.locator('figure[data-chart="Objective by trial"]')).to_have_attribute("data-points", "4")
    rows = page.locator("#section-trials ~ .table-wrap tbody tr")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).get_attribute("data-key") for i in range(4)] == [t["TrainingJobName"] for t in api]
    for trial in api:
        number = int(trial["TrainingJobName"].split("-")[-2])
        expect(page.locator(f'tr[data-key="{trial["TrainingJobName"]}"]')).to_have_text(re.compile(
            rf"{number}\s*{trial['TrainingJobName']}.*{re.escape(trial['TunedHyperParameters']['position'])}\s*"
            rf"Completed\s*{re.escape(shown(trial['FinalHyperParameterTuningJobObjectiveMetric']['Value']))}"))
    expect(page.locator("tbody .badge.best")).to_have_count(1)
    expect(page.locator(f'tr[data-key="{best["TrainingJobName"]}"] .badge.best')).to_have_text("Best")

    page.screenshot(path=SHOTS / "tuning-job.png", full_page=True)

    # Sorted by another column, then back; a trial's link opens its training job's page.
    page.get_by_role("button", name="Name").click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    assert [rows.nth(i).get_attribute("data-key") for i in range(4)] == sorted(t["TrainingJobName"] for t in api)
    page.get_by_role("button", name="Objective").click()
    expect(rows.first).to_have_attribute("data-key", best["TrainingJobName"])
    page.locator(f'tr[data-key="{api[-1]["TrainingJobName"]}"] a').click()
    expect(page.locator("h1")).to_have_text(api[-1]["TrainingJobName"])
    expect(page.locator('tr[data-key="position"]')).to_contain_text(api[-1]["TunedHyperParameters"]["position"])

    expect(row).to_contain_text("4 completed · 0 in progress · 0 failed")
    expect(row).to_contain_text(shown(best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]))
    expect(row.locator(".badge")).to_have_text("Completed")
    assert listing.evaluate("window.notReloaded") is True


def test_stop_a_tuning_job(sm, s3, open_page):
    name = unique("console-tune-stop")
    start_tuning_job(sm, s3, name, trials=8)
    page = open_page()
    page.goto(f"/#/tuning-jobs/{name}")
    stop_from_its_page(page)
    assert sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
        "HyperParameterTuningJobStatus"] == "Stopped"
