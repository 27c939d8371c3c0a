"""The SDK and CLI flows' times against the emulator, split into the clients' own fixed sleeps
and the rest, and the SDK 2.x flow beside the same script in the SDK's own local mode, in one
run. Each flow runs in a fresh interpreter under scripts/sdk_bench/timed.py, which counts the
seconds the flow's main thread spends in time.sleep (the SDK's 5/10/30 s polls, the CLI
waiters' delays); "import" is the time a bare `import` of the client takes.

Flows (in scripts/sdk_bench/ and tests/e2e/sdk/):
- SDK 2.x: PyTorch.fit(logs=True), deploy, predict (NPY), delete; on the emulator and in local
  mode (instance_type="local", local code, file:// data: how local mode runs offline); on the
  emulator also with a bare script: tiny_train.py alone in its source dir, without the 4 s of
  sleeps between its loss lines (the script's own time out of the figure);
- SDK 3.x: ModelTrainer.train(logs=True), ModelBuilder build/deploy, Endpoint.invoke, delete;
- AWS CLI: s3 mb/cp, create-training-job, wait, create-model/-endpoint-config/-endpoint,
  wait, invoke-endpoint, delete-endpoint, wait.

The three flows on the emulator run a second time under `sagemaker-emulator run --` (the SDK fast
path: the SDKs' fixed polls and the CLI's waiter delays become 0.1 s polls, emulator/testing);
"sleeps" then counts those short polls, the time the clients spent waiting for the job and the
endpoint themselves.

Local mode runs the image URI the SDK asks for, which this machine cannot pull: the script
tags the emulator's image with those names first (the same image both ways).

Usage: .venv/bin/python scripts/benchmark_sdk.py [repeats] [only]   (default 1; needs scripts/setup.sh)
`only`: run just the rows whose label holds it, e.g. "fast path".
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
from emulator.execution.framework_image import PYTORCH_IMAGE  # noqa: E402
from emulator_process import EmulatorProcess  # noqa: E402
from helpers import user_shell_env  # noqa: E402

CODE = REPO / "tests/e2e/code"
BENCH = REPO / "scripts/sdk_bench"
SDK2, SDK3 = REPO / ".venv/bin/python", REPO / ".venv-sdk3/bin/python"
DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-{}:2.6-cpu-py312"

BARE = "BARE"  # stands for a source dir holding tiny_train.py alone, made in the run's temporary dir
FLOWS = [  # (label, python, script and arguments, import statement, also under `sagemaker-emulator run`)
    ("SDK 2.x on the emulator", SDK2, [BENCH / "sdk2_core.py", CODE, "emulator"], "import sagemaker.pytorch", True),
    # The same flow with the training script's own time taken out: tiny_train.py alone (no
    # requirements.txt for pip to check in both containers) and no sleeps between its lines.
    ("SDK 2.x on the emulator, bare script", SDK2, [BENCH / "sdk2_core.py", BARE, "emulator", "0"],
     "import sagemaker.pytorch", True),
    ("SDK 2.x in SDK local mode", SDK2, [BENCH / "sdk2_core.py", CODE, "local"], "import sagemaker.pytorch", False),
    ("SDK 3.x on the emulator", SDK3, [REPO / "tests/e2e/sdk/sdk3_flow.py", CODE],
     "import sagemaker.train, sagemaker.serve.model_builder", True),
    ("AWS CLI on the emulator", SDK2, [BENCH / "cli_flow.py", CODE], "import awscli.clidriver", True),
]
FAST = " (fast path)"  # the same flow under `sagemaker-emulator run --`: the clients' polls shortened


def run_flow(command, env, cwd) -> tuple[float, float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    slept = float(next(line for line in result.stderr.splitlines() if line.startswith("SLEPT "))[6:])
    # The SDK 2.x flow on the emulator says where its time went.
    phases = next((line[7:] for line in result.stderr.splitlines() if line.startswith("PHASES ")), "")
    return wall, slept, phases


def import_seconds(prefix, python, statement, env) -> float:
    started = time.perf_counter()
    subprocess.run([*prefix, str(python), "-c", statement], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    for kind in ("training", "inference"):
        subprocess.run(["docker", "tag", PYTORCH_IMAGE, DLC.format(kind)], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        emulator = EmulatorProcess(Path(tmp) / "data").start()
        try:
            env = user_shell_env(emulator.port, Path(tmp) / "home")
            bare = Path(tmp) / "bare-code"
            bare.mkdir()
            shutil.copy(CODE / "tiny_train.py", bare)
            fast = [str(Path(sys.executable).parent / "sagemaker-emulator"), "run", "--port", str(emulator.port), "--"]
            rows, phases = [], []
            for label, python, args, statement, also_fast in FLOWS:
                for suffix, prefix in [("", []), *([(FAST, fast)] if also_fast else [])]:
                    if only not in label + suffix:
                        continue
                    command = [*prefix, str(python), str(BENCH / "timed.py"),
                               *(str(bare if a == BARE else a) for a in args)]
                    runs = [run_flow(command, env, tmp) for _ in range(repeats)]
                    wall = statistics.median(w for w, _, _ in runs)
                    slept = statistics.median(s for _, s, _ in runs)
                    imported = import_seconds(prefix, python, statement, env)
                    rows.append((label + suffix, wall, slept, imported, wall - slept - imported))
                    phases += [f"{label + suffix}: {p}" for _, _, p in runs if p]
        finally:
            emulator.stop()
    print(f"median of {repeats}; seconds")
    print(f"{'flow':40} {'total':>7} {'sleeps':>7} {'import':>7} {'rest':>7}")
    for label, wall, slept, imported, rest in rows:
        print(f"{label:40} {wall:7.1f} {slept:7.1f} {imported:7.1f} {rest:7.1f}")
    print("rest = total - sleeps - import: the emulator's share plus the client's own work")
    print("\n".join(phases))


if __name__ == "__main__":
    main()
