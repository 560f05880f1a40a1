"""MNIST and Fashion-MNIST: 28x28 grey images of digits / clothes, ten classes, files in torchvision's layout."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vinsgrad.autograd.backend import int64
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.utils.data.collate import default_collate
from vinsgrad.utils.data.dataset import Dataset
from vinsgrad.vision.datasets.errors import DatasetError
from vinsgrad.vision.datasets.fetch import Resource, find_verified, import_file, mirror_list, verified_download
from vinsgrad.vision.datasets.idx import read_idx
from vinsgrad.vision.transforms import apply_batch

Transform = Callable[[Any], Any]


class MNIST(Dataset[tuple[Any, Any]]):
    """The MNIST digits: 60,000 training and 10,000 test images, uint8 28x28, labels 0-9.

    Files live in ``root/MNIST/raw/`` under their official names, gzipped or not. Each is verified once by the
    SHA-256 of its content (``resources``); the check is recorded, so later loads skip the hashing.

    Args:
        root: folder holding the ``MNIST/`` directory.
        train: the training split (else the test split).
        transform: applied to each uint8 (28, 28) image; its ``batch`` form, when it has one, to whole batches.
        target_transform: applied to each int label.
        download: fetch missing files from ``mirrors``, ``$VINSGRAD_MIRROR`` and the official mirrors.
        mirrors: extra mirror URLs tried first (``http(s)://`` or ``file://``).
        from_dir: import missing files from this local folder or archive instead of downloading.

    Example::

        train = MNIST("./data", train=True, transform=transforms.ToTensor(), download=True)
        image, label = train[0]  # float32 (1, 28, 28), int
    """

    mirrors: Sequence[str] = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
    resources: Sequence[Resource] = (
        ("train-images-idx3-ubyte.gz", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        ("train-labels-idx1-ubyte.gz", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        ("t10k-images-idx3-ubyte.gz", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        ("t10k-labels-idx1-ubyte.gz", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    )
    classes: Sequence[str] = (
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    )  # fmt: skip

    def __init__(
        self,
        root: str | Path,
        train: bool = True,
        transform: Transform | None = None,
        target_transform: Transform | None = None,
        download: bool = False,
        mirrors: str | Sequence[str] | None = None,
        from_dir: str | Path | None = None,
    ) -> None:
        self.root = Path(root).expanduser()
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download or from_dir is not None:
            type(self).fetch(self.root, mirrors=mirrors, from_dir=from_dir)
        images, labels = self.resources[:2] if train else self.resources[2:]
        self.data = Tensor(self._load(images, ndim=3))
        self.targets = Tensor(self._load(labels, ndim=1).astype(int64))
        if len(self.data) != len(self.targets):
            raise DatasetError(
                f"{self.raw_folder(self.root)}: {images[0]} has {len(self.data)} images but {labels[0]} has "
                f"{len(self.targets)} labels; one of the files is wrong"
            )

    @classmethod
    def raw_folder(cls, root: str | Path) -> Path:
        return Path(root).expanduser() / cls.__name__ / "raw"

    @classmethod
    def fetch(
        cls,
        root: str | Path,
        *,
        mirrors: str | Sequence[str] | None = None,
        from_dir: str | Path | None = None,
        progress: bool = True,
    ) -> Path:
        """Make sure all files are in ``raw_folder(root)`` and verified; download or import the others."""
        folder = cls.raw_folder(root)
        urls = None if from_dir is not None else mirror_list(mirrors, cls.mirrors)
        for filename, sha256 in cls.resources:
            if find_verified(folder, filename, sha256) is not None:
                continue
            if from_dir is not None:
                subdirs = ("", "raw", f"{cls.__name__}/raw")
                import_file(filename, sha256, folder, Path(from_dir).expanduser(), subdirs)
            else:
                verified_download(filename, sha256, folder, urls or [], progress=progress)
        return folder

    def _load(self, resource: Resource, ndim: int) -> np.ndarray:
        filename, sha256 = resource
        folder = self.raw_folder(self.root)
        path = find_verified(folder, filename, sha256)
        if path is None:
            candidates = [folder / filename, folder / filename.removesuffix(".gz")]
            if not any(p.is_file() for p in candidates):
                raise DatasetError(
                    f"{type(self).__name__} not found: {folder / filename} is missing; pass download=True, or "
                    f"from_dir=<folder or archive with the files>, or copy the files into {folder}"
                )
            bad = next(p for p in candidates if p.is_file())
            raise DatasetError(
                f"{bad}: failed verification (content SHA-256 is not {sha256}); delete it and pass download=True "
                "or from_dir= to fetch a good copy"
            )
        array = read_idx(path)
        if array.ndim != ndim or array.dtype != np.uint8:
            raise DatasetError(f"{path}: expected a {ndim}-d uint8 array, found {array.ndim}-d {array.dtype}")
        return array

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, target = self.data._data[index], int(self.targets._data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __getitems__(self, indices: Sequence[int]) -> list[Any]:
        """The collated batch ``[images, targets]`` at ``indices``, by one fancy-index and batch transforms."""
        index = np.asarray(indices, dtype=np.int64)
        images = self.data._data[index]
        if self.transform is not None:
            images = apply_batch(self.transform, images)
        targets = self.targets._data[index]
        if self.target_transform is not None:
            if hasattr(self.target_transform, "batch"):
                targets = self.target_transform.batch(targets)
            else:
                targets = default_collate([self.target_transform(t) for t in targets.tolist()])
        return [_as_batch(images), _as_batch(targets)]

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}", f"    Split: {'Train' if self.train else 'Test'}"]  # fmt: skip
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): MNIST's format and sizes with ten kinds of clothing. Same arguments as ``MNIST``."""

    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
    resources = (
        ("train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        ("train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        ("t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        ("t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    )
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


DATASETS: dict[str, type[MNIST]] = {"mnist": MNIST, "fashion-mnist": FashionMNIST}


def download(
    name: str,
    root: str | Path,
    *,
    mirrors: str | Sequence[str] | None = None,
    from_dir: str | Path | None = None,
    progress: bool = True,
) -> Path:
    """Download (or import ``from_dir``) and verify every file of dataset ``name``; return the folder holding them.

    Args:
        name: ``"mnist"`` or ``"fashion-mnist"`` (any case).
        root: the dataset root (files go to ``root/<ClassName>/raw/``).
        mirrors: mirror URLs tried before ``$VINSGRAD_MIRROR`` and the official ones.
        from_dir: a local folder or ``.zip``/``.tar[.gz]`` archive to import from instead of downloading.
        progress: show a progress bar on stderr.

    Example::

        folder = download("mnist", "./data")
    """
    cls = DATASETS.get(name.lower())
    if cls is None:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    return cls.fetch(root, mirrors=mirrors, from_dir=from_dir, progress=progress)


def _as_batch(x: Any) -> Any:
    return Tensor(x) if isinstance(x, np.ndarray) else x  # what default_collate makes of per-sample arrays
