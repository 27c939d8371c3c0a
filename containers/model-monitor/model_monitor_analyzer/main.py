"""One Model Monitor job: read, analyze, write the reports to output_path, say how it went.

The outcome is written to /opt/ml/output/message, which the platform turns into the
processing job's ExitMessage: "Completed: Job completed successfully with no violations.",
"CompletedWithViolations: Job completed successfully with 3 violations." (a monitoring
execution's status comes from it), or "Error: <why>" with exit status 1 for a job that
cannot be done (no data in the window, a dataset that cannot be read, a missing baseline).
"""

import datetime
import json
import logging
import math
import sys
import traceback
from pathlib import Path

from . import cloudwatch, constraints, datasets, model_quality, statistics, violations
from .environment import MODEL_QUALITY, Job, JobError
from .scripts import load_script

log = logging.getLogger("model_monitor_analyzer")
MESSAGE_FILE = Path("/opt/ml/output/message")
STATISTICS = "statistics.json"
CONSTRAINTS = "constraints.json"
VIOLATIONS = "constraint_violations.json"


def main(environ: dict[str, str] | None = None, message_file: Path = MESSAGE_FILE) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    try:
        job = Job.from_environment(environ)
        log.info("%s %s job over %s", job.analysis_type.lower().replace("_", " "),
                 "monitoring" if job.monitoring else "baselining", job.dataset_source)
        message = run(job)
        if job.post_analytics_processor_script:
            load_script(job.post_analytics_processor_script, "postprocess_handler")()
    except JobError as exc:
        log.error("%s", exc)
        _say(message_file, f"Error: {exc}")
        return 1
    except Exception as exc:  # a bug, or a user script's: the job fails saying what it was
        traceback.print_exc()
        _say(message_file, f"Error: {type(exc).__name__}: {exc}")
        return 1
    if message:
        log.info("%s", message)
        _say(message_file, message)
    return 0


def _say(message_file: Path, text: str) -> None:
    message_file.parent.mkdir(parents=True, exist_ok=True)
    message_file.write_text(text[:1024], encoding="utf-8")


def run(job: Job) -> str | None:
    """The job's reports; the outcome message of a monitoring job (None for a baseline)."""
    output = Path(job.output_path)
    output.mkdir(parents=True, exist_ok=True)
    if job.analysis_type == MODEL_QUALITY:
        return _model_quality(job, output)
    return _data_quality(job, output)


def _data_quality(job: Job, output: Path) -> str | None:
    dataset = datasets.read(job)
    baseline = _read_json(job.baseline_constraints, "baseline_constraints") if job.monitoring else None
    if baseline is not None:
        dataset = dataset.align([f["name"] for f in baseline.get("features", [])])
    excluded = dataset.columns_of(job.exclude_features)
    dataset = dataset.without(excluded)
    features = statistics.profiles(dataset.frame)
    if baseline is not None and excluded:  # left out of the checks too
        baseline = {**baseline, "features": [f for f in baseline.get("features", []) if f["name"] not in excluded]}
    _write(output / STATISTICS, statistics.statistics(features, dataset.item_count))
    _write(output / CONSTRAINTS, constraints.suggest(features, job.categorical_drift_method))
    if baseline is None:
        return None
    baseline_statistics = _read_json(job.baseline_statistics, "baseline_statistics") if job.baseline_statistics else None
    report = violations.check(features, baseline, baseline_statistics)
    _write(output / VIOLATIONS, report.to_json())
    if job.publish_cloudwatch_metrics and constraints.enabled(constraints.monitoring_config(baseline)["emit_metrics"]):
        cloudwatch.publish(cloudwatch.DATA_NAMESPACE, cloudwatch.data_quality_data(
            features, report.drift, _when(job), cloudwatch.dimensions(job.endpoint_name, job.schedule_name)), job.aws)
    return outcome(len(report.violations))


def _model_quality(job: Job, output: Path) -> str | None:
    labeled = (model_quality.captured_labels(job) if job.monitoring
               else model_quality.baseline_labels(datasets.read(job), job))
    stats = model_quality.statistics(job.problem_type, labeled, job.probability_threshold,
                                     datetime.datetime.now(datetime.timezone.utc))
    _write(output / STATISTICS, stats)
    if not job.monitoring:
        _write(output / CONSTRAINTS, model_quality.suggest(job.problem_type, stats))
        return None
    found = model_quality.check(job.problem_type, stats, _read_json(job.baseline_constraints, "baseline_constraints"))
    _write(output / VIOLATIONS, {"violations": found})
    if job.publish_cloudwatch_metrics:
        section = stats[f"{model_quality.SECTION[job.problem_type]}_metrics"]
        cloudwatch.publish(cloudwatch.MODEL_NAMESPACE, cloudwatch.model_quality_data(
            section, _when(job), cloudwatch.dimensions(job.endpoint_name, job.schedule_name)), job.aws)
    return outcome(len(found))


def outcome(violation_count: int) -> str:
    if not violation_count:
        return "Completed: Job completed successfully with no violations."
    return (f"CompletedWithViolations: Job completed successfully with {violation_count} "
            f"violation{'s' if violation_count > 1 else ''}.")


def _when(job: Job) -> datetime.datetime:
    return job.end_time or datetime.datetime.now(datetime.timezone.utc)


def _read_json(path: str, what: str) -> dict:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError(f"{what} {path} is not there")
    except ValueError as exc:
        raise JobError(f"{what} {Path(path).name} is not JSON: {exc}")
    if not isinstance(document, dict):
        raise JobError(f"{what} {Path(path).name} must be a JSON object")
    return document


def _write(path: Path, document: dict) -> None:
    path.write_text(json.dumps(_finite(document), indent=2) + "\n", encoding="utf-8")


def _finite(value):
    """NaN and infinities as AWS's files write them: the strings "NaN", "Infinity"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value

