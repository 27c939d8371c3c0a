"""Files into and out of containers through the engine's API, never through a folder the engine
shares with the emulator: so the Docker runner works the same on the local socket, from inside a
container of its own (docker-compose.yml), and against an engine on another machine
(DOCKER_HOST=tcp://... or ssh://..., a Docker context).

In: one tar stream per container, made from folders on the emulator's disk (a host's /opt/ml
tree, the folders mounted beside it, a model's data) and sent with the archive API (PUT
/containers/{id}/archive, what `docker cp` uses) before the container starts. The stream is made
as it is sent, a chunk at a time: inputs of any size go through without being held in memory or
packed on disk first.

Out: tar streams of container paths (GET /containers/{id}/archive) unpacked into folders here.
`Receiver` leaves a folder as a bind mount would have: regular files and folders, written by the
emulator's user; links are dropped (uploads skip them anyway, see ObjectStore.upload_tree), as is
any name that would land outside its folder. It remembers what it wrote, so a folder fetched
again and again while a job runs (processing's Continuous outputs) is written only where a file
changed, and a changed file's mtime always moves, for whoever watches (mtime, size).
"""

import hashlib
import io
import os
import posixpath
import shutil
import tarfile
import time
from pathlib import Path
from typing import Iterable, Iterator

CHUNK = 1 << 20
BLOCK = tarfile.BLOCKSIZE


class Upload:
    """Folders on this disk as one tar stream for put_archive at "/": each (folder, container
    path) pair lands at that container path (its parents are made by the engine as needed)."""

    def __init__(self, entries: Iterable[tuple[Path, str]], leave_out: Iterable[str] = ()):
        self.entries = [(Path(folder), container_path.rstrip("/")) for folder, container_path in entries]
        # Container paths not sent, nor what is under them (what a bind mount shows there).
        self.leave_out = {path.strip("/") for path in leave_out}
        self.size = 0  # bytes sent, once stream() is consumed

    def stream(self) -> Iterator[bytes]:
        for folder, container_path in self.entries:
            base = container_path.lstrip("/")
            yield _header(folder, base)
            for path, relative in _walk(folder):
                name = f"{base}/{relative}"
                if any(name == left or name.startswith(left + "/") for left in self.leave_out):
                    continue
                if path.is_symlink():
                    yield _header(path, name, link=os.readlink(path))
                elif path.is_dir():
                    yield _header(path, name)
                elif path.is_file():
                    for chunk in _file(path, name):
                        self.size += len(chunk)
                        yield chunk
        yield b"\0" * (2 * BLOCK)


def _walk(folder: Path) -> Iterator[tuple[Path, str]]:
    """Every entry under folder (not following links), parents first, with its relative name."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        here = Path(dirpath)
        for name in sorted(dirnames) + sorted(filenames):
            path = here / name
            yield path, path.relative_to(folder).as_posix()


def _header(path: Path, name: str, link: str | None = None, size: int = 0) -> bytes:
    stat = path.lstat()
    info = tarfile.TarInfo(name)
    info.mode = stat.st_mode & 0o7777
    info.mtime = int(stat.st_mtime)
    info.size = size
    if link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, link
    elif path.is_dir():
        info.type = tarfile.DIRTYPE
    # Owned by the container's root, as files SageMaker downloads into /opt/ml are.
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _file(path: Path, name: str) -> Iterator[bytes]:
    with open(path, "rb") as source:
        size = os.fstat(source.fileno()).st_size
        yield _header(path, name, size=size)
        left = size
        while left:
            chunk = source.read(min(CHUNK, left))
            if not chunk:  # the file shrank under us: keep the archive well formed
                chunk = b"\0" * left
            left -= len(chunk)
            yield chunk
    if size % BLOCK:
        yield b"\0" * (BLOCK - size % BLOCK)


class _ChunkReader(io.RawIOBase):
    """A file over an iterator of byte chunks (what the Docker SDK's get_archive yields)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class Receiver:
    """Unpacks archives of container paths into folders on this disk (see the module's doc)."""

    def __init__(self, staging: Path):
        self.staging = staging  # where files are written before they are renamed into place
        self._digests: dict[Path, str] = {}

    def receive(self, chunks: Iterable[bytes], archived: str, targets: dict[str, Path]) -> None:
        """Unpack the archive of the container path `archived` (its members are named from that
        path's last part on); a member under one of `targets` (container path -> folder here)
        goes into that folder, the longest match winning; other members are left out."""
        parent = posixpath.dirname(archived.rstrip("/"))
        self.staging.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        with tarfile.open(fileobj=io.BufferedReader(_ChunkReader(chunks), CHUNK), mode="r|") as tar:
            for member in tar:
                container_path = posixpath.normpath(posixpath.join(parent, member.name))
                target = _destination(container_path, member.name, targets)
                if target is None:
                    continue
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    self._write(tar.extractfile(member), member, target)
                    written[member.name] = target
                elif member.islnk() and member.linkname in written:  # a second name of a file
                    self._copy(written[member.linkname], member, target)

    def _write(self, source, member: tarfile.TarInfo, target: Path) -> None:
        digest = hashlib.sha256()
        partial = self.staging / f"{os.getpid()}-{time.monotonic_ns()}"
        with open(partial, "wb") as sink:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                sink.write(chunk)
        self._place(partial, member, target, digest.hexdigest())

    def _copy(self, original: Path, member: tarfile.TarInfo, target: Path) -> None:
        partial = self.staging / f"{os.getpid()}-{time.monotonic_ns()}"
        shutil.copyfile(original, partial)
        self._place(partial, member, target, self._digests.get(original, ""))

    def _place(self, partial: Path, member: tarfile.TarInfo, target: Path, digest: str) -> None:
        if self._digests.get(target) == digest and target.is_file():
            partial.unlink()
            return
        before = target.stat() if target.is_file() else None
        partial.chmod(member.mode & 0o777)
        mtime = member.mtime * 1_000_000_000
        if before is not None and (before.st_mtime_ns, before.st_size) == (mtime, member.size):
            mtime = time.time_ns()  # the archive's whole seconds would hide this change
        os.utime(partial, ns=(mtime, mtime))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.replace(target)
        self._digests[target] = digest


def _destination(container_path: str, name: str, targets: dict[str, Path]) -> Path | None:
    if name.startswith("/") or ".." in name.split("/"):
        return None  # the engine never writes such names; refuse them all the same
    best = None
    for prefix in targets:
        if (container_path == prefix or container_path.startswith(prefix.rstrip("/") + "/")) \
                and (best is None or len(prefix) > len(best)):
            best = prefix
    if best is None:
        return None
    relative = container_path[len(best):].strip("/")
    return targets[best] / relative if relative else targets[best]
