"""Load on one emulator, as many users at once would put it (issue 10, item 6):

- invoke: N concurrent boto3 clients calling invoke_endpoint in a loop for D seconds on one
  ml.m5.large endpoint (the PyTorch inference image, a TorchScript Linear(3,2), as
  benchmark_inference.py builds it);
- api: M concurrent boto3 clients for D seconds, each creating a trivial training job
  (`sh -c true`) every few seconds and otherwise alternating DescribeTrainingJob and
  ListTrainingJobs (MaxResults 50); then every created job is waited for (bounded).

Every error is counted by its code: retries are off ({"max_attempts": 1, "mode": "standard"}),
so an error shows instead of being retried away. Reports calls, errors, calls/s, latency
percentiles, and the resident memory of the emulator and its child processes (SeaweedFS)
before, right after, and 10 s after the load, plus where the CPU went: the clients, the
emulator and the model's container share this machine's cores.

Exits 1 if any call failed or any created job did not reach Completed, so it works as a check.

Usage: .venv/bin/python scripts/benchmark_load.py [--clients 200] [--seconds 60] [--api-clients 50]
                                                  [--create-every 15] [--only invoke|api]
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import docker
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent.parent / "tests")]
from benchmark_inference import PAYLOAD, create_bench_model  # noqa: E402
from emulator_process import EmulatorProcess  # noqa: E402
from helpers import PYTORCH_DLC, ensure_bucket, training_request, wait_until  # noqa: E402

# One attempt per call: botocore's standard mode would retry throttling and 5xx answers up to
# 3 times and hide them. The connection pool stays botocore's default (10 per client); each
# thread has its own client and makes one call at a time, so it uses one connection.
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})
IDLE_SECONDS = 10
JOBS_TIMEOUT_SECONDS = 600
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the emulator's processes, read from /proc -------------------------------------------

@dataclass
class ProcessFigures:
    name: str
    rss_mib: float
    cpu_s: float


def process_figures(pid: int) -> ProcessFigures | None:
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone meanwhile
        return None
    rss_kib = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    fields = stat.rsplit(")", 1)[1].split()  # the name may hold spaces and parentheses
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return ProcessFigures(name, rss_kib / 1024, cpu)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class Snapshot:
    label: str
    emulator: ProcessFigures
    children: list[ProcessFigures]


def snapshot(label: str, emulator: EmulatorProcess) -> Snapshot:
    kids = [f for f in map(process_figures, descendants(emulator.proc.pid)) if f]
    return Snapshot(label, process_figures(emulator.proc.pid), kids)


def child_names(snapshots: list[Snapshot]) -> list[str]:
    return sorted({child.name for s in snapshots for child in s.children})


def print_memory(snapshots: list[Snapshot]) -> None:
    names = child_names(snapshots)
    print("| | emulator RSS MiB | " + " | ".join(f"child `{n}` RSS MiB" for n in names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for s in snapshots:
        kids = [f"{sum(c.rss_mib for c in s.children if c.name == n):.0f}" for n in names]
        print(f"| {s.label} | {s.emulator.rss_mib:.0f} | " + " | ".join(kids) + " |")


def machine_busy_s() -> float:
    """CPU seconds all cores spent on anything but idle and iowait since boot (/proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLOCK_TICKS  # user..steal, less idle and iowait


def container_cpu_s(containers) -> float:
    return sum(c.stats(stream=False)["cpu_stats"]["cpu_usage"]["total_usage"] for c in containers) / 1e9


def print_cpu(before: Snapshot, after: Snapshot, own_cpu: float, containers_cpu: float | None,
              machine_cpu: float, seconds: float) -> None:
    rows = [("the whole machine (/proc/stat)", machine_cpu), ("benchmark clients (this process)", own_cpu),
            ("emulator", after.emulator.cpu_s - before.emulator.cpu_s)]
    for name in child_names([before, after]):
        used = (sum(c.cpu_s for c in after.children if c.name == name)
                - sum(c.cpu_s for c in before.children if c.name == name))
        rows.append((f"emulator's child `{name}`", used))
    if containers_cpu is not None:
        rows.append(("the endpoint's container", containers_cpu))
    print(f"\nCPU during the load ({seconds:.1f} s wall, {os.cpu_count()} cores = "
          f"{seconds * os.cpu_count():.0f} core-seconds):\n")
    print("| process | CPU s | share of the cores |\n|---|---:|---:|")
    for name, used in rows:
        print(f"| {name} | {used:.1f} | {used / (seconds * os.cpu_count()):.0%} |")


# --- running clients ---------------------------------------------------------------------

@dataclass
class Tally:
    """One operation's outcomes; each thread keeps its own and they are merged after."""
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    def call(self, fn, **kwargs):
        start = time.perf_counter()
        try:
            answer = fn(**kwargs)
            if "Body" in answer:
                answer["Body"].read()
        except ClientError as exc:
            self.errors[exc.response.get("Error", {}).get("Code") or "ClientError"] += 1
            answer = None
        except Exception as exc:  # a timeout, a refused connection, a broken answer: all errors
            self.errors[type(exc).__name__] += 1
            answer = None
        self.latencies_ms.append((time.perf_counter() - start) * 1000)
        return answer

    def merge(self, other: "Tally") -> None:
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors


def clients(emulator: EmulatorProcess, service: str, count: int) -> list:
    """Made one after another in this thread: a Session is not thread-safe, its clients are."""
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    return [session.client(service, endpoint_url=emulator.url, config=NO_RETRIES) for _ in range(count)]


def run_threads(work, count: int) -> float:
    """Runs work(i) in count threads started together; returns the wall seconds until all ended."""
    gate = threading.Barrier(count + 1)

    def run(i):
        gate.wait()
        work(i)
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    gate.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def error_text(errors: Counter) -> str:
    return ", ".join(f"{code} {n}" for code, n in errors.most_common()) or "none"


# --- invoke load -------------------------------------------------------------------------

def invoke_load(emulator: EmulatorProcess, count: int, seconds: float) -> bool:
    sm = emulator.client("sagemaker")
    create_bench_model(sm, emulator.client("s3"))
    sm.create_endpoint(EndpointName="bench", EndpointConfigName="bench")
    wait_until(lambda: sm.describe_endpoint(EndpointName="bench")["EndpointStatus"] == "InService",
               120, "the endpoint InService")
    runtime = emulator.client("sagemaker-runtime")
    for _ in range(50):  # the model's first calls are slower: not the load's to count
        runtime.invoke_endpoint(EndpointName="bench", Body=PAYLOAD, ContentType="application/json")["Body"].read()
    containers = docker.from_env().containers.list(filters={"label": "sagemaker-emulator.owner=bench"})

    runtimes = clients(emulator, "sagemaker-runtime", count)
    tallies = [Tally() for _ in range(count)]

    def work(i):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            tallies[i].call(runtimes[i].invoke_endpoint, EndpointName="bench", Body=PAYLOAD,
                            ContentType="application/json", Accept="application/json")

    before, container_cpu = snapshot("before the load", emulator), container_cpu_s(containers)
    own_cpu, machine_cpu = time.process_time(), machine_busy_s()
    wall = run_threads(work, count)
    own_cpu, machine_cpu = time.process_time() - own_cpu, machine_busy_s() - machine_cpu
    after = snapshot("right after the load", emulator)
    container_cpu = container_cpu_s(containers) - container_cpu
    time.sleep(IDLE_SECONDS)  # the figure asked for is memory after this long idle
    idle = snapshot(f"after {IDLE_SECONDS} s idle", emulator)

    total = Tally()
    for t in tallies:
        total.merge(t)
    lat = total.latencies_ms
    errors = sum(total.errors.values())
    print(f"\n### InvokeEndpoint: {count} clients, {seconds:g} s\n")
    print(f"One ml.m5.large endpoint (PyTorch inference image, TorchScript Linear(3,2), "
          f"{len(PAYLOAD)}-byte JSON); {count} threads, each with its own boto3 client "
          "(one Session), retries off.\n")
    print("| clients | seconds | calls | errors | calls/s | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {count} | {wall:.1f} | {len(lat)} | {errors} | {len(lat) / wall:.0f} | {pct(lat, 50):.1f} | "
          f"{pct(lat, 90):.1f} | {pct(lat, 99):.1f} | {max(lat):.1f} |")
    print(f"\nErrors by code: {error_text(total.errors)}\n")
    print_memory([before, after, idle])
    print_cpu(before, after, own_cpu, container_cpu, machine_cpu, wall)
    sm.delete_endpoint(EndpointName="bench")
    return errors == 0


# --- control-plane load ------------------------------------------------------------------

def trivial_job(name: str) -> dict:
    request = training_request(name, "bench", {})
    request["AlgorithmSpecification"] = {"TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
                                         "ContainerEntrypoint": ["sh", "-c", "true"]}
    return request


def finished_jobs(sm, names: list[str]) -> dict[str, str] | None:
    statuses = {}
    for name in names:
        statuses[name] = sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"]
        if statuses[name] in ("InProgress", "Stopping"):
            return None
    return statuses


def api_load(emulator: EmulatorProcess, count: int, seconds: float, create_every: float) -> bool:
    sm, s3 = emulator.client("sagemaker"), emulator.client("s3")
    ensure_bucket(s3, "bench")
    # One job run through first: starts the image once and gives Describe a job from the start.
    sm.create_training_job(**trivial_job("load-seed"))
    seed = wait_until(lambda: finished_jobs(sm, ["load-seed"]), 120, "the seed job")
    if seed["load-seed"] != "Completed":
        raise RuntimeError(f"the seed job ended {seed['load-seed']}: a trivial job must complete before the load")

    apis = clients(emulator, "sagemaker", count)
    ops = ("CreateTrainingJob", "DescribeTrainingJob", "ListTrainingJobs")
    tallies = [{op: Tally() for op in ops} for _ in range(count)]
    created: list[list[str]] = [[] for _ in range(count)]

    def work(i):
        sm_i, tally = apis[i], tallies[i]
        start = time.monotonic()
        deadline = start + seconds
        next_create = start + create_every * i / count  # spread so creates do not come in one burst
        n = 0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_create:
                name = f"load-{i}-{len(created[i])}"
                if tally["CreateTrainingJob"].call(sm_i.create_training_job, **trivial_job(name)):
                    created[i].append(name)
                next_create += create_every
            elif n % 2:
                tally["ListTrainingJobs"].call(sm_i.list_training_jobs, MaxResults=50)
            else:
                tally["DescribeTrainingJob"].call(sm_i.describe_training_job,
                                                  TrainingJobName=created[i][-1] if created[i] else "load-seed")
            n += 1

    before, own_cpu, machine_cpu = snapshot("before the load", emulator), time.process_time(), machine_busy_s()
    wall = run_threads(work, count)
    own_cpu, machine_cpu = time.process_time() - own_cpu, machine_busy_s() - machine_cpu
    after = snapshot("right after the load", emulator)
    names = [name for names in created for name in names]
    waited = time.monotonic()
    try:
        statuses = wait_until(lambda: finished_jobs(sm, names), JOBS_TIMEOUT_SECONDS,
                              "the created jobs to end") if names else {}
    except AssertionError:  # reported below as the jobs still InProgress
        statuses = {name: sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] for name in names}
    waited = time.monotonic() - waited
    done = snapshot("all jobs ended", emulator)
    time.sleep(IDLE_SECONDS)  # the figure asked for is memory after this long idle
    idle = snapshot(f"after {IDLE_SECONDS} s idle", emulator)

    totals = {op: Tally() for op in ops}
    for tally in tallies:
        for op in ops:
            totals[op].merge(tally[op])
    errors = sum(sum(t.errors.values()) for t in totals.values())
    outcome = Counter(statuses.values())
    print(f"\n### Control plane: {count} clients, {seconds:g} s\n")
    print(f"{count} threads, each with its own boto3 client, retries off; each creates a trivial "
          f"training job (`sh -c true` in the PyTorch image, Docker runner) every {create_every:g} s "
          "(first creates spread over that interval) and otherwise alternates DescribeTrainingJob "
          "(its latest job) and ListTrainingJobs (MaxResults 50).\n")
    print("| operation | calls | errors | calls/s | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|")
    for op in ops:
        lat = totals[op].latencies_ms
        print(f"| {op} | {len(lat)} | {sum(totals[op].errors.values())} | {len(lat) / wall:.1f} | "
              f"{pct(lat, 50):.1f} | {pct(lat, 99):.1f} | {max(lat):.1f} |")
    print("\nErrors by code: " + "; ".join(f"{op}: {error_text(totals[op].errors)}" for op in ops))
    print(f"\nJobs created during the load: {len(names)}; after it, ended within {waited:.0f} s: "
          + (", ".join(f"{status} {n}" for status, n in outcome.most_common()) or "none") + "\n")
    print_memory([before, after, done, idle])
    print_cpu(before, after, own_cpu, None, machine_cpu, wall)
    return errors == 0 and outcome["Completed"] == len(names)


