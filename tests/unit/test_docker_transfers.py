"""link_tree, how the Docker runner's volume-folder transfer moves a host's files when the
engine's volumes are folders on this disk: what a container leaves is read without following
its links, and a file another path shares is copied, not linked; and when an engine's volume
folders can be used (an engine stand-in reporting a probe volume's Mountpoint)."""

import os
from types import SimpleNamespace

import pytest

from emulator.execution.docker_transfers import link_tree, volume_folders_usable


def test_folders_and_files_arrive_and_links_stay_behind(tmp_path):
    secret = tmp_path / "host-only" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("not the job's")
    volume = tmp_path / "volume"
    (volume / "model" / "sub").mkdir(parents=True)
    (volume / "model" / "sub" / "w.bin").write_bytes(b"weights")
    (volume / "model" / "file-link").symlink_to(secret)
    (volume / "model" / "folder-link").symlink_to(secret.parent)
    os.mkfifo(volume / "model" / "pipe")

    link_tree(volume / "model", tmp_path / "layout")

    found = sorted(p.relative_to(tmp_path / "layout").as_posix() for p in (tmp_path / "layout").rglob("*"))
    assert found == ["sub", "sub/w.bin"]
    assert (tmp_path / "layout" / "sub" / "w.bin").read_bytes() == b"weights"


def test_a_lone_file_is_linked_and_a_shared_one_copied(tmp_path):
    source = tmp_path / "one-host"
    source.mkdir()
    (source / "alone.csv").write_text("1,2\n")
    (source / "replicated.csv").write_text("3,4\n")
    os.link(source / "replicated.csv", tmp_path / "another-hosts-copy.csv")  # FullyReplicated to two hosts

    link_tree(source, tmp_path / "volume")

    assert os.path.samefile(source / "alone.csv", tmp_path / "volume" / "alone.csv")
    arrived = tmp_path / "volume" / "replicated.csv"
    assert arrived.read_text() == "3,4\n" and not os.path.samefile(source / "replicated.csv", arrived)
    arrived.write_text("changed in one container")  # the other host's copy is its own
    assert (tmp_path / "another-hosts-copy.csv").read_text() == "3,4\n"


def test_a_file_linked_in_and_changed_in_place_is_left_as_it_is(tmp_path):
    source, target = tmp_path / "volume", tmp_path / "layout"
    source.mkdir()
    (source / "model.txt").write_text("v1")
    link_tree(source, target)
    (source / "model.txt").write_text("v2")  # the container rewrote it in place

    link_tree(source, target)

    assert (target / "model.txt").read_text() == "v2"


class _Engine:
    """What volume_folders_usable asks of a Docker client: a probe volume and its Mountpoint."""

    def __init__(self, mountpoint):
        self.mountpoint, self.removed = str(mountpoint), False
        self.volumes = self

    def create(self, labels):
        return SimpleNamespace(attrs={"Mountpoint": self.mountpoint}, remove=lambda force: setattr(self, "removed", True))


@pytest.mark.parametrize("owner, usable", [("this process", True), ("another user", False), (None, False)])
def test_volume_folders_are_used_only_when_this_process_owns_them(tmp_path, owner, usable):
    folder = tmp_path / "volumes" / "probe" / "_data"
    if owner:
        folder.mkdir(parents=True)
    if owner == "another user":  # an engine with userns-remap gives its volumes to the mapped root
        if os.geteuid() != 0:
            pytest.skip("only root can give a folder away (scripts/test.sh runs as root)")
        os.chown(folder, 100000, 100000)
    engine = _Engine(folder)

    assert volume_folders_usable(engine, {"sagemaker-emulator": "t"}) is usable
    assert engine.removed  # the probe volume is not left behind
