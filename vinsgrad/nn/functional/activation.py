"""Activations and softmax: the math of ``nn.ReLU``, ``nn.GELU``, ``nn.Softmax`` and friends."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.ops._utils import CACHE_BLOCK, cache_blocks, erf, stable_sigmoid
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
    """``x * Phi(x)``; with ``approximate="tanh"``, ``0.5 x (1 + tanh(u))`` where ``u = k (x + 0.044715 x^3)`` and
    ``k = sqrt(2/pi)``, whose derivative is ``0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 * 0.044715 x^2)``."""

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.approximate = approximate
        if approximate == "tanh":
            # NOTE: a GPT's MLP runs this on millions of values: each block of them goes through every pass while
            # it is in cache, in place (x**3 would be a slow pow()); t = tanh(u) is kept for backward
            flat = xp.ascontiguousarray(x).reshape(-1)
            out, t = xp.empty_like(flat), xp.empty_like(flat)
            for b in cache_blocks(flat.size):
                xb, tb, ob = flat[b], t[b], out[b]
                xp.multiply(xb, xb, out=tb)
                tb *= 0.044715 * _SQRT_2_OVER_PI
                tb += _SQRT_2_OVER_PI
                tb *= xb
                xp.tanh(tb, out=tb)
                xp.add(tb, 1, out=ob)
                ob *= xb
                ob *= 0.5
            ctx.save_for_backward(flat, t)
            return out.reshape(x.shape)
        cdf = 0.5 * (1 + erf(x * (1 / math.sqrt(2))))
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        if ctx.approximate == "tanh":
            x, t = ctx.saved_tensors
            flat_grad = xp.ascontiguousarray(grad).reshape(-1)
            g, square = xp.empty_like(x), xp.empty(min(x.size, CACHE_BLOCK), dtype=x.dtype)
            for b in cache_blocks(x.size):
                xb, tb, gb, sb = x[b], t[b], g[b], square[: b.stop - b.start]
                xp.multiply(xb, xb, out=gb)  # k (1 + 3 * 0.044715 x^2) * x, then times (1 - t^2)
                gb *= 3 * 0.044715 * _SQRT_2_OVER_PI
                gb += _SQRT_2_OVER_PI
                gb *= xb
                xp.multiply(tb, tb, out=sb)
                xp.subtract(1, sb, out=sb)
                gb *= sb
                gb += tb  # + (1 + t), all halved, times the incoming gradient
                gb += 1
                gb *= 0.5
                gb *= flat_grad[b]
            return g.reshape(grad.shape)
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


# ---- activations: smooth and piecewise (issue 14) ----


def _softplus(x: ndarray) -> ndarray:
    """``log(1 + exp(x))`` without overflow."""
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


class SiLUFn(Function):
    @staticmethod
    def forward(ctx, x):
        s = stable_sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        return grad * (s * (1 + x * (1 - s)))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (also called swish); ``inplace`` as in ``relu``."""
    return SiLUFn.apply(input)


class ELUFn(Function):
    """``scale * x`` where x > 0, else ``scale * alpha * (exp(input_scale * x) - 1)``: ELU, SELU and CELU."""

    @staticmethod
    def forward(ctx, x, alpha=1.0, scale=1.0, input_scale=1.0):
        positive = x > 0
        neg = alpha * xp.expm1(xp.minimum(x, 0) * input_scale)  # the minimum keeps exp of large x from overflowing
        ctx.save_for_backward(positive, neg)
        ctx.coefs = (alpha, scale, input_scale)
        return scale * xp.where(positive, x, neg)

    @staticmethod
    def backward(ctx, grad):
        positive, neg = ctx.saved_tensors
        alpha, scale, input_scale = ctx.coefs
        return grad * xp.where(positive, scale, scale * input_scale * (neg + alpha))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return ELUFn.apply(input, alpha=float(alpha))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants alpha = 1.6733, scale = 1.0507."""
    return ELUFn.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x / alpha) - 1)`` elsewhere."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides the input)")
    return ELUFn.apply(input, alpha=float(alpha), input_scale=1.0 / alpha)


class SoftplusFn(Function):
    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        bx = x * beta
        linear = bx > threshold  # NOTE: reverts to the identity there, as PyTorch does
        ctx.save_for_backward(bx, linear)
        return xp.where(linear, x, _softplus(bx) / beta)

    @staticmethod
    def backward(ctx, grad):
        bx, linear = ctx.saved_tensors
        return grad * xp.where(linear, 1, stable_sigmoid(bx))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``."""
    return SoftplusFn.apply(input, beta=beta, threshold=threshold)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return input / (input.abs() + 1)


