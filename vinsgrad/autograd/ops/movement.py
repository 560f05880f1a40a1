"""Movement ops: copies, views and joins that rearrange elements without computing new values."""

from __future__ import annotations

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.function import Function, unbroadcast

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
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape {tuple(x.shape)} ({x.size} elements) into {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class PermuteFn(Function):
    returns_view = True

    @staticmethod
    def forward(ctx, x, dims=()):
        if sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
            raise ValueError(f"permute: {tuple(dims)} is not a permutation of the {x.ndim} dims")
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(xp.argsort([d % grad.ndim for d in ctx.dims]))


class ExpandFn(Function):
    returns_view = True

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.shape
        return xp.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.in_shape)


class CatFn(Function):
    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
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
        ctx.dim = dim
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
