"""What a kill -9 leaves behind: the state store intact, and children ended by their pid file."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from emulator.backing.child_process import PidFile, start_time
from emulator.store import Store

REPO = Path(__file__).resolve().parents[2]

# A writer that prints each update's counter once SQLite has committed it, forever.
WRITER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from emulator.store import Store
store = Store(Path(sys.argv[1]))
if store.get("job", "j") is None:
    store.insert("job", "j", {"CreationTime": time.time(), "n": 0, "pad": ""})
n = store.get("job", "j")["n"]
while True:
    n += 1
    store.update("job", "j", lambda d: d.update(n=n, pad="x" * (n % 5000)))
    store.insert_or_replace("job", f"k{n % 50}", {"CreationTime": time.time(), "n": n})
    print(n, flush=True)
"""


def test_a_store_killed_mid_write_opens_intact_with_every_acknowledged_write(tmp_path):
    db = tmp_path / "state.sqlite3"
    acknowledged = 0
    for _ in range(5):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(REPO)],
                                  stdout=subprocess.PIPE, text=True)
        # Let it commit a few hundred writes, then kill it wherever it is.
        for line in writer.stdout:
            acknowledged = int(line)
            if acknowledged % 300 == 0:
                break
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        connection = sqlite3.connect(db)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.close()
        store = Store(db)
        # Every write the writer saw committed is there (it may have committed one more).
        assert store.get("job", "j")["n"] >= acknowledged
        assert all(isinstance(doc["n"], int) for doc in store.all("job"))


def test_a_leftover_child_is_ended_at_the_next_start(tmp_path):
    child = subprocess.Popen(["sleep", "60"])
    pid_file = PidFile(tmp_path / "child.pid")
    pid_file.record(child.pid)
    assert PidFile(tmp_path / "child.pid").end_leftover(grace_seconds=2) == child.pid
    assert child.wait(5) == -signal.SIGTERM
    assert not pid_file.path.exists()


def test_a_child_that_ignores_sigterm_is_killed(tmp_path):
    child = subprocess.Popen([sys.executable, "-c",
                              "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                              "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "ready\n"
    pid_file = PidFile(tmp_path / "child.pid")
    pid_file.record(child.pid)
    started = time.monotonic()
    assert pid_file.end_leftover(grace_seconds=0.5) == child.pid
    assert child.wait(5) == -signal.SIGKILL
    assert time.monotonic() - started < 5


def test_a_reused_pid_is_never_signalled(tmp_path):
    """The pid now belongs to another process (here: this test's own): other start time, left alone."""
    pid_file = tmp_path / "child.pid"
    pid_file.write_text(json.dumps({"pid": os.getpid(), "start_time": start_time(os.getpid()) - 1}))
    assert PidFile(pid_file).end_leftover(grace_seconds=0.1) is None
    assert not pid_file.exists()


def test_a_gone_child_or_a_garbled_pid_file_is_cleared(tmp_path):
    child = subprocess.Popen(["true"])
    pid_file = PidFile(tmp_path / "child.pid")
    pid_file.record(child.pid)
    child.wait()
    assert pid_file.end_leftover() is None
    pid_file.path.write_text("{not json")
    assert pid_file.end_leftover() is None
    assert not pid_file.path.exists()
