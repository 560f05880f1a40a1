"""Activations and softmax: the math of ``nn.ReLU``, ``nn.GELU``, ``nn.Softmax`` and friends."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.ops._utils import erf
from vinsgrad.autograd.tensor import Tensor

# ---- activations ----


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(input, 0)``. ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor."""
    return input.relu()


class LeakyReLUFn(Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        positive = x > 0
        ctx.save_for_backward(positive)
        ctx.negative_slope = negative_slope
        return xp.where(positive, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return xp.where(positive, grad, grad * ctx.negative_slope)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere (``inplace`` as in ``relu``)."""
    return LeakyReLUFn.apply(input, negative_slope=negative_slope)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))`` elementwise, stable for large ``|x|``."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """``tanh(x)`` elementwise."""
    return input.tanh()


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


class GELUFn(Function):
    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.approximate = approximate
        if approximate == "tanh":
            # NOTE: in place on one buffer (a GPT's MLP runs this on millions of values); x**3 would be a slow pow()
            t = x * x
            t *= 0.044715
            t += 1
            t *= x
            t *= _SQRT_2_OVER_PI
            xp.tanh(t, out=t)
            ctx.save_for_backward(x, t)
            out = t + 1
            out *= x
            out *= 0.5
            return out
        cdf = 0.5 * (1 + erf(x * (1 / math.sqrt(2))))
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        if ctx.approximate == "tanh":
            x, t = ctx.saved_tensors
            # 0.5 (1 + t) + 0.5 x (1 - t^2) dt, with dt = sqrt(2/pi) (1 + 3 * 0.044715 x^2), in place as above
            g = x * x
            g *= 3 * 0.044715 * _SQRT_2_OVER_PI
            g += _SQRT_2_OVER_PI
            g *= x
            s = t * t
            xp.subtract(1, s, out=s)
            g *= s
            g += t
            g += 1
            g *= 0.5
            g *= grad
            return g
        x, cdf = ctx.saved_tensors
        pdf = xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return grad * (cdf + x * pdf)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (Phi the standard normal CDF); ``approximate='tanh'`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELUFn.apply(input, approximate=approximate)


def _softmax_dim(ndim: int, dim: int | None) -> int:
    # PyTorch's legacy rule when no dim is given: 0 for 0-, 1- and 3-D input, else 1.
    if dim is not None:
        return dim
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably; ``dtype`` casts the input first."""
    x = input if dtype is None else input.to(dtype)
    return x.softmax(_softmax_dim(x.ndim, dim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x, dim)``, computed stably; ``dtype`` casts the input first."""
    x = input if dtype is None else input.to(dtype)
    return x.log_softmax(_softmax_dim(x.ndim, dim))
