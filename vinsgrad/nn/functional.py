"""The math of every layer and loss, as functions: a Module holds parameters and calls these.

Ops that need their own backward (fused for speed or numerical stability) are ``Function`` subclasses right
beside the function that applies them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

from vinsgrad.autograd.backend import float32, float64, int64, ndarray, xp
from vinsgrad.autograd.function import Function, unbroadcast
from vinsgrad.autograd.ops import Pad
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.random import rng

# **** linear, activations and losses ****

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction!r} is not a valid value for reduction; expected 'mean', 'sum' or 'none'")


# ---- linear ----


class Linear(Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias  # NOTE: in place: `out` is a fresh array, so this saves an allocation
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        nx, nw, nb = (*ctx.needs_input_grad, False)[:3]
        g2 = grad.reshape(-1, grad.shape[-1])  # leading dims folded into one batch dim
        gx = grad @ weight if nx else None
        gw = g2.T @ x.reshape(-1, x.shape[-1]) if nw else None
        gb = g2.sum(axis=0) if nb else None
        return (gx, gw, gb)[: len(ctx.needs_input_grad)]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, one fused op. Shape: input (*, in), weight (out, in), bias (out,) -> (*, out)."""
    x, w = input.data, weight.data
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1] or x.dtype != w.dtype:
        _raise_linear_mismatch(x, w)
    return Linear.apply(input, weight) if bias is None else Linear.apply(input, weight, bias)


def _raise_linear_mismatch(x: ndarray, w: ndarray) -> None:
    if x.dtype != w.dtype:
        raise TypeError(
            f"linear: input is {x.dtype} but the weight is {w.dtype}; cast the input (x.float()) or the "
            "model (model.double()) so they match"
        )
    raise ValueError(
        f"linear: input of shape {tuple(x.shape)} does not match weight of shape {tuple(w.shape)}: "
        f"the input's last dim must equal in_features={w.shape[-1]}"
    )


# ---- activations ----


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(input, 0)``. ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor."""
    return input.relu()


class LeakyReLU(Function):
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
    return LeakyReLU.apply(input, negative_slope=negative_slope)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))`` elementwise, stable for large ``|x|``."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """``tanh(x)`` elementwise."""
    return input.tanh()


def _erf(x: ndarray) -> ndarray:
    """The error function, elementwise, to about 1e-15 in float64 (NumPy has none).

    A positive power series for |x| < 2.5 and a continued fraction for erfc beyond; both loop a fixed number of
    times over whole arrays, so there is no per-element Python.
    """
    a = xp.abs(x)
    out = xp.empty_like(a)
    small = a < 2.5
    z = a[small]
    z2 = z * z
    term, total = z, z.copy()
    for n in range(35):  # erf(z) = 2/sqrt(pi) exp(-z^2) sum_n 2^n z^(2n+1) / (2n+1)!!
        term = term * z2 * (2 / (2 * n + 3))
        total += term
    out[small] = (2 / math.sqrt(math.pi)) * xp.exp(-z2) * total
    z = a[~small]
    frac = xp.zeros_like(z)
    for k in range(25, 0, -1):  # erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))
        frac = (k / 2) / (z + frac)
    out[~small] = 1 - xp.exp(-z * z) / (math.sqrt(math.pi) * (z + frac))
    return xp.copysign(out, x)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


class GELU(Function):
    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.approximate = approximate
        if approximate == "tanh":
            t = xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))
            ctx.save_for_backward(x, t)
            return 0.5 * x * (1 + t)
        cdf = 0.5 * (1 + _erf(x * (1 / math.sqrt(2))))
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        if ctx.approximate == "tanh":
            x, t = ctx.saved_tensors
            dt = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dt)
        x, cdf = ctx.saved_tensors
        pdf = xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return grad * (cdf + x * pdf)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (Phi the standard normal CDF); ``approximate='tanh'`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(input, approximate=approximate)


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


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad with a constant; ``pad`` lists (before, after) widths starting from the last dim, as in PyTorch."""
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got mode={mode!r}")
    return Pad.apply(input, pad=tuple(int(p) for p in pad), value=0.0 if value is None else value)


# ---- losses: log-softmax + negative log-likelihood ----


def _rows(x: ndarray) -> ndarray:
    """(N, C, d1, ...) -> (N*d1*..., C), class dim last; (C,) -> (1, C)."""
    if x.ndim <= 2:
        return x.reshape(-1, x.shape[-1])
    return xp.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unrows(g: ndarray, shape: tuple[int, ...]) -> ndarray:
    """The inverse of ``_rows``."""
    if len(shape) <= 2:
        return g.reshape(shape)
    return xp.moveaxis(g.reshape(shape[0], *shape[2:], shape[1]), -1, 1)


