"""Notebook instances on a fresh `sagemaker-emulator serve` with the Docker runner: how long
CreateNotebookInstance takes to InService, and StartNotebookInstance of a stopped instance (and
StopNotebookInstance to Stopped), each ROUNDS times with a new instance, then the median.

Measured as a user waits: from the call until DescribeNotebookInstance answers the status
(polled every 50 ms; boto3's waiter polls every 30 s). Pending covers the container's creation,
the files copied in, the start, JupyterLab coming up (the supervisor asks its /api every 0.1 s).
The split: the engine's Created and State.StartedAt of the run's container (docker inspect, the
same clock: the engine runs on this machine), then the first event of the instance's
jupyter.log stream, which is JupyterLab's own first line (its extensions linked, after its
imports; the supervisor writes nothing there before), so that "first line -> InService" is
JupyterLab serving plus the supervisor's and this script's polls. With --lifecycle, each
instance also runs an OnCreate and an OnStart script (`true`): what a lifecycle script costs
beyond its own run.

Usage: .venv/bin/python scripts/benchmark_notebooks.py [--rounds 3] [--lifecycle]
"""

import argparse
import base64
import datetime
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import docker

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
    """Seconds from since_ms to the first jupyter.log event at or after it (JupyterLab's own first line)."""
    events = logs.get_log_events(logGroupName="/aws/sagemaker/NotebookInstances", logStreamName=f"{name}/jupyter.log",
                                 startFromHead=True)["events"]
    later = [e["timestamp"] for e in events if e["timestamp"] >= since_ms]
    return (later[0] - since_ms) / 1000 if later else None


def container_times(engine, name: str, since_ms: int) -> tuple[float, float]:
    """Seconds from since_ms to the running container's creation, and to its start (the engine's clock)."""
    attrs = engine.containers.get(f"smemu-notebook-instance-{name.lower()}").attrs

    def seconds(stamp: str) -> float:  # RFC 3339 with nanoseconds: Python reads microseconds
        whole, _, fraction = stamp.rstrip("Z").partition(".")
        moment = datetime.datetime.fromisoformat(f"{whole}.{(fraction + '000000')[:6]}+00:00")
        return moment.timestamp() - since_ms / 1000

    return seconds(attrs["Created"]), seconds(attrs["State"]["StartedAt"])


def split(engine, logs, name: str, since_ms: int, total: float, what: str) -> dict:
    """Where `what`'s time went, each step from the end of the one before (the last two only once
    jupyter.log has a line)."""
    created, started = container_times(engine, name, since_ms)
    first_line = first_log_line_after(logs, name, since_ms)
    steps = {f"{what}: call -> container created": created,
             f"{what}: -> container started (files in)": started - created}
    if first_line is not None:
        steps[f"{what}: -> JupyterLab's first log line"] = first_line - started
        steps[f"{what}: -> InService seen"] = total - first_line
    return steps


def one_round(sm, logs, engine, config: str | None) -> dict:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    created_ms = int(time.time() * 1000)
    started = time.monotonic()
    sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE,
                                **({"LifecycleConfigName": config} if config else {}))
    until(sm, name, "InService")
    create = time.monotonic() - started  # the call itself included
    create_split = split(engine, logs, name, created_ms, create, "create")
    started = time.monotonic()
    sm.stop_notebook_instance(NotebookInstanceName=name)
    until(sm, name, "Stopped")
    stop = time.monotonic() - started
    start_ms = int(time.time() * 1000)
    started = time.monotonic()
    sm.start_notebook_instance(NotebookInstanceName=name)
    until(sm, name, "InService")
    start = time.monotonic() - started
    start_split = split(engine, logs, name, start_ms, start, "start")
    sm.stop_notebook_instance(NotebookInstanceName=name)
    until(sm, name, "Stopped")
    sm.delete_notebook_instance(NotebookInstanceName=name)
    return {"create": create, **create_split, "stop": stop, "start": start, **start_split}


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
            engine = docker.from_env()
            rounds = [one_round(sm, logs, engine, config) for _ in range(args.rounds)]
        finally:
            emulator.stop()
    print(f"{args.rounds} rounds{' with an OnCreate and an OnStart script' if args.lifecycle else ''}, "
          "seconds (median, then each round):")
    for key in dict.fromkeys(key for r in rounds for key in r):
        values = [r[key] for r in rounds if r.get(key) is not None]
        shown = " ".join(f"{v:.2f}" for v in values)
        print(f"  {key:<45} {statistics.median(values):6.2f}   ({shown})")


if __name__ == "__main__":
    main()