def raise_open_files_limit(needed: int) -> None:
    """Each client holds a socket; the emulator, started from here, inherits the limit too."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed if hard == resource.RLIM_INFINITY else min(needed, hard),
                                                    hard))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200, help="concurrent invoke_endpoint clients")
    parser.add_argument("--seconds", type=float, default=60, help="how long each load runs")
    parser.add_argument("--api-clients", type=int, default=50, help="concurrent control-plane clients")
    parser.add_argument("--create-every", type=float, default=15,
                        help="seconds between one control-plane client's CreateTrainingJob calls")
    parser.add_argument("--only", choices=("invoke", "api"), help="run one of the two loads")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="`torch.jit", category=FutureWarning)  # torch.jit's deprecation notes
    raise_open_files_limit(4 * max(args.clients, args.api_clients) + 1024)

    print(f"{os.cpu_count()} cores; the clients, the emulator, SeaweedFS and the containers share them")
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        emulator = EmulatorProcess(Path(tmp) / "data").start()
        try:
            start = snapshot("emulator started", emulator)
            print(f"emulator pid {emulator.proc.pid}, RSS at start {start.emulator.rss_mib:.0f} MiB")
            if args.only in (None, "invoke"):
                ok &= invoke_load(emulator, args.clients, args.seconds)
            if args.only in (None, "api"):
                ok &= api_load(emulator, args.api_clients, args.seconds, args.create_every)
        finally:
            emulator.stop()
    print("\nresult:", "no errors" if ok else "ERRORS (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
