"""Inference figures, side by side in one run: the emulator's InvokeEndpoint against the
same payload POSTed straight to the container's /invocations.

- latency p50/p99 with 1 client, throughput with 1 and 16 concurrent clients, every path
  through the same HTTP client (http.client, a connection per call), so the difference is
  the emulator's own cost; direct is measured two ways, to the port the container publishes
  on 127.0.0.1 and to its own address on the engine's bridge;
- the same through boto3's invoke_endpoint, as a user calls it (adds SigV4 signing);
- the emulator process's CPU time per invocation (where the 2 cores go under load);
- CreateEndpoint -> InService, DeleteEndpoint -> gone, serverless cold and warm start.

The machine's other work comes and goes, so the paths are measured in alternating rounds
(direct, emulator, boto3; then again) and every figure is given with its spread over the
rounds and the load average before and after.

Usage: .venv/bin/python scripts/benchmark_inference.py [calls] [--rounds 5] [--seconds 2]
                                                       [--hop-only] [--server granian|waitress]
  calls: latency calls per path in all (default 2000); --seconds: each throughput window;
  --hop-only: only the invoke hop (no create/delete cycles, no serverless);
  --server: the emulator's HTTP server (SAGEMAKER_EMULATOR_HTTP_SERVER; default granian).
"""

import argparse
import http.client
import io
import json
import os
import statistics
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import docker
import torch

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent.parent / "tests")]
from emulator.execution.runners import home_of  # noqa: E402
from emulator_process import EmulatorProcess  # noqa: E402
from helpers import ROLE, ensure_bucket  # noqa: E402

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-cpu-py312"
PAYLOAD = json.dumps([[1.0, 2.0, 3.0]]).encode()
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
# The emulator routes by the SigV4 credential scope and does not check signatures.
SIGNED = {**HEADERS, "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/sagemaker/"
                                      "aws4_request, SignedHeaders=host, Signature=0"}
CLIENTS = (1, 16)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def model_tarball() -> bytes:
    model = torch.nn.Linear(3, 2)
    buf, tar_buf = io.BytesIO(), io.BytesIO()
    torch.jit.save(torch.jit.script(model), buf)
    with tarfile.open(fileobj=tar_buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("model.pt")
        info.size = len(buf.getvalue())
        tar.addfile(info, io.BytesIO(buf.getvalue()))
    return tar_buf.getvalue()


def wait_status(sm, name, status):
    while sm.describe_endpoint(EndpointName=name)["EndpointStatus"] != status:
        time.sleep(0.01)


def wait_gone(sm, name):
    while True:
        try:
            sm.describe_endpoint(EndpointName=name)
        except sm.exceptions.ClientError:
            return
        time.sleep(0.01)


def latencies(post, calls: int, warm_up: int = 50) -> list[float]:
    for _ in range(warm_up):
        post()
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        post()
        out.append((time.perf_counter() - start) * 1000)
    return out


def throughput(make_post, clients: int, seconds: float) -> int:
    """Calls completed by `clients` threads in `seconds`."""
    counts = [0] * clients
    stop = threading.Event()

    def run(i):
        post = make_post()
        while not stop.is_set():
            post()
            counts[i] += 1
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts)


