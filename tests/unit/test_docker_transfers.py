"""link_tree, how the Docker runner's volume-folder transfer moves a host's files when the
engine's volumes are folders on this disk: what a container leaves is read without following
its links, and a file another path shares is copied, not linked."""

import os

from emulator.execution.docker_transfers import link_tree


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
