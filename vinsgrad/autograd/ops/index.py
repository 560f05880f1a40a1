"""Indexing: ``x[index]`` and ``gather``; their backward scatter-adds into zeros of the input's shape."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function, unbroadcast


def _is_basic_index(index: Any) -> bool:
    """True when ``index`` selects each element at most once (ints, slices, None, Ellipsis, bool masks)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(i, (ndarray, list)) or xp.asarray(i).dtype == bool for i in items)


class IndexFn(Function):
    returns_view = True

    @staticmethod
    def forward(ctx, x, index=None):
        ctx.shape, ctx.dtype, ctx.index = x.shape, x.dtype, index
        out = x[index]
        return out.copy() if out.base is not None and not _is_basic_index(index) else out

    @staticmethod
    def backward(ctx, grad):
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        if _is_basic_index(ctx.index):
            full[ctx.index] = grad
        else:  # integer arrays may repeat an element: scatter-add
            xp.add.at(full, ctx.index, grad)
        return full


def _gather_index(index: ndarray, dim: int, ndim: int) -> tuple[ndarray, ...]:
    """The NumPy index of ``gather``: ``out[i][j][k] = x[i][index[i][j][k]][k]`` (for dim=1), as in PyTorch."""
    if index.dtype.kind not in "iu" or index.ndim != ndim:
        raise ValueError(
            f"gather: index must be an integer tensor with the input's {ndim} dims, got {index.dtype} "
            f"with shape {tuple(index.shape)}"
        )
    idx: list[Any] = list(xp.indices(index.shape, sparse=True))
    idx[dim % max(ndim, 1)] = index
    return tuple(idx)


class GatherFn(Function):
    @staticmethod
    def forward(ctx, x, index, dim=0):
        ctx.shape, ctx.index = x.shape, _gather_index(index, dim, x.ndim)
        return x[ctx.index]

    @staticmethod
    def backward(ctx, grad):
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        xp.add.at(full, ctx.index, grad)
        return full, None


# **** writes: x[index] = value, scatter (out of place; Tensor's in-place methods write the result back) ****


class IndexPutFn(Function):
    """A copy of ``x`` with ``value`` written at ``index`` (PyTorch's ``CopySlices``): the gradient goes to
    ``value`` where it was written and to ``x`` everywhere else."""

    @staticmethod
    def forward(ctx, x, value, index=None):
        ctx.index, ctx.value_shape = index, value.shape if isinstance(value, ndarray) else ()
        out = x.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        nx, nv = ctx.needs_input_grad
        gx = gv = None
        if nx:
            gx = grad.copy()
            gx[ctx.index] = 0
        if nv:
            gv = unbroadcast(grad[ctx.index], ctx.value_shape)
        return gx, gv


def _scatter_parts(index: ndarray, src: Any, dim: int, ndim: int) -> tuple[tuple[ndarray, ...], Any, Any]:
    """The NumPy index that ``index`` names along ``dim``, the part of ``src`` it reads, and that part's slices."""
    idx = _gather_index(index, dim, ndim)
    if not isinstance(src, ndarray) or src.ndim == 0:
        return idx, src, None
    if src.ndim != index.ndim or any(s < i for s, i in zip(src.shape, index.shape)):
        raise RuntimeError(
            f"scatter: src of shape {tuple(src.shape)} must have the index's {index.ndim} dims and be at least "
            f"as large as the index {tuple(index.shape)} in each"
        )
    part = tuple(slice(0, n) for n in index.shape)
    return idx, src[part], part


class ScatterFn(Function):
    """``out = x.copy(); out[i][index[i][j]] = src[i][j]`` (for dim=1), as PyTorch's ``scatter``."""

    @staticmethod
    def forward(ctx, x, src, index=None, dim=0, add=False):
        idx, values, ctx.part = _scatter_parts(index, src, dim, x.ndim)
        ctx.idx, ctx.add, ctx.src_shape = idx, add, src.shape if isinstance(src, ndarray) else ()
        out = x.copy()
        if add:
            xp.add.at(out, idx, values)
        else:
            out[idx] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        nx, ns = ctx.needs_input_grad
        gx = gs = None
        if nx:
            gx = grad
            if not ctx.add:  # overwritten elements got no gradient from x
                gx = grad.copy()
                gx[ctx.idx] = 0
        if ns and ctx.part is not None:
            gs = xp.zeros(ctx.src_shape, dtype=grad.dtype)
            gs[ctx.part] = grad[ctx.idx]
        return gx, gs
