"""Instance health without Docker: the "container" of each instance here is a real HTTP
server in this process (or a port nothing listens on), so pings and invocations go over
real sockets; what is checked is what the invoker answers and which instance serves."""

import http.server
import socket
import threading
import uuid

import docker
import pytest

from emulator.backing.ports import free_port
from emulator.execution.docker_runner import DockerServingContainer
from emulator.hosting import live
from emulator.hosting.live import Deployment, LiveInstance, LiveVariant
from emulator.hosting.serverless import ServerlessPool
from emulator.runtime.errors import ServiceUnavailable
from emulator.runtime.invoke import Invocation, Invoker


class _Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._reply(b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._reply(self.server.name + b":" + body)

    def log_message(self, *args):
        pass


class LocalServer:
    """A serving container's stand-in: answers /ping and /invocations until it exits."""

    def __init__(self, name: str):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
        self.server.name = name.encode()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.code = None
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def exit_code(self):
        return self.code

    def exit(self, code: int = 137) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.code = code

    def stop(self, grace_seconds: int) -> None:
        if self.code is None:
            self.exit(0)

    def follow_logs(self, sink) -> None:
        pass


class Silent:
    """A container that is running but never answers (hung): connections queue, nothing replies."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def exit_code(self):
        return None

    def stop(self, grace_seconds: int) -> None:
        self.socket.close()


def instance(container, name="i-1") -> LiveInstance:
    return LiveInstance(name, "AllTraffic", container, f"AllTraffic/{name}")


@pytest.fixture
def servers():
    started = []

    def start(name):
        started.append(LocalServer(name))
        return started[-1]
    yield start
    for server in started:
        server.stop(0)


def invoker(deployment: Deployment) -> Invoker:
    return Invoker(endpoints=None, live={"ep": deployment}, region="us-east-1", account="123456789012",
                   timeout_seconds=5)


def test_pick_skips_unhealthy_instances_round_robin(servers):
    a, b, c = (instance(servers(n), n) for n in ("a", "b", "c"))
    variant = LiveVariant("AllTraffic", 1.0, [a, b, c])
    b.healthy = False
    assert [variant.pick().id for _ in range(4)] == ["a", "c", "a", "c"]
    a.healthy = c.healthy = False
    assert variant.pick() is None


def test_three_failed_pings_in_a_row_fail_an_instance_one_slow_ping_does_not(servers):
    one = instance(servers("a"))
    one.note_ping(False)
    one.note_ping(False)
    assert one.healthy
    one.note_ping(True)  # an answer starts the count again
    one.note_ping(False)
    one.note_ping(False)
    assert one.healthy
    one.note_ping(False)
    assert not one.healthy and one.failed_pings == 3


def test_a_hung_container_is_replaced_after_three_checks(monkeypatch):
    monkeypatch.setattr(live, "PING_TIMEOUT_SECONDS", 0.2)
    hung = instance(Silent())
    try:
        assert hung.health_check(answered_within=0) is None
        assert hung.health_check(answered_within=0) is None and hung.healthy
        assert "did not answer /ping" in hung.health_check(answered_within=0)
        assert not hung.healthy
    finally:
        hung.container.stop(0)


def test_an_exited_container_is_replaced_at_the_first_check(servers):
    server = servers("a")
    dead = instance(server)
    assert dead.health_check(answered_within=0) is None
    server.exit(137)
    assert dead.health_check(answered_within=0) == "its container exited with code 137"
    assert not dead.healthy


def test_a_recent_answer_counts_as_a_passed_ping(monkeypatch):
    # A model busy with traffic may not answer /ping in time; it answered the invocations.
    monkeypatch.setattr(live, "PING_TIMEOUT_SECONDS", 0.2)
    busy = instance(Silent())
    try:
        busy.failed_pings = 2
        busy.last_answer = live.time.monotonic()
        assert busy.health_check(answered_within=60) is None
        assert busy.failed_pings == 0 and busy.healthy
    finally:
        busy.container.stop(0)


def test_a_call_to_a_dead_instance_goes_to_a_healthy_one(servers):
    dead_server, alive = servers("dead"), servers("alive")
    dead, healthy = instance(dead_server, "dead"), instance(alive, "alive")
    dead_server.exit(137)
    deployment = Deployment("config", [LiveVariant("AllTraffic", 1.0, [dead, healthy])])
    answers = [invoker(deployment).invoke(Invocation("ep", b"x", {})).body for _ in range(3)]
    assert answers == [b"alive:x"] * 3
    assert not dead.healthy  # set aside until the health monitor replaces it


def test_no_healthy_instance_answers_service_unavailable(servers):
    server = servers("a")
    only = instance(server)
    server.exit(137)
    deployment = Deployment("config", [LiveVariant("AllTraffic", 1.0, [only])])
    with pytest.raises(ServiceUnavailable) as caught:
        invoker(deployment).invoke(Invocation("ep", b"x", {}))
    assert caught.value.status == 503 and caught.value.code == "ServiceUnavailable"
    assert "no healthy instance" in caught.value.message


def test_a_dead_warm_serverless_container_is_started_again_by_the_next_call(servers):
    launched = []

    def launch():
        launched.append(instance(servers(f"warm{len(launched)}"), f"i-{len(launched)}"))
        return launched[-1]
    pool = ServerlessPool(launch, max_concurrency=2, idle_seconds=300, grace_seconds=0)
    variant = LiveVariant("AllTraffic", 1.0, [], serverless=pool)
    call = invoker(Deployment("config", [variant]))
    try:
        assert call.invoke(Invocation("ep", b"a", {})).body == b"warm0:a"
        launched[0].container.exit(137)
        assert call.invoke(Invocation("ep", b"b", {})).body == b"warm1:b"
        assert pool.cold_starts == 2 and pool.instance is launched[1]
    finally:
        pool.close()


def test_with_the_engine_away_an_instance_is_replaced_after_three_failed_pings_and_nothing_raises():
    # A Docker client whose engine does not answer (as while dockerd restarts): the SDK raises
    # requests' ConnectionError under every call. The state is unknown, not a crash.
    client = docker.DockerClient(base_url=f"unix:///tmp/no-engine-{uuid.uuid4().hex}.sock", version="1.41",
                                 timeout=5)
    container = DockerServingContainer(client.containers.prepare_model({"Id": "0" * 64, "Name": "/gone"}),
                                       f"http://127.0.0.1:{free_port()}")
    gone = instance(container)
    assert container.exit_code() is None
    assert gone.health_check(answered_within=0) is None
    assert gone.health_check(answered_within=0) is None
    assert "did not answer /ping" in gone.health_check(answered_within=0)
    container.stop(grace_seconds=1)  # removal is retried in the background until the engine is back
