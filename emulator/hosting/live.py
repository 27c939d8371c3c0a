"""What an endpoint is at run time: its variants and their running containers.

A Deployment is one endpoint config made live. Invocations pick a variant by weight
(or the TargetVariant asked for) and a healthy instance round-robin; each instance counts
its requests in flight so that an update can drain it before it stops, and keeps what its
health checks found so that a failed one is skipped until it is replaced.
"""

import http.client
import itertools
import random
import re
import threading
import time
from dataclasses import dataclass, field

from ..execution.runner import ServingContainer

PING_TIMEOUT_SECONDS = 2  # what SageMaker allows /ping
# A busy model may answer one /ping late: only this many failed in a row fail an instance.
FAILED_PINGS_TO_REPLACE = 3


class ContainerFailed(Exception):
    """The message is the endpoint's FailureReason."""


_ERROR_LINE = re.compile(r"^([\w.]+(Error|Exception|Exit)|SystemExit)\b.*")


def last_error(lines: list[str]) -> str:
    """The last exception line a container printed (the server's own shutdown aside),
    or its last line: what a user needs first when start-up fails."""
    for line in reversed(lines):
        if _ERROR_LINE.match(line.strip()) and not line.strip().startswith("gunicorn."):
            return line.strip()
    return lines[-1].strip() if lines else ""


class Exchange:
    """A container's answer, open for reading; closing it closes its connection."""

    def __init__(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse):
        self.connection, self.response = connection, response
        self.status = response.status
        self.headers = response.headers

    def read(self) -> bytes:
        return self.response.read()

    def chunks(self, size: int = 65536):
        """The body as the container sends it: each chunk as soon as it arrives."""
        while True:
            chunk = self.response.read1(size)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        self.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class LiveInstance:
    id: str
    variant: str
    container: ServingContainer
    log_stream: str
    recent_lines: list[str] = field(default_factory=list)
    inflight: int = 0
    healthy: bool = True       # False: invocations skip it
    failed_pings: int = 0      # in a row
    last_answer: float = 0.0   # time.monotonic() of its last HTTP answer to an invocation
    # Once it failed its health check: why, and how its replacement goes.
    failure: str = ""
    replacing: bool = False    # a replacement is starting
    replace_attempts: int = 0  # replacements that could not start
    next_replace_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def address(self) -> tuple[str, int]:
        """(host, port) where the container answers now: asked of it on each call, as a
        Docker container's changes when it dies (execution/docker_runner.py)."""
        host, port = self.container.url.split("//", 1)[1].rsplit(":", 1)
        return host, int(port)

    def exchange(self, method: str, path: str, timeout: float, body: bytes | None = None,
                 headers: dict | None = None) -> "Exchange":
        """One request to the container on a connection of its own (the toolkit's server
        closes each; plain http.client costs ~0.1-0.3 ms less per call than a pool here).
        Raises OSError or http.client.HTTPException when the container does not answer."""
        connection = http.client.HTTPConnection(*self.address(), timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            return Exchange(connection, connection.getresponse())
        except BaseException:
            connection.close()
            raise

    def track(self, delta: int) -> None:
        with self._lock:
            self.inflight += delta

    def ping(self) -> bool:
        try:
            with self.exchange("GET", "/ping", PING_TIMEOUT_SECONDS) as answer:
                answer.read()
                return answer.status == 200
        except (OSError, http.client.HTTPException):
            return False

    def note_ping(self, answered: bool) -> None:
        if answered:
            self.failed_pings = 0
            self.healthy = True
        else:
            self.failed_pings += 1
            if self.failed_pings >= FAILED_PINGS_TO_REPLACE:
                self.healthy = False

    def health_check(self, answered_within: float) -> str | None:
        """Why the instance must be replaced, or None. An answer to an invocation within the
        last `answered_within` seconds counts as a passed ping (a model busy with traffic is
        alive even when its /ping is slow); the engine is asked only when /ping fails."""
        recently = self.healthy and time.monotonic() - self.last_answer < answered_within
        if recently or self.ping():
            self.note_ping(True)
            return None
        code = self.container.exit_code()  # None: running, or the engine cannot tell yet
        if code is not None:
            self.healthy = False
            return f"its container exited with code {code}"
        self.note_ping(False)
        if self.failed_pings >= FAILED_PINGS_TO_REPLACE:
            return f"it did not answer /ping within {PING_TIMEOUT_SECONDS} seconds {self.failed_pings} times in a row"
        return None

    def wait_healthy(self, timeout_seconds: float, subject: str, logs_of: str) -> None:
        """subject: what runs the container ("production variant X", "transform job Y");
        logs_of: whose logs to check ("endpoint", "transform job")."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.ping():
                return
            code = self.container.exit_code()
            if code is not None:
                cause = last_error(self.recent_lines)
                raise ContainerFailed(
                    f"The primary container for {subject} did not pass the ping "
                    f"health check: it exited with code {code}. Please check CloudWatch logs for "
                    f"this {logs_of}.{' Last error: ' + cause if cause else ''}"[:1024])
            time.sleep(0.03)
        raise ContainerFailed(f"The primary container for {subject} did not pass "
                              f"the ping health check within {int(timeout_seconds)} seconds "
                              f"(ContainerStartupHealthCheckTimeoutInSeconds). Please check CloudWatch "
                              f"logs for this {logs_of}.")

    def stop(self, grace_seconds: int, drain_seconds: float = 0) -> None:
        deadline = time.monotonic() + drain_seconds
        while self.inflight and time.monotonic() < deadline:
            time.sleep(0.02)
        self.container.stop(grace_seconds)


@dataclass
class LiveVariant:
    name: str
    weight: float
    instances: list[LiveInstance]  # replaced as a whole, never changed in place: readers need no lock
    serverless: object = None  # a ServerlessPool for serverless variants
    request: object = None     # the LaunchRequest its instances start from (and are replaced from)

    def __post_init__(self):
        self._next = itertools.count()

    def pick(self) -> LiveInstance | None:
        """The next healthy instance, round-robin; None while none is."""
        healthy = [i for i in self.instances if i.healthy]
        if not healthy:
            return None
        return healthy[next(self._next) % len(healthy)]

    def swap(self, old: LiveInstance, new: LiveInstance) -> bool:
        if not any(i is old for i in self.instances):
            return False
        self.instances = [new if i is old else i for i in self.instances]
        return True


@dataclass
class Deployment:
    config_name: str
    variants: list[LiveVariant]
    config: dict = field(default_factory=dict)  # the endpoint config it runs

    def choose(self, target_variant: str | None) -> LiveVariant | None:
        if target_variant:
            return next((v for v in self.variants if v.name == target_variant), None)
        weights = [v.weight for v in self.variants]
        if sum(weights) <= 0:
            weights = [1.0] * len(self.variants)
        return random.choices(self.variants, weights=weights)[0]

    def all_instances(self) -> list[LiveInstance]:
        return [i for v in self.variants for i in v.instances]

    def stop(self, grace_seconds: int, drain_seconds: float = 0) -> None:
        for variant in self.variants:
            if variant.serverless is not None:
                variant.serverless.close()
        threads = [threading.Thread(target=i.stop, args=(grace_seconds, drain_seconds), daemon=True)
                   for i in self.all_instances()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
