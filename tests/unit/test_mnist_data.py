import struct

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "make_mnist_data", Path(__file__).resolve().parents[2] / "scripts" / "make_mnist_data.py")
make_mnist_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_mnist_data)


def test_idx_files_hold_real_digits(tmp_path):
    raw = make_mnist_data.make(tmp_path)
    images = (raw / "train-images-idx3-ubyte").read_bytes()
    labels = (raw / "train-labels-idx1-ubyte").read_bytes()
    magic, count, rows, cols = struct.unpack(">IIII", images[:16])
    assert (magic, rows, cols) == (2051, 28, 28)
    assert struct.unpack(">II", labels[:8]) == (2049, count)
    assert len(images) == 16 + count * 28 * 28
    assert set(labels[8:]) == set(range(10))
    test_count = struct.unpack(">IIII", (raw / "t10k-images-idx3-ubyte").read_bytes()[:16])[1]
    assert count + test_count == 1797
