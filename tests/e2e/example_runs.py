"""Running an example (examples/<name>/run.py) as its README says: under `sagemaker-emulator run`
(the SDK's polls shortened), in the shell environment `sagemaker-emulator env` prints, from
another directory."""

import subprocess
import sys
from pathlib import Path

from helpers import REPO, user_shell_env

CLI = Path(sys.executable).parent / "sagemaker-emulator"


def run_example(emulator, tmp_path: Path, name: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), "run", "--port", str(emulator.port), "--", sys.executable,
                           str(REPO / "examples" / name / "run.py"), *args],
                          env=user_shell_env(emulator.port, tmp_path / "home"), cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout)


def succeeded(ran: subprocess.CompletedProcess) -> str:
    """The example's stdout, once it is known to have exited 0."""
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    return ran.stdout
