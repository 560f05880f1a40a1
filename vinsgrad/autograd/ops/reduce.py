"""Reductions (sum, prod, mean, var, amax, amin, logsumexp, norm), scans along a dim (cumsum, cumprod,
logcumsumexp) and the normalisations along a dim (softmax, log_softmax).

Sums and products of integers and bools accumulate in int64, as in PyTorch, unless ``dtype`` asks otherwise.
Sorting and selecting (sort, topk, median, cummax, ...) need no Function of their own: they find indices without
gradient and gather the values, so the gradient flows back to the chosen elements through ``GatherFn``.
"""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import float32, int64, ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.ops._utils import expand_reduced, normalize_dim, normalize_dims


def accumulator(x: ndarray, dtype: Any = None) -> Any:
    """The dtype a sum or product of ``x`` gives: ``dtype`` if given, int64 for integers and bools, else x's."""
    if dtype is not None:
        return xp.dtype(dtype)
    return int64 if x.dtype.kind in "biu" else x.dtype


# **** reductions ****


class SumFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        ctx.axes = normalize_dims(dim, x.ndim)
        ctx.shape, ctx.keepdim, ctx.in_dtype = x.shape, keepdim, x.dtype
        return xp.asarray(x.sum(axis=ctx.axes, keepdims=keepdim, dtype=accumulator(x, dtype)))

    @staticmethod
    def backward(ctx, grad):
        g = expand_reduced(grad, ctx.shape, ctx.axes, ctx.keepdim).astype(ctx.in_dtype, copy=False)
        return xp.broadcast_to(g, ctx.shape)


class ProdFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        ctx.axes = normalize_dims(dim, x.ndim)
        ctx.keepdim = keepdim
        ctx.save_for_backward(x)
        return xp.asarray(x.prod(axis=ctx.axes, keepdims=keepdim, dtype=accumulator(x, dtype)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # NOTE: the product of all the other elements, not out / x, so a zero in x gives the right gradient.
        g = expand_reduced(grad, x.shape, ctx.axes, ctx.keepdim)
        return (g * _product_of_others(x, ctx.axes)).astype(x.dtype, copy=False)


def _product_of_others(x: ndarray, axes: tuple[int, ...] | None) -> ndarray:
    """For each element, the product of the other elements of its slice along ``axes``: left * right exclusive
    cumulative products, which need no division."""
    axes = tuple(range(x.ndim)) if axes is None else axes
    lead = [a for a in range(x.ndim) if a not in axes]
    moved = xp.transpose(x, lead + list(axes))
    flat = moved.reshape(*moved.shape[: len(lead)], -1)
    ones = xp.ones((*flat.shape[:-1], 1), dtype=x.dtype)
    left = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = xp.cumprod(xp.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return xp.transpose((left * right).reshape(moved.shape), xp.argsort(lead + list(axes)))


class MeanFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        if dtype is None and x.dtype.kind not in "fc":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
                f"dtype. Got: {x.dtype} (pass dtype=, or cast with .float())"
            )
        x = x if dtype is None else x.astype(dtype)
        ctx.axes = normalize_dims(dim, x.ndim)
        ctx.shape, ctx.keepdim = x.shape, keepdim
        out = x.mean(axis=ctx.axes, keepdims=keepdim)
        ctx.count = x.size // max(out.size, 1) if x.size else 0
        return out

    @staticmethod
    def backward(ctx, grad):
        g = expand_reduced(grad, ctx.shape, ctx.axes, ctx.keepdim) / ctx.count
        return xp.broadcast_to(g, ctx.shape)


class VarFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        if x.dtype.kind != "f":
            raise RuntimeError(f"var/std need a floating point tensor, got {x.dtype} (cast with .float())")
        axes = normalize_dims(dim, x.ndim)
        centered = x - x.mean(axis=axes, keepdims=True)
        n = x.size if axes is None else int(xp.prod([x.shape[a] for a in axes]))
        ctx.save_for_backward(centered)
        # NOTE: with n <= correction PyTorch returns nan (inf for a positive sum) rather than raising; so do we.
        ctx.axes, ctx.keepdim, ctx.denominator = axes, keepdim, float(max(n - correction, 0))
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (centered * centered).sum(axis=axes, keepdims=keepdim) / xp.asarray(ctx.denominator, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved_tensors
        g = expand_reduced(grad, centered.shape, ctx.axes, ctx.keepdim)
        scale = 2 / ctx.denominator if ctx.denominator else float("nan")
        return g * scale * centered


class AmaxFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _extremum(ctx, x, x.max, dim, keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _extremum_grad(ctx, grad)


class AminFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _extremum(ctx, x, x.min, dim, keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _extremum_grad(ctx, grad)


def _extremum(ctx: Any, x: ndarray, reduce: Any, dim: Any, keepdim: bool) -> ndarray:
    ctx.axes, ctx.keepdim = normalize_dims(dim, x.ndim), keepdim
    if x.size == 0:
        raise RuntimeError(f"amax/amin: the reduced dims of a tensor of shape {x.shape} are empty; give dim=")
    out = reduce(axis=ctx.axes, keepdims=True)
    ctx.save_for_backward(x, out)
    return out if keepdim else (out.reshape(()) if ctx.axes is None else out.squeeze(ctx.axes))


def _extremum_grad(ctx: Any, grad: ndarray) -> ndarray:
    x, out = ctx.saved_tensors
    # Ties share the gradient evenly, as PyTorch's amax and amin do.
    mask = xp.asarray(x == out, dtype=grad.dtype)
    g = expand_reduced(grad, x.shape, ctx.axes, ctx.keepdim)
    return g * mask / mask.sum(axis=ctx.axes, keepdims=True)


class LogSumExpFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        x = x if x.dtype.kind == "f" else x.astype(float32)  # integers: in the default float dtype, as PyTorch
        axes = normalize_dims(dim, x.ndim)
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        with xp.errstate(divide="ignore"):  # all -inf along the dims: the answer is -inf, as in PyTorch
            out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out if keepdim else (out.reshape(()) if axes is None else out.squeeze(axes))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        with xp.errstate(invalid="ignore"):  # -inf - -inf where everything was -inf: nan, as in PyTorch
            return expand_reduced(grad, x.shape, ctx.axes, ctx.keepdim) * xp.exp(x - out)


# **** scans along a dim ****


class CumsumFn(Function):
    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        ctx.axis, ctx.in_dtype = normalize_dim(dim, max(x.ndim, 1)), x.dtype
        return xp.cumsum(x.reshape(x.shape or (1,)), axis=ctx.axis, dtype=accumulator(x, dtype)).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        g = grad.reshape(grad.shape or (1,))
        return _reverse_cumsum(g, ctx.axis).reshape(grad.shape).astype(ctx.in_dtype, copy=False)


def _reverse_cumsum(g: ndarray, axis: int) -> ndarray:
    """Sums from each position to the end: the adjoint of cumsum."""
    return xp.flip(xp.cumsum(xp.flip(g, axis), axis=axis), axis)


class CumprodFn(Function):
    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        ctx.axis = normalize_dim(dim, max(x.ndim, 1))
        out = xp.cumprod(x.reshape(x.shape or (1,)), axis=ctx.axis, dtype=accumulator(x, dtype)).reshape(x.shape)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        shape, axis = x.shape, ctx.axis
        x, out, grad = (a.reshape(shape or (1,)) for a in (x, out, grad))
        if not xp.any(x == 0):  # d out_j / d x_i = out_j / x_i for j >= i
            return (_reverse_cumsum(grad * out, axis) / x).reshape(shape).astype(x.dtype, copy=False)
        # NOTE: with zeros, out / x is 0/0; multiply the other factors instead, one position at a time.
        xm, gm = xp.moveaxis(x, axis, -1), xp.moveaxis(grad, axis, -1)
        result = xp.empty_like(xm)
        for i in range(xm.shape[-1]):
            before = xm[..., :i].prod(axis=-1, keepdims=True)
            others = xp.cumprod(xp.concatenate([before, xm[..., i + 1 :]], axis=-1), axis=-1)
            result[..., i] = (gm[..., i:] * others).sum(axis=-1)
        return xp.moveaxis(result, -1, axis).reshape(shape)


class LogCumSumExpFn(Function):
    @staticmethod
    def forward(ctx, x, dim):
        if x.dtype.kind != "f":
            raise NotImplementedError(f"logcumsumexp is not implemented for {x.dtype} tensors (cast with .float())")
        ctx.axis = normalize_dim(dim, max(x.ndim, 1))
        out = xp.logaddexp.accumulate(x.reshape(x.shape or (1,)), axis=ctx.axis).reshape(x.shape)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        shape, axis = x.shape, ctx.axis
        x, out, grad = (a.reshape(shape or (1,)) for a in (x, out, grad))
        # d out_j / d x_i = exp(x_i - out_j) for j >= i; shift by the last (largest) out so nothing overflows.
        top = xp.take(out, [-1], axis=axis)
        with xp.errstate(over="ignore", invalid="ignore"):
            g = xp.exp(x - top) * _reverse_cumsum(grad * xp.exp(top - out), axis)
        return g.reshape(shape)


# **** selections: the indices of sort, cummax, mode (no gradient: Tensor gathers the values at them) ****


def refuse_bool_selection(name: str, x: ndarray) -> None:
    if x.dtype == xp.bool_:
        raise NotImplementedError(f"{name} is not implemented for bool tensors (cast with .int())")


def sort_indices(x: ndarray, dim: int, descending: bool) -> ndarray:
    """The int64 indices that sort ``x`` along ``dim``, stably (equal elements keep their order either way)."""
    flat = x.reshape(x.shape or (1,))
    key = flat if not descending else (-flat if flat.dtype.kind in "fi" else -flat.astype(int64))
    return xp.argsort(key, axis=normalize_dim(dim, flat.ndim), kind="stable").reshape(x.shape).astype(int64)


def running_extreme_indices(x: ndarray, dim: int, ufunc: Any) -> ndarray:
    """For cummax (``ufunc`` maximum) and cummin (minimum): where each running extreme along ``dim`` was found,
    the latest position on ties, as PyTorch."""
    flat = x.reshape(x.shape or (1,))
    axis = normalize_dim(dim, flat.ndim)
    best = ufunc.accumulate(flat, axis=axis)
    positions = xp.arange(flat.shape[axis]).reshape([-1 if a == axis else 1 for a in range(flat.ndim)])
    # A position holds the running extreme iff it equals it; the latest such position so far is the index.
    return xp.maximum.accumulate(xp.where(flat == best, positions, 0), axis=axis).reshape(x.shape).astype(int64)


def mode_indices(x: ndarray, dim: int) -> ndarray:
    """Where the most frequent value along ``dim`` (the smallest of equally frequent ones) last occurs, keeping
    ``dim`` with size 1."""
    flat = x.reshape(x.shape or (1,))
    moved: ndarray = xp.moveaxis(flat, normalize_dim(dim, flat.ndim), -1)
    rows = moved.reshape(-1, moved.shape[-1])
    last = xp.empty(len(rows), dtype=int64)
    for r, row in enumerate(rows):  # NOTE: a loop over slices, not elements: np.unique has no per-row form
        values, counts = xp.unique(row, return_counts=True)
        last[r] = xp.flatnonzero(row == values[xp.argmax(counts)])[-1]
    indices = xp.moveaxis(last.reshape(*moved.shape[:-1], 1), -1, normalize_dim(dim, flat.ndim))
    return indices.reshape(()) if x.ndim == 0 else indices


# **** normalisations along a dim ****


class SoftmaxFn(Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        e = xp.exp(x - x.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(axis=ctx.dim, keepdims=True))


class LogSoftmaxFn(Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        shifted = x - x.max(axis=dim, keepdims=True)
        out = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - xp.exp(out) * grad.sum(axis=ctx.dim, keepdims=True)
