"""Model data on the emulator's disk, ready for /opt/ml/model.

ModelDataUrl's model.tar.gz is fetched and unpacked once per (URL, ETag) and shared
read-only by every container of every endpoint that uses it, so a second endpoint or an
update with the same model starts without a download. The runner carries the folder to
the containers (Docker's copies it into one volume on the engine: execution/docker_model_volumes.py).
"""

import hashlib
import shutil
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from ..backing.objects import BadS3Uri, ObjectStore, split_s3_uri


class ModelDataError(Exception):
    """The message is the endpoint's FailureReason."""


class ModelDataCache:
    def __init__(self, objects: ObjectStore, root: Path):
        self.objects = objects
        self.root = root
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def fetch(self, container: dict, timeout_seconds: int) -> Path | None:
        """The folder holding the container's model data; None when it has none."""
        source = (container.get("ModelDataSource") or {}).get("S3DataSource")
        url = container.get("ModelDataUrl") or (source or {}).get("S3Uri")
        if not url:
            return None
        compressed = source is None or source.get("CompressionType", "None") == "Gzip"
        try:
            split_s3_uri(url)
            if compressed:
                tag = self.objects.etag(url)
            else:
                tag = ",".join(sorted(k for _, k, _ in self.objects.prefix_objects(url)))
        except BadS3Uri as exc:
            raise ModelDataError(f"ClientError: {exc}")
        except Exception as exc:
            raise ModelDataError(f"ClientError: could not find model data at {url}: {_short(exc)}")
        digest = hashlib.sha256(f"{url}\n{tag}".encode()).hexdigest()[:24]
        target = self.root / digest
        with self._lock(digest):
            if target.exists():
                return target
            started = time.monotonic()
            self.root.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix=".partial-", dir=self.root))
            try:
                if compressed:
                    self._unpack(url, work)
                else:
                    self.objects.download(self.objects.prefix_objects(url), work / "model")
                if time.monotonic() - started > timeout_seconds:
                    raise ModelDataError(f"ClientError: downloading the model data from {url} took longer "
                                         f"than ModelDataDownloadTimeoutInSeconds ({timeout_seconds} s)")
                (work / "model").chmod(0o755)
                (work / "model").rename(target)
            except ModelDataError:
                raise
            except Exception as exc:
                raise ModelDataError(f"ClientError: could not download or extract the model data "
                                     f"from {url}: {_short(exc)}")
            finally:
                shutil.rmtree(work, ignore_errors=True)
        return target

    def _unpack(self, url: str, work: Path) -> None:
        archive = work / "model.tar.gz"
        self.objects.download_file(url, archive)
        with tarfile.open(archive) as tar:
            _extract(tar, work / "model")
        archive.unlink()

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


def _extract(tar: tarfile.TarFile, folder: Path) -> None:
    """tarfile's "data" filter refuses members that escape the folder, links out of it and
    devices. A Python without it (before 3.11.4: Debian 12's 3.11.2, which the emulator's own
    image runs) gets plain files and folders inside the folder, and a refusal for anything else."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(folder, filter="data")
        return
    root = folder.resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or (target != root and root not in target.parents):
            raise tarfile.TarError(f"refusing archive member {member.name!r}: not a plain file or folder inside it")
    tar.extractall(folder)


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
