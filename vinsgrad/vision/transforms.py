"""Image transforms, each with a per-sample form (``t(x)``) and a batch form (``t.batch(x)``, N leading).

The data loader's fast path fetches a whole batch with one fancy-index and runs the batch forms, so a batch of
64 images costs a few NumPy calls instead of 64 Python calls per transform. A transform never guesses from
``ndim`` whether it has a sample or a batch: the entry point says so. Calling a transform on one sample runs its
batch form on a batch of one, so the two forms cannot drift apart.

Images before ``ToTensor`` are uint8 NumPy arrays, HxW or HxWxC; after it, float32 Tensors CxHxW. ``RandomCrop``
and ``RandomAffine`` work on either, on the last two axes (H, W).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from vinsgrad.autograd.backend import float32
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.random import Generator, rng
from vinsgrad.utils.data.collate import default_collate


class Transform:
    """Base class: subclasses define ``batch(x)``; ``t(x)`` on a single sample runs ``batch`` on a batch of one."""

    def __call__(self, x: Any) -> Any:
        if not isinstance(x, (np.ndarray, Tensor)):
            kind = type(x).__name__
            raise TypeError(f"{type(self).__name__} expected an image as a numpy array or Tensor, got {kind}")
        return self.batch(x[None])[0]

    def batch(self, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define batch(x)")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


def apply_batch(transform: Callable[[Any], Any], x: Any) -> Any:
    """``transform`` applied to every sample of the batch ``x``: its batch form when it has one, else one call per
    sample with the results stacked (arrays into an array, anything else with ``default_collate``)."""
    if hasattr(transform, "batch"):
        return transform.batch(x)
    outputs = [transform(sample) for sample in x]
    return np.stack(outputs) if isinstance(outputs[0], np.ndarray) else default_collate(outputs)


class Compose(Transform):
    """Several transforms in a row; ``batch`` runs their batch forms in order.

    Example::

        transform = Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def batch(self, x: Any) -> Any:
        for t in self.transforms:
            x = apply_batch(t, x)
        return x

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {t!r}\n" for t in self.transforms) + ")"


class ToTensor(Transform):
    """A uint8 HxW or HxWxC array to a float32 CxHxW Tensor in [0, 1] (other dtypes keep their values).

    Example::

        x = ToTensor()(np.zeros((28, 28), dtype=np.uint8))  # float32 (1, 28, 28)
    """

    def batch(self, x: Any) -> Tensor:
        if not isinstance(x, np.ndarray):
            raise TypeError(f"ToTensor expected a numpy array image, got {type(x).__name__}")
        if x.ndim == 3:
            x = x[:, None]
        elif x.ndim == 4:
            x = x.transpose(0, 3, 1, 2)
        else:
            raise ValueError(f"ToTensor expected HxW or HxWxC images, got an array of shape {x.shape[1:]}")
        if x.dtype != np.uint8:
            return Tensor(np.ascontiguousarray(x))
        out = x.astype(float32, order="C")
        out /= np.float32(255)
        return Tensor(out)


