"""Small generated MNIST-like data for the CLI tests: uint8 digits of easily separable classes, as IDX bytes."""

from __future__ import annotations

import numpy as np

N_TRAIN, N_TEST, N_CLASSES = 320, 80, 10
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_bytes(array: np.ndarray) -> bytes:
    """A uint8 array in the IDX format: magic (0, 0, 0x08 = ubyte, ndim), big-endian int32 sizes, the data."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def make_digits(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` 28x28 uint8 images of 10 easily separable classes (a fixed blob per class plus noise), and labels."""
    templates = np.random.default_rng(1234).random((N_CLASSES, 28, 28)) > 0.8
    labels = np.arange(n) % N_CLASSES
    rng.shuffle(labels)
    noise = rng.integers(0, 60, size=(n, 28, 28))
    images = np.clip(templates[labels] * 200 + noise, 0, 255).astype(np.uint8)
    return images, labels.astype(np.uint8)
