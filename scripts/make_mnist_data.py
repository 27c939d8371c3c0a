"""Write real handwritten digits as MNIST IDX files, readable by datasets.MNIST(download=False).

The digits are scikit-learn's bundled set (1,797 scans, 8x8, 17 grey levels), upscaled to
MNIST's 28x28 (20x20 digit centred with a 4-pixel margin, as MNIST is) and stretched to
0..255. Nothing is downloaded. Output: <out>/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte.
"""

import argparse
import struct
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits


def to_mnist_images(images8: np.ndarray) -> np.ndarray:
    scaled = (images8 / 16.0 * 255.0).clip(0, 255)
    # 8x8 -> 20x20 by nearest-neighbour on a 2.5x grid, then pad to 28x28.
    idx = (np.arange(20) * 8 // 20)
    big = scaled[:, idx][:, :, idx]
    out = np.zeros((len(images8), 28, 28), dtype=np.uint8)
    out[:, 4:24, 4:24] = big.astype(np.uint8)
    return out


def write_idx_images(path: Path, images: np.ndarray) -> None:
    with open(path, "wb") as f:
        f.write(struct.pack(">IIII", 2051, len(images), 28, 28))
        f.write(images.tobytes())


def write_idx_labels(path: Path, labels: np.ndarray) -> None:
    with open(path, "wb") as f:
        f.write(struct.pack(">II", 2049, len(labels)))
        f.write(labels.astype(np.uint8).tobytes())


def make(out: Path, test_fraction: float = 0.2, seed: int = 0) -> Path:
    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.images))
    images = to_mnist_images(digits.images[order])
    labels = digits.target[order]
    n_test = int(len(images) * test_fraction)
    raw = out / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    write_idx_images(raw / "train-images-idx3-ubyte", images[n_test:])
    write_idx_labels(raw / "train-labels-idx1-ubyte", labels[n_test:])
    write_idx_images(raw / "t10k-images-idx3-ubyte", images[:n_test])
    write_idx_labels(raw / "t10k-labels-idx1-ubyte", labels[:n_test])
    return raw


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default="examples/mnist/data")
    args = parser.parse_args()
    raw = make(Path(args.out))
    print(f"wrote {sorted(p.name for p in raw.iterdir())} to {raw}")
