"""Shared fixtures for the CLI tests: small generated MNIST-like IDX files, never the real data, never the network.

- ``mnist_arrays``: the generated arrays by official file name (``train-images-idx3-ubyte`` -> uint8 array).
- ``mnist_mirror``: a folder holding the four gzipped IDX files under their official names (use
  ``mnist_mirror.as_uri() + "/"`` as a ``file://`` mirror).
- ``mnist_sha256``: the SHA-256 of each generated file's decompressed content, keyed like ``mnist_arrays``.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
from generated_digits import FILES, N_TEST, N_TRAIN, idx_bytes, make_digits


@pytest.fixture(scope="session")
def mnist_arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    train_x, train_y = make_digits(N_TRAIN, rng)
    test_x, test_y = make_digits(N_TEST, rng)
    return dict(zip(FILES, (train_x, train_y, test_x, test_y)))


@pytest.fixture(scope="session")
def mnist_sha256(mnist_arrays: dict[str, np.ndarray]) -> dict[str, str]:
    return {name: hashlib.sha256(idx_bytes(array)).hexdigest() for name, array in mnist_arrays.items()}


@pytest.fixture(scope="session")
def mnist_mirror(tmp_path_factory: pytest.TempPathFactory, mnist_arrays: dict[str, np.ndarray]) -> Path:
    folder = tmp_path_factory.mktemp("mnist_mirror")
    for name, array in mnist_arrays.items():
        (folder / f"{name}.gz").write_bytes(gzip.compress(idx_bytes(array), mtime=0))
    return folder


@pytest.fixture
def fake_mnist(monkeypatch: pytest.MonkeyPatch, mnist_sha256: dict[str, str]) -> None:
    """Make MNIST and FashionMNIST expect the generated files' checksums (only in this test's process)."""
    from vinsgrad.vision import datasets

    resources = tuple((f"{name}.gz", mnist_sha256[name]) for name in FILES)
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    monkeypatch.setattr(datasets.FashionMNIST, "resources", resources)


@pytest.fixture
def mnist_root(tmp_path: Path, mnist_mirror: Path, fake_mnist: None) -> Path:
    """A data root holding the generated files, downloaded from the ``file://`` mirror and verified."""
    from vinsgrad.vision import datasets

    root = tmp_path / "data"
    datasets.download("mnist", root, mirrors=[mnist_mirror.as_uri() + "/"], progress=False)
    return root


TINY_CONFIG = """\
model:
  layers:
    - {type: Linear, in_features: 784, out_features: 32}
    - {type: ReLU}
    - {type: Linear, in_features: 32, out_features: 10}
optimizer: {type: SGD, lr: 0.1, momentum: 0.9}
data:
  dataset: mnist
  root: ROOT
  transform: [{type: ToTensor}, {type: Flatten}]
  batch_size: 32
train: {epochs: 1, seed: 0}
"""


@pytest.fixture
def tiny_config(tmp_path: Path) -> Path:
    """A small MLP config on the generated MNIST under ``tmp_path/data`` (pair it with ``mnist_root``)."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_CONFIG.replace("ROOT", str(tmp_path / "data")))
    return path
