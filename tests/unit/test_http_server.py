"""The HTTP server `serve` runs (emulator/server.py: granian in this process) with small WSGI
applications, over real sockets: what the emulator's features rely on from it. Bodies reach
the application as they arrive and 100-continue is answered only when it reads; streamed
answers leave piece by piece and are closed when the client goes; HEAD and sized answers keep
their Content-Length; every address is served; a port in use fails the start; close() stops."""

import http.client
import os
import socket
import threading
import time

import pytest

from emulator.backing.ports import free_port
from emulator.server import HttpServer
from helpers import wait_until


@pytest.fixture
def serve():
    """serve(app) -> port: the app behind an HttpServer on a free port until the test ends."""
    servers = []

    def start(app, addresses=None):
        addresses = addresses or [("127.0.0.1", free_port())]
        server = HttpServer(app, addresses, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        wait_until(lambda: _answers(*addresses[0]), 10, "the server to answer")
        return addresses[0][1]
    yield start
    for server in servers:
        server.close()


def _answers(host, port) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def raw(port: int, request: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(request)
    return connection


def read_until(connection: socket.socket, end: bytes) -> bytes:
    data = b""
    while end not in data:
        piece = connection.recv(65536)
        if not piece:
            break
        data += piece
    return data


def test_the_body_reaches_the_app_as_it_arrives_and_100_continue_waits_for_a_read(serve):
    arrived = []

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/refuse":  # answers without reading, as a body cap does
            start_response("413 Request Entity Too Large", [("Content-Length", "0")])
            return [b""]
        while piece := environ["wsgi.input"].read(1000):
            arrived.append(piece)
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]
    port = serve(app)

    refused = raw(port, b"PUT /refuse HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n"
                        b"Expect: 100-continue\r\n\r\n")
    assert read_until(refused, b"\r\n\r\n").startswith(b"HTTP/1.1 413")  # no 100 Continue before it

    connection = raw(port, b"PUT /read HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000\r\n"
                           b"Expect: 100-continue\r\n\r\n")
    assert read_until(connection, b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
    connection.sendall(b"a" * 1000)
    wait_until(lambda: arrived, 10, "the first half to reach the app before the second is sent")
    connection.sendall(b"b" * 1000)
    assert read_until(connection, b"ok").startswith(b"HTTP/1.1 200")
    assert arrived == [b"a" * 1000, b"b" * 1000]


def test_a_chunked_body_reads_to_its_end(serve):
    def app(environ, start_response):
        body = environ["wsgi.input"].read() if environ.get("wsgi.input_terminated") else b"unterminated"
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]
    port = serve(app)
    connection = raw(port, b"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")
    assert read_until(connection, b"abcdefg").endswith(b"\r\n\r\nabcdefg")


def test_a_streamed_answer_leaves_piece_by_piece_and_is_closed_when_the_client_goes(serve):
    release, closed = threading.Event(), threading.Event()

    def app(environ, start_response):
        def pieces():
            try:
                yield b"first;"
                release.wait(10)  # the second piece waits until the client has the first
                for _ in range(1000):
                    yield b"more;"
                    time.sleep(0.01)
            finally:
                closed.set()
        start_response("200 OK", [("Content-Type", "application/vnd.amazon.eventstream")])
        return pieces()
    port = serve(app)
    connection = raw(port, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert b"first;" in read_until(connection, b"first;")
    release.set()
    assert b"more;" in read_until(connection, b"more;")
    connection.close()
    assert closed.wait(10), "the answer's close() (a generator's finally) runs when the client goes"


def test_head_and_sized_answers_keep_their_content_length(serve):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", "6")])
        return iter([]) if environ["REQUEST_METHOD"] == "HEAD" else iter([b"abc", b"def"])
    port = serve(app)
    for method, body in (("HEAD", b""), ("GET", b"abcdef")):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(method, "/object")
        answer = connection.getresponse()
        assert (answer.getheader("Content-Length"), answer.getheader("Transfer-Encoding"), answer.read()) == \
            ("6", None, body)
        connection.close()


def test_the_environ_holds_the_request_not_the_process_environment(serve, monkeypatch):
    monkeypatch.setitem(os.environ, "HTTP_PROXY", "http://proxy.invalid:3128")
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]
    port = serve(app)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/endpoints/e/invocations?x=1", b"{}", {"Content-Type": "application/json",
                                                                        "X-Amzn-SageMaker-Custom-Attributes": "a"})
    connection.getresponse().read()
    assert "HTTP_PROXY" not in seen
    assert (seen["REQUEST_METHOD"], seen["PATH_INFO"], seen["QUERY_STRING"], seen["CONTENT_TYPE"],
            seen["CONTENT_LENGTH"], seen["HTTP_X_AMZN_SAGEMAKER_CUSTOM_ATTRIBUTES"], seen["HTTP_HOST"]) == \
        ("POST", "/endpoints/e/invocations", "x=1", "application/json", "2", "a", f"127.0.0.1:{port}")


def test_every_address_is_served_a_taken_port_fails_and_close_stops(serve):
    addresses = [("127.0.0.1", free_port()), ("127.0.0.2", free_port())]

    def app(environ, start_response):
        body = environ["HTTP_HOST"].encode()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]
    server = HttpServer(app, addresses, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for host, port in addresses:
        wait_until(lambda: _answers(host, port), 10, f"{host}:{port} to answer")
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().read() == f"{host}:{port}".encode()
        connection.close()
    with pytest.raises(OSError, match="in use"):
        HttpServer(app, [addresses[0]])
    server.close()
    thread.join(10)
    assert not thread.is_alive()
    wait_until(lambda: not any(_answers(*address) for address in addresses), 10, "both addresses to close")
