"""Small generated 2-D classification datasets: two moons, interleaved spirals, Gaussian blobs.

They need no download, so a first model trains offline in seconds. Each function returns a ``TensorDataset``
of float32 features of shape (n, 2) and int64 labels of shape (n,), in shuffled order, and draws every random
number from ``generator`` (the default generator when None), so ``vinsgrad.manual_seed`` makes them reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from vinsgrad.autograd.creation import from_numpy
from vinsgrad.random import Generator, rng
from vinsgrad.utils.data.dataset import TensorDataset

# The box random blob centres are drawn from, as in scikit-learn's make_blobs.
BLOB_CENTER_BOX = (-10.0, 10.0)
# How far each spiral arm winds, in turns, from its inner end (radius SPIRAL_START) to its outer end (radius 1).
SPIRAL_TURNS = 0.75
SPIRAL_START = 0.1


def make_moons(n: int = 100, noise: float = 0.0, generator: Generator | None = None) -> TensorDataset:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one (scikit-learn's layout).

    Args:
        n: number of points; the upper moon gets ``n // 2`` of them, the lower one the rest.
        noise: standard deviation of the Gaussian noise added to each coordinate.
        generator: where the random numbers come from (the default generator when None).

    Example::

        data = make_moons(1000, noise=0.1, generator=vinsgrad.Generator().manual_seed(0))
        x, y = data[0]  # x: float32 (2,), y: int64 ()
    """
    _check_count("make_moons", "n", n, minimum=1)
    _check_noise("make_moons", "noise", noise)
    n_upper, n_lower = n // 2, n - n // 2
    upper = np.linspace(0.0, np.pi, n_upper)
    lower = np.linspace(0.0, np.pi, n_lower)
    x = np.concatenate(
        [np.stack([np.cos(upper), np.sin(upper)], 1), np.stack([1 - np.cos(lower), 0.5 - np.sin(lower)], 1)]
    )
    y = np.repeat(np.arange(2), [n_upper, n_lower])
    return _shuffled_with_noise(x, y, noise, generator)


def make_spirals(
    n: int = 100, classes: int = 2, noise: float = 0.0, generator: Generator | None = None
) -> TensorDataset:
    """``classes`` spiral arms winding out from the centre, one class per arm, evenly rotated around it.

    Each arm runs from radius 0.1 to 1 through three quarters of a turn. Classes get ``n // classes`` points
    each, the first ``n % classes`` one more.

    Args:
        n: total number of points.
        classes: number of arms (and classes).
        noise: standard deviation of the Gaussian noise added to each coordinate.
        generator: where the random numbers come from (the default generator when None).

    Example::

        data = make_spirals(600, classes=3, noise=0.05)
        len(data)  # 600
    """
    _check_count("make_spirals", "n", n, minimum=1)
    _check_count("make_spirals", "classes", classes, minimum=1)
    _check_noise("make_spirals", "noise", noise)
    counts = _split_evenly(n, classes)
    arms = []
    for k, m in enumerate(counts):
        radius = np.linspace(SPIRAL_START, 1.0, m)
        angle = 2 * np.pi * (k / classes + SPIRAL_TURNS * (radius - SPIRAL_START) / (1.0 - SPIRAL_START))
        arms.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1))
    y = np.repeat(np.arange(classes), counts)
    return _shuffled_with_noise(np.concatenate(arms), y, noise, generator)


def make_blobs(
    n: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    std: float = 1.0,
    generator: Generator | None = None,
) -> TensorDataset:
    """Isotropic Gaussian blobs, one class per centre.

    Args:
        n: total number of points; each centre gets ``n // k`` of them, the first ``n % k`` one more.
        centers: how many centres to draw uniformly from the box [-10, 10]², or their (k, 2) coordinates.
        std: standard deviation of each blob.
        generator: where the random numbers come from (the default generator when None).

    Example::

        data = make_blobs(300, centers=[[-2.0, 0.0], [2.0, 0.0]], std=0.5)
        len(data)  # 300
    """
    _check_count("make_blobs", "n", n, minimum=1)
    _check_noise("make_blobs", "std", std)
    gen = rng(generator)
    if isinstance(centers, int) and not isinstance(centers, bool):
        _check_count("make_blobs", "centers", centers, minimum=1)
        points = gen.uniform(*BLOB_CENTER_BOX, size=(centers, 2))
    else:
        points = _centers_array(centers)
    counts = _split_evenly(n, len(points))
    x = np.repeat(points, counts, axis=0)
    y = np.repeat(np.arange(len(points)), counts)
    return _shuffled_with_noise(x, y, std, generator)


def _shuffled_with_noise(x: np.ndarray, y: np.ndarray, noise: float, generator: Generator | None) -> TensorDataset:
    gen = rng(generator)
    order = gen.permutation(len(y))
    x = x[order] + gen.normal(scale=noise, size=x.shape) if noise > 0 else x[order]
    return TensorDataset(from_numpy(x.astype(np.float32)), from_numpy(y[order].astype(np.int64)))


def _split_evenly(n: int, parts: int) -> list[int]:
    return [n // parts + (k < n % parts) for k in range(parts)]


def _centers_array(centers: Any) -> np.ndarray:
    try:
        points = np.asarray(centers, dtype=np.float64)
    except (TypeError, ValueError):
        points = np.empty(0)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(
            f"make_blobs: centers must be an int >= 1 or a list of [x, y] pairs, got {centers!r} "
            "(e.g. centers=3 or centers=[[-2, 0], [2, 0]])"
        )
    return points


def _check_count(fn: str, name: str, value: Any, *, minimum: int) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{fn}: {name} must be an int >= {minimum}, got {value!r}")


def _check_noise(fn: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value < math.inf:
        raise ValueError(f"{fn}: {name} must be a finite number >= 0, got {value!r}")
