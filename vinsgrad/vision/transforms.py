"""Image transforms, each with a per-sample form (``t(x)``) and a batch form (``t.batch(x)``, N leading).

The data loader's fast path fetches a whole batch with one fancy-index and runs the batch forms, so a batch of
64 images costs a few NumPy calls instead of 64 Python calls per transform. A transform never guesses from
``ndim`` whether it has a sample or a batch: the entry point says so. Calling a transform on one sample runs its
batch form on a batch of one, so the two forms cannot drift apart.

Images before ``ToTensor`` are uint8 NumPy arrays, HxW or HxWxC; after it, float32 Tensors CxHxW. The geometric
transforms (crops, flips, ``Pad``, ``Resize``, rotations) work on either, on the last two axes (H, W), so an HxWxC
array should go through ``ToTensor`` first; ``Grayscale`` wants channels third from last (CxHxW).
Every transform has a batch form; ``RandomResizedCrop``'s loops over the samples, the others are whole-batch
NumPy calls.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from enum import StrEnum
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


class InterpolationMode(StrEnum):
    """How ``Resize`` and friends sample pixels (torchvision's names; a plain string like ``"bilinear"`` works too)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"


class Resize(Transform):
    """Resize the last two axes (H, W) of an image, with bilinear or nearest sampling (torchvision's ``Resize``).

    Args:
        size: (height, width), or one int: the shorter edge becomes ``size`` and the longer one
            ``int(size * long / short)``, keeping the aspect ratio.
        interpolation: ``InterpolationMode.BILINEAR`` (default), ``NEAREST`` or ``NEAREST_EXACT``.
        max_size: with an int ``size``, the longer edge is capped at this and the shorter one scaled down to match.
        antialias: when shrinking with bilinear sampling, average over the whole footprint of each output pixel
            (PIL's and torchvision's default) instead of sampling two pixels per axis.

    Integer images are resized in float32 and rounded back (torchvision's tensor path; its uint8 kernel may
    differ by one grey level).

    Example::

        resize = Resize(32)  # a 28x56 image becomes 32x64
    """

    def __init__(
        self,
        size: int | Sequence[int],
        interpolation: InterpolationMode | str = InterpolationMode.BILINEAR,
        max_size: int | None = None,
        antialias: bool = True,
    ) -> None:
        if not (isinstance(size, numbers.Integral) or (isinstance(size, Sequence) and len(size) in (1, 2))):
            raise TypeError(f"Size should be int or sequence of length 1 or 2. Got {size!r}")
        if max_size is not None and not (isinstance(size, numbers.Integral) or len(size) == 1):
            raise ValueError(
                f"max_size should only be passed if size specifies the length of the smaller edge, got size={size!r}"
            )
        self.size = size
        self.interpolation = _interpolation(interpolation)
        self.max_size = max_size
        self.antialias = antialias

    def batch(self, x: Any) -> Any:
        arr = _array(x)
        h, w = arr.shape[-2:]
        size = _resized_output_size(h, w, self.size, self.max_size)
        return _like(x, _resize(arr, size, self.interpolation, self.antialias))


class CenterCrop(Transform):
    """The central ``size`` window of the last two axes (H, W); a smaller image is zero-padded around first.

    Where the margin is odd the window sits ``round(margin / 2)`` pixels from the top/left (Python's round).

    Example::

        crop = CenterCrop(24)
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _pair(size, "size")

    def batch(self, x: Any) -> Any:
        arr = _array(x)
        (th, tw), (h, w) = self.size, arr.shape[-2:]
        if th > h or tw > w:
            pad = ((tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0)
            rest = ((tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0)
            arr = _pad(arr, (pad[0], pad[1], rest[0], rest[1]), 0, "constant")
            h, w = arr.shape[-2:]
        top, left = round((h - th) / 2.0), round((w - tw) / 2.0)
        return _like(x, arr[..., top : top + th, left : left + tw])


class Pad(Transform):
    """Pad the borders of the last two axes (H, W).

    Args:
        padding: pixels added to every side (int), to left/right and top/bottom (2 values) or to
            left, top, right, bottom (4 values).
        fill: value of constant padding.
        padding_mode: ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"``.

    Example::

        pad = Pad(2, padding_mode="reflect")
    """

    def __init__(self, padding: int | Sequence[int], fill: float = 0, padding_mode: str = "constant") -> None:
        self.padding = _padding(padding)
        self.fill = fill
        self.padding_mode = _padding_mode(padding_mode)

    def batch(self, x: Any) -> Any:
        return _like(x, _pad(_array(x), self.padding, self.fill, self.padding_mode))


class Grayscale(Transform):
    """RGB (C=3, H, W) to grey: ``0.2989 R + 0.587 G + 0.114 B`` (ITU-R 601-2), repeated to ``num_output_channels``.

    Integer images keep their dtype, truncating the weighted sum as torchvision does; a one-channel image is
    returned as it is (repeated if three channels are asked for).

    Example::

        gray = Grayscale(num_output_channels=3)
    """

    def __init__(self, num_output_channels: int = 1) -> None:
        if num_output_channels not in (1, 3):
            raise ValueError(f"num_output_channels should be either 1 or 3, got {num_output_channels!r}")
        self.num_output_channels = num_output_channels

    def batch(self, x: Any) -> Any:
        arr = _array(x)
        if arr.ndim < 4:
            raise TypeError(f"Grayscale expected CxHxW images, got shape {arr.shape[1:]} (put ToTensor() before it)")
        channels = arr.shape[-3]
        if channels not in (1, 3):
            raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {channels}")
        gray = arr
        if channels == 3:
            r, g, b = (arr[..., c : c + 1, :, :] for c in range(3))
            compute = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
            gray = (r * compute.type(0.2989) + g * compute.type(0.587) + b * compute.type(0.114)).astype(arr.dtype)
        if self.num_output_channels == 3:
            gray = np.repeat(gray, 3, axis=-3) if gray.shape[-3] == 1 else gray
        return _like(x, np.ascontiguousarray(gray))


class ConvertImageDtype(Transform):
    """Convert an image to ``dtype``, rescaling values: floats live in [0, 1], integers in [0, max of the dtype].

    float -> int multiplies by ``max + 1 - 0.001`` and truncates; int -> float divides by the input's max;
    int -> int shifts by the ratio of the ranges. float32 -> int32/int64 and float64 -> int64 are refused, as
    in torchvision, because the float cannot represent every integer of the range.

    Example::

        to_float = ConvertImageDtype(vinsgrad.float32)  # uint8 255 -> 1.0
    """

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def batch(self, x: Any) -> Any:
        return _like(x, _convert_dtype(_array(x), self.dtype, reciprocal=False))


class ToDtype(Transform):
    """Cast an image to ``dtype``; with ``scale=True`` also rescale its values as ``ConvertImageDtype`` does
    (torchvision.transforms.v2's ``ToDtype``, which multiplies by ``1 / max`` for int -> float).

    Example::

        to_float = ToDtype(vinsgrad.float32, scale=True)
    """

    def __init__(self, dtype: Any, scale: bool = False) -> None:
        self.dtype = np.dtype(dtype)
        self.scale = scale

    def batch(self, x: Any) -> Any:
        arr = _array(x)
        return _like(x, _convert_dtype(arr, self.dtype, reciprocal=True) if self.scale else arr.astype(self.dtype))


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
        _padding_mode(padding_mode)
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
        return _like(x, _affine_nearest(arr, angle, tx, ty, s, self.fill))


class RandomHorizontalFlip(Transform):
    """Mirror the image left to right (the last axis) with probability ``p``, drawn per sample.

    Example::

        augment = RandomHorizontalFlip()
    """

    def __init__(self, p: float = 0.5, *, generator: Generator | None = None) -> None:
        self.p = p
        self.generator = generator

    def batch(self, x: Any) -> Any:
        arr = _array(x)
        flip = rng(self.generator).random(arr.shape[0]) < self.p
        out = arr.copy()
        out[flip] = arr[flip][..., ::-1]
        return _like(x, out)


class RandomRotation(Transform):
    """Rotate by an angle drawn per sample, counter-clockwise for positive angles (torchvision's ``rotate``).

    Args:
        degrees: angles are drawn from (-degrees, degrees), or from (min, max) given as a pair.
        interpolation: only ``InterpolationMode.NEAREST`` (the default) is implemented.
        expand: only False: the output keeps the input's size (corners that leave it are cut off).
        center: (x, y) pixel position to rotate about, from the top-left corner (default: the image centre).
        fill: value of pixels that come from outside the image.
        generator: where the angles come from (the default generator when None).

    Example::

        augment = RandomRotation(15)
    """

    def __init__(
        self,
        degrees: float | Sequence[float],
        interpolation: InterpolationMode | str = InterpolationMode.NEAREST,
        expand: bool = False,
        center: Sequence[float] | None = None,
        fill: float = 0,
        *,
        generator: Generator | None = None,
    ) -> None:
        if isinstance(degrees, (int, float)):
            if degrees < 0:
                raise ValueError(f"If degrees is a single number, it must be positive, got {degrees}")
            degrees = (-float(degrees), float(degrees))
        self.degrees = _range(degrees, "degrees")
        self.interpolation = _interpolation(interpolation)
        if self.interpolation != InterpolationMode.NEAREST:
            raise ValueError(f"RandomRotation in vinsgrad supports interpolation='nearest' only, got {interpolation!r}")
        if expand:
            raise ValueError("RandomRotation in vinsgrad supports expand=False only (outputs keep the input size)")
        if center is not None and (not isinstance(center, Sequence) or len(center) != 2):
            raise ValueError(f"center should be a sequence of length 2, got {center!r}")
        self.expand = expand
        self.center = None if center is None else (float(center[0]), float(center[1]))
        self.fill = fill
        self.generator = generator

    def batch(self, x: Any) -> Any:
        arr = _array(x)
        n = arr.shape[0]
        angle = -np.radians(rng(self.generator).uniform(self.degrees[0], self.degrees[1], size=n))  # clockwise
        zeros = np.zeros(n)
        return _like(x, _affine_nearest(arr, angle, zeros, zeros, np.ones(n), self.fill, self.center))


class RandomResizedCrop(Transform):
    """Crop a random area and aspect ratio, then resize it to ``size`` (torchvision's Inception-style crop).

    Each sample tries up to 10 times to draw an area fraction from ``scale`` and an aspect ratio (log-uniform)
    from ``ratio`` that fits in the image; failing that, it takes the largest central crop within ``ratio``.
    The batch form loops over the samples, since every crop has its own size.

    Args:
        size: output (height, width), or one int for a square.
        scale: (min, max) fraction of the image area to crop.
        ratio: (min, max) width / height of the crop.
        interpolation: as ``Resize`` (bilinear by default).
        antialias: as ``Resize``.
        generator: where the crops come from (the default generator when None).

    Example::

        augment = RandomResizedCrop(24, scale=(0.5, 1.0))
    """

    def __init__(
        self,
        size: int | Sequence[int],
        scale: Sequence[float] = (0.08, 1.0),
        ratio: Sequence[float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: InterpolationMode | str = InterpolationMode.BILINEAR,
        antialias: bool = True,
        *,
        generator: Generator | None = None,
    ) -> None:
        self.size = _pair(size, "size")
        self.scale = _range(scale, "scale")
        self.ratio = _range(ratio, "ratio")
        self.interpolation = _interpolation(interpolation)
        self.antialias = antialias
        self.generator = generator

    @staticmethod
    def get_params(
        img: Any, scale: Sequence[float], ratio: Sequence[float], generator: Generator | None = None
    ) -> tuple[int, int, int, int]:
        """(top, left, height, width) of one random crop of ``img`` (its last two axes), as torchvision's."""
        height, width = _array(img).shape[-2:]
        g, area = rng(generator), height * width
        log_ratio = (np.log(ratio[0]), np.log(ratio[1]))
        for _ in range(10):
            target_area = area * g.uniform(scale[0], scale[1])
            aspect = np.exp(g.uniform(log_ratio[0], log_ratio[1]))
            w = round(float(np.sqrt(target_area * aspect)))
            h = round(float(np.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return int(g.integers(0, height - h + 1)), int(g.integers(0, width - w + 1)), h, w
        in_ratio = width / height
        if in_ratio < min(ratio):
            w, h = width, round(width / min(ratio))
        elif in_ratio > max(ratio):
            h, w = height, round(height * max(ratio))
        else:
            h, w = height, width
        return (height - h) // 2, (width - w) // 2, h, w

    def batch(self, x: Any) -> Any:
        arr = _array(x)
        out = []
        for sample in arr:
            top, left, h, w = self.get_params(sample, self.scale, self.ratio, self.generator)
            crop = sample[..., top : top + h, left : left + w]
            out.append(_resize(crop, self.size, self.interpolation, self.antialias))
        return _like(x, np.stack(out))


# **** helpers ****


def _affine_nearest(
    arr: np.ndarray,
    angle: np.ndarray,
    tx: np.ndarray,
    ty: np.ndarray,
    s: np.ndarray,
    fill: float,
    center: tuple[float, float] | None = None,
) -> np.ndarray:
    """Each sample rotated clockwise by ``angle`` (radians) about ``center``, scaled by ``s``, shifted by (tx, ty),
    sampled at the nearest pixel; pixels from outside the image become ``fill``."""
    n, (h, w) = arr.shape[0], arr.shape[-2:]
    # centre of rotation in coordinates centred on the image (torchvision: pixel coords minus half the size)
    cx, cy = (0.0, 0.0) if center is None else (center[0] - w / 2, center[1] - h / 2)
    # The inverse map, output pixel -> source pixel, in centred coordinates (torchvision's):
    # source = M (p - c - t) + c, as (col, row) = theta @ [x, y, 1], one 2x3 theta per sample, all pixels in one matmul.
    cos, sin = np.cos(angle) / s, np.sin(angle) / s
    ox, oy = cx + tx, cy + ty
    theta = np.stack(
        [
            np.stack([cos, sin, (w - 1) / 2 + cx - cos * ox - sin * oy], 1),
            np.stack([-sin, cos, (h - 1) / 2 + cy + sin * ox - cos * oy], 1),
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
    out[~np.broadcast_to(inside[:, None, :], out.shape)] = fill
    return out.reshape(arr.shape)


def _resize_weights(in_size: int, out_size: int, antialias: bool) -> np.ndarray:
    """(out, in) bilinear weights, align_corners=False: PyTorch's ``interpolate(mode="bilinear")``, or with
    ``antialias`` its triangle filter widened by the downscale factor (PIL's), which is the same when enlarging."""
    scale = in_size / out_size
    weights = np.zeros((out_size, in_size))
    for i in range(out_size):
        if antialias:
            support = max(scale, 1.0)  # the triangle filter's half-width, in input pixels
            center = scale * (i + 0.5)
            lo = max(int(center - support + 0.5), 0)
            hi = min(int(center + support + 0.5), in_size)
            taps = np.maximum(0.0, 1.0 - np.abs((np.arange(lo, hi) - center + 0.5) / support))
            weights[i, lo:hi] = taps / taps.sum()
        else:
            src = max(scale * (i + 0.5) - 0.5, 0.0)
            i0 = min(int(src), in_size - 1)
            i1 = min(i0 + 1, in_size - 1)
            frac = src - i0
            weights[i, i0] += 1 - frac
            weights[i, i1] += frac
    return weights


def _nearest_index(in_size: int, out_size: int, exact: bool) -> np.ndarray:
    """Source index of each output pixel: PyTorch's ``nearest`` (floor(i * scale), in float32) or ``nearest-exact``
    (floor((i + 0.5) * scale))."""
    scale = np.float32(in_size / out_size)
    i = np.arange(out_size, dtype=np.float32)
    src = np.floor((i + np.float32(0.5)) * scale if exact else i * scale).astype(np.intp)
    return np.minimum(src, in_size - 1)


def _resize(arr: np.ndarray, size: tuple[int, int], mode: str, antialias: bool) -> np.ndarray:
    """``arr`` (..., H, W) resized to ``size``; integer images are computed in float32 and rounded, as torchvision."""
    (h, w), (oh, ow) = arr.shape[-2:], size
    if (h, w) == (oh, ow):
        return arr
    if mode != InterpolationMode.BILINEAR:
        exact = mode == InterpolationMode.NEAREST_EXACT
        rows, cols = _nearest_index(h, oh, exact), _nearest_index(w, ow, exact)
        return arr[..., rows[:, None], cols]
    compute = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    wh = _resize_weights(h, oh, antialias).astype(compute)
    ww = _resize_weights(w, ow, antialias).astype(compute)
    out = wh @ arr.astype(compute, copy=False) @ ww.T
    if arr.dtype.kind == "f":
        return out
    info = np.iinfo(arr.dtype)
    return np.clip(np.rint(out), info.min, info.max).astype(arr.dtype)


def _resized_output_size(h: int, w: int, size: int | Sequence[int], max_size: int | None) -> tuple[int, int]:
    """torchvision's rule: an int (or one-element list) sets the shorter edge and keeps the aspect ratio."""
    if isinstance(size, Sequence) and len(size) == 2:
        return int(size[0]), int(size[1])
    requested = int(size[0] if isinstance(size, Sequence) else size)
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(
                f"max_size = {max_size} must be strictly greater than the requested size for the smaller edge "
                f"size = {size}"
            )
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if w <= h else (new_short, new_long)


def _max_value(dtype: np.dtype) -> int:
    return int(np.iinfo(dtype).max)


def _convert_dtype(arr: np.ndarray, dtype: np.dtype, reciprocal: bool) -> np.ndarray:
    """torchvision's ``convert_image_dtype``: values rescaled between [0, 1] floats and [0, max] integers.
    ``reciprocal`` multiplies by 1 / max instead of dividing by max (what ``ToDtype`` does)."""
    if arr.dtype == dtype:
        return arr
    if dtype.kind == "b" or arr.dtype.kind == "b":
        raise TypeError(f"image dtype conversion between {arr.dtype} and {dtype} is not supported")
    if arr.dtype.kind == "f":
        if dtype.kind == "f":
            return arr.astype(dtype)
        unsafe = {np.dtype(np.float32): (np.int32, np.int64), np.dtype(np.float64): (np.int64,)}
        if dtype in unsafe.get(arr.dtype, ()):
            raise RuntimeError(f"The cast from {arr.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3  # so that 1.0 maps to max, not max + 1
        return (arr * arr.dtype.type(_max_value(dtype) + 1.0 - eps)).astype(dtype)
    if dtype.kind == "f":
        out = arr.astype(dtype)
        if reciprocal:
            return out * dtype.type(1.0 / _max_value(arr.dtype))
        return out / dtype.type(_max_value(arr.dtype))
    in_max, out_max = _max_value(arr.dtype), _max_value(dtype)
    if in_max > out_max:
        return (arr // ((in_max + 1) // (out_max + 1))).astype(dtype)
    return arr.astype(dtype) * dtype.type((out_max + 1) // (in_max + 1))


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


def _padding_mode(mode: str) -> str:
    if mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError(f"padding_mode should be constant, edge, reflect or symmetric, got {mode!r}")
    return mode


def _interpolation(mode: InterpolationMode | str) -> InterpolationMode:
    try:
        return InterpolationMode(mode)
    except ValueError:
        choices = ", ".join(repr(m.value) for m in InterpolationMode)
        raise ValueError(f"interpolation should be one of {choices}, got {mode!r}") from None


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
    "CenterCrop",
    "Compose",
    "ConvertImageDtype",
    "Flatten",
    "Grayscale",
    "InterpolationMode",
    "Lambda",
    "Normalize",
    "Pad",
    "RandomAffine",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "RandomRotation",
    "Resize",
    "ToDtype",
    "ToTensor",
    "Transform",
    "apply_batch",
]
