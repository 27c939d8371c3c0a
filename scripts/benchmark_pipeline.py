"""The example pipeline (examples/pipeline: preprocess -> train -> evaluate -> condition ->
register) on a fresh `sagemaker-emulator serve` with the Docker runner, run as its README says
(`sagemaker-emulator run -- python examples/pipeline/run.py`), then once more (its job steps
cache hits).

Prints, from the emulator's own timestamps: the script's wall time (SDK import, the pipeline's
definition and upsert, the execution, what it prints after); the execution's (CreationTime to
its last step's EndTime); and per step, from ListPipelineExecutionSteps' StartTime/EndTime and
its job's DescribeProcessingJob/DescribeTrainingJob times: how long after the previous step's
end it started (its job's end, as the job's ProcessingEndTime/TrainingEndTime says, for a job
step: the engine's overhead between steps; the steps run one after another, so the previous
one is the one that ended last before it started), how long its job took (CreationTime to end
time), and how long after its job's end the step ended (the engine noticing: it describes the
job every 0.2 s).

Usage: .venv/bin/python scripts/benchmark_pipeline.py
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]
from emulator_process import EmulatorProcess  # noqa: E402
from example_runs import run_example, succeeded  # noqa: E402

PIPELINE = "digits-classification"
JOBS = {"ProcessingJob": ("processing", "ProcessingEndTime"), "TrainingJob": ("training", "TrainingEndTime")}


def job_times(sm, kind: str, arn: str) -> tuple:
    """(created, ended) of a step's job; found by its ARN, which has the name in lower case."""
    noun, end_key = JOBS[kind]
    lister = sm.get_paginator(f"list_{noun}_jobs")
    summary_key = f"{kind}Summaries"
    for page in lister.paginate():
        for job in page[summary_key]:
            if job[f"{kind}Arn"] == arn:
                described = getattr(sm, f"describe_{noun}_job")(**{f"{kind}Name": job[f"{kind}Name"]})
                return described["CreationTime"], described[end_key]
    raise LookupError(arn)


def report(sm, label: str, script_seconds: float) -> list[float]:
    """Prints one execution's figures; returns its between-step gaps."""
    execution = sm.list_pipeline_executions(PipelineName=PIPELINE, SortOrder="Descending")[
        "PipelineExecutionSummaries"][0]["PipelineExecutionArn"]
    created = sm.describe_pipeline_execution(PipelineExecutionArn=execution)["CreationTime"]
    steps = sorted(sm.list_pipeline_execution_steps(PipelineExecutionArn=execution)["PipelineExecutionSteps"],
                   key=lambda s: s["StartTime"])
    seconds = lambda a, b: (b - a).total_seconds()  # noqa: E731
    print(f"\n{label}: script {script_seconds:.2f} s, execution {seconds(created, steps[-1]['EndTime']):.2f} s "
          f"(created -> last step ended)")
    print(f"  {'step':<34} {'prev end -> start':>17} {'start -> job':>12} {'job':>7} {'job end -> end':>14}  status")
    previous_end, gaps = created, []
    for step in steps:
        kind = next(iter(step.get("Metadata", {})), None)
        job = job_times(sm, kind, step["Metadata"][kind]["Arn"]) if kind in JOBS and "CacheHitResult" not in step \
            else None
        gap = seconds(previous_end, step["StartTime"])
        if previous_end is not created:
            gaps.append(gap)
        cells = (f"{seconds(step['StartTime'], job[0]):11.3f}s", f"{seconds(*job):6.2f}s",
                 f"{seconds(job[1], step['EndTime']):13.3f}s") if job else ("", "", "")
        cached = " (cache hit)" if "CacheHitResult" in step else ""
        print(f"  {step['StepName']:<34} {gap:16.3f}s {cells[0]:>12} {cells[1]:>7} {cells[2]:>14}  "
              f"{step['StepStatus']}{cached}")
        previous_end = job[1] if job else step["EndTime"]
    return gaps


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        emulator = EmulatorProcess(work / "data", extra_args=["--runner", "docker"]).start()
        try:
            sm = emulator.client("sagemaker")
            gaps = []
            for label in ("first run (every job runs)", "second run (job steps are cache hits)"):
                started = time.perf_counter()
                succeeded(run_example(emulator, work, "pipeline", timeout=900))
                gaps += report(sm, label, time.perf_counter() - started)
            print(f"\nprevious step ended -> next step started, both runs: median {statistics.median(gaps):.3f} s, "
                  f"max {max(gaps):.3f} s ({len(gaps)} gaps)")
        finally:
            emulator.stop()


if __name__ == "__main__":
    main()
