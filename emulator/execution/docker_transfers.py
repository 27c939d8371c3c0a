"""How a job host's files get into its container and back; DockerJob picks one way per job.

- ArchiveTransfer, for any engine: the tree goes in with one archive call before the container
  starts and the outputs come back with archive calls (docker_files.py). Each call costs the
  engine a re-exec of itself into the container's root (some 40 ms here, more on busy cores),
  whatever it carries: a host whose inputs were small comes back in one call of all /opt/ml
  (its inputs read again, left out), others in one call per output folder.
- VolumeFolderTransfer, for an engine whose volumes are folders this process can write on this
  disk (the engine on this machine; as root, or rootless): the host's /opt/ml is a volume of the
  engine's, created through its API (the engine copies what the image has under /opt/ml into it
  first); the tree is linked into the volume's folder before the container starts (a file that
  another host's tree shares is copied) and the outputs linked out once it has exited, with no
  archive call, so a job costs what it did with a bind mount. What the container left is read
  only after it exited and never through a link it made: walks do not follow links, a folder
  reached through one is skipped, and files are linked or opened without following them. A job that is read while it
  runs (live outputs) or writes to read-write mounts goes through the archive instead.
"""

import os
import shutil
from pathlib import Path
from typing import Callable

from docker.errors import APIError, NotFound
from docker.models.volumes import Volume
from docker.types import Mount

from .contract import CONTAINER_ROOT
from .docker_files import Receiver, Upload
from .runner import HostSpec

ONE_CALL_BYTES = 16 << 20  # see ArchiveTransfer


def under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def host_folder(host_spec: HostSpec, container_path: str) -> Path | None:
    """Where a container path's files go here: inside a read-write mount's folder, or the
    layout; None for a read-only mount's (the user's file:// folder is never written) or a
    path outside /opt/ml and every mount."""
    for source, target, read_only in sorted(host_spec.mounts, key=lambda m: -len(m[1])):
        if under(container_path, target):
            return None if read_only else source / container_path[len(target):].strip("/")
    try:
        return host_spec.layout.host_path(container_path)
    except ValueError:
        return None


class ArchiveTransfer:
    def __init__(self, bound: set[str]):
        self.bound = bound  # container paths bind-mounted read-only (file:// channels): not copied
        self._sent: dict[str, int] = {}
        self._receivers: dict[str, Receiver] = {}

    def mounts(self, host_spec: HostSpec) -> list[Mount]:
        return []

    def send(self, host_spec: HostSpec, container) -> None:
        """The host's /opt/ml tree, and the mounts not bound, into its container (what is bound
        is left out: the folder under a bind mount is the engine's business, and read-only)."""
        upload = Upload([(host_spec.layout.root, CONTAINER_ROOT),
                         *((source, target) for source, target, _ in host_spec.mounts if target not in self.bound)],
                        leave_out=self.bound)
        container.put_archive("/", upload.stream())
        self._sent[host_spec.host] = upload.size

    def fetch(self, host_spec: HostSpec, container, paths: list[str], final: bool = True) -> None:
        """Those container paths into the layout (or the read-write mounts they are in)."""
        targets = {path: folder for path in paths if (folder := host_folder(host_spec, path)) is not None}
        whole_tree = (final and self._sent.get(host_spec.host, 0) <= ONE_CALL_BYTES
                      and all(under(path, CONTAINER_ROOT) for path in targets)
                      and not any(under(bound, CONTAINER_ROOT) for bound in self.bound))
        receiver = self._receivers.setdefault(host_spec.host, Receiver(_staging(host_spec)))
        for path in [CONTAINER_ROOT] if whole_tree else _outermost(targets):
            try:
                chunks, _ = container.get_archive(path)
            except NotFound:  # the container has no such folder: nothing to read
                continue
            receiver.receive(chunks, path, targets)

    def discard(self, host_spec: HostSpec) -> None:
        shutil.rmtree(_staging(host_spec), ignore_errors=True)


