"""Child processes that must not outlive the emulator.

Two guards, because either alone leaves a gap. PR_SET_PDEATHSIG has the kernel SIGKILL the
child when the emulator dies, however it dies (SIGTERM was not enough: SeaweedFS's graceful
shutdown outlived a kill -9 of the emulator and kept its store locked). A pid file in the data
dir lets the next start end a child that still escaped (a crash between fork and prctl, or a
child of an older emulator), after checking that the pid still is that child: the start time
the kernel gives it (/proc/<pid>/stat) must be the one recorded. Never by process name.
"""

import ctypes
import json
import logging
import os
import select
import signal
import time
import weakref
from pathlib import Path

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn for subprocess.Popen: SIGKILL this child when its parent dies (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, or None when no such process runs.
    A zombie counts as gone: it holds no files or locks."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is in parentheses and may itself hold spaces or parentheses.
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


class ProcessHandle:
    """One process, the very one, asked often whether it still runs: through a pidfd, which
    names that process and no later one with its pid, a poll(2) with no timeout (readable once
    it has ended, as a zombie too); where the kernel has no pidfds, by its pid and start time
    (a read of /proc/<pid>/stat, several times slower). `alive()` on a process already gone
    when the handle was made is False."""

    def __init__(self, pid: int):
        self.pid = pid
        self._started = start_time(pid)
        self._fd = None
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # before Linux 5.3 or Python 3.9; or it has gone
            return
        weakref.finalize(self, os.close, fd)
        if self._started is not None and start_time(pid) == self._started:  # the pid was not reused meanwhile
            self._fd = fd

    def alive(self) -> bool:
        if self._started is None:
            return False
        if self._fd is None:
            return start_time(self.pid) == self._started
        poll = select.poll()  # one per call: a poll object refuses two threads at once
        poll.register(self._fd, select.POLLIN)
        return not poll.poll(0)


class PidFile:
    """Where a child's pid and start time are kept while it runs."""

    def __init__(self, path: Path):
        self.path = path

    def record(self, pid: int) -> None:
        started = start_time(pid)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"pid": pid, "start_time": started}))
        os.replace(temporary, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def end_leftover(self, grace_seconds: float = 5.0) -> int | None:
        """End the recorded child if it still runs (SIGTERM, SIGKILL after the grace period)
        and wait until it is gone; returns its pid when there was one."""
        try:
            recorded = json.loads(self.path.read_text())
            pid, started = int(recorded["pid"]), recorded["start_time"]
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            self.clear()
            return None
        if started is None or start_time(pid) != started:
            self.clear()  # gone, or the pid now belongs to another process
            return None
        log.warning("ending pid %s left running by an earlier emulator (%s)", pid, self.path.name)
        _signal(pid, signal.SIGTERM)
        if not _gone(pid, started, grace_seconds):
            _signal(pid, signal.SIGKILL)
            if not _gone(pid, started, 30):
                raise RuntimeError(f"pid {pid} (recorded in {self.path}) did not end after SIGKILL")
        self.clear()
        return pid


def _gone(pid: int, started: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while start_time(pid) == started:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
