"""The SageMaker Python SDK 2.x's processors, unchanged, in a user's shell environment."""

import json
import subprocess
import sys

import pytest

from helpers import REPO, user_shell_env

pytestmark = pytest.mark.docker


def test_sdk2_script_and_framework_processors(emulator, tmp_path):
    env = user_shell_env(emulator.port, tmp_path / "home")
    result = subprocess.run([sys.executable, str(REPO / "tests/e2e/sdk/sdk2_processing.py"),
                             str(REPO / "tests/e2e/code/processing/src"), str(tmp_path)],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["script"] == {"status": "Completed", "train": "2.0,4.0\r\n6.0,8.0\r\n"}
    assert seen["framework"]["status"] == "Completed"
    assert seen["framework"]["entrypoint"] == ["/bin/bash", "/opt/ml/processing/input/entrypoint/runproc.sh"]
    assert seen["framework"]["summary"] == {"rows": 4, "factor": 3.0}
    # run(logs=True) streamed each job's own output.
    assert result.stdout.count("preprocessed 4 rows") == 2
