"""Elementwise ops: binary ones broadcast (their backward sums the gradient back with ``unbroadcast``), unary ones
map each element on its own.

Conventions for every op module: ``forward`` gets arrays (and plain Python values for non-tensor arguments) and
returns an array; ``backward`` gets the output's gradient and returns one gradient per positional argument, or
None where ``ctx.needs_input_grad`` says none is needed. Backward never modifies ``grad`` in place: the engine may
hand the same array to several consumers.
"""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import float32, ndarray, xp
from vinsgrad.autograd.function import Function, unbroadcast
from vinsgrad.autograd.ops._utils import category, promote, shape_of

# **** binary ops (broadcasting) ****


# NOTE: add and sub return the output's gradient as is: the engine sums a gradient of a broadcast input back to
# its shape (_conform), so forward saves nothing, the cheapest op of every model (a + b at batch 64: 0.5 of 2.2 µs).
class AddFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        return x + y

    @staticmethod
    def backward(ctx, grad):
        nx, ny = ctx.needs_input_grad
        return (grad if nx else None, grad if ny else None)


class SubFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        return x - y

    @staticmethod
    def backward(ctx, grad):
        nx, ny = ctx.needs_input_grad
        return (grad if nx else None, -grad if ny else None)


class MulFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (unbroadcast(grad * y, shape_of(x)) if nx else None, unbroadcast(grad * x, shape_of(y)) if ny else None)


class DivFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        if category(x) < 2 and category(y) < 2:  # true division of integers gives the default float dtype
            x, y = xp.asarray(x, dtype=float32), xp.asarray(y, dtype=float32)
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = unbroadcast(grad / y, shape_of(x)) if nx else None
        gy = unbroadcast(-grad * x / (y * y), shape_of(y)) if ny else None
        return gx, gy


class PowFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        out = x**y
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = gy = None
        if nx:
            # NOTE: where y == 0 the gradient is 0, even at x == 0 where y * x**(y-1) is 0 * inf (PyTorch masks it too).
            with xp.errstate(divide="ignore", invalid="ignore"):
                gx = grad * y * x ** (y - 1)
            if xp.any(y == 0):
                gx = xp.where(y == 0, 0.0, gx)
            gx = unbroadcast(gx, shape_of(x))
        if ny:
            # NOTE: d(x**y)/dy = x**y * log(x); where x == 0 PyTorch takes the limit 0 (for y > 0), so do we.
            x = xp.asarray(x, dtype=out.dtype)
            gy = unbroadcast(grad * xp.where(x == 0, 0.0, out * xp.log(xp.where(x == 0, 1.0, x))), shape_of(y))
        return gx, gy


def _tie_weights(wins: Any, ties: Any, dtype: Any) -> ndarray:
    """1 where x wins, 0 where it loses, 1/2 on ties: PyTorch splits a tie's gradient evenly."""
    return xp.asarray(wins, dtype=dtype) + xp.asarray(ties, dtype=dtype) * 0.5


def _split_by_weight(ctx: Any, grad: ndarray, wx: ndarray) -> tuple[ndarray | None, ndarray | None]:
    (x, y), (nx, ny) = ctx.saved_tensors, ctx.needs_input_grad
    gx = unbroadcast(grad * wx, shape_of(x)) if nx else None
    gy = unbroadcast(grad * (1 - wx), shape_of(y)) if ny else None
    return gx, gy


class MaximumFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        ctx.save_for_backward(x, y)
        return xp.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _split_by_weight(ctx, grad, _tie_weights(x > y, x == y, grad.dtype))


class MinimumFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        ctx.save_for_backward(x, y)
        return xp.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _split_by_weight(ctx, grad, _tie_weights(x < y, x == y, grad.dtype))


class WhereFn(Function):
    @staticmethod
    def forward(ctx, cond, x, y):
        x, y = promote(x, y)
        ctx.cond = cond
        ctx.shapes = (shape_of(x), shape_of(y))
        return xp.where(cond, x, y)

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        _, nx, ny = ctx.needs_input_grad
        zero = xp.zeros((), dtype=grad.dtype)
        gx = unbroadcast(xp.where(ctx.cond, grad, zero), sx) if nx else None
        gy = unbroadcast(xp.where(ctx.cond, zero, grad), sy) if ny else None
        return None, gx, gy


# **** unary ops ****


class NegFn(Function):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class AbsFn(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * xp.sign(x)


class ExpFn(Function):
    @staticmethod
    def forward(ctx, x):
        out = xp.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class LogFn(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class SqrtFn(Function):
    @staticmethod
    def forward(ctx, x):
        out = xp.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class SinFn(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * xp.cos(x)


class CosFn(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * xp.sin(x)


class TanhFn(Function):
    @staticmethod
    def forward(ctx, x):
        out = xp.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class SigmoidFn(Function):
    @staticmethod
    def forward(ctx, x):
        # NOTE: exp(-|x|) never overflows; the two branches give 1/(1+e^-x) for either sign of x.
        e = xp.exp(-xp.abs(x))
        out = xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class ReLUFn(Function):
    @staticmethod
    def forward(ctx, x):
        out = xp.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)


class ClampFn(Function):
    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x)
        ctx.bounds = (min, max)
        return xp.clip(x, min, max)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        mask = xp.ones(x.shape, dtype=bool)
        if lo is not None:
            mask &= x >= lo
        if hi is not None:
            mask &= x <= hi
        return grad * mask


class CastFn(Function):
    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.in_dtype)
