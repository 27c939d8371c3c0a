"""Create-to-Completed time of a trivial training job, side by side in one run:

- docker:  the emulator's Docker runner, through the API (boto3 over HTTP)
- process: the emulator's process runner, through the API
- floor:   bare `docker run` of the same image and the same command

Prints the median and min of N runs each. Usage: .venv/bin/python scripts/benchmark_training.py [N]
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent.parent / "tests")]
from emulator_process import EmulatorProcess  # noqa: E402
from helpers import PYTORCH_DLC, ensure_bucket, training_request  # noqa: E402

from emulator.execution.framework_image import PYTORCH_IMAGE  # noqa: E402

SCRIPT = "open('/opt/ml/model/model.txt', 'w').write('trained')"


def via_api(runner: str, runs: int, work: Path) -> list[float]:
    emulator = EmulatorProcess(work / runner, extra_args=["--runner", runner]).start()
    try:
        sm, s3 = emulator.client("sagemaker"), emulator.client("s3")
        ensure_bucket(s3, "bench")
        times = []
        for i in range(runs + 1):  # the first run warms caches and is not counted
            request = training_request(f"bench-{runner}-{i}", "bench", {})
            request["AlgorithmSpecification"] = {"TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
                                                 "ContainerEntrypoint": ["python3", "-c", SCRIPT]}
            start = time.perf_counter()
            sm.create_training_job(**request)
            while sm.describe_training_job(TrainingJobName=request["TrainingJobName"])["TrainingJobStatus"] != "Completed":
                time.sleep(0.01)
            if i:
                times.append(time.perf_counter() - start)
        return times
    finally:
        emulator.stop()


def floor(runs: int, work: Path) -> list[float]:
    times = []
    for i in range(runs + 1):
        ml = work / f"floor-{i}"
        (ml / "model").mkdir(parents=True)
        start = time.perf_counter()
        subprocess.run(["docker", "run", "--rm", "-v", f"{ml}:/opt/ml", PYTORCH_IMAGE, "python3", "-c", SCRIPT],
                       check=True)
        if i:
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results = {"floor (docker run)": floor(runs, work),
                   "emulator, docker runner": via_api("docker", runs, work),
                   "emulator, process runner": via_api("process", runs, work)}
    base = statistics.median(results["floor (docker run)"])
    print(f"trivial training job, create -> Completed, {runs} runs each")
    print(f"{'':28} {'median s':>9} {'min s':>7} {'vs floor':>9}")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"{name:28} {med:9.3f} {min(times):7.3f} {med - base:+9.3f}")


if __name__ == "__main__":
    main()