def _class_targets(
    target: ndarray, n_classes: int, weight: ndarray | None, ignore_index: int, dtype: Any
) -> tuple[ndarray, ndarray | None, ndarray | None]:
    """Class indices as ``(index, valid, w)`` per row: ``valid`` is 1 for kept and 0 for ignored rows (which point
    at class 0), ``w`` the class weight of kept rows; either is None when it is 1 everywhere (the common case)."""
    y = target.reshape(-1)
    if y.size == 0:
        return y, None, None
    lo, hi = y.min(), y.max()
    valid = None
    if lo <= ignore_index <= hi:  # only then can a target be ignored
        keep = y != ignore_index
        if not keep.all():
            y = xp.where(keep, y, 0)
            valid = keep.astype(dtype)  # float, so products with it never promote to float64
            lo, hi = y.min(), y.max()
    if lo < 0 or hi >= n_classes:
        bad = int(y[(y < 0) | (y >= n_classes)][0])
        raise IndexError(f"Target {bad} is out of bounds: class indices must be in [0, {n_classes}) or ignore_index")
    if weight is None:
        return y, valid, valid
    return y, valid, weight[y] if valid is None else weight[y] * valid


def _reduce(loss: ndarray, reduction: str, denominator: Any, out_shape: tuple[int, ...]) -> ndarray:
    if reduction == "none":
        return loss.reshape(out_shape)
    if reduction == "sum":
        return loss.sum()
    if denominator:
        return loss.sum() / denominator
    with xp.errstate(invalid="ignore", divide="ignore"):  # every target ignored: nan, as in PyTorch
        return loss.sum() / denominator


def _row_scale(grad: ndarray, reduction: str, denominator: Any, n: int) -> ndarray:
    """What each row's loss is multiplied by in the output: a scalar for mean/sum, an (n, 1) column for none."""
    if reduction == "none":
        return grad.reshape(n, 1)
    if reduction == "sum":
        return grad
    # every target ignored (denominator 0): no row has weight, so no gradient, as in PyTorch
    return grad / denominator if denominator else xp.zeros_like(grad)


class CrossEntropy(Function):
    """log_softmax and the negative log-likelihood in one op, so logits of +-1000 stay finite both ways.

    Every variant is ``loss_n = -sum_c T[n, c] * log_softmax(x)[n, c]`` for a target matrix T (the one-hot row
    scaled by the class weight, plus label smoothing; or the given probabilities), so the gradient of a row is
    ``softmax * T.sum() - T``, formed directly and, for class indices, without materialising T.
    """

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        z = _rows(x)
        n, c = z.shape
        shifted = z - z.max(axis=1, keepdims=True)
        e = xp.exp(shifted)
        sum_e = e.sum(axis=1, keepdims=True)
        log_sum_e = xp.log(sum_e)
        e /= sum_e  # NOTE: in place, e becomes the softmax that backward needs
        eps = label_smoothing
        ctx.x_shape, ctx.reduction, ctx.eps, ctx.weight = x.shape, reduction, eps, weight
        ctx.class_indices = target.dtype.kind in "iu"
        if ctx.class_indices:
            y, valid, wy = _class_targets(target, c, weight, ignore_index, z.dtype)
            nll = log_sum_e[:, 0] - shifted[xp.arange(n), y]
            loss = nll if wy is None else wy * nll
            if eps:
                logp = shifted - log_sum_e
                smooth = -(logp.sum(axis=1) if weight is None else logp @ weight)
                loss = (1 - eps) * loss + (eps / c) * (smooth if valid is None else smooth * valid)
            ctx.denominator = n if wy is None else wy.sum()
            ctx.save_for_backward(e, y, valid, wy)
            out_shape = target.shape
        else:
            logp = shifted - log_sum_e
            p = _rows(target)
            if eps:
                p = p * (1 - eps) + eps / c
            t = p if weight is None else p * weight
            loss = -(t * logp).sum(axis=1)
            ctx.denominator = n
            ctx.save_for_backward(e, t, logp)
            out_shape = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
        return _reduce(loss, reduction, ctx.denominator, out_shape)

    @staticmethod
    def backward(ctx, grad):
        probs = ctx.saved_tensors[0]
        n, c = probs.shape
        scale = _row_scale(grad, ctx.reduction, ctx.denominator, n)
        eps, weight = ctx.eps, ctx.weight
        g_target = None
        if ctx.class_indices:
            _, y, valid, wy = ctx.saved_tensors
            # T = hot * onehot(y) + spread * weight per row, so softmax * T.sum() - T is:
            hot = (1 - eps) * scale if wy is None else (1 - eps) * wy[:, None] * scale
            if eps:
                spread = (eps / c) * scale if valid is None else (eps / c) * valid[:, None] * scale
                gx = probs * (hot + spread * (c if weight is None else weight.sum()))
                gx -= spread if weight is None else spread * weight
            else:
                gx = probs * hot
            gx[xp.arange(n), y] -= hot.reshape(-1)
        else:
            _, t, logp = ctx.saved_tensors
            gx = scale * (probs * t.sum(axis=1, keepdims=True) - t)
            if ctx.needs_input_grad[1]:
                dt = (1 - eps) * (1 if weight is None else weight)  # d T / d target
                g_target = _unrows(-(scale * dt * logp), ctx.x_shape)
        return _unrows(gx, ctx.x_shape) if ctx.needs_input_grad[0] else None, g_target, None


