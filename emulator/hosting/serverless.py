"""A serverless variant: no container until the first invocation, one kept warm while it
is used, stopped after an idle period; MaxConcurrency requests at a time, no more. A warm
container found dead is dropped, and the next invocation starts a new one."""

import threading
import time
from typing import Callable

from .live import LiveInstance


class Throttled(Exception):
    pass


class ServerlessPool:
    def __init__(self, launch: Callable[[], LiveInstance], max_concurrency: int, idle_seconds: float,
                 grace_seconds: int):
        self.launch = launch
        self.max_concurrency = max_concurrency
        self.idle_seconds = idle_seconds
        self.grace_seconds = grace_seconds
        self.instance: LiveInstance | None = None
        self.last_cold_start_seconds: float | None = None
        self.cold_starts = 0
        self._inflight = 0
        self._last_used = time.monotonic()
        self._count_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._reap, daemon=True, name="serverless-reaper").start()

    def acquire(self) -> LiveInstance:
        with self._count_lock:
            if self._inflight >= self.max_concurrency:
                raise Throttled(f"Rate exceeded: the endpoint's MaxConcurrency of {self.max_concurrency} "
                                "concurrent invocations is in use")
            self._inflight += 1
            self._last_used = time.monotonic()
        try:
            with self._start_lock:
                if self.instance is None:
                    started = time.monotonic()
                    self.instance = self.launch()
                    self.last_cold_start_seconds = time.monotonic() - started
                    self.cold_starts += 1
                return self.instance
        except BaseException:
            self.release()
            raise

    def discard(self, instance: LiveInstance) -> None:
        """Drop a warm instance that died or stopped answering (the next call starts another)."""
        with self._start_lock:
            if self.instance is not instance:
                return  # already dropped or replaced
            self.instance = None
        instance.healthy = False
        threading.Thread(target=instance.stop, args=(1,), daemon=True, name=f"stop-{instance.id}").start()

    def release(self) -> None:
        with self._count_lock:
            self._inflight -= 1
            self._last_used = time.monotonic()

    def _reap(self) -> None:
        while not self._closed.wait(min(1.0, self.idle_seconds / 4)):
            # Under the start lock: a caller counted in before this check keeps the container;
            # one counted in after it waits for the lock and starts a new one.
            with self._start_lock:
                with self._count_lock:
                    idle = self._inflight == 0 and time.monotonic() - self._last_used > self.idle_seconds
                instance = self.instance if idle else None
                if instance is not None:
                    self.instance = None
            if instance is not None:
                instance.stop(self.grace_seconds)

    def close(self) -> None:
        self._closed.set()
        with self._start_lock:
            instance, self.instance = self.instance, None
        if instance is not None:
            instance.stop(self.grace_seconds)
