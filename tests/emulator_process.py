"""`sagemaker-emulator serve` as a subprocess, as a user starts it, for end-to-end tests."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import urllib3
from botocore.config import Config

from emulator.backing.ports import free_port

REPO = Path(__file__).resolve().parent.parent


class EmulatorProcess:
    """`sagemaker-emulator serve` in a subprocess, exactly as a user starts it."""

    def __init__(self, data_dir: Path, port: int | None = None, extra_args=(), env=None):
        self.data_dir = data_dir
        self.env = env or {}
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.proc = None
        self.log = data_dir.parent / f"emulator-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "EmulatorProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", "--port", str(self.port),
             "--data-dir", str(self.data_dir), *self.extra_args],
            cwd=REPO, env=env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        http = urllib3.PoolManager(retries=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"emulator exited: {self.log.read_text()[-3000:]}")
            try:
                if http.request("GET", self.url + "/_emulator/health", timeout=1).status == 200:
                    return self
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("emulator did not become healthy")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 2}))


