"""A Runner that runs jobs and inference containers in this process, for tests without Docker.

An image names a program the test registers in `FakeRunner.images`: a training program (a
callable given a FakeHost, run on a thread per host), a ServeProgram (what a tiny HTTP
server on 127.0.0.1 answers at /ping and /invocations) or an AppProgram (a long-running app:
a notebook instance's or a Studio app's container, its volume a folder the runner keeps). Everything around them is real: the
emulator prepares each host's /opt/ml tree on disk, a program reads and writes real files in
it, and the emulator uploads what it wrote to the real S3.

Signals are events the program honours, as a process honours SIGTERM: stop() sets
`terminated`, waits the grace period, then "kills" what is left (exit code 137, `killed`
set). A thread cannot be killed, so a program must return once `killed` is set; FakeHost's
sleep() and wait_for_stop() do. A training program that returns None is a host lost from
outside the emulator (what a `docker kill` or an engine restart does to a container).
"""

import hashlib
import http.server
import shutil
import socket
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from emulator.execution.contract import Layout
from emulator.execution.runner import AppSpec, JobSpec, LineSink, ServeSpec, StartError

KILLED = 137           # what a SIGKILLed process exits with
TERMINATED = 143       # what a process without a SIGTERM handler exits with
KILL_WAIT_SECONDS = 5  # how long a killed program may take to notice it is dead
CLUSTER_TEARDOWN_GRACE = 1  # one failing host stops the others (Docker's runner gives them 10 s)


# -- training ---------------------------------------------------------------------------

@dataclass
class FakeHost:
    """What a training program sees of its host: the /opt/ml tree, its environment, stdout, signals."""
    name: str  # algo-N
    layout: Layout
    environment: dict[str, str]
    output: Callable[[str], None]  # where its stdout goes
    terminated: threading.Event = field(default_factory=threading.Event)  # SIGTERM
    killed: threading.Event = field(default_factory=threading.Event)      # SIGKILL

    @property
    def root(self) -> Path:
        """The host's /opt/ml."""
        return self.layout.root

    def print(self, line: str) -> None:
        if not self.killed.is_set():  # a dead process prints nothing more
            self.output(line)

    def sleep(self, seconds: float) -> bool:
        """Sleep as a process does; True when a signal cut it short."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.terminated.is_set() or self.killed.is_set():
                return True
            time.sleep(0.01)
        return False

    def wait_for_stop(self, ignore_sigterm: bool = False, timeout: float = 60) -> bool:
        """Block until SIGTERM (or only SIGKILL, for a program that ignores SIGTERM); False on timeout."""
        signal = self.killed if ignore_sigterm else self.terminated
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if signal.wait(0.01) or self.killed.is_set():
                return True
        return False


TrainProgram = Callable[[FakeHost], "int | None"]


class _HostRun:
    """One host's program on its thread: its exit code once it has exited (None: lost)."""

    def __init__(self, host: FakeHost, program: TrainProgram, on_exit: Callable[[], None]):
        self.host = host
        self.code: int | None = None
        self.exited = threading.Event()
        self._lock = threading.Lock()
        self._on_exit = on_exit
        self.thread = threading.Thread(target=self._run, args=(program,), daemon=True,
                                       name=f"fake-{host.name}")

    def _run(self, program: TrainProgram) -> None:
        try:
            code = program(self.host)
        except Exception as exc:  # as an uncaught exception ends a real process
            for line in traceback.format_exception(exc):
                for part in line.rstrip("\n").splitlines():
                    self.host.print(part)
            code = 1
        self.end(code)

    def end(self, code: int | None) -> None:
        """The process is gone with `code`; only the first end counts (a kill beats a late return)."""
        with self._lock:
            if self.exited.is_set():
                return
            self.code = code
            self.exited.set()
        self._on_exit()

    def kill(self, code: int | None = KILLED) -> None:
        """SIGKILL; code None: killed by someone other than the job (wait() cannot tell a code)."""
        self.host.killed.set()
        self.end(code)
        if self.thread.ident is not None:  # a host killed before its program started has nothing to wait for
            self.thread.join(KILL_WAIT_SECONDS)  # no file is written after a kill


