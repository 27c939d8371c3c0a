"""Model data in the engine: one volume per model folder, copied in once and mounted read-only
at /opt/ml/model by every inference container of that model.

The emulator unpacks a model once (hosting/model_data.py); this keeps that true on the engine's
side, which may be another machine: a second instance, an update to the same model, a replaced
instance or a serverless cold start mounts the volume already there instead of copying the
model again. A volume is filled through a container that never starts (the archive API needs
one), or straight into its folder when the engine's volumes are folders this process can write
here (docker_transfers.py: a fresh volume, nothing of a container's in it yet), and is known
complete only to the process that filled it: a volume is held while a
container uses it and removed when the last one stops; one this process does not hold (left by
an emulator that stopped mid-way, complete or not) is removed by `remove_unused` at start.
"""

import hashlib
import logging
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import docker
from docker.errors import APIError, DockerException, NotFound
from docker.types import Mount

from .docker_files import Upload
from .docker_transfers import link_tree

log = logging.getLogger(__name__)

FILL_PATH = "/smemu-model"


@dataclass
class _Held:
    name: str
    users: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    failure: Exception | None = None


class ModelVolumes:
    def __init__(self, client: docker.DockerClient, labels: dict[str, str], folders_here=lambda: False):
        self.client = client
        self.labels = labels  # what marks this emulator's volumes and filling containers
        self.folders_here = folders_here  # whether a volume's folder can be written here
        self._held: dict[Path, _Held] = {}
        self._lock = threading.Lock()

    def acquire(self, model_dir: Path, image: str) -> str:
        """The filled volume of that folder, held once more (release it when its container goes);
        DockerException or OSError when it cannot be made."""
        with self._lock:
            held = self._held.get(model_dir)
            filler = held is None
            if filler:
                digest = hashlib.sha256(str(model_dir).encode()).hexdigest()[:12]
                held = self._held[model_dir] = _Held(f"smemu-model-{digest}-{uuid.uuid4().hex[:8]}")
            held.users += 1
        if filler:
            try:
                self._fill(held.name, model_dir, image)
            except Exception as exc:
                held.failure = exc
            held.ready.set()
        held.ready.wait()
        if held.failure is not None:
            self.release(model_dir)
            raise held.failure
        return held.name

    def release(self, model_dir: Path) -> None:
        with self._lock:
            held = self._held.get(model_dir)
            if held is None:
                return
            held.users -= 1
            if held.users > 0:
                return
            del self._held[model_dir]
        self._remove(held.name)

    def remove_unused(self) -> None:
        """Volumes (and filling containers) of this emulator that this process does not hold."""
        filters = {"label": [f"{k}={v}" for k, v in self.labels.items()]}
        for container in self.client.containers.list(all=True, filters=filters):
            try:
                container.remove(force=True)
            except (APIError, NotFound):
                pass
        with self._lock:
            held = {h.name for h in self._held.values()}
        for volume in self.client.volumes.list(filters=filters):
            if volume.name not in held:
                self._remove(volume.name)

    def _fill(self, name: str, model_dir: Path, image: str) -> None:
        volume = self.client.volumes.create(name, labels=self.labels)
        if self.folders_here():
            link_tree(model_dir, Path(volume.attrs["Mountpoint"]))
            return
        filler = self.client.containers.create(
            image, command=["serve"], name=f"{name}-fill", labels=self.labels, network_disabled=True,
            mounts=[Mount(FILL_PATH, name, type="volume", no_copy=True)])
        try:
            filler.put_archive("/", Upload([(model_dir, FILL_PATH)]).stream())
        finally:
            filler.remove(force=True)

    def _remove(self, name: str) -> None:
        try:
            self.client.volumes.get(name).remove()
        except (APIError, NotFound, DockerException) as exc:  # in use yet, or the engine is away
            log.debug("model volume %s not removed: %s", name, exc)
