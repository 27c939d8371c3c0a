"""The one life every container job lives: training, processing (monitoring executions next).

created (InProgress) -> each host's /opt/ml written and its inputs downloaded -> the runner
starts the containers -> their log lines go to CloudWatch as they come -> the containers
end, are stopped, or run out of time -> outputs uploaded -> a terminal status. Whatever
breaks, the job ends in a terminal status. A kind differs only in its ContainerJobKind:
what it writes and downloads, how its image runs, what it uploads, how its statuses read.
"""

import logging
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from ...backing.moto_services import LogSink
from ...backing.objects import BadS3Uri, ObjectMissing
from ...execution import contract, instances
from ...execution.runner import HostSpec, JobSpec, Runner, StartError
from ..images import resolve_image, version_notice
from ..resources import Resources

log = logging.getLogger(__name__)

# How a job ended, as the kind's record() is told. A kind maps these onto its own statuses
# (MaxRuntimeExceeded is a training job's SecondaryStatus; a processing job says Stopped).
COMPLETED, FAILED, STOPPED, MAX_RUNTIME = "Completed", "Failed", "Stopped", "MaxRuntimeExceeded"
LOST = "Lost"  # a host's container ended from outside the emulator: the job fails
# The stages before that.
DOWNLOADING, RUNNING, UPLOADING, STOPPING = "Downloading", "Running", "Uploading", "Stopping"


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def syslog_escaped(line: str) -> str:
    """A job's log line as SageMaker's log agent writes it: control characters as '#' and three
    octal digits, as syslog does (a tab is #011, ESC #033), so metric regexes written against
    AWS's logs (the built-in XGBoost's `#011validation-rmse:`) match here too."""
    return _CONTROL_CHARACTERS.sub(lambda m: f"#{ord(m.group()):03o}", line)


class InputError(Exception):
    """An input the job cannot read; the job fails with "ClientError: " + the message."""


@dataclass
class Container:
    """How a kind's request runs: the image as the request names it, and the docker run."""
    image: str
    command: list[str] | None
    entrypoint: list[str] | None
    environment: dict[str, str]
    instance_type: str
    instance_count: int
    max_runtime_seconds: int


class LineObserver(Protocol):
    """What reads a job's log lines besides CloudWatch Logs (training's metric definitions)."""

    def feed(self, line: str, timestamp: float, host: str) -> None: ...

    def fields(self) -> dict:
        """What the terminal status records from the lines seen (FinalMetricDataList)."""


class ContainerJobKind(Protocol):
    jobs: Resources
    runner_kind: str  # the runner's label for the kind's containers: "training", "processing"
    log_group: str    # "/aws/sagemaker/TrainingJobs"; streams are <job>/algo-N-<epoch>

    def new_document(self, request: dict, region: str, account: str, now: float) -> dict:
        """The stored document of a valid Create request."""

    def container(self, doc: dict) -> Container:
        """What runs, from the stored document."""

    def prepare(self, doc: dict, hosts: list[HostSpec]) -> None:
        """Write each host's config files and download its inputs (InputError when one cannot be read)."""

    def observer(self, doc: dict) -> LineObserver | None:
        """What reads the job's log lines besides CloudWatch Logs, if anything."""

    def watch(self, doc: dict, hosts: list[HostSpec]) -> Callable[[], None] | None:
        """Work beside the running containers (processing's Continuous uploads): what to call
        once they have ended, before upload."""

    def upload(self, doc: dict, hosts: list[HostSpec], outcome: str) -> dict:
        """Upload what the hosts left for that outcome; the fields it adds to the document (a
        FailureReason among them fails the job)."""

    def failure_reason(self, hosts: list[HostSpec], exit_code: int) -> str:
        """FailureReason when a container exited non-zero."""

    def record(self, name: str, stage: str, started: float | None = None, **fields) -> None:
        """Move the job to a stage or an outcome (with its times, once terminal), with fields."""