def _class_weight(weight: Tensor | None, input: Tensor, name: str) -> ndarray | None:
    """The class weights' array in the input's dtype (a constant: no gradient flows to it), checked for size C."""
    if weight is None:
        return None
    n_classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight.shape != (n_classes,):
        raise ValueError(f"{name}: weight has shape {tuple(weight.shape)}, expected ({n_classes},), one per class")
    return weight.data.astype(input.dtype, copy=False)


def _check_class_target(x: ndarray, target: ndarray, name: str) -> None:
    if x.ndim == 0:
        raise ValueError(f"{name}: input must have a class dim, got a 0-d tensor")
    expected = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
    if target.shape != expected:
        raise ValueError(
            f"{name}: class-index target has shape {tuple(target.shape)}, expected {expected} for input of shape "
            f"{tuple(x.shape)}"
        )


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between logits and class indices or class probabilities (log_softmax + NLL, fused).

    Shape: input (N, C), (C,) or (N, C, d1, ...); target (N,), () or (N, d1, ...) integer class indices, or float
    probabilities of the input's shape. ``mean`` divides by the summed weights of the non-ignored targets (by
    the number of rows for probabilities), as PyTorch does.
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    kind = target.data.dtype.kind
    if kind in "iu":
        _check_class_target(input.data, target.data, "cross_entropy")
    elif kind == "f":
        if target.shape != input.shape:
            raise ValueError(
                f"cross_entropy: probability target has shape {tuple(target.shape)}, expected the input's shape "
                f"{tuple(input.shape)} (for class indices pass an integer tensor)"
            )
        if ignore_index != -100:
            raise ValueError("cross_entropy: ignore_index is only supported for class-index targets")
    else:
        raise TypeError(
            f"cross_entropy: target must be integer class indices or float probabilities, got {target.dtype}"
        )
    w = _class_weight(weight, input, "cross_entropy")
    return CrossEntropy.apply(
        input, target, w, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing
    )


class NLLLoss(Function):
    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean"):
        z = _rows(x)
        n, c = z.shape
        y, _, wy = _class_targets(target, c, weight, ignore_index, z.dtype)
        nll = -z[xp.arange(n), y]
        ctx.save_for_backward(y, wy)
        ctx.x_shape, ctx.n_classes, ctx.reduction = x.shape, c, reduction
        ctx.denominator = n if wy is None else wy.sum()
        return _reduce(nll if wy is None else wy * nll, reduction, ctx.denominator, target.shape)

    @staticmethod
    def backward(ctx, grad):
        y, wy = ctx.saved_tensors
        n = y.shape[0]
        scale = _row_scale(grad, ctx.reduction, ctx.denominator, n)
        gx = xp.zeros((n, ctx.n_classes), dtype=grad.dtype)
        gx[xp.arange(n), y] = -(scale if wy is None else wy[:, None] * scale).reshape(-1)
        return _unrows(gx, ctx.x_shape), None, None


