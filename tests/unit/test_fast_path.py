"""`sagemaker-emulator run -- CMD`: the emulator's environment and, in the Python processes it
starts (and their Python children), the SageMaker SDK's fixed polls shortened and
get_execution_role() answered by the emulator; a Python process started otherwise keeps the
SDK's own waits. The SDK scripts run against the in-process emulator on the fake runner."""

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from emulator.testing import fast_path
from fake_runner import ServeProgram
from helpers import REPO, user_shell_env
from in_process import BUCKET

SCRIPTS = Path(__file__).parent / "fast_path"
PATCHES = fast_path.module().PATCHES  # SDK module -> its patches; each script imports every one of its SDK's
SDK3_PACKAGES = ("sagemaker.core", "sagemaker.mlops", "sagemaker.serve")  # SDK 2.x has no such modules
CLI = Path(sys.executable).parent / "sagemaker-emulator"
SDK3_PYTHON = REPO / ".venv-sdk3/bin/python"
ACCOUNT = "123456789012"
EMULATOR_ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerEmulatorExecutionRole"


def train_for(seconds: float):
    def program(host):
        host.print("training")
        host.sleep(seconds)
        (host.root / "model" / "model.txt").write_text("weights")
        return 0
    return program


def answering(ping=lambda: 200):
    return ServeProgram(lambda request: (200, "text/plain", b"ok"), ping=ping)


def healthy_after(seconds: float):
    """A model server whose /ping fails for its first `seconds`: the endpoint is Creating as long."""
    first_ping = []

    def ping():
        if not first_ping:
            first_ping.append(time.monotonic())
        return 200 if time.monotonic() - first_ping[0] >= seconds else 503
    return answering(ping)


def under_run(port: int, command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), "run", "--port", str(port), "--", *command], env=env, capture_output=True,
                          text=True, timeout=120, **kwargs)


def result(process: subprocess.CompletedProcess) -> dict:
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-3000:]
    assert "fast path: skipped" not in process.stderr, process.stderr
    return json.loads(process.stdout.split("RESULT ", 1)[1])


def test_run_shortens_the_sdk2_waits_in_python_processes_and_their_children(in_process, image, tmp_path):
    env = user_shell_env(in_process.port, tmp_path / "home")
    # bash in between: a Python process started by any process `run` started has the fast path.
    script = f"{sys.executable} {SCRIPTS / 'sdk2_waits.py'} {BUCKET} {image(train_for(2))} {image(healthy_after(1.5))}"

    seen = result(under_run(in_process.port, ["bash", "-c", script], env))

    # On its own the SDK sleeps 5 s, describes the job, then describes it every 30 s: once or
    # twice in a 2 s job's life. Deploy's wait sleeps 30 s, then looks: once for an endpoint
    # that took 1.5 s.
    assert seen["train"]["describes"] >= 10, seen
    assert seen["child_deploy"]["describes"] >= 3, seen
    assert seen["role"] == EMULATOR_ROLE
    assert sorted(seen["patched"]) == sorted(name for name in PATCHES if not name.startswith(SDK3_PACKAGES))


def test_a_python_process_not_started_by_run_keeps_the_sdk_waits(in_process, tmp_path):
    env = user_shell_env(in_process.port, tmp_path / "home")  # after eval "$(sagemaker-emulator env)"
    check = ("import json, time, sagemaker.session as s\n"
             "started = time.monotonic(); s._wait_until(lambda: 1, poll=1)\n"
             "print('RESULT', json.dumps({'seconds': time.monotonic() - started,"
             " 'sts': s.sts_regional_endpoint('us-east-1')}))\n")

    seen = result(subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60))

    assert seen["seconds"] >= 1
    assert seen["sts"] == "https://sts.us-east-1.amazonaws.com"


def test_run_validates_the_sdk_config_once_and_an_invalid_one_every_time(in_process, tmp_path):
    env = user_shell_env(in_process.port, tmp_path / "home")
    script = [sys.executable, str(SCRIPTS / "sdk2_config_reads.py")]

    fast = result(under_run(in_process.port, script, env))
    own = result(subprocess.run(script, env=env, capture_output=True, text=True, timeout=60))

    # On its own the SDK validates the whole file at each of the 20 reads; under `run` the
    # Session's load validated it and the reads do not again. An invalid config fails each time.
    assert own["validations_in_reads"] == 20 and fast["validations_in_reads"] == 0, (own, fast)
    assert fast["values"] == own["values"] == [f"sagemaker-us-east-1-{ACCOUNT}"]
    assert fast["refused"] == own["refused"] == 2


def test_run_shortens_the_sdk3_waits(in_process, image, tmp_path):
    assert SDK3_PYTHON.exists(), "scripts/setup.sh makes .venv-sdk3"
    env = user_shell_env(in_process.port, tmp_path / "home")

    seen = result(under_run(in_process.port, [str(SDK3_PYTHON), str(SCRIPTS / "sdk3_waits.py"), BUCKET,
                                              image(train_for(2)), image(healthy_after(1.5))], env))

    # On its own: TrainingJob.wait looks every 5 s (once or twice for a 2 s job),
    # wait_for_endpoint sleeps 30 s first (one look).
    assert seen["train_describes"] >= 10 and seen["deploy_describes"] >= 3, seen
    assert seen["role"] == EMULATOR_ROLE
    assert sorted(seen["patched"]) == sorted(name for name in PATCHES if name.startswith(SDK3_PACKAGES))


def test_the_aws_cli_waiters_poll_fast_under_run(in_process, sm, image, tmp_path):
    ready = threading.Event()
    name = "cli-waits"
    sm.create_model(ModelName=name, ExecutionRoleArn=EMULATOR_ROLE,
                    PrimaryContainer={"Image": image(answering(ping=lambda: 200 if ready.is_set() else 503))})
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    env = user_shell_env(in_process.port, tmp_path / "home")
    waiter = subprocess.Popen([str(CLI), "run", "--port", str(in_process.port), "--", str(Path(sys.executable).parent / "aws"),
                               "--debug", "sagemaker", "wait", "endpoint-in-service", "--endpoint-name", name],
                              env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    describes, became_ready = 0, None
    for line in waiter.stderr:  # the CLI's debug log: a line per request it makes, the bodies it got
        if "Making request for OperationModel(name=DescribeEndpoint)" in line:
            describes += 1
        elif not ready.is_set() and re.search(r'"EndpointStatus":\s*"Creating"', line):
            # It saw Creating (the answer, not the request: a request logged before the endpoint
            # came up may be answered after): only now may the endpoint come up.
            ready.set()
            became_ready = time.monotonic()
    waiter.wait(30)

    # The CLI's own endpoint-in-service waiter sleeps 30 s after a look that saw Creating.
    assert waiter.returncode == 0 and describes >= 2 and became_ready is not None
    assert time.monotonic() - became_ready < 20
    sm.delete_endpoint(EndpointName=name)


def test_run_keeps_a_sitecustomize_it_shadows(in_process, tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "sitecustomize.py").write_text("import os\nos.environ['THEIRS'] = 'ran'\n")
    env = {**user_shell_env(in_process.port, tmp_path / "home"), "PYTHONPATH": str(theirs)}

    ran = under_run(in_process.port, [sys.executable, "-c", "import os, sys; print(os.environ.get('THEIRS'), "
                                      "'sagemaker_emulator_fast_path' in sys.modules)"], env)

    assert ran.stdout.split() == ["ran", "True"], ran.stderr
