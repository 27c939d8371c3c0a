"""The emulator in this process, over HTTP on a free port, with any runner: what unit tests
drive with boto3 as a user does, without Docker (SeaweedFS still runs, as a child process)."""

import threading
from pathlib import Path

import boto3
from botocore.config import Config
from werkzeug.serving import make_server

from emulator.app import create_emulator
from emulator.config import Settings

BUCKET = "in-process"  # what the session's tests keep their objects in

# Timers short enough that a test waits for the emulator's rules, not for its defaults.
FAST = {"stop_grace_seconds": 1, "serverless_idle_seconds": 2.0, "invocation_timeout_seconds": 5.0,
        "health_check_seconds": 0.1, "capture_flush_seconds": 0.2, "notebook_lifecycle_seconds": 2.0}


class InProcessEmulator:
    def __init__(self, data_dir: Path, runner, **settings):
        # The port is bound first, so that no other process can take it before the server does.
        self._server = make_server("127.0.0.1", 0, self._serve, threaded=True)
        self.port = self._server.server_port
        self.settings = Settings(data_dir=data_dir, port=self.port, allow_hosts=[], allow_origins=[],
                                 **{**FAST, **settings})
        self.runner = runner
        self.emulator = create_emulator(self.settings, runner=runner)
        self._thread: threading.Thread | None = None

    def _serve(self, environ, start_response):
        return self.emulator.wsgi(environ, start_response)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "InProcessEmulator":
        try:
            self.emulator.start()
        except BaseException:
            self.close()
            raise
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="in-process-emulator")
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self.emulator.close()

    def __enter__(self) -> "InProcessEmulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def client(self, service: str):
        """A boto3 client as a user makes one; no retries, so a test sees every answer."""
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))