class Normalize(Transform):
    """``(x - mean) / std`` per channel of a float CxHxW Tensor.

    Example::

        normalize = Normalize(mean=(0.1307,), std=(0.3081,))
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float], inplace: bool = False) -> None:
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError(f"Normalize expected one mean and std per channel, got mean={mean!r}, std={std!r}")
        if (self.std == 0).any():
            raise ValueError(f"Normalize: std evaluated to zero, leading to division by zero (std={std!r})")
        self.inplace = inplace

    def batch(self, x: Any) -> Any:
        if not isinstance(x, Tensor) or x.dtype.kind != "f" or x.ndim < 4:
            kind = f"a {x.dtype} Tensor of shape {x.shape}" if isinstance(x, Tensor) else type(x).__name__
            raise TypeError(f"Normalize expected float CxHxW image Tensors (put ToTensor() before it), got {kind}")
        mean, std = (v.astype(x.dtype).reshape(-1, 1, 1) for v in (self.mean, self.std))
        if not self.inplace:
            return (x - Tensor(mean)) / Tensor(std)
        x._data -= mean
        x._data /= std
        return x


class Flatten(Transform):
    """One sample to a flat vector (a batch to N rows), e.g. a 1x28x28 image to 784 features."""

    def batch(self, x: Any) -> Any:
        if isinstance(x, Tensor) and not x.requires_grad:
            return Tensor(x._data.reshape(x.shape[0], -1))  # data needs no graph: skip the autograd reshape
        return x.reshape(x.shape[0], -1)


class Lambda(Transform):
    """A user function as a transform; ``batch_fn``, when given, is its batch form (else one call per sample).

    Example::

        invert = Lambda(lambda x: 1 - x, batch_fn=lambda x: 1 - x)
    """

    def __init__(self, lambd: Callable[[Any], Any], batch_fn: Callable[[Any], Any] | None = None) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda expected a callable, got {type(lambd).__name__}")
        self.lambd = lambd
        self.batch_fn = batch_fn

    def __call__(self, x: Any) -> Any:
        return self.lambd(x)

    def batch(self, x: Any) -> Any:
        return self.batch_fn(x) if self.batch_fn is not None else apply_batch(self.lambd, x)


# **** random augmentations (each sample of a batch gets its own draw) ****


class RandomCrop(Transform):
    """Crop a random ``size`` window, after padding the borders by ``padding`` (as torchvision).

    Args:
        size: (height, width) of the crop, or one int for a square.
        padding: pixels added to every side (int), to left/right and top/bottom (2 values) or to
            left, top, right, bottom (4 values).
        pad_if_needed: pad images smaller than ``size`` instead of raising.
        fill: value of constant padding.
        padding_mode: ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"``.
        generator: where the crop positions come from (the default generator when None).

    Example::

        augment = RandomCrop(28, padding=2)
    """

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: float = 0,
        padding_mode: str = "constant",
        *,
        generator: Generator | None = None,
    ) -> None:
        self.size = _pair(size, "size")
        self.padding = _padding(padding)
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"padding_mode should be constant, edge, reflect or symmetric, got {padding_mode!r}")
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode
        self.generator = generator

    def batch(self, x: Any) -> Any:
        arr = _pad(_array(x), self.padding, self.fill, self.padding_mode)
        (th, tw), (h, w) = self.size, arr.shape[-2:]
        if self.pad_if_needed and (h < th or w < tw):
            dw, dh = max(tw - w, 0), max(th - h, 0)
            arr = _pad(arr, (dw, dh, dw, dh), self.fill, self.padding_mode)
            h, w = arr.shape[-2:]
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        g, n = rng(self.generator), arr.shape[0]
        top, left = g.integers(0, h - th + 1, size=n), g.integers(0, w - tw + 1, size=n)
        windows = sliding_window_view(arr, (th, tw), axis=(-2, -1))  # (N, ..., h-th+1, w-tw+1, th, tw), no copy
        channels = (slice(None),) * (arr.ndim - 3)
        return _like(x, windows[(np.arange(n), *channels, top, left)])


class RandomAffine(Transform):
    """Rotate by a random angle, shift and scale, with nearest-neighbour sampling (torchvision's conventions).

    Args:
        degrees: angles are drawn from (-degrees, degrees), or from (min, max) given as a pair; positive is
            clockwise.
        translate: (a, b): horizontal shifts drawn from (-a * width, a * width), vertical from (-b * height,
            b * height), rounded to whole pixels.
        scale: (min, max) of the scale factor.
        fill: value of pixels that come from outside the image.
        generator: where the parameters come from (the default generator when None).

    Example::

        augment = RandomAffine(degrees=10, translate=(0.1, 0.1))
    """

    def __init__(
        self,
        degrees: float | Sequence[float],
        translate: Sequence[float] | None = None,
        scale: Sequence[float] | None = None,
        fill: float = 0,
        *,
        generator: Generator | None = None,
    ) -> None:
        if isinstance(degrees, (int, float)):
            if degrees < 0:
                raise ValueError(f"If degrees is a single number, it must be positive, got {degrees}")
            degrees = (-float(degrees), float(degrees))
        self.degrees = _range(degrees, "degrees")
        if translate is not None and not all(0 <= t <= 1 for t in _range(translate, "translate", ordered=False)):
            raise ValueError(f"translation values should be between 0 and 1, got translate={translate!r}")
        if scale is not None and not all(s > 0 for s in _range(scale, "scale")):
            raise ValueError(f"scale values should be positive, got scale={scale!r}")
        self.translate = None if translate is None else _range(translate, "translate", ordered=False)
        self.scale = None if scale is None else _range(scale, "scale")
        self.fill = fill
        self.generator = generator

    def batch(self, x: Any) -> Any:
        arr = _array(x)
        n, (h, w) = arr.shape[0], arr.shape[-2:]
        g = rng(self.generator)
        angle: np.ndarray = np.radians(g.uniform(self.degrees[0], self.degrees[1], size=n))
        tx, ty = np.zeros(n), np.zeros(n)
        if self.translate is not None:
            tx = np.round(g.uniform(-self.translate[0] * w, self.translate[0] * w, size=n))
            ty = np.round(g.uniform(-self.translate[1] * h, self.translate[1] * h, size=n))
        s = np.ones(n) if self.scale is None else np.asarray(g.uniform(self.scale[0], self.scale[1], size=n))
        # The inverse map, output pixel -> source pixel, in coordinates centred on the image (torchvision's):
        # source (col, row) = theta @ [x, y, 1], one 2x3 theta per sample, all pixels in one matmul.
        cos, sin = np.cos(angle) / s, np.sin(angle) / s
        theta = np.stack(
            [
                np.stack([cos, sin, (w - 1) / 2 - cos * tx - sin * ty], 1),
                np.stack([-sin, cos, (h - 1) / 2 + sin * tx - cos * ty], 1),
            ],
            1,
        )  # (N, 2, 3)
        col, row = np.rint(theta @ _centred_grid(h, w)).transpose(1, 0, 2)  # each (N, H*W)
        inside = (col >= 0) & (col < w) & (row >= 0) & (row < h)
        index = (np.clip(row, 0, h - 1) * w + np.clip(col, 0, w - 1)).astype(np.intp)
        planes = arr.reshape(-1, h * w)  # one row per (sample, channel)
        channels = planes.shape[0] // n
        index = index[:, None, :] + (np.arange(n * channels).reshape(n, channels, 1) * (h * w))
        out = np.take(planes, index)  # (N, C, H*W)
        out[~np.broadcast_to(inside[:, None, :], out.shape)] = self.fill
        return _like(x, out.reshape(arr.shape))


# **** helpers ****


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _like(x: Any, out: np.ndarray) -> Any:
    """``out`` as the same kind of object as the input ``x`` (Tensor or array)."""
    return Tensor(out) if isinstance(x, Tensor) else out


def _centred_grid(h: int, w: int) -> np.ndarray:
    """(3, H*W): the pixel centres as columns [x, y, 1], measured from the image centre."""
    y, x = np.meshgrid(np.arange(h) + 0.5 - h / 2, np.arange(w) + 0.5 - w / 2, indexing="ij")
    return np.stack([x.ravel(), y.ravel(), np.ones(h * w)])


def _pair(v: int | Sequence[int], name: str) -> tuple[int, int]:
    if isinstance(v, numbers.Integral):
        return int(v), int(v)
    if isinstance(v, Sequence) and len(v) in (1, 2) and all(isinstance(i, numbers.Integral) for i in v):
        return (int(v[0]), int(v[-1]))
    raise ValueError(f"{name} should be an int or a sequence of one or two ints, got {v!r}")


def _padding(padding: int | Sequence[int] | None) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) from torchvision's forms: one value, (left/right, top/bottom) or all four."""
    if padding is None:
        return (0, 0, 0, 0)
    p = [padding] if isinstance(padding, int) else list(padding)
    if len(p) not in (1, 2, 4) or not all(isinstance(i, numbers.Integral) and i >= 0 for i in p):
        raise ValueError(f"padding should be a non-negative int or a sequence of 1, 2 or 4 of them, got {padding!r}")
    left, top, right, bottom = p * 4 if len(p) == 1 else p * 2 if len(p) == 2 else p
    return int(left), int(top), int(right), int(bottom)


def _pad(arr: np.ndarray, padding: tuple[int, int, int, int], fill: float, mode: str) -> np.ndarray:
    left, top, right, bottom = padding
    if not any(padding):
        return arr
    width = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(arr, width, mode="constant", constant_values=np.asarray(fill, dtype=arr.dtype))
    return np.pad(arr, width, mode=mode)  # type: ignore[call-overload]


def _range(v: Sequence[float], name: str, ordered: bool = True) -> tuple[float, float]:
    if not isinstance(v, Sequence) or len(v) != 2:
        raise ValueError(f"{name} should be a sequence of two numbers, got {v!r}")
    lo, hi = float(v[0]), float(v[1])
    if ordered and lo > hi:
        raise ValueError(f"{name} should be (min, max) with min <= max, got {v!r}")
    return lo, hi


__all__ = [
    "Compose",
    "Flatten",
    "Lambda",
    "Normalize",
    "RandomAffine",
    "RandomCrop",
    "ToTensor",
    "Transform",
    "apply_batch",
]