class FakeJob:
    """A RunningJob: one thread per host, their lines in order, the Docker runner's stop rules."""

    def __init__(self, spec: JobSpec, program: TrainProgram):
        self.spec = spec
        self._lines: list[tuple[str, str]] = []
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self.hosts: dict[str, _HostRun] = {}
        for host_spec in spec.hosts:
            host = FakeHost(host_spec.host, host_spec.layout, dict(spec.environment),
                            output=lambda line, name=host_spec.host: self._emit(name, line))
            self.hosts[host_spec.host] = _HostRun(host, program, self._notify)

    def start(self) -> None:
        for run in self.hosts.values():
            run.thread.start()

    def _emit(self, host: str, line: str) -> None:
        with self._changed:
            self._lines.append((host, line))
            self._changed.notify_all()

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def _all_exited(self) -> bool:
        return all(run.exited.is_set() for run in self.hosts.values())

    def follow_logs(self, sink: LineSink) -> None:
        sent = 0
        while True:
            with self._changed:
                self._changed.wait_for(lambda: len(self._lines) > sent or self._all_exited())
                lines, done = self._lines[sent:], self._all_exited()
            for host, line in lines:
                sink(host, line)
            sent += len(lines)
            if done and sent == len(self._lines):
                return

    def wait(self) -> dict[str, int | None]:
        reported: set[str] = set()
        while len(reported) < len(self.hosts):
            with self._changed:
                self._changed.wait_for(lambda: any(run.exited.is_set() and host not in reported
                                                   for host, run in self.hosts.items()))
                ended = [host for host, run in self.hosts.items() if run.exited.is_set() and host not in reported]
            for host in ended:
                reported.add(host)
                if self.hosts[host].code != 0 and len(self.hosts) > 1 and not self._stopping.is_set():
                    # One host failing fails the job: SageMaker tears the cluster down.
                    threading.Thread(target=self.stop, args=(CLUSTER_TEARDOWN_GRACE,), daemon=True).start()
        return {host: run.code for host, run in self.hosts.items()}

    def stop(self, grace_seconds: int) -> None:
        self._stopping.set()
        for run in self.hosts.values():
            run.host.terminated.set()
        deadline = time.monotonic() + grace_seconds
        for run in self.hosts.values():
            run.exited.wait(max(0.0, deadline - time.monotonic()))
        for run in self.hosts.values():
            if not run.exited.is_set():
                run.kill()

    def lose(self, host: str | None = None) -> None:
        """What `docker kill` or an engine restart does: the host's process is gone, and the
        job never asked for it (wait() reports None)."""
        for name, run in self.hosts.items():
            if host in (None, name):
                run.kill(code=None)

    def remove(self) -> None:
        for run in self.hosts.values():
            if not run.exited.is_set():
                run.kill()

    @property
    def running(self) -> bool:
        return not self._all_exited()


# -- serving ------------------------------------------------------------------------------

@dataclass
class Request:
    """An HTTP request as a fake inference container receives it."""
    model_dir: Path | None  # /opt/ml/model
    environment: dict[str, str]
    body: bytes
    headers: dict[str, str]


def _answer_ok() -> int:
    return 200


@dataclass
class ServeProgram:
    """What a fake inference image does. invocations: Request -> (status, content type, body);
    ping: -> HTTP status of /ping; start: runs once when the container starts, on its own
    thread (print lines, crash with container.exit(1))."""
    invocations: Callable[[Request], tuple[int, str, bytes]]
    ping: Callable[[], int] = _answer_ok
    start: Callable[["FakeServingContainer"], None] | None = None


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "_Server"

    def do_GET(self):
        if self.path != "/ping":
            return self._reply(404, "text/plain", b"not found")
        self._reply(self.server.container.program.ping(), "text/plain", b"")

    def do_POST(self):
        if self.path != "/invocations":
            return self._reply(404, "text/plain", b"not found")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        container = self.server.container
        request = Request(container.spec.model_dir, container.spec.environment, body, dict(self.headers))
        try:
            status, content_type, answer = container.program.invocations(request)
        except Exception as exc:  # what a model server answers when the handler raises
            container.print(f"{type(exc).__name__}: {exc}")
            status, content_type, answer = 500, "text/plain", str(exc).encode()
        self._reply(status, content_type, answer)

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # the access log goes to the container's output
        self.server.container.print(format % args)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    container: "FakeServingContainer"


