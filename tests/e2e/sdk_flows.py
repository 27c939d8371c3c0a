"""Running an SDK flow script (tests/e2e/sdk/) as a user would: in the shell environment
`sagemaker-emulator env` prints, its last stdout line the JSON of what it saw."""

import json
import subprocess
import sys

from helpers import REPO, user_shell_env


def run_flow(emulator, tmp_path, script: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, str(REPO / "tests/e2e/sdk" / script), *args],
                            env=user_shell_env(emulator.port, tmp_path / "home"), cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
