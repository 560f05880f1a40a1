"""Losses: log-softmax + negative log-likelihood fused, and the elementwise ones (MSE, L1, BCE)."""

from __future__ import annotations

import warnings
from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function, unbroadcast
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn._utils import check_reduction

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


class CrossEntropyFn(Function):
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
    return weight._data.astype(input.dtype, copy=False)


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
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    kind = target._data.dtype.kind
    if kind in "iu":
        _check_class_target(input._data, target._data, "cross_entropy")
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
    return CrossEntropyFn.apply(
        input, target, w, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing
    )


class NLLLossFn(Function):
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
    check_reduction(reduction)
    if target.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target must hold integer class indices, got dtype {target.dtype}")
    _check_class_target(input._data, target._data, "nll_loss")
    w = _class_weight(weight, input, "nll_loss")
    return NLLLossFn.apply(input, target, w, ignore_index=ignore_index, reduction=reduction)


# ---- losses: elementwise ----


def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    check_reduction(reduction)
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


class BinaryCrossEntropyFn(Function):
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
    check_reduction(reduction)
    _check_binary_target(input, target, "binary_cross_entropy")
    if input.numel() and (input._data.min() < 0 or input._data.max() > 1):
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1; for raw scores use "
            "binary_cross_entropy_with_logits"
        )
    w = None if weight is None else weight._data.astype(input.dtype, copy=False)
    return _reduce_tensor(BinaryCrossEntropyFn.apply(input, target, w), reduction)


class BCEWithLogitsFn(Function):
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
    check_reduction(reduction)
    _check_binary_target(input, target, "binary_cross_entropy_with_logits")
    w = None if weight is None else weight._data.astype(input.dtype, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(input.dtype, copy=False)
    return _reduce_tensor(BCEWithLogitsFn.apply(input, target, w, pw), reduction)
