"""What every runner (Docker, process) is given and gives back.

The domain prepares each host's /opt/ml tree on disk and describes the job as a JobSpec;
a runner only starts, watches and stops the processes. Swapping the runner is the one
seam where execution changes; nothing above it knows which one ran.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from .contract import CHECKPOINTS_PATH, CONTAINER_ROOT, Layout
from .instances import Instance

# What the platform reads back from every host of every job: the model, output/ (data, the
# failure and message files) and the checkpoints. A kind adds its own (processing's outputs).
PLATFORM_OUTPUTS = (f"{CONTAINER_ROOT}/model", f"{CONTAINER_ROOT}/output", CHECKPOINTS_PATH)


class StartError(Exception):
    """The job's containers could not start; the message is the job's FailureReason."""


@dataclass
class HostSpec:
    host: str  # algo-N
    layout: Layout
    # (host path, container path, read-only) beside /opt/ml, e.g. file:// channels; what a
    # read-write one holds is read back as outputs are.
    mounts: list[tuple[Path, str, bool]] = field(default_factory=list)
    # Container paths the emulator reads in the layout once the host has exited, and those it
    # also reads while the host runs: a runner whose containers do not write to this disk
    # (Docker's) copies them back into the layout, the live ones as they change.
    outputs: list[str] = field(default_factory=lambda: list(PLATFORM_OUTPUTS))
    live_outputs: list[str] = field(default_factory=list)


@dataclass
class JobSpec:
    name: str
    kind: str  # "training"
    image: str
    command: list[str] | None
    entrypoint: list[str] | None
    environment: dict[str, str]
    hosts: list[HostSpec]
    instance: Instance


LineSink = Callable[[str, str], None]  # (host, line)


class RunningJob(Protocol):
    def follow_logs(self, sink: LineSink) -> None:
        """Call sink for each output line of every host until all have exited."""

    def wait(self) -> dict[str, int | None]:
        """Block until every host exits; host -> exit code, or None for a host whose process
        was lost from outside the job (the container engine restarted, a `docker kill`).
        One failing host stops the rest. When it returns, each host's outputs are in its layout."""

    def stop(self, grace_seconds: int) -> None:
        """SIGTERM every host, SIGKILL after the grace period."""

    def remove(self) -> None:
        """Remove what was started; leave the host's files owned by the emulator's user."""


@dataclass
class ServeSpec:
    """One inference container: `serve` with /opt/ml/model, answering on port 8080."""
    name: str  # unique container name
    image: str
    environment: dict[str, str]
    model_dir: Path | None  # its files at /opt/ml/model, read-only
    instance: Instance
    labels: dict[str, str] = field(default_factory=dict)


class ServingContainer(Protocol):
    url: str  # http://127.0.0.1:<published port>

    def follow_logs(self, sink: Callable[[str], None]) -> None:
        """Call sink for each output line until the container exits."""

    def exit_code(self) -> int | None:
        """The exit code once it has exited, else None."""

    def stop(self, grace_seconds: int) -> None:
        """SIGTERM, SIGKILL after the grace period, then remove."""


@dataclass
class AppSpec:
    """One long-running app container (a notebook instance, a Studio app): its image's own
    entry point, a named volume that outlives the container (the user's files), one port
    published on the publish address (127.0.0.1 by default), and files copied in before it starts."""
    name: str  # unique container name
    image: str
    environment: dict[str, str]
    volume: str       # the named volume, made on first use, kept until remove_storage()
    volume_path: str  # where the container sees it
    port: int         # the container's port to publish
    instance: Instance
    # (folder here, container path): copied in before the container starts.
    files: list[tuple[Path, str]] = field(default_factory=list)
    host_port: int | None = None  # the published port asked for (the last run's); taken: any free one
    labels: dict[str, str] = field(default_factory=dict)


class AppContainer(Protocol):
    """What app_container() gives: nothing runs until start()."""
    url: str  # http://<publish address>:<published port>, once started
    host_port: int | None

    def start(self) -> None:
        """Create the container (a fresh one: nothing of an earlier run but the volume), copy the
        files in, start it; StartError when it cannot."""

    def follow_logs(self, sink: Callable[[str], None]) -> None:
        """Call sink for each output line until the container exits."""

    def exit_code(self) -> int | None:
        """The exit code once it has exited, else None."""

    def stop(self, grace_seconds: int) -> None:
        """SIGTERM, SIGKILL after the grace period, then remove the container; the volume stays."""

    def remove_storage(self) -> None:
        """Delete the volume (its container, if any, stopped first)."""


class Runner(Protocol):
    """Everything above execution reaches processes through these methods only."""
    name: str  # "docker", "process": what /_emulator/health reports

    @staticmethod
    def available() -> bool:
        """Whether this runner can work on this host (e.g. a Docker engine answers)."""

    def image_id(self, image: str) -> str:
        """The local image's ID (what DescribeEndpoint calls the resolved image); StartError
        when the image is missing or this runner cannot run it."""

    def start(self, spec: JobSpec) -> RunningJob:
        """Start every host of a job (training, processing); StartError when it cannot."""

    def serve(self, spec: ServeSpec) -> ServingContainer:
        """Start one inference container; StartError when it cannot."""

    def app_container(self, spec: AppSpec) -> AppContainer:
        """The app container spec describes (nothing starts yet); StartError when this runner
        cannot run app containers."""

    def remove_leftovers(self, kind: str) -> None:
        """Remove what an emulator that did not shut down cleanly left of that job kind."""
