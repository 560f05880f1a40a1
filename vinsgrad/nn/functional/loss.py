"""Losses: log-softmax + negative log-likelihood fused, and the elementwise ones (MSE, L1, BCE)."""

from __future__ import annotations

import math
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
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between logits and class indices or class probabilities (log_softmax + NLL, fused).

    Shape: input (N, C), (C,) or (N, C, d1, ...); target (N,), () or (N, d1, ...) integer class indices, or float
    probabilities of the input's shape. ``mean`` divides by the summed weights of the non-ignored targets (by
    the number of rows for probabilities), as PyTorch does.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
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
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class indices given log-probabilities (shapes as in ``cross_entropy``)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if target.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target must hold integer class indices, got dtype {target.dtype}")
    _check_class_target(input._data, target._data, "nll_loss")
    w = _class_weight(weight, input, "nll_loss")
    return NLLLossFn.apply(input, target, w, ignore_index=ignore_index, reduction=reduction)


# ---- losses: elementwise ----


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` pair as a ``reduction`` (``reduction`` when both are None)."""
    if size_average is None and reduce is None:
        return reduction
    for name, value in (("size_average", size_average), ("reduce", reduce)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{name} must be a bool or None (it is deprecated), got {value!r}; pass reduction= by name")
    warnings.warn("size_average and reduce args are deprecated; use reduction= instead", stacklevel=3)
    size_average = True if size_average is None else size_average
    if reduce is None or reduce:
        return "mean" if size_average else "sum"
    return "none"


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


def _weighted(loss: Tensor, weight: Tensor | None, reduction: str, name: str) -> Tensor:
    """``loss * weight`` reduced as PyTorch's weighted mse/l1 losses: 'mean' divides by the total weight."""
    if weight is None:
        return _reduce_tensor(loss, reduction)
    if weight.shape != loss.shape:
        raise ValueError(f"{name}: weight has shape {tuple(weight.shape)}, expected the input's {tuple(loss.shape)}")
    check_reduction(reduction)
    weighted = loss * weight
    return weighted.sum() / weight.sum() if reduction == "mean" else _reduce_tensor(weighted, reduction)


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Squared error ``(input - target)**2``, reduced; ``weight`` (the input's shape) scales each element, and
    then 'mean' divides by the total weight, as PyTorch."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_if_broadcast(input, target, "mse_loss")
    diff = input - target
    return _weighted(diff * diff, weight, reduction, "mse_loss")


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Absolute error ``|input - target|``, reduced; ``weight`` as in ``mse_loss``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_if_broadcast(input, target, "l1_loss")
    return _weighted((input - target).abs(), weight, reduction, "l1_loss")


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
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``-weight * (target * log(input) + (1 - target) * log(1 - input))`` for probabilities, reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
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
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Sigmoid and binary cross entropy in one stable op; ``pos_weight`` scales the positive term (per class)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _check_binary_target(input, target, "binary_cross_entropy_with_logits")
    w = None if weight is None else weight._data.astype(input.dtype, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(input.dtype, copy=False)
    return _reduce_tensor(BCEWithLogitsFn.apply(input, target, w, pw), reduction)


# ---- losses: robust regression, divergences, margins, likelihoods (issue 14) ----


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta`` (d = input - target); L1 at beta=0."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    _warn_if_broadcast(input, target, "smooth_l1_loss")
    diff = input - target
    err = diff.abs()
    if beta == 0:
        return _reduce_tensor(err, reduction)
    return _reduce_tensor((diff * diff * (0.5 / beta)).where(err < beta, err - 0.5 * beta), reduction)


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0, weight: Tensor | None = None
) -> Tensor:
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``: smooth_l1 scaled by delta.

    ``weight`` (the input's shape) scales each element's loss before the reduction; 'mean' stays the plain mean.
    """
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    _warn_if_broadcast(input, target, "huber_loss")
    if weight is not None and weight.shape != input.shape:
        raise ValueError(
            f"huber_loss: weight has shape {tuple(weight.shape)}, expected the input's {tuple(input.shape)}"
        )
    diff = input - target
    err = diff.abs()
    loss = (diff * diff * 0.5).where(err < delta, (err - 0.5 * delta) * delta)
    return _reduce_tensor(loss if weight is None else loss * weight, reduction)


def _check_kl_reduction(reduction: str) -> None:
    """Raise PyTorch's ValueError unless ``reduction`` is one kl_div takes: the usual three or 'batchmean'."""
    if reduction not in ("mean", "batchmean", "sum", "none"):
        raise ValueError(
            f"{reduction!r} is not a valid value for reduction; expected 'mean', 'batchmean', 'sum' or 'none'"
        )


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """KL(target || exp(input)) pointwise: ``target * (log(target) - input)``, 0 where target is 0.

    ``input`` holds log-probabilities; ``target`` probabilities, or log-probabilities with ``log_target``.
    ``reduction='batchmean'`` divides the sum by the batch size (the true KL divergence per sample); 'mean'
    divides by the number of elements, as PyTorch does.

    Example::

        loss = F.kl_div(F.log_softmax(logits, 1), probs, reduction="batchmean")
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_kl_reduction(reduction)
    if log_target:
        pointwise = target.exp() * (target - input)
    else:  # xlogy: a zero target contributes 0 (and the log never sees it, so no 0 * -inf in the gradient)
        positive = target > 0
        pointwise = target * target.where(positive, 1.0).log() - target * input
    if reduction == "batchmean":
        return pointwise.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce_tensor(pointwise, reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1, per row.

    Shape: input1/input2 (N, D) or (D,); target (N,) or () of 1s and -1s.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if input1.shape != input2.shape or input1.ndim not in (1, 2) or tuple(target.shape) != input1.shape[:-1]:
        raise ValueError(
            f"cosine_embedding_loss: expected inputs of one shape (N, D) or (D,) and a target (N,) or (), got "
            f"{tuple(input1.shape)}, {tuple(input2.shape)} and {tuple(target.shape)}"
        )
    eps = 1e-12  # PyTorch's: added to both squared norms
    cos = (
        (input1 * input2).sum(-1) / ((input1 * input1).sum(-1) + eps).sqrt() / ((input2 * input2).sum(-1) + eps).sqrt()
    )
    zero = cos * 0.0
    loss = (1 - cos).where(target == 1, zero) + (cos - margin).clamp(min=0).where(target == -1, zero)
    return _reduce_tensor(loss, reduction)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: target 1 wants input1 ranked higher, -1 lower."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not (input1.shape == input2.shape == target.shape):
        raise ValueError(
            f"margin_ranking_loss: input1, input2 and target must have one shape, got {tuple(input1.shape)}, "
            f"{tuple(input2.shape)} and {tuple(target.shape)}"
        )
    return _reduce_tensor((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim (eps keeps the gradient finite when x1 == x2), as PyTorch."""
    diff = (x1 - x2 + eps).abs()
    if p == math.inf:
        return diff.amax(-1, keepdim=keepdim)
    if p <= 0:
        raise ValueError(f"pairwise_distance: p must be positive (or inf), got {p}")
    return (diff**p).sum(-1, keepdim=keepdim) ** (1 / p)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with d the ``pairwise_distance``; ``swap`` uses
    ``min(d(a, n), d(p, n))`` as the negative distance.

    Shape: anchor, positive, negative (N, D) or (D,).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not (anchor.ndim == positive.ndim == negative.ndim) or anchor.ndim not in (1, 2):
        raise ValueError(
            f"triplet_margin_loss: anchor, positive and negative must all be (N, D) or (D,), got "
            f"{tuple(anchor.shape)}, {tuple(positive.shape)} and {tuple(negative.shape)}"
        )
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce_tensor((d_pos - d_neg + margin).clamp(min=0), reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of ``target`` under Poisson(rate): ``exp(input) - target * input`` when the input
    is the log-rate, ``input - target * log(input + eps)`` when it is the rate. ``full`` adds Stirling's
    approximation of ``log(target!)`` where target > 1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:  # Stirling's log(target!) where target > 1; target is replaced by 1 elsewhere so the log stays finite
        big = target > 1
        t = target.where(big, 1.0)
        loss = loss + (t * t.log() - t + 0.5 * (t * (2 * math.pi)).log()).where(big, 0.0)
    return _reduce_tensor(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of ``target`` under N(input, var): ``0.5 * (log(var) + (input - target)**2 / var)``.

    ``var`` has the input's shape, or it with the last dim 1 or dropped (one variance per sample), or is a
    scalar. Variances below ``eps`` are clamped up to it for the value only: the gradient still flows to var, as
    PyTorch. ``full`` adds ``0.5 * log(2 * pi)``.
    """
    check_reduction(reduction)
    if not isinstance(var, Tensor):
        var = Tensor(xp.full(input.shape, float(var), dtype=input.dtype))
    if var.shape != input.shape:
        if var.ndim == input.ndim - 1 and input.ndim and var.shape == input.shape[:-1]:
            var = var.unsqueeze(-1)
        elif not (var.ndim == input.ndim and var.shape[-1:] == (1,) and var.shape[:-1] == input.shape[:-1]):
            raise ValueError(
                f"gaussian_nll_loss: var of shape {tuple(var.shape)} must have the input's shape "
                f"{tuple(input.shape)}, or it with the last dim 1 or dropped"
            )
    if var.numel() and var._data.min() < 0:
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    # The clamp replaces the value only: the gradient reaches var unchanged (PyTorch clamps under no_grad).
    var = var - var.detach() + Tensor(xp.maximum(var._data, eps))
    diff = input - target
    loss = 0.5 * (var.log() + diff * diff / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce_tensor(loss, reduction)