def nll_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood of class indices given log-probabilities (shapes as in ``cross_entropy``)."""
    _check_reduction(reduction)
    if target.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target must hold integer class indices, got dtype {target.dtype}")
    _check_class_target(input.data, target.data, "nll_loss")
    w = _class_weight(weight, input, "nll_loss")
    return NLLLoss.apply(input, target, w, ignore_index=ignore_index, reduction=reduction)


# ---- losses: elementwise ----


def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _warn_if_broadcast(input: Tensor, target: Tensor, name: str) -> None:
    if input.shape != target.shape:
        warnings.warn(
            f"{name}: target size {tuple(target.shape)} differs from input size {tuple(input.shape)}; they will be "
            "broadcast, which is likely a mistake",
            stacklevel=3,
        )


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Squared error ``(input - target)**2``, reduced."""
    _warn_if_broadcast(input, target, "mse_loss")
    diff = input - target
    return _reduce_tensor(diff * diff, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Absolute error ``|input - target|``, reduced."""
    _warn_if_broadcast(input, target, "l1_loss")
    return _reduce_tensor((input - target).abs(), reduction)


def _check_binary_target(input: Tensor, target: Tensor, name: str) -> None:
    if input.shape != target.shape:
        raise ValueError(f"{name}: target size {tuple(target.shape)} must equal the input size {tuple(input.shape)}")


class BinaryCrossEntropy(Function):
    @staticmethod
    def forward(ctx, x, target, weight=None):
        # NOTE: the logs are clamped at -100, as in PyTorch, so probabilities of exactly 0 or 1 give finite losses.
        with xp.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        ctx.save_for_backward(x, target, log_x, log_1mx)
        ctx.weight = weight
        loss = -(target * log_x + (1 - target) * log_1mx)
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx, grad):
        x, target, log_x, log_1mx = ctx.saved_tensors
        g = grad if ctx.weight is None else grad * ctx.weight
        nx, nt = ctx.needs_input_grad[:2]
        gx = unbroadcast(g * (x - target) / xp.maximum(x * (1 - x), 1e-12), x.shape) if nx else None
        gt = unbroadcast(g * (log_1mx - log_x), target.shape) if nt else None
        return gx, gt, None


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """``-weight * (target * log(input) + (1 - target) * log(1 - input))`` for probabilities, reduced."""
    _check_reduction(reduction)
    _check_binary_target(input, target, "binary_cross_entropy")
    if input.numel() and (input.data.min() < 0 or input.data.max() > 1):
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1; for raw scores use "
            "binary_cross_entropy_with_logits"
        )
    w = None if weight is None else weight.data.astype(input.dtype, copy=False)
    return _reduce_tensor(BinaryCrossEntropy.apply(input, target, w), reduction)


class BCEWithLogits(Function):
    @staticmethod
    def forward(ctx, x, target, weight=None, pos_weight=None):
        softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))  # log(1 + exp(-x)), never overflows
        coef = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
        ctx.save_for_backward(x, target, softplus_neg, coef)
        ctx.weight, ctx.pos_weight = weight, pos_weight
        loss = (1 - target) * x + coef * softplus_neg
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx, grad):
        x, target, softplus_neg, coef = ctx.saved_tensors
        nx, nt = ctx.needs_input_grad[:2]
        g = grad if ctx.weight is None else grad * ctx.weight
        gx = unbroadcast(g * ((1 - target) + coef * xp.expm1(-softplus_neg)), x.shape) if nx else None
        dt = -x if ctx.pos_weight is None else (ctx.pos_weight - 1) * softplus_neg - x
        gt = unbroadcast(g * dt, target.shape) if nt else None
        return gx, gt, None, None


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Sigmoid and binary cross entropy in one stable op; ``pos_weight`` scales the positive term (per class)."""
    _check_reduction(reduction)
    _check_binary_target(input, target, "binary_cross_entropy_with_logits")
    w = None if weight is None else weight.data.astype(input.dtype, copy=False)
    pw = None if pos_weight is None else pos_weight.data.astype(input.dtype, copy=False)
    return _reduce_tensor(BCEWithLogits.apply(input, target, w, pw), reduction)


# **** convolution, pooling, normalisation, embedding, dropout ****

_Pair = int | tuple[int, int]


def _pair(value: Any, name: str, *, minimum: int) -> tuple[int, int]:
    """``value`` as (height, width): an int means both; each must be >= ``minimum``."""
    pair = (value, value) if isinstance(value, int) else tuple(value) if isinstance(value, (tuple, list)) else ()
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= minimum for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints >= {minimum}, got {value!r}")
    return pair


def _out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def _taps(xpad: ndarray, i: int, j: int, out_hw: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]):
    """The view of ``xpad`` that kernel offset (i, j) sees at every output pixel: shape (..., out_h, out_w)."""
    (oh, ow), (sh, sw), (dh, dw) = out_hw, stride, dilation
    return xpad[..., i * dh : i * dh + sh * (oh - 1) + 1 : sh, j * dw : j * dw + sw * (ow - 1) + 1 : sw]


def _crop(xpad: ndarray, pads: tuple[tuple[int, int], tuple[int, int]], hw: tuple[int, int]) -> ndarray:
    (top, _), (left, _) = pads
    return xpad[..., top : top + hw[0], left : left + hw[1]]


def _pad_hw(x: ndarray, pads: tuple[tuple[int, int], tuple[int, int]], value: float = 0.0) -> ndarray:
    if not any(pads[0] + pads[1]):
        return x
    return xp.pad(x, ((0, 0),) * (x.ndim - 2) + pads, constant_values=value)