class FakeServingContainer:
    """A ServingContainer: an HTTP server on a free port of 127.0.0.1, and an exit code once
    it is gone (exit() makes it go, as a crash or a `docker kill` does)."""

    def __init__(self, spec: ServeSpec, program: ServeProgram, on_gone: Callable[["FakeServingContainer"], None]):
        self.spec = spec
        self.program = program
        self._on_gone = on_gone
        self._lines: list[str] = []
        self._read = 0  # lines a follower has taken
        self._changed = threading.Condition()
        self._code: int | None = None
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.container = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True,
                         name=f"fake-serve-{spec.name}").start()
        if program.start is not None:
            threading.Thread(target=program.start, args=(self,), daemon=True, name=f"fake-start-{spec.name}").start()

    @property
    def kind(self) -> str:
        return self.spec.labels.get("kind", "")

    @property
    def owner(self) -> str:
        return self.spec.labels.get("owner", "")

    def print(self, line: str) -> None:
        with self._changed:
            if self._code is None:
                self._lines.append(line)
                self._changed.notify_all()

    def exit(self, code: int, drain_seconds: float = 2.0) -> None:
        """The process ends with `code`: the port stops answering, then the exit shows. As an
        engine does, lines written before the exit reach a log follower before it shows."""
        with self._changed:
            if self._code is not None:
                return
            self._changed.wait_for(lambda: self._read >= len(self._lines), timeout=drain_seconds)
        self._server.shutdown()
        self._server.server_close()
        with self._changed:
            self._code = code
            self._changed.notify_all()
        self._on_gone(self)

    def exit_code(self) -> int | None:
        return self._code

    def follow_logs(self, sink: Callable[[str], None]) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: len(self._lines) > self._read or self._code is not None)
                lines = self._lines[self._read:]
                done = self._code is not None
            for line in lines:
                sink(line)
            with self._changed:
                self._read += len(lines)
                self._changed.notify_all()
            if done and not lines:
                return

    def stop(self, grace_seconds: int) -> None:
        self.exit(TERMINATED, drain_seconds=0)


# -- apps -----------------------------------------------------------------------------------

@dataclass
class AppProgram:
    """What a fake app image does: run(app) on the container's own thread, returning its exit code
    (a stop sets app.terminated; a program ignoring it is "killed" after the grace period)."""
    run: Callable[["FakeAppContainer"], int]


class FakeAppContainer:
    """An AppContainer. The container's disk is a folder of its own (`root`, the spec's files
    copied in at start, fresh at every start); its volume a folder the runner keeps by the
    volume's name until remove_storage(); its published port one reserved on 127.0.0.1 (the
    asked-for one when free)."""

    def __init__(self, spec: AppSpec, program: AppProgram, runner: "FakeRunner"):
        self.spec = spec
        self.program = program
        self.runner = runner
        self.volume = runner.volume_folder(spec.volume)
        self.root: Path | None = None
        self.host_port: int | None = None
        self.url = ""
        self.terminated = threading.Event()
        self._port: socket.socket | None = None
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._code: int | None = None
        self._thread: threading.Thread | None = None

    @property
    def kind(self) -> str:
        return self.spec.labels.get("kind", "")

    def path(self, container_path: str) -> Path:
        """Where a path of the container is here: in the volume under its mount point, else in root."""
        mount = self.spec.volume_path.rstrip("/")
        if container_path == mount or container_path.startswith(mount + "/"):
            return self.volume / container_path[len(mount):].lstrip("/")
        return self.root / container_path.lstrip("/")

    def start(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fake-app-", dir=self.runner.folder()))
        for folder, container_path in self.spec.files:
            shutil.copytree(folder, self.path(container_path), dirs_exist_ok=True)
        self._port = socket.socket()
        try:
            self._port.bind(("127.0.0.1", self.spec.host_port or 0))
        except OSError:  # taken: any free one, as the Docker runner does
            self._port.bind(("127.0.0.1", 0))
        self.host_port = self._port.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.host_port}"
        self.runner.started(self)
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"fake-app-{self.spec.name}")
        self._thread.start()

    def _run(self) -> None:
        try:
            code = self.program.run(self)
        except Exception as exc:  # as an uncaught exception ends a real process
            for line in traceback.format_exception(exc):
                self.print(line.rstrip("\n"))
            code = 1
        self._exit(code)

    def print(self, line: str) -> None:
        with self._changed:
            if self._code is None:
                self._lines.append(line)
                self._changed.notify_all()

    def _exit(self, code: int) -> None:
        with self._changed:
            if self._code is not None:
                return
            self._code = code
            self._changed.notify_all()
        if self._port is not None:
            self._port.close()
        self.runner.gone(self)

    def follow_logs(self, sink: Callable[[str], None]) -> None:
        sent = 0
        while True:
            with self._changed:
                self._changed.wait_for(lambda: len(self._lines) > sent or self._code is not None)
                lines, done = self._lines[sent:], self._code is not None
            for line in lines:
                sink(line)
            sent += len(lines)
            if done and sent == len(self._lines):
                return

    def exit_code(self) -> int | None:
        return self._code

    def stop(self, grace_seconds: int) -> None:
        if self._thread is None:
            return
        self.terminated.set()
        self._thread.join(grace_seconds)
        self._exit(KILLED if self._thread.is_alive() else TERMINATED)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def remove_storage(self) -> None:
        self.stop(grace_seconds=0)
        shutil.rmtree(self.volume, ignore_errors=True)


