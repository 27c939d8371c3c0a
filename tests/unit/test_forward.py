"""The runtime's hop to a container (emulator/runtime/forward.py) against a server on a real
socket that answers with scripted bytes: the request it sends, and every way HTTP/1.1 frames
an answer (Content-Length, chunked, until close, interim 1xx, no body), split at awkward
places; answers it cannot read, a refused connection and a silent container."""

import socket
import threading

import pytest

from emulator.runtime import forward


class ScriptedServer:
    """Accepts one connection, reads one request, sends `pieces` (a short pause between them
    so that each arrives on its own) and closes unless told to hold the connection."""

    def __init__(self, pieces: list[bytes], close: bool = True):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.pieces, self.close = pieces, close
        self.request = b""
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        connection, _ = self.listener.accept()
        with connection:
            while b"\r\n\r\n" not in self.request:
                self.request += connection.recv(65536)
            head, _, body = self.request.partition(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))
            while len(body) < length:
                body += connection.recv(65536)
            self.request = head + b"\r\n\r\n" + body
            for piece in self.pieces:
                connection.sendall(piece)
                threading.Event().wait(0.01)
            if not self.close:
                self.done.wait(10)
        self.listener.close()


def post(server: ScriptedServer, body: bytes = b"payload", headers=None, timeout: float = 5):
    return forward.post("127.0.0.1", server.port, "/invocations", body,
                        headers if headers is not None else {"Content-Type": "text/csv"}, timeout)


def test_the_request_is_one_head_and_the_body():
    body = bytes(range(256)) * 40000  # 10 MB: more than one socket buffer holds
    server = ScriptedServer([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"])
    answer = post(server, body, {"Content-Type": "application/x-npy", "Accept": "text/csv",
                                 "X-Amzn-SageMaker-Custom-Attributes": "trace=1"})
    assert (answer.status, answer.read()) == (200, b"ok")
    head, _, sent = server.request.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /invocations HTTP/1.1"
    assert {"Host: 127.0.0.1:%d" % server.port, f"Content-Length: {len(body)}", "Content-Type: application/x-npy",
            "Accept: text/csv", "X-Amzn-SageMaker-Custom-Attributes: trace=1"} == set(lines[1:])
    assert sent == body


def test_content_length_framing_with_the_head_and_body_split_anywhere():
    server = ScriptedServer([b"HTTP/1.1 200 OK\r\nContent-Ty", b"pe: text/csv\r\nX-Amzn-SageMaker-Custom-Attributes: a=1\r\n",
                             b"Content-Length: 11\r\n\r\nhello", b" world"], close=False)
    answer = post(server)
    try:
        # The container keeps the connection open: the answer ends at its Content-Length.
        assert answer.read() == b"hello world"
        assert answer.header("content-type") == "text/csv"
        assert answer.header("X-Amzn-SageMaker-Custom-Attributes") == "a=1"
    finally:
        server.done.set()
        answer.close()


def test_chunked_answer_arrives_chunk_by_chunk():
    server = ScriptedServer([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n",
                             b"7;ext=1\r\n second\r", b"\n0\r\n", b"\r\n"], close=False)
    answer = post(server)
    try:
        assert list(answer.chunks()) == [b"first", b" second"]
    finally:
        server.done.set()
        answer.close()


def test_answer_without_length_ends_when_the_container_closes():
    server = ScriptedServer([b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[1,", b"2]"])
    answer = post(server)
    assert (answer.status, answer.read()) == (200, b"[1,2]")


def test_interim_answers_are_skipped_and_no_body_statuses_have_none():
    server = ScriptedServer([b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"], close=False)
    answer = post(server)
    try:
        assert (answer.status, answer.header("x-a"), answer.read()) == (204, "1", b"")
    finally:
        server.done.set()
        answer.close()


def test_repeated_headers_are_joined():
    server = ScriptedServer([b"HTTP/1.1 500 Oops\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n"])
    answer = post(server)
    assert (answer.status, answer.header("X-A")) == (500, "1, 2")


@pytest.mark.parametrize("pieces, says", [
    ([b"garbage\r\n\r\n"], "not an HTTP/1.1 status line"),
    ([b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"], "not a header line"),
    ([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"], "5 bytes short"),
    ([b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n"], "not a number"),
    ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"], "bad chunk size"),
    ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nabc"], "inside a chunk"),
    ([b"HTTP/1.1 200 OK\r\nContent-"], "inside its head"),
    ([], "closed the connection without answering"),
])
def test_answers_that_cannot_be_read_raise_bad_answer(pieces, says):
    server = ScriptedServer(pieces)
    with pytest.raises(forward.BadAnswer, match=says):
        post(server).read()


def test_nothing_listening_is_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionRefusedError):
        forward.post("127.0.0.1", port, "/invocations", b"x", {}, 5)


def test_a_container_that_does_not_answer_times_out():
    server = ScriptedServer([], close=False)
    try:
        with pytest.raises(TimeoutError):
            post(server, timeout=0.2)
    finally:
        server.done.set()
