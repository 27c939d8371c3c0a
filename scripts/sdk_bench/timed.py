"""Runs a Python script (argv[1:]) as `python script args` would, counting the seconds its
main thread spends in time.sleep: the SDK's and CLI's own fixed polls. At exit it prints
`SLEPT <seconds>` on stderr. Measurement only: the script itself is not changed."""

import atexit
import runpy
import sys
import threading
import time

_sleep = time.sleep
_slept = 0.0


def _counting_sleep(seconds):
    global _slept
    if threading.current_thread() is threading.main_thread():
        _slept += max(0.0, seconds)
    _sleep(seconds)


time.sleep = _counting_sleep
atexit.register(lambda: print(f"SLEPT {_slept:.2f}", file=sys.stderr, flush=True))
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
