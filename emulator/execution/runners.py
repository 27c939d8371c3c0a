"""The runners, by the name --runner takes: adding one is its module, an entry here and its name
in RUNNER_NAMES (execution/__init__.py)."""

import hashlib
import logging
import uuid
from pathlib import Path

from . import RUNNER_NAMES
from .docker_runner import DockerRunner
from .process_runner import ProcessRunner
from .runner import Runner

log = logging.getLogger(__name__)

RUNNERS: dict[str, type] = {"docker": DockerRunner, "process": ProcessRunner}
assert tuple(RUNNERS) == RUNNER_NAMES, "a runner's name is missing from RUNNER_NAMES or this map"
AUTO_ORDER = ("docker", "process")  # what --runner auto tries, first available wins


class NoRunner(Exception):
    """The runner asked for cannot work on this host."""


def home_of(data_dir: Path) -> str:
    """Which emulator started a container (a label): one value per data dir, kept in it, so
    that data dirs at one path in two emulators' own containers (docker-compose.yml, one
    volume each) differ. A data dir from before that file keeps its value: its path's hash."""
    path = data_dir / "emulator-id"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    by_path = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    if not data_dir.is_dir():
        return by_path
    served = (data_dir / "s3" / "master").is_dir()  # SeaweedFS has run there: an emulator served it before
    home = by_path if served else uuid.uuid4().hex[:12]
    partial = data_dir / f".emulator-id-{uuid.uuid4().hex[:8]}"
    partial.write_text(home)
    partial.replace(path)
    return home


def make_runner(choice: str, data_dir: Path) -> Runner:
    names = AUTO_ORDER if choice == "auto" else (choice,)
    for name in names:
        runner = RUNNERS[name]
        if runner.available():
            if choice == "auto" and name != AUTO_ORDER[0]:
                log.warning("!!! no Docker engine answers: training runs in the PROCESS runner "
                            "(a bubblewrap sandbox on this host), not in containers !!!")
            return runner(home=home_of(data_dir))
    raise NoRunner(f"--runner {choice}: no Docker engine answers (is dockerd running?)")
