"""The platform's data movement, shared by every job kind: inputs into each host's folder
before the containers start, outputs from the hosts' folders to S3 after they end."""

import os
import shutil
import tarfile
from pathlib import Path
from typing import Callable

from ...backing.objects import ObjectStore
from ...execution.runner import HostSpec


def fetch_input(objects: ObjectStore, uri: str, data_type: str, distribution: str, hosts: list[HostSpec],
                folder: Callable[[HostSpec], Path], container_path: str) -> None:
    """One input (a training channel, a processing input) for every host.

    file:// is mounted read-only at container_path (nothing copied); an S3Prefix or a
    ManifestFile is downloaded into folder(host): every object to every host, or with
    ShardedByS3Key a share of the objects to each, as SageMaker splits them.
    Raises BadS3Uri, ObjectMissing or FileNotFoundError for what cannot be read."""
    if uri.startswith("file://"):
        source = Path(uri[len("file://"):])
        if not source.exists():
            raise FileNotFoundError(f"{source} does not exist")
        for host in hosts:
            folder(host).mkdir(parents=True, exist_ok=True)
            host.mounts.append((source.resolve(), container_path, True))
        return
    found = objects.manifest_objects(uri) if data_type == "ManifestFile" else objects.prefix_objects(uri)
    if distribution == "ShardedByS3Key":
        found.sort(key=lambda o: (o[0], o[1]))
        for i, host in enumerate(hosts):
            objects.download(found[i::len(hosts)], folder(host))
        return
    first = folder(hosts[0])
    objects.download(found, first)
    for host in hosts[1:]:
        # Every host gets every object; hard links make that free on disk.
        shutil.copytree(first, folder(host), copy_function=os.link, dirs_exist_ok=True)


def tar_merged(folders: list[Path], archive: Path) -> None:
    """One gzip tarball of several hosts' folders; later hosts win on clashing names."""
    seen: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    seen[path.relative_to(folder).as_posix()] = path
    with tarfile.open(archive, "w:gz", compresslevel=3) as tar:
        for arcname, path in sorted(seen.items()):
            tar.add(path, arcname=arcname, recursive=False)
