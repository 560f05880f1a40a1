"""``interpolate`` (nearest, linear/bilinear/trilinear, area) and the per-axis resampling op that it and the
reflect/replicate/circular modes of ``pad`` are built from."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from vinsgrad.autograd.backend import float32, ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor


def _along(values: ndarray, axis: int, ndim: int) -> ndarray:
    """A 1-D array shaped to broadcast along ``axis`` of an ``ndim``-D array."""
    return values.reshape((-1,) + (1,) * (ndim - 1 - axis))


def _scatter_add(grad: ndarray, index: ndarray, size: int, axis: int) -> ndarray:
    """The adjoint of ``take(x, index, axis)``: rows of ``grad`` summed into the positions ``index`` names.

    Sorting the index groups equal targets, so one ``add.reduceat`` sums each group: no per-element ``add.at``.
    """
    order = xp.argsort(index, kind="stable")
    targets = index[order]
    if (order != xp.arange(order.size)).any():
        grad = xp.take(grad, order, axis=axis)
    starts = xp.flatnonzero(xp.concatenate(([True], targets[1:] != targets[:-1])))
    shape = list(grad.shape)
    shape[axis] = size
    out = xp.zeros(shape, dtype=grad.dtype)
    out[(slice(None),) * axis + (targets[starts],)] = xp.add.reduceat(grad, starts, axis=axis)
    return out


class ResampleAxisFn(Function):
    """Along one axis, ``out[j] = (1 - frac[j]) * x[lo[j]] + frac[j] * x[hi[j]]``; without ``frac``, ``x[lo[j]]``.

    Nearest and linear interpolation are this op once per spatial axis; so are the reflect, replicate and
    circular paddings (a gather). Backward scatters each output row back to the rows it read.
    """

    @staticmethod
    def forward(ctx, x, axis=0, lo=None, hi=None, frac=None):
        ctx.args = (x.shape[axis], axis, lo, hi, frac)
        out = xp.take(x, lo, axis=axis)
        if frac is None:
            return out
        w = _along(frac.astype(x.dtype, copy=False), axis, x.ndim)
        return out * (1 - w) + xp.take(x, hi, axis=axis) * w

    @staticmethod
    def backward(ctx, grad):
        size, axis, lo, hi, frac = ctx.args
        if frac is None:
            return _scatter_add(grad, lo, size, axis)
        w = _along(frac.astype(grad.dtype, copy=False), axis, grad.ndim)
        return _scatter_add(grad * (1 - w), lo, size, axis) + _scatter_add(grad * w, hi, size, axis)


# ---- interpolate ----

_MODE_DIMS = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area")


def _per_axis(value: Any, dims: int, name: str) -> list[Any] | None:
    if value is None:
        return None
    values = list(value) if isinstance(value, (tuple, list)) else [value] * dims
    if len(values) != dims:
        raise ValueError(f"interpolate: {name} must have {dims} elements for a {dims}-D spatial input, got {value!r}")
    return values


def _nearest_index(n: int, m: int, scale: float | None, exact: bool) -> ndarray:
    # NOTE: PyTorch computes the source index in float32 (1/scale_factor when given, else n/m), so ties round alike
    s = xp.float32(1.0 / scale) if scale else xp.float32(n) / xp.float32(m)
    dst = xp.arange(m, dtype=float32) + (xp.float32(0.5) if exact else xp.float32(0))
    return xp.minimum(xp.floor(dst * s).astype(xp.int64), n - 1)


def _linear_weights(n: int, m: int, scale: float | None, align_corners: bool, dtype: Any):
    """Source rows (lo, hi) and the weight of hi for each output row, by PyTorch's source-index rule."""
    dt = dtype if dtype.kind == "f" else float32
    if align_corners:
        src = xp.arange(m, dtype=dt) * dt.type((n - 1) / (m - 1) if m > 1 else 0)
    else:
        s = dt.type(1.0 / scale) if scale else dt.type(n) / dt.type(m)
        src = xp.maximum((xp.arange(m, dtype=dt) + dt.type(0.5)) * s - dt.type(0.5), 0)
    lo = xp.minimum(src.astype(xp.int64), n - 1)
    hi = xp.minimum(lo + 1, n - 1)
    return lo, hi, xp.clip(src - lo, 0, 1)


def _area_matrix(n: int, m: int) -> ndarray:
    """(m, n): row i averages input rows floor(i*n/m) .. ceil((i+1)*n/m) - 1, PyTorch's adaptive pooling bins."""
    rows = xp.zeros((m, n))
    for i in range(m):
        start, end = (i * n) // m, -((-(i + 1) * n) // m)
        rows[i, start:end] = 1.0 / (end - start)
    return rows