@dataclass
class _Control:
    stop_requested: threading.Event = field(default_factory=threading.Event)
    max_runtime_hit: threading.Event = field(default_factory=threading.Event)
    handle: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class ContainerJobWorker:
    """Runs the jobs of one kind, each on a thread of its own (a JobWorker for the JobService)."""

    def __init__(self, kind: ContainerJobKind, logs: LogSink, runner: Runner, work_dir: Path,
                 platform_env: dict[str, str], stop_grace_seconds: int):
        self.kind = kind
        self.jobs = kind.jobs
        self.runner_kind = kind.runner_kind
        self.logs = logs
        self.runner = runner
        self.work_dir = work_dir
        self.platform_env = platform_env
        self.stop_grace_seconds = stop_grace_seconds
        self._controls: dict[str, _Control] = {}
        self._lock = threading.Lock()

    # -- the API's side -------------------------------------------------------------------

    def new_document(self, request: dict, region: str, account: str, now: float) -> dict:
        return self.kind.new_document(request, region, account, now)

    def launch(self, name: str) -> None:
        with self._lock:
            self._controls[name] = _Control()
        threading.Thread(target=self._run, args=(name,), name=f"{self.runner_kind}-{name}", daemon=True).start()

    def request_stop(self, name: str) -> None:
        control = self._controls.get(name)
        if control is None:
            return
        control.stop_requested.set()
        with control.lock:
            handle = control.handle
        if handle is not None:
            threading.Thread(target=handle.stop, args=(self.stop_grace_seconds,), daemon=True).start()

    def mark_stopping(self, name: str) -> None:
        self.kind.record(name, STOPPING)

    def finish(self, name: str, status: str, reason: str | None = None) -> None:
        self.kind.record(name, status, **({"FailureReason": reason} if reason else {}))

    # -- the job's side -------------------------------------------------------------------

    def _run(self, name: str) -> None:
        control = self._controls[name]
        started = time.time()
        try:
            self._stages(name, control, self.work_dir / name, started)
        except Exception as exc:  # a job must end in a terminal state, whatever broke
            log.exception("%s job %s failed inside the emulator", self.runner_kind, name)
            self.kind.record(name, FAILED, started, FailureReason=f"InternalServerError: {exc}"[:1024])
        finally:
            self._controls.pop(name, None)

    def _stages(self, name: str, control: _Control, job_dir: Path, started: float) -> None:
        doc = self.jobs.get(name)
        container = self.kind.container(doc)
        hosts = [HostSpec(h, contract.Layout(job_dir / h)) for h in contract.host_names(container.instance_count)]
        self.kind.record(name, DOWNLOADING, started)
        shutil.rmtree(job_dir, ignore_errors=True)
        try:
            self.kind.prepare(doc, hosts)
        except (InputError, BadS3Uri, FileNotFoundError, ObjectMissing) as exc:
            self.kind.record(name, FAILED, started, FailureReason=f"ClientError: {exc}"[:1024])
            return
        if control.stop_requested.is_set():
            self.kind.record(name, STOPPED, started)
            return

        job = JobSpec(name=name, kind=self.runner_kind, image=resolve_image(container.image),
                      command=container.command, entrypoint=container.entrypoint,
                      environment={**self.platform_env, **container.environment},
                      hosts=hosts, instance=instances.lookup(container.instance_type))
        self.kind.record(name, RUNNING, started)
        try:
            handle = self.runner.start(job)
        except StartError as exc:
            self.kind.record(name, FAILED, started, FailureReason=str(exc)[:1024])
            return
        with control.lock:
            control.handle = handle
        if control.stop_requested.is_set():
            handle.stop(self.stop_grace_seconds)
        end_watch = self.kind.watch(doc, hosts)

        observer = self.kind.observer(doc)
        sink = self._log_sink(name, [h.host for h in hosts], started, observer,
                              first_line=version_notice(container.image))
        log_thread = threading.Thread(target=handle.follow_logs, args=(sink,), daemon=True)
        log_thread.start()
        timer = threading.Timer(max(0.0, started + container.max_runtime_seconds - time.time()),
                                self._max_runtime, args=(control, handle))
        timer.daemon = True
        timer.start()
        try:
            codes = handle.wait()
            log_thread.join(30)
        finally:
            timer.cancel()
            if end_watch:
                end_watch()
        self._end(name, doc, control, handle, hosts, codes, started, observer.fields() if observer else {})

    def _end(self, name: str, doc: dict, control: _Control, handle, hosts: list[HostSpec],
             codes: dict[str, int | None], started: float, seen: dict) -> None:
        stopped = control.max_runtime_hit.is_set() or control.stop_requested.is_set()
        lost = sorted(host for host, code in codes.items() if code is None)
        if lost or not codes:
            # The runner lost its containers (the engine restarted, someone killed them): what
            # they had written is kept in S3 as for a failed job, and the job fails.
            fields = {**seen, **self.kind.upload(doc, hosts, LOST)}
            status = FAILED
            fields["FailureReason"] = (f"InternalServerError: the job's container on {', '.join(lost) or 'its hosts'} "
                                       "was stopped from outside the emulator (the container engine stopped or "
                                       "restarted, or a docker stop/kill); run the job again")
        elif stopped or all(code == 0 for code in codes.values()):
            outcome = MAX_RUNTIME if control.max_runtime_hit.is_set() else STOPPED if stopped else COMPLETED
            if not control.stop_requested.is_set():
                # A job being stopped stays Stopping while its outputs are saved: the status never goes back.
                self.kind.record(name, UPLOADING)
            fields = {**seen, **self.kind.upload(doc, hosts, outcome)}
            status = FAILED if "FailureReason" in fields else outcome
        else:
            exit_code = next(code for code in codes.values() if code != 0)
            fields = {**seen, **self.kind.upload(doc, hosts, FAILED)}
            status = FAILED
            fields["FailureReason"] = self.kind.failure_reason(hosts, exit_code)
        # The outputs are in S3 by now: the job is over for its user, and its containers go
        # after, as a SageMaker instance is released after the job's end.
        self.kind.record(name, status, started, **fields)
        try:
            handle.remove()
        except Exception:  # the status stands: what is left is swept at the next start
            log.exception("the containers of %s job %s could not be removed", self.runner_kind, name)

    def _max_runtime(self, control: _Control, handle) -> None:
        control.max_runtime_hit.set()
        handle.stop(self.stop_grace_seconds)

    def _log_sink(self, name: str, hosts: list[str], started: float, observer: LineObserver | None,
                  first_line: str | None = None):
        """The emulator's own first_line, if any, opens each stream; the observer sees only the job's."""
        streams = {h: f"{name}/{h}-{int(started)}" for h in hosts}
        for stream in streams.values():
            self.logs.open_stream(self.kind.log_group, stream)
            if first_line:
                self.logs.put(self.kind.log_group, stream, [first_line])

        def sink(host: str, line: str) -> None:
            now = time.time()
            line = syslog_escaped(line)
            self.logs.put(self.kind.log_group, streams[host], [line], int(now * 1000))
            if observer:
                observer.feed(line, now, host)
        return sink
