"""Testing a project against the emulator as a user does (emulator/testing): pytest run in a
subprocess on a project that uses the plugin's fixtures (its own emulator, real Docker, an SDK
training job, isolation between its two tests), the README's unittest example with the context
manager, and `sagemaker-emulator run` making the SDK's deploy poll instead of sleeping 30 s."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, user_shell_env

pytestmark = pytest.mark.docker

PROJECT = Path(__file__).parent / "plugin_project"
CLI = Path(sys.executable).parent / "sagemaker-emulator"


def user_env(home: Path) -> dict:
    """A shell where nothing points at an emulator yet."""
    home.mkdir(parents=True, exist_ok=True)
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAGEMAKER_"))},
            "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "SAGEMAKER_SUPPRESS_V2_WARNING": "1"}


def test_a_pytest_project_with_the_fixtures_trains_and_each_test_sees_only_its_own(tmp_path):
    project = shutil.copytree(PROJECT, tmp_path / "project")

    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                         env=user_env(tmp_path / "home"), capture_output=True, text=True, timeout=600)

    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    assert "2 passed" in ran.stdout


def test_the_unittest_example_on_the_emulator_sagemaker_emulator_url_names(emulator, tmp_path):
    env = {**user_env(tmp_path / "home"), "SAGEMAKER_EMULATOR_URL": emulator.url}

    ran = subprocess.run([sys.executable, "-m", "unittest", "-v", "unittest_example"], cwd=PROJECT, env=env,
                         capture_output=True, text=True, timeout=300)

    assert ran.returncode == 0, ran.stderr[-4000:]
    assert "Ran 2 tests" in ran.stderr


def test_run_makes_the_sdk_poll_its_fit_and_deploy(emulator, tmp_path):
    env = user_shell_env(emulator.port, tmp_path / "home")

    ran = subprocess.run([str(CLI), "run", "--port", str(emulator.port), "--", sys.executable,
                          str(REPO / "tests/e2e/sdk/sdk2_fast_path.py"), str(REPO / "tests/e2e/code")],
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)

    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    seen = json.loads(ran.stdout.split("RESULT ", 1)[1])
    assert seen["prediction"] == [[6.0, -1.0]]
    # On its own the SDK's deploy sleeps 30 s, then looks (once: the endpoint is up in seconds);
    # its logs loop describes the job after 5 s and then every 30 s (twice for a job of seconds).
    assert seen["deploy_describes"] >= 3 and seen["fit_describes"] >= 10, seen
    assert seen["role"] == "arn:aws:iam::123456789012:role/SageMakerEmulatorExecutionRole"  # get_execution_role()
