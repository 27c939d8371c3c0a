"""ProcessHandle: whether one process, the very one, still runs (what decides, at every
invocation, whether a serving container is called at its bridge address)."""

import os
import subprocess
import sys

import pytest

from emulator.backing import child_process
from emulator.backing.child_process import ProcessHandle


@pytest.fixture(params=["pidfd", "proc"])
def handle_of(request, monkeypatch):
    """Both ways a handle can know: a pidfd, and (a kernel without them) /proc's start time."""
    if request.param == "proc":
        monkeypatch.delattr(child_process.os, "pidfd_open")
    return ProcessHandle


def sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_running_process_is_alive_until_it_ends_and_a_zombie_counts_as_ended(handle_of):
    child = sleeper()
    try:
        handle = handle_of(child.pid)
        assert handle.alive()
        child.kill()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # it has ended and is not reaped: a zombie
        assert not handle.alive()
    finally:
        child.kill()
        child.wait()
    assert not handle.alive()  # reaped: the pid may now be anyone's


def test_a_process_gone_before_the_handle_is_not_alive(handle_of):
    child = sleeper()
    child.kill()
    child.wait()
    assert not handle_of(child.pid).alive()


def test_a_handle_asked_from_many_threads_at_once_answers_each(handle_of):
    from concurrent.futures import ThreadPoolExecutor

    child = sleeper()
    try:
        handle = handle_of(child.pid)
        with ThreadPoolExecutor(16) as pool:
            assert all(pool.map(lambda _: handle.alive(), range(2000)))
    finally:
        child.kill()
        child.wait()
