"""Moving folders in and out of containers as tar streams (emulator/execution/docker_files.py),
without an engine: what the engine would receive, and what a stream it sends back leaves here."""

import io
import os
import tarfile

import pytest

from emulator.execution.docker_engine import EngineAccess, EngineSettingError
from emulator.execution.docker_files import Receiver, Upload


def test_an_upload_is_a_tar_of_each_folder_at_its_container_path(tmp_path):
    tree = tmp_path / "ml"
    (tree / "input" / "config").mkdir(parents=True)
    (tree / "input" / "config" / "hyperparameters.json").write_text('{"a": "1"}')
    (tree / "model").mkdir()
    (tree / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 7))  # several chunks, not a block multiple
    os.symlink("input/config", tree / "link")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.txt").write_text("n")
    upload = Upload([(tree, "/opt/ml"), (notes, "/opt/ml/input/data/notes/")])
    data = b"".join(upload.stream())
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert sorted(members) == ["opt/ml", "opt/ml/big.bin", "opt/ml/input", "opt/ml/input/config",
                                   "opt/ml/input/config/hyperparameters.json", "opt/ml/input/data/notes",
                                   "opt/ml/input/data/notes/n.txt", "opt/ml/link", "opt/ml/model"]
        assert tar.extractfile("opt/ml/big.bin").read() == (tree / "big.bin").read_bytes()
        assert members["opt/ml/link"].issym() and members["opt/ml/link"].linkname == "input/config"
        assert members["opt/ml/model"].isdir() and members["opt/ml/big.bin"].uid == 0
    assert upload.size >= 3 * 1024 * 1024 + 7


def _archive(files: dict[str, bytes], mtime: int = 1_700_000_000, links: dict[str, str] = None) -> list[bytes]:
    """What get_archive("/opt/ml/model") yields: members named from "model", in chunks."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        folder = tarfile.TarInfo("model")
        folder.type = tarfile.DIRTYPE
        tar.addfile(folder)
        for name, body in files.items():
            info = tarfile.TarInfo(f"model/{name}")
            info.size, info.mtime, info.mode = len(body), mtime, 0o644
            tar.addfile(info, io.BytesIO(body))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(f"model/{name}")
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    data = buffer.getvalue()
    return [data[i:i + 700] for i in range(0, len(data), 700)]


def test_a_received_archive_lands_in_its_folder_without_links_or_escapes(tmp_path):
    model = tmp_path / "host" / "model"
    receiver = Receiver(tmp_path / "staging")
    receiver.receive(_archive({"a.txt": b"A", "sub/b.txt": b"B", "../../escape.txt": b"X"},
                              links={"passwd": "/etc/passwd"}), "/opt/ml/model", {"/opt/ml/model": model})
    assert (model / "a.txt").read_bytes() == b"A" and (model / "sub" / "b.txt").read_bytes() == b"B"
    assert not (model / "passwd").exists() and not (model / "passwd").is_symlink()
    assert not list(tmp_path.rglob("escape.txt"))
    assert (model / "a.txt").stat().st_mtime == 1_700_000_000  # the container's time


def test_members_outside_every_target_are_left_out(tmp_path):
    receiver = Receiver(tmp_path / "staging")
    receiver.receive(_archive({"a.txt": b"A", "keep/k.txt": b"K"}), "/opt/ml/model",
                     {"/opt/ml/model/keep": tmp_path / "kept"})
    assert [p.name for p in tmp_path.rglob("*.txt")] == ["k.txt"]


def test_receiving_again_rewrites_only_what_changed_and_a_change_always_moves_mtime(tmp_path):
    model = tmp_path / "model"
    receiver = Receiver(tmp_path / "staging")
    receiver.receive(_archive({"a.txt": b"one", "b.txt": b"same"}), "/opt/ml/model", {"/opt/ml/model": model})
    b_inode = (model / "b.txt").stat().st_ino
    seen = (model / "a.txt").stat().st_mtime_ns
    # Rewritten within the same second with the same size: the archive's mtime is the same.
    receiver.receive(_archive({"a.txt": b"two", "b.txt": b"same"}), "/opt/ml/model", {"/opt/ml/model": model})
    assert (model / "a.txt").read_bytes() == b"two"
    assert (model / "a.txt").stat().st_mtime_ns != seen  # a watcher of (mtime, size) sees it
    assert (model / "b.txt").stat().st_ino == b_inode  # unchanged: not written again
    assert not list((tmp_path / "staging").iterdir())


@pytest.mark.parametrize("environ, expected", [
    ({}, EngineAccess(None, "127.0.0.1")),
    ({"SAGEMAKER_EMULATOR_CONTAINER_NETWORK": "emu", "SAGEMAKER_EMULATOR_PUBLISH_ADDRESS": "10.0.0.5"},
     EngineAccess("emu", "10.0.0.5")),
])
def test_engine_access_from_the_environment(environ, expected):
    assert EngineAccess.from_env(environ) == expected


def test_a_publish_address_that_is_no_address_is_refused():
    with pytest.raises(EngineSettingError, match="SAGEMAKER_EMULATOR_PUBLISH_ADDRESS='gpu-box' is not an IP address"):
        EngineAccess.from_env({"SAGEMAKER_EMULATOR_PUBLISH_ADDRESS": "gpu-box"})
    assert EngineAccess(None, "fd00::5").url_host() == "[fd00::5]"
