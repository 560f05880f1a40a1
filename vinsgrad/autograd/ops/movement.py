"""Movement ops: copies, views and joins that rearrange elements without computing new values.

Many movement methods (chunk, split, flip, repeat, movedim, ...) are composed in ``Tensor`` from the Functions
here and ``IndexFn``; a Function exists where composing would be slow or would not say what the op is.
"""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function, unbroadcast


def wrap_dim(dim: Any, ndim: int) -> int:
    """``dim`` as a non-negative axis of a tensor with ``ndim`` dims; IndexError (PyTorch's class) if out of range.

    A 0-d tensor accepts 0 and -1, as in PyTorch."""
    n = max(ndim, 1)
    if not isinstance(dim, int | xp.integer) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__} {dim!r}")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


# **** movement ops ****


class CloneFn(Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class ReshapeFn(Function):
    returns_view = True

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.shape
        if list(shape).count(-1) > 1:
            raise RuntimeError(f"reshape: only one dimension can be inferred (-1), got shape {tuple(shape)}")
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(f"reshape: cannot reshape {x.shape} ({x.size} elements) into {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class PermuteFn(Function):
    returns_view = True

    @staticmethod
    def forward(ctx, x, dims=()):
        if len(dims) != x.ndim:
            raise RuntimeError(f"permute: the number of dims {len(dims)} must equal the tensor's {x.ndim} dims")
        dims = tuple(wrap_dim(d, x.ndim) for d in dims)
        if sorted(dims) != list(range(x.ndim)):
            raise RuntimeError(f"permute: {dims} is not a permutation of the {x.ndim} dims (a dim repeats)")
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(xp.argsort(ctx.dims))


class ExpandFn(Function):
    returns_view = True

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.shape
        try:
            return xp.broadcast_to(x, shape)
        except ValueError:
            raise RuntimeError(
                f"expand: the shape {tuple(x.shape)} cannot be expanded to {tuple(shape)} (only size-1 dims can grow)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.in_shape)


class CatFn(Function):
    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim = wrap_dim(dim, xs[0].ndim)
        for x in xs[1:]:
            if x.ndim != xs[0].ndim or any(a != b for i, (a, b) in enumerate(zip(x.shape, xs[0].shape)) if i != dim):
                raise RuntimeError(
                    f"cat: sizes of tensors must match except in dimension {dim}, got {xs[0].shape} and {x.shape}"
                )
        ctx.sizes = [x.shape[dim] for x in xs]
        return xp.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        splits = xp.cumsum(ctx.sizes)[:-1]
        parts = xp.split(grad, splits, axis=ctx.dim)
        return tuple(p if need else None for p, need in zip(parts, ctx.needs_input_grad))


class StackFn(Function):
    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim = wrap_dim(dim, xs[0].ndim + 1)
        if any(x.shape != xs[0].shape for x in xs):
            raise RuntimeError(f"stack expects each tensor to be equal size, got {[x.shape for x in xs]}")
        return xp.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        parts = xp.moveaxis(grad, ctx.dim, 0)
        return tuple(p if need else None for p, need in zip(parts, ctx.needs_input_grad))


class PadFn(Function):
    @staticmethod
    def forward(ctx, x, pad=(), value=0.0):
        if len(pad) % 2 or len(pad) // 2 > x.ndim:
            raise ValueError(f"pad: expected an even number of pads covering at most {x.ndim} dims, got {pad}")
        # PyTorch order: (last_lo, last_hi, second_last_lo, second_last_hi, ...)
        widths = [(0, 0)] * x.ndim
        for i in range(len(pad) // 2):
            widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
        if any(lo < 0 or hi < 0 for lo, hi in widths):
            raise ValueError(f"pad: negative padding is not supported, got {pad}")
        ctx.slices = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        return xp.pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.slices]


class RollFn(Function):
    """Shift elements along ``dims`` with wrap-around; ``dims=None`` rolls the flattened tensor."""

    @staticmethod
    def forward(ctx, x, shifts=(), dims=None):
        if dims is not None:
            if len(shifts) != len(dims):
                raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
            dims = tuple(wrap_dim(d, x.ndim) for d in dims)
        elif len(shifts) != 1:
            raise RuntimeError(f"roll: without dims, shifts must be one number, got {shifts}")
        ctx.shifts, ctx.dims = shifts, dims
        return xp.roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        return xp.roll(grad, tuple(-s for s in ctx.shifts), axis=ctx.dims)


def _diagonal_index(rows: int, cols: int, offset: int) -> tuple[ndarray, ndarray]:
    """Row and column indices of the ``offset`` diagonal of a ``rows`` x ``cols`` matrix (above for offset > 0)."""
    n = max(0, min(rows - max(-offset, 0), cols - max(offset, 0)))
    i = xp.arange(n)
    return i + max(-offset, 0), i + max(offset, 0)


def _two_dims(dim1: int, dim2: int, ndim: int) -> tuple[int, int]:
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


class DiagonalFn(Function):
    """The ``offset`` diagonal of the matrices spanned by ``dim1`` and ``dim2``, as a new last dim."""

    @staticmethod
    def forward(ctx, x, offset=0, dim1=0, dim2=1):
        ctx.shape, ctx.dims = x.shape, _two_dims(dim1, dim2, x.ndim)
        ctx.index = _diagonal_index(x.shape[ctx.dims[0]], x.shape[ctx.dims[1]], offset)
        return xp.moveaxis(x, ctx.dims, (-2, -1))[(..., *ctx.index)]

    @staticmethod
    def backward(ctx, grad):
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        xp.moveaxis(full, ctx.dims, (-2, -1))[(..., *ctx.index)] = grad
        return full


class DiagEmbedFn(Function):
    """Matrices (in ``dim1``, ``dim2`` of the output) whose ``offset`` diagonal is the last dim of ``x``."""

    @staticmethod
    def forward(ctx, x, offset=0, dim1=-2, dim2=-1):
        n = x.shape[-1] + abs(offset)
        ctx.dims, ctx.index = _two_dims(dim1, dim2, x.ndim + 1), _diagonal_index(n, n, offset)
        out = xp.zeros((*x.shape[:-1], n, n), dtype=x.dtype)
        out[(..., *ctx.index)] = x
        return xp.moveaxis(out, (-2, -1), ctx.dims)

    @staticmethod
    def backward(ctx, grad):
        return xp.moveaxis(grad, ctx.dims, (-2, -1))[(..., *ctx.index)]


class UnfoldFn(Function):
    """Every ``size``-long window along ``dimension``, ``step`` apart: that dim counts windows, a new last dim
    holds each window (PyTorch's ``Tensor.unfold``)."""

    @staticmethod
    def forward(ctx, x, dimension=0, size=1, step=1):
        if x.ndim == 0:
            raise RuntimeError("unfold: expected a tensor with at least one dim, got a 0-d tensor")
        d = wrap_dim(dimension, x.ndim)
        if step <= 0 or not 0 <= size <= x.shape[d]:
            raise RuntimeError(
                f"unfold: need 0 <= size <= {x.shape[d]} (dim {d}'s size) and step > 0, got {size}, {step}"
            )
        ctx.shape, ctx.dim, ctx.size, ctx.step = x.shape, d, size, step
        windows = xp.lib.stride_tricks.sliding_window_view(x, size, axis=d)
        return windows[(slice(None),) * d + (slice(None, None, step),)].copy()

    @staticmethod
    def backward(ctx, grad):
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        count = grad.shape[ctx.dim]
        for k in range(ctx.size):  # element k of every window: one strided slice of the input
            along = slice(k, k + ctx.step * (count - 1) + 1, ctx.step)
            full[(slice(None),) * ctx.dim + (along,)] += grad[..., k]
        return full