# -- the runner ---------------------------------------------------------------------------

class FakeRunner:
    """Runner over `images`: image name -> TrainProgram or ServeProgram."""
    name = "fake"

    def __init__(self, images: dict[str, object] | None = None):
        self.images: dict[str, object] = dict(images or {})
        self.jobs: dict[str, FakeJob] = {}  # by job name, the latest start
        self._serving: list[FakeServingContainer] = []
        self.apps: list[FakeAppContainer] = []  # the app containers running now
        self._folder: Path | None = None
        self._lock = threading.Lock()

    @staticmethod
    def available() -> bool:
        return True

    def image_id(self, image: str) -> str:
        if image not in self.images:
            raise StartError(f"ClientError: image {image} not found on this host (the fake runner has "
                             f"{', '.join(sorted(self.images)) or 'no images'})")
        return "sha256:" + hashlib.sha256(image.encode()).hexdigest()

    def _program(self, image: str, serving: bool):
        self.image_id(image)
        program = self.images[image]
        if isinstance(program, ServeProgram) != serving:
            raise StartError(f"ClientError: image {image} has no {'serve' if serving else 'train'} program")
        return program

    def start(self, spec: JobSpec) -> FakeJob:
        program = self._program(spec.image, serving=False)
        job = FakeJob(spec, program)
        with self._lock:
            self.jobs[spec.name] = job
        job.start()
        return job

    def serve(self, spec: ServeSpec) -> FakeServingContainer:
        program = self._program(spec.image, serving=True)
        container = FakeServingContainer(spec, program, self._gone)
        with self._lock:
            self._serving.append(container)
        return container

    def app_container(self, spec: AppSpec) -> FakeAppContainer:
        self.image_id(spec.image)
        program = self.images[spec.image]
        if not isinstance(program, AppProgram):
            raise StartError(f"ClientError: image {spec.image} has no app to run")
        return FakeAppContainer(spec, program, self)

    def folder(self) -> Path:
        """Where app containers' disks and volumes lie (made at first use, for the session)."""
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="fake-runner-"))
            return self._folder

    def volume_folder(self, name: str) -> Path:
        path = self.folder() / "volumes" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def started(self, app: FakeAppContainer) -> None:
        with self._lock:
            self.apps.append(app)

    def gone(self, app: FakeAppContainer) -> None:
        with self._lock:
            self.apps = [a for a in self.apps if a is not app]

    def _gone(self, container: FakeServingContainer) -> None:
        with self._lock:
            self._serving = [c for c in self._serving if c is not container]

    def serving(self, owner: str | None = None) -> list[FakeServingContainer]:
        """The inference containers running now (of one endpoint or transform job)."""
        with self._lock:
            return [c for c in self._serving if owner in (None, c.owner)]

    def remove_leftovers(self, kind: str) -> None:
        """What this runner started of that kind and still runs."""
        for container in [c for c in self.serving() if c.kind == kind]:
            container.exit(KILLED, drain_seconds=0)
        with self._lock:
            apps = [a for a in self.apps if a.kind == kind]
        for app in apps:
            app.stop(grace_seconds=0)
        with self._lock:
            jobs = [job for job in self.jobs.values() if job.spec.kind == kind and job.running]
        for job in jobs:
            job.remove()
