"""How fast the web console renders, with 10 and with 1,000 training jobs stored, side by side
in one run, in Debian's Chromium (headless, driven by Playwright).

Times are taken in the page: for an open (a new browser context: nothing cached, Chromium's
per-context start included) and a reload, from navigation start to the moment the page's
content is in the DOM; for a click, from the click to that moment. Pages: the training jobs
list (its first page of 50: one Search call), its next page, a job's page (Describe, then its
metrics and logs). Beside them, the Search the list makes, alone over boto3.

The jobs are written into the data dir's state store before the emulator starts (creating
1,000 through the API would run 1,000 containers): documents as CreateTrainingJob makes
them, moved to Completed as the worker moves them.

Usage: .venv/bin/python scripts/benchmark_console.py [loads]   (default 15; needs scripts/setup.sh)
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
from emulator.sagemaker.jobs.training import TRAINING_JOB, new_document, transition  # noqa: E402
from emulator.sagemaker.resources import Resources  # noqa: E402
from emulator.store import Store  # noqa: E402
from browser import chromium  # noqa: E402
from emulator_process import EmulatorProcess  # noqa: E402
from helpers import script_hyperparameters, training_request  # noqa: E402

# When an element matching the selector first appears, in ms since navigation start.
MARK = """
window.__marks = {};
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(window.__watch || {})) {
    if (!(name in window.__marks) && document.querySelector(selector)) window.__marks[name] = performance.now();
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""
# In the page: click, then ms until the selector matches (no round trip to Playwright inside).
CLICK_UNTIL = """([click, selector]) => new Promise((resolve) => {
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (document.querySelector(selector)) { observer.disconnect(); resolve(performance.now() - started); }
  });
  observer.observe(document, {subtree: true, childList: true, attributes: true});
  document.querySelector(click).click();
})"""


def seed(data_dir: Path, count: int) -> list[str]:
    jobs = Resources(Store(data_dir / "state.sqlite3"), TRAINING_JOB)
    names = []
    start = time.time() - count * 60
    for i in range(count):
        name = f"bench-job-{i:05d}"
        request = training_request(name, "bench-bucket", script_hyperparameters("train.py", "s3://bench-bucket/code.tar.gz",
                                                                               {"epochs": 10, "lr": 0.01}),
                                   channels=[("train", "s3://bench-bucket/train/")])
        request["AlgorithmSpecification"]["MetricDefinitions"] = [{"Name": "train:loss", "Regex": "loss=([0-9.]+)"}]
        created = start + i * 60
        doc = new_document(request, "us-east-1", "123456789012", created)
        for step, secondary in enumerate(("Downloading", "Training", "Uploading", "Completed")):
            transition(doc, secondary, created + 5 + step * 10)
        doc.update(TrainingStartTime=created + 5, TrainingEndTime=created + 35, TrainingTimeInSeconds=30,
                   BillableTimeInSeconds=30,
                   ModelArtifacts={"S3ModelArtifacts": f"s3://bench-bucket/output/{name}/output/model.tar.gz"})
        jobs.add(doc)
        names.append(name)
    return names


def page_times(browser, url: str, loads: int, first: str, clicks: list[tuple[str, str, str]]) -> dict[str, list[float]]:
    """Open url in a new browser context (cold), reload it (warm), then each click in turn:
    (label, what to click, what appears)."""
    times = {"open (new browser context)": [], "reload": [], **{label: [] for label, _, _ in clicks}}
    for _ in range(loads):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(f"window.__watch = {{'first': {first!r}}};" + MARK)
        page = context.new_page()
        for label, go in (("open (new browser context)", lambda: page.goto(url)), ("reload", page.reload)):
            go()
            page.wait_for_selector(first, state="attached", timeout=30_000)
            times[label].append(page.evaluate("window.__marks.first"))
        for label, click, then in clicks:
            times[label].append(page.evaluate(CLICK_UNTIL, [click, then]))
        context.close()
    return times


def blank_open_ms(browser, url: str, loads: int) -> list[float]:
    """The floor: a new browser context opening a tiny page (the health JSON), to its load event."""
    samples = []
    for _ in range(loads):
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        samples.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
        context.close()
    return samples


def search_ms(client, loads: int) -> list[float]:
    samples = []
    for _ in range(loads):
        started = time.perf_counter()
        client.search(Resource="TrainingJob", MaxResults=50, SortBy="CreationTime", SortOrder="Descending")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(count: int, loads: int, browser) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        names = seed(data_dir, count)
        emulator = EmulatorProcess(data_dir).start()
        try:
            sm = emulator.client("sagemaker")
            search_ms(sm, 3)  # warm
            results = {"Search, 50 training jobs, over boto3": search_ms(sm, loads),
                       "floor: open /_emulator/health (new context)": blank_open_ms(
                           browser, emulator.url + "/_emulator/health", loads)}
            newest = names[-1]
            clicks = [("jobs list: next page (click)", ".pager button:last-of-type", f'tr[data-key="{names[-51]}"]')
                      ] if count > 50 else []
            job = names[-52] if count > 50 else names[-2]
            clicks.append(("jobs list -> a job (click)", f'tr[data-key="{job}"] a', 'tr[data-key^="Completed-"]'))
            for label, samples in page_times(browser, emulator.url + "/#/training-jobs", loads,
                                             f'tr[data-key="{newest}"]', clicks).items():
                results[label if "click" in label else f"jobs list: {label}"] = samples
            for label, samples in page_times(browser, f"{emulator.url}/#/training-jobs/{job}", loads,
                                             'tr[data-key^="Completed-"]',
                                             [("a job -> jobs list (click)", 'nav a[href="#/training-jobs"]',
                                               f'tr[data-key="{newest}"]')]).items():
                results[label if "click" in label else f"a job's page: {label}"] = samples
        finally:
            emulator.stop()
    return results


def main() -> None:
    loads = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with chromium() as browser:
        runs = {count: measure(count, loads, browser) for count in (10, 1000)}
    labels = list(dict.fromkeys([*runs[10], *runs[1000]]))
    print(f"Console render times, ms (open, reload: from navigation start; click: from the click); "
          f"median / max of {loads} loads")
    print(f"{'':45} {'10 jobs stored':>18} {'1,000 jobs stored':>20}")
    for label in labels:
        cells = []
        for count in (10, 1000):
            samples = runs[count].get(label)
            cells.append(f"{statistics.median(samples):7.1f} / {max(samples):6.1f}" if samples else "—")
        print(f"{label:45} {cells[0]:>18} {cells[1]:>20}")


if __name__ == "__main__":
    main()
