"""One run of an app container (a notebook instance's or a Studio app's), from its start until
JupyterLab answers, then watched until it ends.

The notebook image's first process (containers/notebook/sagemaker_emulator_notebook/supervisor.py)
reports what it does on its output, which the runner hands over line by line:
`[<channel>] text` is a line of that channel (LifecycleConfigOnCreate, LifecycleConfigOnStart,
jupyter.log), written to the resource's CloudWatch Logs stream for it, and
`[sagemaker-emulator] {json}` a step: a lifecycle script started or exited (with its code),
JupyterLab ready. The platform keeps time, as SageMaker does: a script over its limit fails the
run whatever the container says. Any other line (the container's own crash) goes to the
default channel.
"""

import json
import logging
import queue
import re
import threading
import time
from dataclasses import dataclass
from typing import Callable

from ...backing.moto_services import LogSink
from ...execution.runner import AppContainer, StartError

log = logging.getLogger(__name__)

EVENT = "[sagemaker-emulator] "
_CHANNEL_LINE = re.compile(r"^\[([A-Za-z0-9._-]+)\] ?(.*)$", re.S)
DEFAULT_CHANNEL = "jupyter.log"
_GONE = {"state": "gone"}
RECENT_LINES = 20  # what a failure reason quotes of the container's last words


class AppFailed(Exception):
    """The run ended, or must end, before the app answered; the message is the FailureReason."""


@dataclass(frozen=True)
class Hook:
    """A lifecycle script: OnCreate or OnStart, its decoded content."""
    name: str
    script: bytes

    @property
    def channel(self) -> str:
        return f"LifecycleConfig{self.name}"


class AppRun:
    def __init__(self, container: AppContainer, logs: LogSink, group: str, stream_of: Callable[[str], str]):
        """stream_of: a channel -> the log stream its lines go to (in `group`)."""
        self.container = container
        self.logs = logs
        self.group = group
        self.stream_of = stream_of
        self.recent: list[str] = []
        self.stopping = threading.Event()
        self._events: queue.Queue = queue.Queue()
        self._opened: set[str] = set()

    def start(self) -> None:
        """Start the container and read its output; AppFailed when it cannot start."""
        try:
            self.container.start()
        except StartError as exc:
            raise AppFailed(str(exc)) from exc
        threading.Thread(target=self._read, daemon=True, name=f"app-logs-{self.group}").start()

    def _read(self) -> None:
        try:
            self.container.follow_logs(self._line)
        except Exception:  # the container went away under us: nothing more to read
            log.debug("app log stream ended", exc_info=True)
        self._events.put(_GONE)

    def _line(self, line: str) -> None:
        if line.startswith(EVENT):
            try:
                self._events.put(json.loads(line[len(EVENT):]))
                return
            except ValueError:
                pass
        match = _CHANNEL_LINE.match(line)
        channel, text = (match[1], match[2]) if match else (DEFAULT_CHANNEL, line)
        self.recent = [*self.recent[-(RECENT_LINES - 1):], text]
        stream = self.stream_of(channel)
        if stream not in self._opened:
            self.logs.open_stream(self.group, stream)
            self._opened.add(stream)
        self.logs.put(self.group, stream, [text])

    def _next(self, deadline: float) -> dict | None:
        """The next step the container reports before the deadline, else None."""
        try:
            return self._events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def _gone(self, what: str, when: str = "before JupyterLab answered") -> AppFailed:
        code = self.container.exit_code()
        said = "; ".join(line for line in self.recent[-3:] if line.strip())
        return AppFailed(f"InternalServerError: the {what} container exited (code {code}) {when}"
                         f"{': ' + said if said else ''}"[:1024])

    def run_hooks(self, hooks: list[Hook], limit_seconds: float, startup_seconds: float, what: str,
                  timed_out: Callable[[Hook], str], failed: Callable[[Hook, int], str]) -> None:
        """Wait for each hook's run in turn; AppFailed (and the container stopped) when one
        fails, outlasts limit_seconds, or the container ends first."""
        for hook in hooks:
            for state, wait in (("started", startup_seconds), ("exited", limit_seconds)):
                deadline = time.monotonic() + wait
                while True:
                    step = self._next(deadline)
                    if step is None:
                        self.stop(grace_seconds=1)
                        raise AppFailed(timed_out(hook) if state == "exited" else
                                        f"InternalServerError: the {what} container did not run {hook.name}")
                    if step is _GONE:
                        raise self._gone(what)
                    if step.get("hook") == hook.name and step.get("state") == state:
                        break
                if state == "exited" and step.get("code") != 0:
                    self.stop(grace_seconds=1)
                    raise AppFailed(failed(hook, step.get("code")))

    def wait_ready(self, startup_seconds: float, what: str) -> None:
        deadline = time.monotonic() + startup_seconds
        while True:
            step = self._next(deadline)
            if step is None:
                self.stop(grace_seconds=1)
                raise AppFailed(f"InternalServerError: JupyterLab did not answer within {startup_seconds:.0f} s")
            if step is _GONE:
                raise self._gone(what)
            if step.get("state") == "ready":
                return

    def watch(self, what: str, on_exit: Callable[[str], None]) -> None:
        """Once ready: on_exit(reason) when the container ends other than by stop()."""
        def wait():
            while self._events.get() is not _GONE:
                pass
            if not self.stopping.is_set():
                on_exit(str(self._gone(what, "while JupyterLab was serving")))
        threading.Thread(target=wait, daemon=True, name=f"app-watch-{self.group}").start()

    def stop(self, grace_seconds: int) -> None:
        self.stopping.set()
        self.container.stop(grace_seconds)
