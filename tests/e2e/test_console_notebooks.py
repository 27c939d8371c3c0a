"""The console's Notebooks page in a real browser (Debian's Chromium, driven by Playwright):
a notebook instance made with boto3 followed to InService, opened in JupyterLab from the page
(a cell run there calls the emulator with the instance's role), stopped and deleted from the
page; a Studio space started, opened, stopped and deleted from it."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from helpers import REPO

pytestmark = pytest.mark.docker

SHOTS = REPO / "docs" / "console"
ROLE = "arn:aws:iam::123456789012:role/ConsoleNotebookRole"
START_MS = 300_000  # a notebook's first start on a 2-core machine: the container, JupyterLab, its page


def open_jupyterlab(page, row):
    """Open JupyterLab from a row's button: the new tab signs in and shows JupyterLab's launcher."""
    with page.expect_popup() as opened:
        row.get_by_role("button", name="Open JupyterLab").click()
    lab = opened.value
    expect(lab.locator(".jp-Launcher")).to_be_visible(timeout=120_000)
    assert re.search(r"^http://127\.0\.0\.1:\d+/.*lab", lab.url)
    return lab


def run_a_cell(lab, code: str):
    """A new notebook from the launcher, one cell typed and run; answers its outputs (the SDK also
    logs where it looked for config files)."""
    lab.locator('.jp-LauncherCard[data-category="Notebook"]').first.click()
    editor = lab.locator(".jp-Notebook .jp-Cell .cm-content").first
    expect(editor).to_be_visible(timeout=60_000)
    # The status bar's "Python 3 (ipykernel) | Idle": a cell run before the kernel is up is not run.
    expect(lab.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\| Idle$"))).to_be_visible(timeout=120_000)
    editor.click()
    lab.keyboard.type(code)
    lab.keyboard.press("Shift+Enter")
    return lab.locator(".jp-Notebook .jp-OutputArea").first


def test_open_a_notebook_instance_in_jupyterlab_then_stop_and_delete_it(sm, open_page):
    name = f"console-nb-{uuid.uuid4().hex[:6]}"
    sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE)
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/#/notebooks")
    row = page.locator(f'tr[data-key="{name}"]')
    expect(row.locator(".badge")).to_have_text(re.compile("Pending|InService"))
    expect(row.locator(".badge")).to_have_text("InService", timeout=START_MS)
    expect(row.get_by_role("button", name="Delete")).to_be_disabled()
    page.screenshot(path=SHOTS / "notebooks.png", full_page=True)

    lab = open_jupyterlab(page, row)
    output = run_a_cell(lab, "import sagemaker; print(sagemaker.get_execution_role())")
    expect(output).to_contain_text(ROLE, timeout=120_000)
    lab.screenshot(path=SHOTS / "jupyterlab.png")
    lab.close()

    row.get_by_role("button", name="Stop").click()
    expect(row.locator(".badge")).to_have_text("Stopped", timeout=120_000)
    expect(row.get_by_role("button", name="Open JupyterLab")).to_be_disabled()
    row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0, timeout=60_000)


def test_start_open_and_stop_a_studio_space_from_the_page(sm, open_page):
    domains = sm.list_domains()["Domains"]
    domain = domains[0]["DomainId"] if domains else sm.create_domain(
        DomainName="console", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=["subnet-12345678"], VpcId="vpc-12345678")["DomainId"]
    user, space = f"user-{uuid.uuid4().hex[:6]}", f"space-{uuid.uuid4().hex[:6]}"
    sm.create_user_profile(DomainId=domain, UserProfileName=user)
    sm.create_space(DomainId=domain, SpaceName=space, OwnershipSettings={"OwnerUserProfileName": user},
                    SpaceSharingSettings={"SharingType": "Private"}, SpaceSettings={"AppType": "JupyterLab"})
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/#/notebooks")
    row = page.locator(f'tr[data-key="{domain}/{space}"]')
    expect(row).to_contain_text("Not started")
    expect(row.locator("td").nth(2)).to_have_text(user)
    row.get_by_role("button", name="Start").click()
    expect(row.locator(".badge")).to_have_text("InService", timeout=START_MS)

    open_jupyterlab(page, row).close()
    row.get_by_role("button", name="Stop").click()
    expect(row.locator(".badge")).to_have_text("Deleted", timeout=120_000)
    row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0, timeout=60_000)
    sm.delete_user_profile(DomainId=domain, UserProfileName=user)