class VolumeFolderTransfer:
    def __init__(self, client, labels: dict[str, str], volume_name: Callable[[str], str]):
        self.client = client
        self.labels = labels
        self.volume_name = volume_name  # a host's volume name, from its host name
        self._volumes: dict[str, Volume] = {}
        self._folders: dict[str, Path] = {}

    def mounts(self, host_spec: HostSpec) -> list[Mount]:
        volume = self.client.volumes.create(self.volume_name(host_spec.host), labels=self.labels)
        self._volumes[host_spec.host] = volume
        self._folders[host_spec.host] = Path(volume.attrs["Mountpoint"])
        # Not no_copy: the engine copies what the image has under /opt/ml (a BYOC image's
        # /opt/ml/code) into the empty volume as the container is created, before send() adds the tree.
        return [Mount(CONTAINER_ROOT, volume.name, type="volume")]

    def send(self, host_spec: HostSpec, container) -> None:
        link_tree(host_spec.layout.root, self._folders[host_spec.host])

    def fetch(self, host_spec: HostSpec, container, paths: list[str], final: bool = True) -> None:
        folder = self._folders[host_spec.host]
        for path in _outermost([p for p in paths if under(p, CONTAINER_ROOT)]):
            relative = path[len(CONTAINER_ROOT):].strip("/")
            source = _real_folder(folder, relative)
            target = host_folder(host_spec, path)
            if source is not None and target is not None:
                link_tree(source, target)

    def discard(self, host_spec: HostSpec) -> None:
        volume = self._volumes.get(host_spec.host)  # none when the job failed before this host's
        try:
            if volume is not None:
                volume.remove(force=True)
        except (APIError, NotFound):
            pass


def volume_folders_usable(client, labels: dict[str, str]) -> bool:
    """Whether a new volume's folder, as the engine reports it, is a folder this process can
    write here and owns, so that what it writes there belongs to the container's root, as
    through the archive API (asked of a probe volume, removed again). An engine that maps
    containers' users elsewhere (userns-remap) gives its volumes to that user: not usable."""
    volume = client.volumes.create(labels=labels)
    try:
        mountpoint = volume.attrs.get("Mountpoint") or ""
        return (os.path.isdir(mountpoint) and os.access(mountpoint, os.W_OK | os.X_OK)
                and os.stat(mountpoint).st_uid == os.geteuid())
    finally:
        volume.remove(force=True)


def _staging(host_spec: HostSpec) -> Path:
    return host_spec.layout.root.parent / f".{host_spec.host}-incoming"


def _outermost(paths) -> list[str]:
    """The paths not inside another of them: one call each covers the rest."""
    return [p for p in paths if not any(other != p and under(p, other) for other in paths)]


def _real_folder(root: Path, relative: str) -> Path | None:
    """root/relative when every part of it is a folder, not a link; else None."""
    path = root
    for part in [p for p in relative.split("/") if p]:
        path = path / part
        if path.is_symlink() or not path.is_dir():
            return None
    return path


def link_tree(source: Path, target: Path) -> None:
    """Every folder and regular file under source at the same place under target, files as
    hard links (a copy across file systems); links are left out and never followed."""
    target.mkdir(parents=True, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(source):  # does not descend into links to folders
        here = Path(dirpath)
        there = target / here.relative_to(source)
        for name in dirnames:
            if not (here / name).is_symlink():
                (there / name).mkdir(exist_ok=True)
        dirnames[:] = [name for name in dirnames if not (here / name).is_symlink()]
        for name in filenames:
            _link_file(here / name, there / name)


def _link_file(source: Path, target: Path) -> None:
    if source.is_symlink() or not source.is_file():
        return
    if target.exists() and os.path.samefile(source, target):
        return  # linked in and changed in place: the layout holds it already
    partial = target.with_name(f".{target.name}.smemu-partial")
    # A file another path has already (a FullyReplicated channel's file in every host's tree)
    # is copied: a container writing to it in place must not change what the others see.
    if os.lstat(source).st_nlink > 1 or not _hard_link(source, partial):
        descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(descriptor, "rb") as reader, open(partial, "wb") as writer:
            shutil.copyfileobj(reader, writer)
        shutil.copystat(source, partial, follow_symlinks=False)
    partial.replace(target)


def _hard_link(source: Path, link: Path) -> bool:
    try:
        os.link(source, link, follow_symlinks=False)
        return True
    except OSError:  # another file system, or links refused
        return False