class Conv2dFn(Function):
    # NOTE: im2col copies the strided window view into (N, groups, C/groups*kh*kw, out_h*out_w), so the copy reads
    # whole rows of pixels and the product with the weight lands directly in (N, C_out, out_h, out_w) order: one
    # BLAS matmul per sample, and no transposed copies of the output or the gradient in either direction.
    @staticmethod
    def forward(ctx, x, weight, bias, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
        n, c, h, w = x.shape
        o, _, kh, kw = weight.shape
        xpad = _pad_hw(x, pads)
        oh = _out_size(h, kh, stride[0], sum(pads[0]), dilation[0])
        ow = _out_size(w, kw, stride[1], sum(pads[1]), dilation[1])
        if oh < 1 or ow < 1:
            raise ValueError(f"the padded input {xpad.shape[2:]} is smaller than the dilated kernel ({kh}, {kw})")
        sn, sc, sy, sx = xpad.strides
        window = xp.lib.stride_tricks.as_strided(
            xpad,
            shape=(n, c, kh, kw, oh, ow),
            strides=(sn, sc, sy * dilation[0], sx * dilation[1], sy * stride[0], sx * stride[1]),
            writeable=False,
        )
        cols = window.reshape(n, groups, c // groups * kh * kw, oh * ow)  # the one copy: im2col
        w3 = weight.reshape(groups, o // groups, -1)
        out = xp.matmul(w3, cols).reshape(n, o, oh, ow)
        if bias is not None:
            out += bias.reshape(o, 1, 1)
        ctx.save_for_backward(cols, w3)
        ctx.geometry = (x.shape, weight.shape, xpad.shape[2:], (oh, ow), stride, pads, dilation)
        return out

    @staticmethod
    def backward(ctx, grad):
        cols, w3 = ctx.saved_tensors
        (n, c, h, w), wshape, (hp, wp), out_hw, stride, pads, dilation = ctx.geometry
        need_x, need_w, need_b = ctx.needs_input_grad
        g = grad.reshape(n, *w3.shape[:2], -1)
        gx = gw = gb = None
        if need_w:
            # NOTE: per-sample products summed over the batch. NumPy hands stacked matmuls to BLAS only when both
            # operands are contiguous, so cols stays as it is and the (small) gradient is transposed instead.
            g_t = xp.ascontiguousarray(g.swapaxes(-1, -2))
            gw = xp.matmul(cols, g_t).sum(axis=0).swapaxes(-1, -2).reshape(wshape)
        if need_b:
            gb = grad.sum(axis=(0, 2, 3))
        if need_x:  # col2im: scatter-add each kernel offset's columns back onto the pixels it read
            dcols = xp.matmul(w3.swapaxes(-1, -2), g).reshape(n, c, wshape[2], wshape[3], *out_hw)
            dxpad = xp.zeros((n, c, hp, wp), dtype=dcols.dtype)
            for i in range(wshape[2]):
                for j in range(wshape[3]):
                    _taps(dxpad, i, j, out_hw, stride, dilation)[...] += dcols[:, :, i, j]
            gx = xp.ascontiguousarray(_crop(dxpad, pads, (h, w)))
        return gx, gw, gb


def _conv_pads(padding: Any, kernel: tuple[int, int], dilation: tuple[int, int], stride: tuple[int, int]):
    """Explicit (top, bottom), (left, right) padding from an int, a pair, 'valid' or 'same'."""
    if padding == "valid":
        return ((0, 0), (0, 0))
    if padding == "same":
        if stride != (1, 1):
            raise ValueError(f"padding='same' is not supported for strided convolutions, got stride={stride}")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, str):
        raise ValueError(f"padding must be an int, a pair of ints, 'valid' or 'same', got {padding!r}")
    ph, pw = _pair(padding, "padding", minimum=0)
    return ((ph, ph), (pw, pw))


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: _Pair = 1,
    padding: _Pair | str = 0,
    dilation: _Pair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of ``input`` (N, C, H, W) or (C, H, W) with ``weight`` (O, C/groups, kh, kw).

    Example::

        x, w = vinsgrad.randn(1, 3, 8, 8), vinsgrad.randn(4, 3, 3, 3)
        F.conv2d(x, w, padding=1).shape  # (1, 4, 8, 8)
    """
    if input.ndim == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    stride, dilation = _pair(stride, "stride", minimum=1), _pair(dilation, "dilation", minimum=1)
    if input.ndim != 4 or weight.ndim != 4:
        raise ValueError(
            f"conv2d expects a 3-D (C, H, W) or 4-D (N, C, H, W) input and a 4-D weight, "
            f"got input {tuple(input.shape)} and weight {tuple(weight.shape)}"
        )
    o, cg, kh, kw = weight.shape
    if not isinstance(groups, int) or groups < 1 or o % groups or cg * groups != input.shape[1]:
        raise ValueError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
            f"{cg * groups} channels and out_channels {o} to be divisible by groups"
        )
    if bias is not None and tuple(bias.shape) != (o,):
        raise ValueError(f"conv2d: bias must have shape ({o},) (one per output channel), got {tuple(bias.shape)}")
    if input.dtype != weight.dtype:
        raise TypeError(
            f"conv2d: input is {input.dtype} but the weight is {weight.dtype}; cast the input (x.float()) or the "
            "model (model.double()) so they match"
        )
    pads = _conv_pads(padding, (kh, kw), dilation, stride)
    return Conv2dFn.apply(input, weight, bias, stride=stride, pads=pads, dilation=dilation, groups=groups)


def _pool_args(kernel_size: Any, stride: Any, padding: Any, dilation: Any, name: str):
    kernel = _pair(kernel_size, "kernel_size", minimum=1)
    strides = kernel if stride is None or stride == [] else _pair(stride, "stride", minimum=1)
    pad = _pair(padding, "padding", minimum=0)
    dil = _pair(dilation, "dilation", minimum=1)
    if any(p > (d * (k - 1) + 1) // 2 for p, k, d in zip(pad, kernel, dil)):
        raise ValueError(
            f"{name}: pad should be at most half of the effective kernel size, got padding={padding}, "
            f"kernel_size={kernel_size}, dilation={dilation}"
        )
    return kernel, strides, pad, dil


def _pool_geometry(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil_mode: bool):
    """Output size and (low, high) padding; ceil_mode pads the high side so a last, partial window fits."""
    span = dilation * (kernel - 1) + 1
    out = (size + 2 * pad - span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:  # the last window must start inside the input or left pad
        out -= 1
    if out < 1:
        raise ValueError(f"pooling: input size {size} (padding {pad}) is smaller than the kernel span {span}")
    return out, (pad, max(pad, (out - 1) * stride + span - size - pad))


def _pool_input(input: Tensor, name: str) -> None:
    if input.ndim not in (3, 4):
        raise ValueError(f"{name} expects a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {tuple(input.shape)}")


def _window_max(x: ndarray, kernel: tuple[int, int], stride: Any, dilation: Any, out_hw: Any, pads: Any):
    """Each window's maximum and the kernel offset (row-major) it was found at."""
    xpad = _pad_hw(x, pads, value=-xp.inf)
    kh, kw = kernel
    best = _taps(xpad, 0, 0, out_hw, stride, dilation).copy()
    arg = xp.zeros(best.shape, dtype=xp.min_scalar_type(kh * kw))
    for k in range(1, kh * kw):
        tap = _taps(xpad, k // kw, k % kw, out_hw, stride, dilation)
        wins = tap > best
        wins |= xp.isnan(tap)  # NOTE: the first maximum wins and NaN propagates, as in PyTorch
        xp.maximum(best, tap, out=best)
        # k exceeds every earlier offset, so a max records the winners branch-free (masked stores are slow)
        xp.maximum(arg, wins.view(xp.uint8) * arg.dtype.type(k), out=arg)
    return best, arg, xpad.shape


class MaxPool2dFn(Function):
    @staticmethod
    def forward(ctx, x, kernel=(1, 1), stride=(1, 1), dilation=(1, 1), out_hw=(1, 1), pads=((0, 0), (0, 0))):
        best, ctx.arg, pshape = _window_max(x, kernel, stride, dilation, out_hw, pads)
        ctx.geometry = (x.shape, pshape, kernel, stride, dilation, out_hw, pads)
        return best

    @staticmethod
    def backward(ctx, grad):
        shape, pshape, (kh, kw), stride, dilation, out_hw, pads = ctx.geometry
        dxpad = xp.zeros(pshape, dtype=grad.dtype)
        overlap = any(s < d * (k - 1) + 1 for s, d, k in zip(stride, dilation, (kh, kw)))
        for k in range(kh * kw):
            tap = _taps(dxpad, k // kw, k % kw, out_hw, stride, dilation)
            if overlap:
                tap += grad * (ctx.arg == k)
            else:  # each input position is in one window at most: write, no temporary
                xp.multiply(grad, ctx.arg == k, out=tap)
        return _crop(dxpad, pads, shape[-2:])


def max_pool2d(
    input: Tensor,
    kernel_size: _Pair,
    stride: _Pair | None = None,
    padding: _Pair = 0,
    dilation: _Pair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum over each (dilated) window of ``input`` (N, C, H, W) or (C, H, W); padding counts as -inf.

    With ``return_indices`` it returns ``(output, indices)``, each index the argmax's position in its flattened
    (H * W) input plane, as PyTorch does.

    Example::

        x = vinsgrad.randn(1, 1, 4, 4)
        F.max_pool2d(x, 2).shape  # (1, 1, 2, 2)
    """
    _pool_input(input, "max_pool2d")
    kernel, strides, pad, dil = _pool_args(kernel_size, stride, padding, dilation, "max_pool2d")
    geometry = [_pool_geometry(input.shape[-2 + a], kernel[a], strides[a], pad[a], dil[a], ceil_mode) for a in (0, 1)]
    out_hw = (geometry[0][0], geometry[1][0])
    pads = (geometry[0][1], geometry[1][1])
    out = MaxPool2dFn.apply(input, kernel=kernel, stride=strides, dilation=dil, out_hw=out_hw, pads=pads)
    if not return_indices:
        return out
    # Found again rather than fished out of the autograd node, which does not exist under no_grad.
    arg = _window_max(input.data, kernel, strides, dil, out_hw, pads)[1].astype(int64)
    rows = xp.arange(out_hw[0])[:, None] * strides[0] - pads[0][0] + (arg // kernel[1]) * dil[0]
    cols = xp.arange(out_hw[1]) * strides[1] - pads[1][0] + (arg % kernel[1]) * dil[1]
    return out, Tensor(rows * input.shape[-1] + cols)


class AvgPool2dFn(Function):
    @staticmethod
    def forward(ctx, x, kernel=(1, 1), stride=(1, 1), out_hw=(1, 1), pads=((0, 0), (0, 0)), divisor=None):
        xpad = _pad_hw(x, pads)
        kh, kw = kernel
        total = _taps(xpad, 0, 0, out_hw, stride, (1, 1)).copy()
        for k in range(1, kh * kw):
            total += _taps(xpad, k // kw, k % kw, out_hw, stride, (1, 1))
        divisor = divisor.astype(x.dtype, copy=False)
        ctx.divisor = divisor
        ctx.geometry = (x.shape, xpad.shape, kernel, stride, out_hw, pads)
        total /= divisor
        return total

    @staticmethod
    def backward(ctx, grad):
        shape, pshape, (kh, kw), stride, out_hw, pads = ctx.geometry
        share = grad / ctx.divisor
        dxpad = xp.zeros(pshape, dtype=grad.dtype)
        for k in range(kh * kw):
            _taps(dxpad, k // kw, k % kw, out_hw, stride, (1, 1))[...] += share
        return _crop(dxpad, pads, shape[-2:])


def _window_counts(size: int, kernel: int, stride: int, out: int, lo: int, hi: int) -> ndarray:
    """How many of each window's positions along one axis lie in [lo, hi) of the padded axis."""
    starts = xp.arange(out) * stride
    return xp.clip(xp.minimum(starts + kernel, hi) - xp.maximum(starts, lo), 0, None)


def avg_pool2d(
    input: Tensor,
    kernel_size: _Pair,
    stride: _Pair | None = None,
    padding: _Pair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean over each window of ``input`` (N, C, H, W) or (C, H, W).

    With ``count_include_pad`` (the default, as in PyTorch) zero padding counts towards the divisor; positions
    past the padding that ``ceil_mode`` adds never do.

    Example::

        x = vinsgrad.randn(1, 1, 4, 4)
        F.avg_pool2d(x, 2).shape  # (1, 1, 2, 2)
    """
    _pool_input(input, "avg_pool2d")
    kernel, strides, pad, _ = _pool_args(kernel_size, stride, padding, 1, "avg_pool2d")
    if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override < 1):
        raise ValueError(f"avg_pool2d: divisor_override must be a positive int or None, got {divisor_override!r}")
    counts, out_hw, pads = [], [], []
    for a in (0, 1):
        size = input.shape[-2 + a]
        out, lo_hi = _pool_geometry(size, kernel[a], strides[a], pad[a], 1, ceil_mode)
        lo, hi = (0, size + 2 * pad[a]) if count_include_pad else (pad[a], pad[a] + size)
        counts.append(_window_counts(size, kernel[a], strides[a], out, lo, hi))
        out_hw.append(out)
        pads.append(lo_hi)
    divisor = xp.asarray(float(divisor_override)) if divisor_override else xp.outer(counts[0], counts[1])
    return AvgPool2dFn.apply(
        input, kernel=kernel, stride=strides, out_hw=tuple(out_hw), pads=tuple(pads), divisor=divisor
    )


class Normalize(Function):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` with mean and (biased) var over ``axes``.

    The statistics come from ``x`` itself (and are differentiated through) unless ``mean``/``var`` are given;
    batch statistics also update ``running`` (mean, var) arrays in place, as PyTorch's batch_norm kernel does.
    """

    @staticmethod
    def forward(
        ctx, x, weight, bias, axes=(), param_shape=(), eps=1e-5, mean=None, var=None, running=None, momentum=0.1
    ):
        ctx.batch_stats = mean is None
        if mean is None:
            mean = x.mean(axis=axes, keepdims=True)
            centered = x - mean
            var = xp.mean(centered * centered, axis=axes, keepdims=True)
            if running is not None:
                _update_running(running, mean, var, momentum, count=x.size // mean.size)
        else:
            centered = x - mean
        rstd = 1.0 / xp.sqrt(var + eps)
        xhat = xp.multiply(centered, rstd, out=centered)
        out = xhat if weight is None else xhat * weight.reshape(param_shape)
        if bias is not None:
            out = out + bias.reshape(param_shape)
        ctx.save_for_backward(xhat, rstd, weight)
        ctx.axes, ctx.param_shape = axes, param_shape
        ctx.bias_shape = None if bias is None else bias.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        xhat, rstd, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = gw = gb = None
        if need_x:
            gxhat = grad if weight is None else grad * weight.reshape(ctx.param_shape)
            if ctx.batch_stats:  # the mean and variance depend on x too
                a = ctx.axes
                gxhat = gxhat - gxhat.mean(axis=a, keepdims=True) - xhat * (gxhat * xhat).mean(axis=a, keepdims=True)
            gx = gxhat * rstd
        if need_w:
            gw = unbroadcast(grad * xhat, ctx.param_shape).reshape(weight.shape)
        if need_b:
            gb = unbroadcast(grad, ctx.param_shape).reshape(ctx.bias_shape)
        return gx, gw, gb


def _update_running(running: tuple[Any, Any], mean: ndarray, var: ndarray, momentum: float, count: int) -> None:
    """``running = (1 - momentum) * running + momentum * batch``, in place, with the unbiased batch variance."""
    running_mean, running_var = running
    if running_mean is not None:
        running_mean *= 1 - momentum
        running_mean += momentum * mean.reshape(running_mean.shape)
    if running_var is not None:
        running_var *= 1 - momentum
        running_var += (momentum * count / (count - 1)) * var.reshape(running_var.shape)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) of ``input`` (N, C, ...) over the batch and any trailing dims.

    In training, batch statistics are used and ``running_mean``/``running_var`` (when given) are updated in
    place with ``momentum`` and the unbiased batch variance; otherwise the running statistics are used.

    Example::

        x = vinsgrad.randn(8, 3)
        F.batch_norm(x, None, None, training=True).mean(0)  # ~0 per channel
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm expects an input of shape (N, C, ...), got {tuple(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for {c} channels, got {tuple(t.shape)}")
    axes = (0, *range(2, input.ndim))
    param_shape = (1, c) + (1,) * (input.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
        mean, var = running_mean.data.reshape(param_shape), running_var.data.reshape(param_shape)
        return Normalize.apply(input, weight, bias, axes=axes, param_shape=param_shape, eps=eps, mean=mean, var=var)
    if input.numel() // max(c, 1) < 2:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {tuple(input.shape)}")
    running = None
    if running_mean is not None or running_var is not None:
        running = tuple(None if t is None else t.data for t in (running_mean, running_var))
    return Normalize.apply(
        input, weight, bias, axes=axes, param_shape=param_shape, eps=eps, running=running, momentum=momentum
    )


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims of ``input`` (biased variance, as PyTorch).

    Example::

        x = vinsgrad.randn(2, 5, 8)
        F.layer_norm(x, (8,)).shape  # (2, 5, 8)
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k :]) != shape or input.ndim < k:
        raise ValueError(
            f"layer_norm: normalized_shape {list(shape)} must match the trailing dims of the input, "
            f"got input of shape {tuple(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: {name} must have shape {shape} (normalized_shape), got {tuple(t.shape)}")
    axes = tuple(range(input.ndim - k, input.ndim))
    return Normalize.apply(input, weight, bias, axes=axes, param_shape=shape, eps=eps)


class EmbeddingFn(Function):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None):
        ctx.indices, ctx.shape, ctx.padding_idx = indices, weight.shape, padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        gw = xp.zeros(ctx.shape, dtype=grad.dtype)
        xp.add.at(gw, ctx.indices.reshape(-1), grad.reshape(-1, ctx.shape[1]))
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0  # the padding row never learns
        return gw, None


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ``input`` (any shape).

    Example::

        w = vinsgrad.randn(10, 3)
        F.embedding(vinsgrad.tensor([[1, 2], [4, 9]]), w).shape  # (2, 2, 3)
    """
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got {tuple(weight.shape)}")
    indices = input.data if isinstance(input, Tensor) else xp.asarray(input)
    num = weight.shape[0]
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must hold integer indices, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= num):
        raise IndexError(
            f"embedding: index out of range: indices must be in [0, {num}), got [{indices.min()}, {indices.max()}]"
        )
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"padding_idx must be within [{-num}, {num}) for {num} embeddings, got {padding_idx}")
        padding_idx %= num
    return EmbeddingFn.apply(weight, indices, padding_idx=padding_idx)


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p); the identity when not training.

    The mask is drawn from vinsgrad's default generator, so ``manual_seed`` makes it reproducible.

    Example::

        x = vinsgrad.ones(4, 4)
        F.dropout(x, 0.5)  # about half zeros, the rest 2.0
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    dtype = input.dtype if input.dtype in (float32, float64) else float64
    keep = rng().random(input.shape, dtype=dtype) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return input * Tensor(keep * xp.asarray(scale, dtype=input.dtype))
