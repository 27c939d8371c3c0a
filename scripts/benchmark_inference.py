"""Inference figures, side by side in one run: the emulator's InvokeEndpoint against the
same payload POSTed straight to the container's /invocations.

- latency p50/p99 with 1 client, throughput with 1 and 16 concurrent clients, both paths
  through the same HTTP client (http.client, a connection per call), so the difference is
  the emulator's own cost;
- the same through boto3's invoke_endpoint, as a user calls it (adds SigV4 signing);
- CreateEndpoint -> InService, DeleteEndpoint -> gone, serverless cold and warm start.

Usage: .venv/bin/python scripts/benchmark_inference.py [calls]   (default 2000)
"""

import http.client
import io
import json
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
from emulator_process import EmulatorProcess  # noqa: E402
from helpers import ROLE, ensure_bucket  # noqa: E402

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-cpu-py312"
PAYLOAD = json.dumps([[1.0, 2.0, 3.0]]).encode()
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
# The emulator routes by the SigV4 credential scope and does not check signatures.
SIGNED = {**HEADERS, "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/sagemaker/"
                                      "aws4_request, SignedHeaders=host, Signature=0"}


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


def latencies(post, calls: int) -> list[float]:
    for _ in range(50):
        post()
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        post()
        out.append((time.perf_counter() - start) * 1000)
    return out


def throughput(make_post, clients: int, seconds: float = 5.0) -> float:
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
    return sum(counts) / seconds


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


def create_bench_model(sm, s3) -> None:
    """Model "bench" (the tiny TorchScript model) and endpoint config "bench": one ml.m5.large."""
    ensure_bucket(s3, "bench")
    s3.put_object(Bucket="bench", Key="model.tar.gz", Body=model_tarball())
    sm.create_model(ModelName="bench", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": IMAGE, "ModelDataUrl": "s3://bench/model.tar.gz"})
    sm.create_endpoint_config(EndpointConfigName="bench", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": "bench", "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1}])


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    work = Path(tempfile.mkdtemp(prefix="bench-inference-"))
    emulator = EmulatorProcess(work / "data").start()
    try:
        sm, s3, runtime = emulator.client("sagemaker"), emulator.client("s3"), emulator.client("sagemaker-runtime")
        create_bench_model(sm, s3)
        sm.create_endpoint_config(EndpointConfigName="bench-serverless", ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": "bench",
            "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 20}}])

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

        sm.create_endpoint(EndpointName="bench", EndpointConfigName="bench")
        wait_status(sm, "bench", "InService")
        [container] = docker.from_env().containers.list(filters={"label": "sagemaker-emulator.owner=bench"})
        port = container.attrs["NetworkSettings"]["Ports"]["8080/tcp"][0]["HostPort"]
        direct_url = f"http://127.0.0.1:{port}/invocations"
        via_url = f"{emulator.url}/endpoints/bench/invocations"

        rows = []
        direct = latencies(poster(direct_url, HEADERS), calls)
        via = latencies(poster(via_url, SIGNED), calls)
        boto = latencies(lambda: runtime.invoke_endpoint(EndpointName="bench", Body=PAYLOAD, **{
            "ContentType": "application/json", "Accept": "application/json"})["Body"].read(), calls)
        tput = {(name, clients): throughput(lambda u=url, h=headers: poster(u, h), clients)
                for clients in (1, 16) for name, url, headers in (("direct", direct_url, HEADERS),
                                                                   ("emulator", via_url, SIGNED))}
        for name, values in (("direct to the container", direct), ("emulator InvokeEndpoint (http.client)", via),
                             ("emulator InvokeEndpoint (boto3)", boto)):
            rows.append((name, statistics.median(values), pct(values, 99)))

        sm.create_endpoint(EndpointName="serverless", EndpointConfigName="bench-serverless")
        wait_status(sm, "serverless", "InService")
        start = time.perf_counter()
        runtime.invoke_endpoint(EndpointName="serverless", Body=PAYLOAD, ContentType="application/json")
        cold = time.perf_counter() - start
        warm = statistics.median(latencies(lambda: runtime.invoke_endpoint(
            EndpointName="serverless", Body=PAYLOAD, ContentType="application/json")["Body"].read(), 200))

        print(f"\n{calls} calls per latency row; throughput over 5 s; payload {len(PAYLOAD)} B JSON, "
              "torch Linear(3,2), default handlers, ml.m5.large (2 workers)\n")
        print("| path | p50 ms | p99 ms |\n|---|---:|---:|")
        for name, p50, p99 in rows:
            print(f"| {name} | {p50:.2f} | {p99:.2f} |")
        print(f"\np50 overhead over direct (same client): {rows[1][1] - rows[0][1]:+.2f} ms\n")
        print("| clients | direct calls/s | emulator calls/s | ratio |\n|---:|---:|---:|---:|")
        for clients in (1, 16):
            d, e = tput[("direct", clients)], tput[("emulator", clients)]
            print(f"| {clients} | {d:.0f} | {e:.0f} | {e / d:.0%} |")
        print(f"\nCreateEndpoint -> InService: median {statistics.median(create):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in create)})")
        print(f"DeleteEndpoint -> gone:       median {statistics.median(delete):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in delete)})")
        print(f"serverless: first invocation (cold start) {cold:.2f} s; warm p50 {warm:.2f} ms")
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