def _apply_along(x: Tensor, matrix: ndarray, axis: int) -> Tensor:
    """``matrix @ x`` along ``axis`` (a linear map of that axis), by one differentiable matmul."""
    moved = x.transpose(axis, -1) if axis != x.ndim - 1 else x
    out = moved @ Tensor(matrix.T.astype(x.dtype))
    return out.transpose(axis, -1) if axis != x.ndim - 1 else out


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims (all after N, C) of ``input`` to ``size`` or by ``scale_factor``.

    Modes: 'nearest' and 'nearest-exact' (any spatial dims), 'linear' (N, C, L), 'bilinear' (N, C, H, W),
    'trilinear' (N, C, D, H, W) with ``align_corners``, and 'area' (adaptive average pooling). Source positions
    follow PyTorch's rules, including that a given ``scale_factor`` (not the rounded size) sets the spacing
    unless ``recompute_scale_factor`` is True.

    Example::

        x = vinsgrad.randn(1, 3, 8, 8)
        F.interpolate(x, scale_factor=2, mode="bilinear").shape  # (1, 3, 16, 16)
    """
    if mode not in _MODES:
        raise ValueError(f"interpolate: vinsgrad has no mode {mode!r}; expected one of {', '.join(_MODES)}")
    dims = input.ndim - 2
    if dims < 1:
        raise ValueError(f"interpolate expects an input (N, C, *spatial), got shape {tuple(input.shape)}")
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != dims:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_MODE_DIMS[mode] + 2}D input")
    linear = mode in _MODE_DIMS
    if (linear or mode == "area") and input.dtype.kind != "f":
        raise RuntimeError(f"interpolate: mode={mode!r} needs a floating-point input, got {input.dtype}")
    if align_corners is not None and not linear:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
        )
    if antialias:
        raise ValueError("interpolate: vinsgrad does not have antialias=True")
    if (size is None) == (scale_factor is None):
        raise ValueError(
            "either size or scale_factor should be defined"
            if size is None
            else "only one of size or scale_factor should be defined"
        )
    in_sizes = input.shape[2:]
    sizes = _per_axis(size, dims, "size")
    scales = _per_axis(scale_factor, dims, "scale_factor")
    if sizes is None:
        assert scales is not None
        sizes = [math.floor(n * float(s)) for n, s in zip(in_sizes, scales)]
        if recompute_scale_factor:
            scales = None
    if not all(isinstance(s, int) and s > 0 for s in sizes):
        raise ValueError(f"interpolate: the output size must be positive ints, got {sizes}")
    out = input
    for a, (n, m) in enumerate(zip(in_sizes, sizes)):
        axis, scale = 2 + a, None if scales is None else float(scales[a])
        if n == m and (scale is None or scale == 1.0) and mode != "area":
            continue  # the identity: every rule maps row j to row j
        if mode == "area":
            out = _apply_along(out, _area_matrix(n, m), axis)
        elif linear:
            lo, hi, frac = _linear_weights(n, m, scale, bool(align_corners), input.dtype)
            out = ResampleAxisFn.apply(out, axis=axis, lo=lo, hi=hi, frac=frac)
        else:
            out = ResampleAxisFn.apply(out, axis=axis, lo=_nearest_index(n, m, scale, mode == "nearest-exact"))
    return out


def upsample(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """``interpolate`` under its deprecated name."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange (*, C * r * r, H, W) into (*, C, H * r, W * r): each group of r * r channels becomes an r x r
    block of pixels (sub-pixel convolution upsampling).

    Example::

        F.pixel_shuffle(vinsgrad.randn(1, 9, 4, 4), 3).shape  # (1, 1, 12, 12)
    """
    r = upscale_factor
    if input.ndim < 3 or not isinstance(r, int) or r < 1 or input.shape[-3] % (r * r):
        raise ValueError(
            f"pixel_shuffle expects an input (*, C * r * r, H, W) with r = upscale_factor = {r!r} a positive int, got "
            f"shape {tuple(input.shape)}"
        )
    *lead, c, h, w = input.shape
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)  # (*, C, H, r, W, r)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of ``pixel_shuffle``: (*, C, H * r, W * r) -> (*, C * r * r, H, W).

    Example::

        F.pixel_unshuffle(vinsgrad.randn(1, 1, 12, 12), 3).shape  # (1, 9, 4, 4)
    """
    r = downscale_factor
    if input.ndim < 3 or not isinstance(r, int) or r < 1 or input.shape[-2] % r or input.shape[-1] % r:
        raise ValueError(
            f"pixel_unshuffle expects an input (*, C, H, W) with H and W divisible by downscale_factor = {r!r}, got "
            f"shape {tuple(input.shape)}"
        )
    *lead, c, h, w = input.shape
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)  # (*, C, r, r, H, W)
    return x.reshape(*lead, c * r * r, h // r, w // r)


# ---- the non-constant modes of pad ----


def _pad_index(n: int, lo: int, hi: int, mode: str, dim: int, shape: tuple[int, ...]) -> ndarray:
    if lo < 0 or hi < 0:
        raise ValueError(f"pad: mode={mode!r} needs non-negative padding, got ({lo}, {hi}) at dimension {dim}")
    if mode == "reflect" and (lo >= n or hi >= n):
        raise RuntimeError(
            f"Padding size should be less than the corresponding input dimension, but got: padding ({lo}, {hi}) at "
            f"dimension {dim} of input {list(shape)}"
        )
    if mode == "circular" and (lo > n or hi > n):
        raise RuntimeError(f"Padding value causes wrapping around more than once: ({lo}, {hi}) for size {n}")
    if mode == "replicate" and n == 0:
        raise RuntimeError(f"pad: cannot replicate-pad an empty dimension {dim} of input {list(shape)}")
    pos = xp.arange(-lo, n + hi)
    if mode == "reflect":  # mirror about the edge rows, which are not repeated
        pos = xp.abs(pos)
        return xp.where(pos > n - 1, 2 * (n - 1) - pos, pos)
    if mode == "replicate":
        return xp.clip(pos, 0, n - 1)
    return pos % n  # circular


def _pad_by_mode(input: Tensor, pad: tuple[int, ...], mode: str) -> Tensor:
    """``pad``'s reflect, replicate and circular modes: one gather per padded dim (last dims first)."""
    k = len(pad) // 2
    if len(pad) % 2 or k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: mode={mode!r} pads the last 1, 2 or 3 dims of a 2-3, 3-4 or 4-5 dimensional input, got padding "
            f"{pad} for an input of shape {tuple(input.shape)}"
        )
    out = input
    for i in range(k):
        axis = input.ndim - 1 - i
        index = _pad_index(input.shape[axis], pad[2 * i], pad[2 * i + 1], mode, axis, tuple(input.shape))
        out = ResampleAxisFn.apply(out, axis=axis, lo=index)
    return out
