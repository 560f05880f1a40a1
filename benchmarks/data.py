"""MNIST for the benchmarks: a vinsgrad dataset root, and the raw arrays for the NumPy and PyTorch baselines."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vinsgrad.vision import datasets


def default_source() -> str | None:
    """Where the MNIST files come from when --root is not given."""
    if os.environ.get("VINSGRAD_MIRROR"):
        return os.environ["VINSGRAD_MIRROR"]
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
    return str(shared) if shared.is_dir() else None


def prepare_root(root: Path, source: str | None) -> Path:
    """Make ``root`` a verified vinsgrad MNIST root, importing from ``source`` (a folder or a mirror URL)."""
    if source is None:
        datasets.download("mnist", root, progress=False)
    elif "://" in source:
        datasets.download("mnist", root, mirrors=[source], progress=False)
    else:
        datasets.download("mnist", root, from_dir=source, progress=False)
    return root


def arrays(root: Path, train: bool) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, 28, 28) and int64 labels (N,)."""
    ds = datasets.MNIST(root=str(root), train=train)
    return np.asarray(ds.data), np.asarray(ds.targets, dtype=np.int64)
