"""The hop from the runtime to a model's container: one HTTP/1.1 POST on a connection of its own.

Every microsecond here is added to each invocation, and on a small machine its CPU is taken from
the container, so this is a small HTTP client of its own rather than http.client:
- the request line, headers and body leave in one sendmsg (http.client writes the head and the
  body separately: two segments, and the model server wakes twice), the body not copied;
- the answer's head is parsed by splitting its lines, not through the email package;
- a connection per call, as the image's server (gunicorn's sync worker, like TorchServe's
  one request per worker) closes each: no pool to keep; an answer framed by Content-Length or
  chunked is read to its end, one framed by the close to the close.
About 0.1 ms less time and 0.1 ms less CPU per call than http.client on the 2-core build
machine (BENCHMARKS.md, inference).

Errors: ConnectionRefusedError (nothing listens: the call never reached the container),
TimeoutError, other OSError, and BadAnswer (an answer HTTP/1.1 cannot frame) when the
container answered but not intelligibly.
"""

import socket

HEAD_LIMIT = 64 * 1024  # an answer's status line and headers
_READ = 65536


class BadAnswer(OSError):
    """The container's answer is not HTTP/1.1 we can read."""


class ContainerAnswer:
    """A container's answer, its head read; the body is read with read() or chunks()."""

    def __init__(self, sock: socket.socket, status: int, headers: dict[str, str], rest: bytes, no_body: bool):
        self.sock, self.status, self.headers = sock, status, headers  # header names lowercased
        self._rest = rest  # body bytes already received with the head
        if no_body:
            self._frames = None
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            self._frames = self._chunked()
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise BadAnswer(f"Content-Length {headers['content-length']!r} is not a number") from None
            self._frames = self._sized(length)
        else:
            self._frames = self._until_close()

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def read(self) -> bytes:
        return b"".join(self.chunks())

    def chunks(self):
        """The body as it arrives: each piece as soon as the container sends it."""
        if self._frames is not None:
            yield from self._frames

    def close(self) -> None:
        self.sock.close()

    def _recv(self) -> bytes:
        if self._rest:
            data, self._rest = self._rest, b""
            return data
        return self.sock.recv(_READ)

    def _sized(self, length: int):
        while length > 0:
            data = self._recv()
            if not data:
                raise BadAnswer(f"the answer ended {length} bytes short of its Content-Length")
            if len(data) > length:
                data = data[:length]
            length -= len(data)
            yield data

    def _until_close(self):
        while True:
            data = self._recv()
            if not data:
                return
            yield data

    def _chunked(self):
        buffer = b""
        while True:
            while b"\r\n" not in buffer:
                buffer = self._more(buffer, "a chunk's size line")
            line, _, buffer = buffer.partition(b"\r\n")
            try:
                size = int(line.split(b";", 1)[0], 16)
            except ValueError:
                raise BadAnswer(f"bad chunk size line {line[:40]!r}") from None
            if size == 0:
                return  # trailers, if any, are left unread: the connection closes
            while size:
                if not buffer:
                    buffer = self._more(buffer, "a chunk")
                piece, buffer = buffer[:size], buffer[size:]
                size -= len(piece)
                yield piece
            while len(buffer) < 2:
                buffer = self._more(buffer, "a chunk's end")
            buffer = buffer[2:]

    def _more(self, buffer: bytes, what: str) -> bytes:
        data = self._recv()
        if not data:
            raise BadAnswer(f"the answer ended inside {what}")
        return buffer + data


def post(host: str, port: int, path: str, body: bytes, headers: dict[str, str], timeout: float) -> ContainerAnswer:
    """POST body to http://host:port/path; the answer with its head read. Header values must
    not hold CR or LF (the runtime checks what it forwards)."""
    head = "".join([f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n",
                    *(f"{name}: {value}\r\n" for name, value in headers.items()), "\r\n"]).encode("latin-1")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((host, port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _send(sock, head, body)
        return _answer(sock)
    except BaseException:
        sock.close()
        raise


def _send(sock: socket.socket, head: bytes, body: bytes) -> None:
    """head and body in one system call when the kernel takes them whole, without joining them."""
    buffers = [memoryview(head), memoryview(body)] if body else [memoryview(head)]
    while buffers:
        sent = sock.sendmsg(buffers)
        while buffers and sent >= len(buffers[0]):
            sent -= len(buffers[0])
            buffers.pop(0)
        if buffers:
            buffers[0] = buffers[0][sent:]


def _answer(sock: socket.socket) -> ContainerAnswer:
    data = b""
    while True:
        while (end := data.find(b"\r\n\r\n")) < 0:
            if len(data) > HEAD_LIMIT:
                raise BadAnswer(f"the answer's head is over {HEAD_LIMIT} bytes")
            received = sock.recv(_READ)
            if not received:
                raise BadAnswer("the container closed the connection without answering"
                                if not data else "the answer ended inside its head")
            data += received
        lines = data[:end].decode("latin-1").split("\r\n")
        data = data[end + 4:]
        version, _, rest = lines[0].partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise BadAnswer(f"not an HTTP/1.1 status line: {lines[0][:80]!r}")
        status = int(code)
        if status >= 200 or status == 101:
            break  # 1xx interim answers (100 Continue, 103) come before the real one
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            raise BadAnswer(f"not a header line: {line[:80]!r}")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return ContainerAnswer(sock, status, headers, data, no_body=status in (204, 304) or status < 200)
