"""Notebook instances on a fresh `sagemaker-emulator serve` with the Docker runner: how long
CreateNotebookInstance takes to InService, and StartNotebookInstance of a stopped instance (and
StopNotebookInstance to Stopped), each ROUNDS times with a new instance, then the median.

Measured as a user waits: from the call until DescribeNotebookInstance answers the status
(polled every 50 ms; boto3's waiter polls every 30 s). Pending covers the container's creation,
the files copied in, the start, JupyterLab coming up (the supervisor asks its /api every 0.1 s);
the split of that time is read from the instance's jupyter.log stream (its first line's
timestamp: the container's process running). With --lifecycle, each instance also runs an
OnCreate and an OnStart script (`true`): what a lifecycle script costs beyond its own run.

Usage: .venv/bin/python scripts/benchmark_notebooks.py [--rounds 3] [--lifecycle]
"""

import argparse
import base64
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")]
from emulator_process import EmulatorProcess  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/NotebookRole"


def until(sm, name: str, status: str, timeout: float = 600) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        now = sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]
        if now == status:
            return time.monotonic() - started
        if now == "Failed":
            raise RuntimeError(sm.describe_notebook_instance(NotebookInstanceName=name)["FailureReason"])
        time.sleep(0.05)
    raise TimeoutError(f"{name} not {status} within {timeout} s")


def first_log_line_after(logs, name: str, since_ms: int) -> float | None:
    """Seconds from since_ms to the first jupyter.log event at or after it (the container running)."""
    events = logs.get_log_events(logGroupName="/aws/sagemaker/NotebookInstances", logStreamName=f"{name}/jupyter.log",
                                 startFromHead=True)["events"]
    later = [e["timestamp"] for e in events if e["timestamp"] >= since_ms]
    return (later[0] - since_ms) / 1000 if later else None


def one_round(sm, logs, config: str | None) -> dict:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    created_ms = int(time.time() * 1000)
    started = time.monotonic()
    sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE,
                                **({"LifecycleConfigName": config} if config else {}))
    until(sm, name, "InService")
    create = time.monotonic() - started  # the call itself included
    to_process = first_log_line_after(logs, name, created_ms)
    started = time.monotonic()
    sm.stop_notebook_instance(NotebookInstanceName=name)
    until(sm, name, "Stopped")
    stop = time.monotonic() - started
    start_ms = int(time.time() * 1000)
    started = time.monotonic()
    sm.start_notebook_instance(NotebookInstanceName=name)
    until(sm, name, "InService")
    start = time.monotonic() - started
    start_to_process = first_log_line_after(logs, name, start_ms)
    sm.stop_notebook_instance(NotebookInstanceName=name)
    until(sm, name, "Stopped")
    sm.delete_notebook_instance(NotebookInstanceName=name)
    return {"create": create, "create: to the container's first line": to_process, "stop": stop, "start": start,
            "start: to the container's first line": start_to_process}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lifecycle", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as folder:
        emulator = EmulatorProcess(Path(folder) / "data").start()
        try:
            sm, logs = emulator.client("sagemaker"), emulator.client("logs")
            config = None
            if args.lifecycle:
                config = "bench-lifecycle"
                true = [{"Content": base64.b64encode(b"true\n").decode()}]
                sm.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=config,
                                                             OnCreate=true, OnStart=true)
            rounds = [one_round(sm, logs, config) for _ in range(args.rounds)]
        finally:
            emulator.stop()
    print(f"{args.rounds} rounds{' with an OnCreate and an OnStart script' if args.lifecycle else ''}, "
          "seconds (median, then each round):")
    for key in rounds[0]:
        values = [r[key] for r in rounds if r[key] is not None]
        shown = " ".join(f"{v:.2f}" for v in values)
        print(f"  {key:<40} {statistics.median(values):6.2f}   ({shown})")


if __name__ == "__main__":
    main()
