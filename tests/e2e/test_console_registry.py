"""The console's Model Registry pages in a real browser (Debian's Chromium, driven by
Playwright): a group with two versions registered with boto3 (no container runs: a version
names an image and a model in S3), its evaluation report read from S3 by the page, and a
version approved from its page, as the API then reports it."""

import json

from playwright.sync_api import expect

from helpers import REPO, ensure_bucket
from hosting import INFERENCE_DLC, unique

BUCKET = "e2e-console"
SHOTS = REPO / "docs" / "console"
# What a pipeline's evaluation step writes and its RegisterModel step points ModelMetrics to.
REPORT = {"regression_metrics": {"mse": {"value": 0.0123456789, "standard_deviation": 0.002},
                                 "r2": {"value": 0.97}}}


def register(sm, group: str, model: str, report: str | None) -> str:
    metrics = {"ModelMetrics": {"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": report}}}}
    return sm.create_model_package(
        ModelPackageGroupName=group, ModelPackageDescription=f"trained on {model}",
        InferenceSpecification={"Containers": [{"Image": INFERENCE_DLC, "ModelDataUrl": model}],
                                "SupportedContentTypes": ["application/json", "text/csv"],
                                "SupportedResponseMIMETypes": ["application/json"],
                                "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large"],
                                "SupportedTransformInstanceTypes": ["ml.m5.xlarge"]},
        **(metrics if report else {}))["ModelPackageArn"]


def test_approve_a_version_from_its_page(sm, s3, open_page):
    ensure_bucket(s3, BUCKET)
    group = unique("console-models")
    report = f"s3://{BUCKET}/{group}/evaluation.json"
    s3.put_object(Bucket=BUCKET, Key=f"{group}/evaluation.json", Body=json.dumps(REPORT).encode())
    sm.create_model_package_group(ModelPackageGroupName=group, ModelPackageGroupDescription="console test models")
    first = register(sm, group, f"s3://{BUCKET}/{group}/1/model.tar.gz", report)
    second = register(sm, group, f"s3://{BUCKET}/{group}/2/model.tar.gz", None)

    # The groups: how many versions, the newest one's approval.
    page = open_page()
    page.goto("/#/model-registry")
    row = page.locator(f'tr[data-key="{group}"]')
    expect(row).to_contain_text("console test models")
    expect(row.locator("td").nth(3)).to_have_text("2")
    expect(row.locator("td").nth(4)).to_have_text("2 PendingManualApproval")
    listing = open_page()  # left open: the approval reaches it without a reload
    listing.goto(f"/#/model-registry/{group}")

    # A group's versions, the first with its evaluation report as a table.
    row.locator("a").click()
    expect(page.locator("h1")).to_have_text(group)
    version_1 = page.locator('tr[data-key="1"]')
    expect(version_1.locator('tr[data-metric="regression_metrics.mse"]')).to_have_text("regression_metrics.mse0.01234570.002")
    expect(version_1.locator('tr[data-metric="regression_metrics.r2"]')).to_contain_text("0.97")
    expect(page.locator('tr[data-key="2"] td.metrics')).to_have_text("—")

    # A version's page: its inference specification; approved with a description.
    page.locator('tr[data-key="2"] a').click()
    expect(page.locator("h1")).to_have_text(f"{group} version 2")
    inference = page.locator("#section-inference-specification").locator("..")
    expect(inference).to_contain_text("application/json, text/csv")
    expect(inference).to_contain_text("ml.m5.large")
    expect(inference).to_contain_text("ml.m5.xlarge")
    expect(inference.locator("tbody tr")).to_have_text(f"{INFERENCE_DLC}s3://{BUCKET}/{group}/2/model.tar.gz——")  # no framework, no environment
    expect(page.locator(".reports")).to_contain_text("This version has no ModelMetrics.")
    head = page.locator(".page-head .badge")
    expect(head).to_have_attribute("data-status", "PendingManualApproval")
    page.get_by_label("Approval description").fill("passes the evaluation")
    page.get_by_role("button", name="Approve").click()
    expect(head).to_have_attribute("data-status", "Approved")
    expect(page.get_by_role("button", name="Approve")).to_be_disabled()
    expect(page.locator("dl.summary").first).to_contain_text("passes the evaluation")
    described = sm.describe_model_package(ModelPackageName=second)
    assert (described["ModelApprovalStatus"], described["ApprovalDescription"]) == ("Approved", "passes the evaluation")
    expect(listing.locator('tr[data-key="2"] .badge[data-status="Approved"]')).to_be_visible()
    listing.screenshot(path=SHOTS / "model-registry.png", full_page=True)

    # The other one rejected from its page, whose metrics are shown whole.
    page.goto(f"/#/model-registry/{group}/1")
    expect(page.locator('[data-report="Model quality statistics"]')).to_contain_text(report)
    expect(page.locator('[data-report="Model quality statistics"] tr[data-metric="regression_metrics.r2"]')).to_be_visible()
    page.get_by_role("button", name="Reject").click()
    expect(head).to_have_attribute("data-status", "Rejected")
    assert sm.describe_model_package(ModelPackageName=first)["ModelApprovalStatus"] == "Rejected"
    page.goto("/#/model-registry")
    expect(row.locator("td").nth(4)).to_have_text("2 Approved")
