"""`Emulator`: an emulator for a test session or a script, `with Emulator() as emu:`.

It runs `sagemaker-emulator serve` in a subprocess, exactly as a user starts it, rather than in
the test's own process: the tests then talk to it over HTTP as their code will talk to AWS, and
nothing of the emulator is shared with the code under test: not moto's process-wide state (a
test using moto's `mock_aws` resets every moto backend in its process, the emulator's logs and
IAM among them), not the logging setup, threads or signal handlers, not the GIL. The price is
the start (about 4 s: SeaweedFS) once per session.

While started it points this process's environment at the emulator (what
`sagemaker-emulator env` prints: AWS_ENDPOINT_URL, region, dummy credentials when there are
none, the SDK's config file; and $SAGEMAKER_EMULATOR_URL, so that an Emulator() in a process a
test starts uses this one) and turns the SDK fast path on in this process and in the Python
processes it starts (`fast_path.py`); stop() puts the environment and the SDK back.
"""

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .. import shell_env
from ..backing.ports import free_port
from ..config import DEFAULT_REGION
from . import fast_path

URL_VARIABLE = "SAGEMAKER_EMULATOR_URL"  # an emulator already running: used instead of starting one
_PR_SET_PDEATHSIG = 1


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through $HTTP_PROXY


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether an emulator is ready at url (its health path answers 200)."""
    try:
        with _DIRECT.open(url.rstrip("/") + "/_emulator/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def exports(url: str, environ, fast: bool = True) -> list[tuple[str, str]]:
    """The environment of code pointed at the emulator at url: what `sagemaker-emulator env`
    exports, $SAGEMAKER_EMULATOR_URL (so that an Emulator() in there uses this one rather than
    starting another), and with `fast` what the SDK fast path needs in the processes started."""
    parts = urllib.parse.urlsplit(url)
    pairs = [*shell_env.exports(parts.hostname, parts.port or 80, environ), (URL_VARIABLE, url)]
    return pairs + (fast_path.exports(url, environ) if fast else [])


def _stop_with_parent() -> None:
    """preexec_fn: SIGTERM (a clean shutdown: endpoint containers removed) when the test
    process dies without stopping the emulator."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class Emulator:
    """An emulator for tests and scripts.

    runner: "auto", "docker" or "process", as `serve --runner`.
    url: an emulator already running (default: $SAGEMAKER_EMULATOR_URL); none is started then.
    fast_path: shorten the SageMaker SDK's fixed polls in this process and its Python children.
    work_dir: where the started emulator keeps its data and its log (default: a temporary
    directory, removed at stop()).
    """

    def __init__(self, runner: str = "auto", url: str | None = None, fast_path: bool = True,
                 work_dir: Path | None = None, startup_timeout: float = 120.0):
        self.runner = runner
        self._given_url = url or os.environ.get(URL_VARIABLE)
        self.fast_path = fast_path
        self._work_dir = Path(work_dir) if work_dir else None
        self._own_work_dir = False
        self.startup_timeout = startup_timeout
        self.url = self._given_url
        self.process: subprocess.Popen | None = None
        self._saved_environment: dict[str, str | None] = {}
        self._installed_fast_path = False

    # -- life -----------------------------------------------------------------------------

    def start(self) -> "Emulator":
        try:
            if self._given_url is None:
                self._serve()
            elif not answers(self._given_url, timeout=5):
                raise RuntimeError(f"no SageMaker emulator answers at {self._given_url} ({URL_VARIABLE})")
            self._point_environment()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._installed_fast_path:
            fast_path.module().uninstall()
            self._installed_fast_path = False
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = {}
        if self.process is not None:
            _terminate(self.process)
            self.process = None
        if self._own_work_dir:
            shutil.rmtree(self._work_dir, ignore_errors=True)
            self._own_work_dir = False

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def log_path(self) -> Path | None:
        """The started emulator's output (None when it was already running)."""
        return self._work_dir / "emulator.log" if self._work_dir else None

    def _serve(self) -> None:
        if self._work_dir is None:
            self._work_dir = Path(tempfile.mkdtemp(prefix="sagemaker-emulator-"))
            self._own_work_dir = True
        self._work_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(3):  # another process may take the free port before `serve` binds it
            port = free_port()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "emulator", "serve", "--host", "127.0.0.1", "--port", str(port),
                     "--data-dir", str(self._work_dir / "data"), "--runner", self.runner],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=_stop_with_parent)
            self.url = f"http://127.0.0.1:{port}"
            if self._wait_ready():
                return
            if "Address already in use" not in self.log_path.read_text(errors="replace"):
                break
        raise RuntimeError(f"the SageMaker emulator did not start; its log ({self.log_path}) ends:\n"
                           + self.log_path.read_text(errors="replace")[-3000:])

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if answers(self.url, timeout=1):
                return True
            time.sleep(0.1)
        _terminate(self.process)
        return False

    def _point_environment(self) -> None:
        for name, value in exports(self.url, os.environ, self.fast_path):
            self._saved_environment.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        if self.fast_path and not fast_path.module().installed():
            fast_path.module().install(self.url)
            self._installed_fast_path = True

    # -- what tests use -------------------------------------------------------------------

    @property
    def region(self) -> str:
        return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION

    def boto3_session(self):
        """A boto3 Session in the emulator's region; its clients reach the emulator through
        the environment (AWS_ENDPOINT_URL)."""
        import boto3

        return boto3.Session(region_name=self.region)

    def client(self, service: str, **kwargs):
        """A boto3 client of the emulator's `service` ("sagemaker", "s3", "logs", ...)."""
        return self.boto3_session().client(service, endpoint_url=self.url, **kwargs)

    def sagemaker_session(self, **kwargs):
        """A `sagemaker.Session` (SDK 2.x; in 3.x `sagemaker.core.helper.session_helper.Session`)
        on boto3_session(); kwargs go to its constructor."""
        try:
            from sagemaker.session import Session
        except ImportError:
            from sagemaker.core.helper.session_helper import Session
        return Session(boto_session=self.boto3_session(), **kwargs)

    @contextlib.contextmanager
    def isolated(self):
        """Removes, when the block ends, what was made inside it (see cleanup.py for what)."""
        from .cleanup import Cleanup

        cleanup = Cleanup(self.client)
        before = cleanup.snapshot()
        try:
            yield self
        finally:
            cleanup.remove_new(before)


def _terminate(process: subprocess.Popen) -> None:
    """SIGTERM, as `serve` expects: it stops endpoint containers and SeaweedFS, then exits."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
