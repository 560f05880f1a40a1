"""Indexing: ``x[index]`` and ``gather``; their backward scatter-adds into zeros of the input's shape."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function


def _is_basic_index(index: Any) -> bool:
    """True when ``index`` selects each element at most once (ints, slices, None, Ellipsis, bool masks)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(i, (ndarray, list)) or xp.asarray(i).dtype == bool for i in items)


class IndexFn(Function):
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
