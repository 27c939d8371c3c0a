"""Debian's Chromium under Playwright, as the console's tests and benchmark drive it."""

import contextlib
import re

from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which an
# offline machine refuses.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update"]


@contextlib.contextmanager
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def stop_from_its_page(page, timeout_ms: int = 120_000) -> None:
    """Clicks a console page's Stop (a job's, an execution's): the status turns Stopping (or
    Stopped at once), then Stopped, and Stop is no longer offered."""
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_be_enabled()
    stop.click()
    head = page.locator(".page-head .badge")
    expect(head).to_have_attribute("data-status", re.compile("^Stopp(ing|ed)$"))
    expect(head).to_have_attribute("data-status", "Stopped", timeout=timeout_ms)
    expect(stop).to_be_disabled()