def poster(url: str, headers: dict):
    """A POST on a new connection each time, as the container's server closes every one."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]

    def post():
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.request("POST", path, PAYLOAD, headers)
        answer = connection.getresponse()
        data = answer.read()
        connection.close()
        assert answer.status == 200, data
    return post


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def spread(values: list[float], fmt: str) -> str:
    return f"{format(statistics.median(values), fmt)} ({format(min(values), fmt)} to {format(max(values), fmt)})"


def create_bench_model(sm, s3) -> None:
    """Model "bench" (the tiny TorchScript model) and endpoint config "bench": one ml.m5.large."""
    ensure_bucket(s3, "bench")
    s3.put_object(Bucket="bench", Key="model.tar.gz", Body=model_tarball())
    sm.create_model(ModelName="bench", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": IMAGE, "ModelDataUrl": "s3://bench/model.tar.gz"})
    sm.create_endpoint_config(EndpointConfigName="bench", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": "bench", "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1}])


def lifecycle(sm) -> tuple[list[float], list[float]]:
    """CreateEndpoint -> InService and DeleteEndpoint -> gone, 3 cycles after a warm one."""
    create, delete = [], []
    for i in range(4):  # the first pair warms the model-data cache and is not counted
        start = time.perf_counter()
        sm.create_endpoint(EndpointName=f"cycle-{i}", EndpointConfigName="bench")
        wait_status(sm, f"cycle-{i}", "InService")
        created = time.perf_counter() - start
        start = time.perf_counter()
        sm.delete_endpoint(EndpointName=f"cycle-{i}")
        wait_gone(sm, f"cycle-{i}")
        if i:
            create.append(created)
            delete.append(time.perf_counter() - start)
        time.sleep(2)  # the deleted endpoint's containers stop in the background; let them go
    return create, delete


# The two ways to call the container without the emulator: its port published on 127.0.0.1 (as a
# user on this machine reaches it; through the engine's userland proxy, docker-proxy) and its
# own address on the engine's bridge (nothing in between, the cheapest way to it there is).
DIRECT = {"published": "direct to the container's published port",
          "bridge": "direct to the container's bridge address"}


def hop(emulator, runtime, calls: int, rounds: int, seconds: float) -> dict:
    """The invoke hop, direct and through the emulator in alternating rounds."""
    # This emulator's (its data dir's label): another benchmark may run an endpoint "bench" too.
    [container] = docker.from_env().containers.list(filters={"label": [
        "sagemaker-emulator.owner=bench", f"sagemaker-emulator={home_of(emulator.data_dir)}"]})
    network = container.attrs["NetworkSettings"]
    paths = {"published": (f"http://127.0.0.1:{network['Ports']['8080/tcp'][0]['HostPort']}/invocations", HEADERS),
             "bridge": (f"http://{network['IPAddress']}:8080/invocations", HEADERS),
             "emulator": (f"{emulator.url}/endpoints/bench/invocations", SIGNED)}
    posts = {name: poster(url, headers) for name, (url, headers) in paths.items()}
    posts["boto3"] = lambda: runtime.invoke_endpoint(EndpointName="bench", Body=PAYLOAD, **{
        "ContentType": "application/json", "Accept": "application/json"})["Body"].read()
    samples = {name: [] for name in posts}
    added = {name: [] for name in DIRECT}  # per round: emulator p50 - direct p50
    for round_ in range(rounds):
        p50 = {}
        for name, post in posts.items():
            values = latencies(post, calls // rounds, warm_up=50 if round_ == 0 else 5)
            samples[name] += values
            p50[name] = statistics.median(values)
        for name in DIRECT:
            added[name].append(p50["emulator"] - p50[name])
    done = {(name, clients): [] for name in paths for clients in CLIENTS}
    cpu_per_call = []
    for _ in range(rounds):
        for clients in CLIENTS:
            for name, (url, headers) in paths.items():
                cpu = cpu_seconds(emulator.proc.pid)
                calls_done = throughput(lambda u=url, h=headers: poster(u, h), clients, seconds)
                done[(name, clients)].append(calls_done)
                if name == "emulator" and clients == CLIENTS[-1]:
                    cpu_per_call.append((cpu_seconds(emulator.proc.pid) - cpu) / calls_done * 1000)
    return {"samples": samples, "added": added, "done": done, "cpu_per_call": cpu_per_call}


def report(figures: dict, calls: int, rounds: int, seconds: float, server: str, load: list) -> None:
    samples, done = figures["samples"], figures["done"]
    print(f"\nserver: {server}; {calls} calls per latency row in {rounds} alternating rounds; throughput "
          f"{rounds} x {seconds:g} s per cell; payload {len(PAYLOAD)} B JSON, torch Linear(3,2), default "
          "handlers, ml.m5.large (2 workers)")
    print(f"load average (1, 5, 15 min) before: {load[0]}; after: {load[1]}\n")
    print("| path | p50 ms | p99 ms |\n|---|---:|---:|")
    for name, label in (*DIRECT.items(), ("emulator", "emulator InvokeEndpoint (http.client)"),
                        ("boto3", "emulator InvokeEndpoint (boto3)")):
        print(f"| {label} | {statistics.median(samples[name]):.2f} | {pct(samples[name], 99):.2f} |")
    print()
    for name in DIRECT:
        overall = statistics.median(samples["emulator"]) - statistics.median(samples[name])
        print(f"p50 added by the emulator over {name}: {overall:+.2f} ms over all calls; per round "
              f"{spread(figures['added'][name], '+.2f')} ms")
    print("\n| clients | published calls/s | bridge calls/s | emulator calls/s | emulator / published "
          "(median of rounds, range) | emulator / bridge |\n|---:|---:|---:|---:|---:|---:|")
    for clients in CLIENTS:
        rate = {name: sum(done[(name, clients)]) / (rounds * seconds) for name in ("published", "bridge", "emulator")}
        ratios = {name: spread([v / d * 100 for v, d in zip(done[("emulator", clients)], done[(name, clients)])],
                               ".0f") for name in DIRECT}
        print(f"| {clients} | {rate['published']:.0f} | {rate['bridge']:.0f} | {rate['emulator']:.0f} | "
              f"{ratios['published']} % | {ratios['bridge']} % |")
    print(f"\nemulator CPU per invocation with {CLIENTS[-1]} clients: {spread(figures['cpu_per_call'], '.2f')} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("calls", nargs="?", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--hop-only", action="store_true")
    parser.add_argument("--server", choices=["granian", "waitress"], default="granian")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-inference-"))
    emulator = EmulatorProcess(work / "data", env={"SAGEMAKER_EMULATOR_HTTP_SERVER": args.server}).start()
    try:
        sm, s3, runtime = emulator.client("sagemaker"), emulator.client("s3"), emulator.client("sagemaker-runtime")
        create_bench_model(sm, s3)
        create, delete = ([], []) if args.hop_only else lifecycle(sm)
        sm.create_endpoint(EndpointName="bench", EndpointConfigName="bench")
        wait_status(sm, "bench", "InService")
        load = [os.getloadavg()]
        figures = hop(emulator, runtime, args.calls, args.rounds, args.seconds)
        load.append(os.getloadavg())
        report(figures, args.calls, args.rounds, args.seconds, args.server,
               [", ".join(f"{v:.2f}" for v in avg) for avg in load])
        if args.hop_only:
            return
        sm.create_endpoint_config(EndpointConfigName="bench-serverless", ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": "bench",
            "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 20}}])
        sm.create_endpoint(EndpointName="serverless", EndpointConfigName="bench-serverless")
        wait_status(sm, "serverless", "InService")
        start = time.perf_counter()
        runtime.invoke_endpoint(EndpointName="serverless", Body=PAYLOAD, ContentType="application/json")
        cold = time.perf_counter() - start
        warm = statistics.median(latencies(lambda: runtime.invoke_endpoint(
            EndpointName="serverless", Body=PAYLOAD, ContentType="application/json")["Body"].read(), 200))
        print(f"\nCreateEndpoint -> InService: median {statistics.median(create):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in create)})")
        print(f"DeleteEndpoint -> gone:       median {statistics.median(delete):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in delete)})")
        print(f"serverless: first invocation (cold start) {cold:.2f} s; warm p50 {warm:.2f} ms")
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
