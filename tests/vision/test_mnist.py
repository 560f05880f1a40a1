"""MNIST / FashionMNIST on small generated files: loading, the batch fast path, verification, local import."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vinsgrad
from vinsgrad.utils.data import DataLoader
from vinsgrad.vision import datasets, transforms
from vinsgrad.vision.datasets import MNIST, DatasetError, FashionMNIST, integrity


@pytest.mark.parametrize("gzipped", [True, False])
def test_loads_both_splits_from_the_torchvision_layout(tmp_path: Path, small: Any, gzipped: bool) -> None:
    small.write(tmp_path / "MNIST" / "raw", gzipped=gzipped)
    train, test = MNIST(tmp_path), MNIST(tmp_path, train=False)
    assert len(train) == 12 and len(test) == 5
    image, label = train[3]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (6, 5)
    np.testing.assert_array_equal(image, small.train_images[3])
    assert type(label) is int and label == small.train_labels[3]
    assert train.data.dtype == np.uint8 and train.targets.dtype == vinsgrad.int64
    np.testing.assert_array_equal(test.targets._data, small.test_labels)
    assert len(train.classes) == 10 and "Split: Train" in repr(train)


def test_fashion_mnist_has_its_own_folder_and_classes(tmp_path: Path, small: Any) -> None:
    small.write(tmp_path / "FashionMNIST" / "raw")
    data = FashionMNIST(tmp_path)
    assert data.classes[0] == "T-shirt/top" and len(data) == 12
    with pytest.raises(DatasetError, match=r"MNIST not found: .*MNIST/raw/train-images-idx3-ubyte\.gz is missing"):
        MNIST(tmp_path)


def test_getitems_equals_the_collated_per_sample_path(tmp_path: Path, small: Any) -> None:
    small.write(tmp_path / "MNIST" / "raw")
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,)), transforms.Flatten()])
    data = MNIST(tmp_path, transform=transform, target_transform=lambda y: y + 100)
    indices = [5, 0, 11, 5]
    images, labels = data.__getitems__(indices)
    per_sample = [data[i] for i in indices]
    np.testing.assert_array_equal(images._data, np.stack([img._data for img, _ in per_sample]))
    assert images.dtype == vinsgrad.float32 and images.shape == (4, 30)
    assert labels.tolist() == [y for _, y in per_sample] and labels.dtype == vinsgrad.int64


def test_no_transform_batches_are_uint8_tensors(tmp_path: Path, small: Any) -> None:
    small.write(tmp_path / "MNIST" / "raw")
    images, labels = MNIST(tmp_path).__getitems__([1, 2])
    assert isinstance(images, vinsgrad.Tensor) and images.dtype == np.uint8 and images.shape == (2, 6, 5)
    assert labels.tolist() == small.train_labels[[1, 2]].tolist()


def test_the_seed_example_shape_of_a_loader_epoch(tmp_path: Path, small: Any) -> None:
    small.write(tmp_path / "MNIST" / "raw")
    transform = transforms.Compose([transforms.ToTensor(), transforms.Flatten()])
    train = datasets.MNIST(root=tmp_path, train=True, transform=transform, download=True)
    loader = DataLoader(train, batch_size=5, shuffle=True)
    batches = list(loader)
    assert len(loader) == 3 and [len(b[1]) for b in batches] == [5, 5, 2]
    images, labels = batches[0]
    assert images.shape == (5, 30) and images.dtype == vinsgrad.float32 and labels.dtype == vinsgrad.int64
    assert images._data.min() >= 0.0 and images._data.max() <= 1.0
    assert sorted(i for _, y in batches for i in y.tolist()) == sorted(small.train_labels.tolist())


def test_verification_is_recorded_and_not_repeated(tmp_path: Path, small: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    small.write(tmp_path / "MNIST" / "raw")
    hashed: list[Path] = []
    real = integrity.content_sha256
    monkeypatch.setattr(integrity, "content_sha256", lambda p: hashed.append(p) or real(p))
    MNIST(tmp_path)
    assert len(hashed) == 2  # train images and labels, once
    MNIST(tmp_path)
    assert len(hashed) == 2  # on record: not hashed again
    raw = tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    raw.write_bytes(raw.read_bytes())  # a rewritten file (new mtime) is checked again
    os.utime(raw, ns=(1, 1))
    MNIST(tmp_path)
    assert hashed[-1] == raw and len(hashed) == 3


def test_a_file_with_the_wrong_content_is_refused_by_name(tmp_path: Path, small: Any) -> None:
    folder = small.write(tmp_path / "MNIST" / "raw")
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(small.gz("t10k-labels-idx1-ubyte.gz"))
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte\.gz: failed verification"):
        MNIST(tmp_path)


def test_import_from_a_folder_verifies_and_uses_the_same_layout(tmp_path: Path, small: Any) -> None:
    source = small.write(tmp_path / "downloads", gzipped=False)
    data = MNIST(tmp_path / "root", from_dir=source)
    assert len(data) == 12
    assert sorted(p.name for p in (tmp_path / "root" / "MNIST" / "raw").iterdir() if p.name[0] != ".") == sorted(
        name.removesuffix(".gz") for name in small.content
    )


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_import_from_an_archive(tmp_path: Path, small: Any, kind: str) -> None:
    archive = tmp_path / f"mnist.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as z:
            for name in small.content:
                z.writestr(f"mnist/{name}", small.gz(name))
    else:
        with tarfile.open(archive, "w:gz") as t:
            for name in small.content:
                info = tarfile.TarInfo(f"some/dir/{name}")
                info.size = len(small.gz(name))
                t.addfile(info, io.BytesIO(small.gz(name)))
    folder = datasets.download("MNIST", tmp_path / "root", from_dir=archive, progress=False)
    assert folder == tmp_path / "root" / "MNIST" / "raw" and len(MNIST(tmp_path / "root", train=False)) == 5


def test_import_refuses_a_wrong_file_and_keeps_nothing(tmp_path: Path, small: Any) -> None:
    source = small.write(tmp_path / "downloads")
    (source / "t10k-images-idx3-ubyte.gz").write_bytes(small.gz("train-images-idx3-ubyte.gz"))
    with pytest.raises(DatasetError, match=r"downloads/t10k-images-idx3-ubyte\.gz: cannot import: .*checksum mismatch"):
        datasets.download("mnist", tmp_path / "root", from_dir=source)
    raw = tmp_path / "root" / "MNIST" / "raw"
    assert not (raw / "t10k-images-idx3-ubyte.gz").exists() and not list(raw.glob("*.part"))


def test_import_errors_name_what_is_missing(tmp_path: Path, small: Any) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte\.gz \(or train-images-idx3-ubyte\) not found"):
        datasets.download("mnist", tmp_path / "root", from_dir=tmp_path / "empty")
    with pytest.raises(DatasetError, match="no such folder or archive"):
        datasets.download("mnist", tmp_path / "root", from_dir=tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DatasetError, match=r"not a folder, \.zip or \.tar archive"):
        datasets.download("mnist", tmp_path / "root", from_dir=tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="unknown dataset 'cifar'; expected one of mnist, fashion-mnist"):
        datasets.download("cifar", tmp_path)


def test_a_read_only_data_folder_still_loads(tmp_path: Path, small: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    small.write(tmp_path / "MNIST" / "raw")

    def read_only(path: Path, content: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(integrity, "_write_atomically", read_only)
    assert len(MNIST(tmp_path)) == 12 and not (tmp_path / "MNIST" / "raw" / integrity.RECORD_NAME).exists()