class HardtanhFn(Function):
    @staticmethod
    def forward(ctx, x, min_val=-1.0, max_val=1.0):
        ctx.save_for_backward((x > min_val) & (x < max_val))  # NOTE: no gradient at the corners, as PyTorch
        return xp.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return HardtanhFn.apply(input, min_val=min_val, max_val=max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return HardtanhFn.apply(input, min_val=0.0, max_val=6.0)


class HardsigmoidFn(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward((x > -3) & (x < 3))
        return xp.clip(x / 6 + 0.5, 0, 1)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside / 6


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between."""
    return HardsigmoidFn.apply(input)


class HardswishFn(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * xp.clip(x / 6 + 0.5, 0, 1)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # NOTE: at the corners x = -3 and x = 3 the slope is that of the flat side (0 and 1), as in PyTorch
        return grad * xp.where(x <= -3, 0, xp.where(x < 3, x / 3 + 0.5, 1))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``."""
    return HardswishFn.apply(input)


class MishFn(Function):
    @staticmethod
    def forward(ctx, x):
        t = xp.tanh(_softplus(x))
        ctx.save_for_backward(x, t)
        return x * t

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        return grad * (t + x * (1 - t * t) * stable_sigmoid(x))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return MishFn.apply(input)


class LogSigmoidFn(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return -_softplus(-x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * stable_sigmoid(-x)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, finite for large ``|x|``."""
    return LogSigmoidFn.apply(input)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` where positive, ``weight * x`` elsewhere; ``weight`` has one element or one per channel (dim 1)."""
    if weight.ndim != 1 or (weight.shape[0] != 1 and (input.ndim < 2 or weight.shape[0] != input.shape[1])):
        channels = input.shape[1] if input.ndim >= 2 else 1
        raise ValueError(
            f"prelu: weight must have 1 element or one per channel ({channels}), got shape {tuple(weight.shape)}"
        )
    w = weight.reshape(-1, *(1,) * (input.ndim - 2)) if input.ndim >= 2 else weight
    return input.where(input > 0, w * input)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-x, dim)``: each slice along ``dim`` becomes a distribution favouring small values
    (``_stacklevel`` is PyTorch's, accepted and unused)."""
    return softmax(-input, dim, dtype)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return input - input.tanh()


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``: unit-norm slices, zero vectors stay zero.

    Example::

        F.normalize(vinsgrad.tensor([[3.0, 4.0]]), dim=1)  # tensor([[0.6, 0.8]])
    """
    if out is not None:
        raise ValueError("normalize: out= is not supported; use the returned tensor")
    if p == math.inf:
        norm = input.abs().amax(dim, keepdim=True).clamp(min=eps)
    elif p == 2:  # max(sqrt(s), eps) = sqrt(max(s, eps^2)): no infinite slope of sqrt at a zero vector
        norm = (input * input).sum(dim, keepdim=True).clamp(min=eps * eps).sqrt()
    elif p > 0:
        norm = (input.abs() ** p).sum(dim, keepdim=True).clamp(min=eps**p) ** (1 / p)
    else:
        raise ValueError(f"normalize: p must be positive (or inf), got {p}")
    return input / norm


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    return input.where(input.abs() > lambd, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` moved ``lambd`` towards 0, and 0 within [-lambd, lambd]."""
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be at least 0, got {lambd}")
    return input - input.clamp(-lambd, lambd)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    return input.where(input > threshold, value)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: ``a * sigmoid(b)`` for the halves a, b of ``input`` along ``dim``."""
    if input.ndim == 0 or input.shape[dim] % 2:
        raise ValueError(f"glu: dim {dim} of the input must have an even size, got shape {tuple(input.shape)}")
    d, half = dim % input.ndim, input.shape[dim] // 2
    before = (slice(None),) * d
    return input[(*before, slice(0, half))] * input[(*before, slice(half, None))].sigmoid()


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (they broadcast); each vector is divided by
    ``max(||v||, eps)``, as PyTorch does.

    Example::

        F.cosine_similarity(vinsgrad.tensor([[1.0, 0.0]]), vinsgrad.tensor([[1.0, 1.0]]))  # tensor([0.7071])
    """
    n1 = (x1 * x1).sum(dim, keepdim=True).clamp(min=eps * eps).sqrt()
    n2 = (x2 * x2).sum(dim, keepdim=True).clamp(min=eps * eps).sqrt()
    return ((x1 / n1) * (x2 / n2)).sum(dim)
