"""The HTTP server in front of the emulator's one WSGI application (`serve`).

granian's HTTP/1.1 server (Rust: hyper on tokio) reads requests and writes answers without
the GIL and calls the application on a pool of Python threads, in this process: the
emulator's state (endpoints, jobs, the store) is one process's, so there are no worker
processes. Against waitress (pure Python: an asyncore loop handing each request to a worker
thread and back) a trivial answer costs a third of the CPU (0.08 against 0.22 ms on the
2-core build machine) and 0.17 ms less latency; on a machine whose cores the model's
container shares, that CPU is throughput the container keeps (BENCHMARKS.md, inference).
`SAGEMAKER_EMULATOR_HTTP_SERVER=waitress` serves with waitress instead.

granian's public `Server` runs an application only in worker processes (or, on a
free-threaded Python, threads), so this drives its worker class directly, as its own
thread-worker does (granian/server/mt.py); those names are internal, which is why
pyproject.toml pins granian to 2.8.x. The listening sockets are made here, without the
SO_REUSEPORT granian would set, so that a second emulator on a port in use fails to start
instead of sharing the port with the first.

What the application sees differs from waitress's environ only where PEP 3333 lets it:
no RAW_URI/REQUEST_URI (PATH_INFO is the decoded path, as CGI has it), header names in
answers are lowercased on the wire, a request's Expect: 100-continue is answered when the
application first reads the body (never when it answers without reading it), and bodies
are read as they arrive.
"""

import logging
import os
import socket
import sys
import threading

log = logging.getLogger(__name__)

SERVER_ENV = "SAGEMAKER_EMULATOR_HTTP_SERVER"
THREADS = 48            # Python threads calling the application (an invocation holds one while the model works)
MAX_CONNECTIONS = 1000  # connections served at once per address; more wait in the backlog
BACKLOG = 1024


class HttpServer:
    """Serves `app` on every (host, port) of `addresses` until close()."""

    def __init__(self, app, addresses: list[tuple[str, int]], threads: int = THREADS):
        self.app = app
        self.sockets = [_listen(host, port) for host, port in addresses]  # raises OSError when one is taken
        self.threads = threads
        self._stopped = threading.Event()
        self._signals = []

    def run(self) -> None:
        """Serve until close() (a signal handler raising in the main thread ends it too)."""
        from granian._granian import WorkerSignal

        for index, sock in enumerate(self.sockets):
            signal = WorkerSignal()
            self._signals.append(signal)
            _start_worker(index + 1, sock, self.app, self.threads, signal)
        while not self._stopped.wait(3600):
            pass

    def close(self) -> None:
        """Stop accepting connections; requests in flight are not waited for."""
        self._stopped.set()
        for signal in self._signals:
            signal.set()
        for sock in self.sockets:
            sock.close()  # those granian never took


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host.strip("[]"), port), family=family, backlog=BACKLOG)


def _start_worker(worker_id: int, sock: socket.socket, app, threads: int, signal) -> None:
    """A granian WSGI worker on `sock`: its tokio runtime and Python threads run until `signal`."""
    from granian._futures import _new_cbscheduler
    from granian._granian import SocketHolder, WSGIWorker

    worker = WSGIWorker(
        # granian owns the descriptor from here on (it closes it when the worker stops).
        worker_id=worker_id, sock=(None, SocketHolder(sock.detach(), False, BACKLOG)), ipc=None,
        threads=1,  # one tokio thread accepts, parses and writes; the Python threads run the application
        py_threads=threads, backpressure=MAX_CONNECTIONS,
        http_mode="1")  # HTTP/1.1, what SDKs speak to an http:// endpoint; no TLS, no metrics
    # The scheduler carries the callback; a WSGI worker calls it on its own threads and
    # schedules nothing on an event loop (only ASGI/RSGI coroutines use one).
    worker.serve_str(_new_cbscheduler(_NoLoop(), wsgi_callback(app), impl_asyncio=True), _NoLoop(), signal)


class _NoLoop:
    """Stands for the asyncio loop granian's scheduler asks for; WSGI never calls it."""

    def call_soon(self, *args, **kwargs):
        raise RuntimeError("no event loop: the emulator serves WSGI only")


class _Response:
    __slots__ = ("status", "headers")

    def __call__(self, status: str, headers: list, exc_info=None):
        self.status = int(status.split(" ", 1)[0])
        self.headers = headers
        return _no_write


def _no_write(data: bytes):
    raise NotImplementedError("the write() callable of start_response is not supported; return the body")


class _Body:
    """An answer's iterable as granian reads it; close() is the WSGI close()."""
    __slots__ = ("inner", "__next__")

    def __init__(self, inner):
        self.inner = inner
        self.__next__ = iter(inner).__next__

    def close(self):
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


# Keys every environ starts with. Unlike granian's own wrapper this leaves os.environ out:
# a variable such as HTTP_PROXY would otherwise read as a request header.
_BASE_ENVIRON = {
    "GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "", "SERVER_SOFTWARE": "sagemaker-emulator",
    "wsgi.errors": sys.stderr, "wsgi.input_terminated": True, "wsgi.multiprocess": False,
    "wsgi.multithread": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
}


def wsgi_callback(app):
    """What granian calls per request: (protocol, scope) -> status."""
    def call(proto, scope):
        environ = _BASE_ENVIRON.copy()
        environ.update(scope)
        response = _Response()
        body = app(environ, response.__call__)
        if type(body) is list:
            proto.response_bytes(response.status, response.headers, b"".join(body))
        else:
            proto.response_iter(response.status, response.headers, _Body(body))
        return response.status
    return call


def make_server(app, listen: list[str]):
    """A server for `app` on each "host:port" of `listen`, with run() and close()."""
    kind = os.environ.get(SERVER_ENV, "granian").strip().lower() or "granian"
    if kind == "waitress":
        from waitress import create_server

        return create_server(app, listen=" ".join(listen), threads=THREADS, connection_limit=MAX_CONNECTIONS,
                             channel_timeout=300, ident="sagemaker-emulator")
    if kind != "granian":
        raise SystemExit(f"{SERVER_ENV}={kind!r}: expected granian or waitress")
    try:
        import granian  # noqa: F401
    except ImportError:  # a venv made before granian was a dependency
        raise SystemExit("sagemaker-emulator serve: granian is not installed (pip install -e . installs it; "
                         f"or set {SERVER_ENV}=waitress)") from None
    addresses = []
    for address in listen:
        host, _, port = address.rpartition(":")
        addresses.append((host, int(port)))
    logging.getLogger("_granian").setLevel(logging.WARNING)  # not a line per worker started and stopped
    return HttpServer(app, addresses)
