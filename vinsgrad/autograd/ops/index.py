"""Indexing: ``x[index]``, ``gather`` and the scatters; a read's backward scatter-adds into zeros of the input."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function, unbroadcast
from vinsgrad.autograd.ops.movement import wrap_dim


def _is_basic_index(index: Any) -> bool:
    """True when ``index`` selects each element at most once (ints, slices, None, Ellipsis, bool masks)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(i, (ndarray, list)) or xp.asarray(i).dtype == bool for i in items)


def _is_int(i: Any) -> bool:
    return (isinstance(i, int | xp.integer) and not isinstance(i, bool)) or (
        isinstance(i, ndarray) and i.ndim == 0 and i.dtype.kind in "iu"
    )


def split_index(index: Any) -> tuple[Any, Any]:
    """``index`` as PyTorch applies it: ``(basic, advanced)``, read as ``x[basic][advanced]``.

    PyTorch applies ints (and None, slices) first and only then the index arrays, so ``x[0, :, idx]`` on a
    (3, 4, 5) tensor is (4, 2). NumPy counts the int as one more index array: the arrays are then separated by
    the slice, and NumPy puts their dims first, giving (2, 4). Splitting off the ints restores PyTorch's rule;
    ``advanced`` is None when NumPy's rule already agrees (no int next to an index array).
    """
    items = index if isinstance(index, tuple) else (index,)
    arrays = [isinstance(i, ndarray) and i.ndim > 0 for i in items]
    if not any(arrays) or not any(_is_int(i) for i in items):
        return index, None
    basic: list[Any] = []
    advanced: list[Any] = []
    for item, is_array in zip(items, arrays):
        if is_array:  # a bool mask spans as many dims as it has
            basic.extend([slice(None)] * (item.ndim if item.dtype == bool else 1))
            advanced.append(item)
        elif _is_int(item):  # a 0-d index array too: as an array NumPy would copy instead of giving a view
            basic.append(int(item))
        else:
            basic.append(item)
            advanced.append(item if item is Ellipsis else slice(None))
    return tuple(basic), tuple(advanced)


def _read(x: ndarray, index: tuple[Any, Any]) -> ndarray:
    """``x[index]`` for a ``split_index`` pair."""
    basic, advanced = index
    return x[basic] if advanced is None else x[basic][advanced]


class IndexFn(Function):
    returns_view = True

    @staticmethod
    def forward(ctx, x, index=None):
        ctx.shape, ctx.dtype = x.shape, x.dtype
        ctx.basic, ctx.advanced = split_index(index)
        out = _read(x, (ctx.basic, ctx.advanced))
        last = ctx.basic if ctx.advanced is None else ctx.advanced
        # NOTE: NumPy may return index-array results as views of a temporary; only a basic index gives a view of x
        return out.copy() if out.base is not None and not _is_basic_index(last) else out

    @staticmethod
    def backward(ctx, grad):
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        target, index = (full, ctx.basic) if ctx.advanced is None else (full[ctx.basic], ctx.advanced)
        if _is_basic_index(index):
            target[index] = grad
        else:  # integer arrays may repeat an element: scatter-add
            xp.add.at(target, index, grad)
        return full


def _gather_index(index: ndarray, dim: int, shape: tuple[int, ...], op: str = "gather") -> tuple[ndarray, ...]:
    """The NumPy index of ``gather``: ``out[i][j][k] = x[i][index[i][j][k]][k]`` (for dim=1), as in PyTorch."""
    ndim = len(shape)
    if index.dtype.kind not in "iu" or index.ndim != ndim:
        raise RuntimeError(
            f"{op}: index must be an integer tensor with the input's {ndim} dims, got {index.dtype} "
            f"with shape {tuple(index.shape)}"
        )
    dim = wrap_dim(dim, ndim)
    if any(i > n for d, (i, n) in enumerate(zip(index.shape, shape)) if d != dim):
        raise RuntimeError(
            f"{op}: index {tuple(index.shape)} must not be larger than the input {shape} apart from dim {dim}"
        )
    if index.size and (index.min() < 0 or index.max() >= shape[dim]):
        bad = index.min() if index.min() < 0 else index.max()
        raise RuntimeError(f"{op}: index {bad} is out of bounds for dimension {dim} with size {shape[dim]}")
    idx: list[Any] = list(xp.indices(index.shape, sparse=True))
    idx[dim] = index
    return tuple(idx)


class GatherFn(Function):
    @staticmethod
    def forward(ctx, x, index, dim=0):
        ctx.shape, ctx.index = x.shape, _gather_index(index, dim, x.shape)
        return x[ctx.index]

    @staticmethod
    def backward(ctx, grad):
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        xp.add.at(full, ctx.index, grad)
        return full, None


# **** writes: x[index] = value, scatter (out of place; Tensor's in-place methods write the result back) ****


def setitem(x: ndarray, index: Any, value: Any) -> None:
    """``x[index] = value`` in place, placing the dims of index arrays as PyTorch does (see ``split_index``)."""
    _put(x, split_index(index), value)


def _put(x: ndarray, index: tuple[Any, Any], value: Any) -> None:
    """``x[index] = value`` for a ``split_index`` pair; ``x[basic]`` is a view, so writing into it writes ``x``."""
    basic, advanced = index
    if advanced is None:
        x[basic] = value
    else:
        x[basic][advanced] = value


class IndexPutFn(Function):
    """A copy of ``x`` with ``value`` written at ``index`` (PyTorch's ``CopySlices``): the gradient goes to
    ``value`` where it was written and to ``x`` everywhere else."""

    @staticmethod
    def forward(ctx, x, value, index=None):
        ctx.index, ctx.value_shape = split_index(index), value.shape if isinstance(value, ndarray) else ()
        out = x.copy()
        _put(out, ctx.index, value)
        return out

    @staticmethod
    def backward(ctx, grad):
        nx, nv = ctx.needs_input_grad
        gx = gv = None
        if nx:
            gx = grad.copy()
            _put(gx, ctx.index, 0)
        if nv:
            gv = unbroadcast(_read(grad, ctx.index), ctx.value_shape)
        return gx, gv


def _scatter_parts(index: ndarray, src: Any, dim: int, shape: tuple[int, ...]) -> tuple[tuple[ndarray, ...], Any, Any]:
    """The NumPy index that ``index`` names along ``dim``, the part of ``src`` it reads, and that part's slices."""
    idx = _gather_index(index, dim, shape, "scatter")
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
        if isinstance(src, ndarray) and src.ndim and src.dtype != x.dtype:
            raise RuntimeError(
                f"scatter(): expected self.dtype to be equal to src.dtype, got {x.dtype} and {src.dtype}"
            )
        idx, values, ctx.part = _scatter_parts(index, src, dim, x.shape)
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


_SCATTER_UFUNCS = {"sum": xp.add, "mean": xp.add, "prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}


def _identity(reduce: str, dtype: Any) -> Any:
    """The value that leaves ``reduce`` unchanged (what an excluded ``self`` element counts as)."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    info = xp.finfo(dtype) if dtype.kind == "f" else xp.iinfo(dtype)
    low, high = (-xp.inf, xp.inf) if dtype.kind == "f" else (info.min, info.max)
    return low if reduce == "amax" else high


def _product_of_others(e: ndarray, product: ndarray, zeros: ndarray, nonzero_product: ndarray) -> ndarray:
    """d(product)/d(e) for a factor ``e`` of ``product``: the product of the other factors, exact with zeros
    (``zeros`` counts the zero factors, ``nonzero_product`` multiplies the rest)."""
    safe = xp.where(e == 0, 1, e)
    return xp.where(e != 0, product / safe, xp.where(zeros == 1, nonzero_product, 0))


class ScatterReduceFn(Function):
    """``out[i][index[i][j]]`` (for dim=1) reduced with every ``src[i][j]`` sent there by ``reduce`` (sum, prod,
    mean, amax, amin); with ``include_self=False`` the input's own value at a written place takes no part."""

    @staticmethod
    def forward(ctx, x, src, index=None, dim=0, reduce="sum", include_self=True):
        if reduce not in _SCATTER_UFUNCS:
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce!r}")
        if not isinstance(src, ndarray) or src.dtype != x.dtype or src.ndim != x.ndim:
            raise RuntimeError(
                f"scatter_reduce(): expected src to be a tensor with self's dtype {x.dtype} and {x.ndim} dims"
            )
        ctx.idx, values, ctx.part = _scatter_parts(index, src, dim, x.shape)
        ctx.reduce, ctx.include_self, ctx.src_shape = reduce, include_self, src.shape
        written = xp.zeros(x.shape, dtype=bool)
        written[ctx.idx] = True
        ctx.excluded = None if include_self else written  # self's elements that take no part
        own = x if include_self else xp.where(written, xp.asarray(_identity(reduce, x.dtype), dtype=x.dtype), x)
        out = own.copy()
        _SCATTER_UFUNCS[reduce].at(out, ctx.idx, values)
        if reduce == "mean":
            count = (~written | include_self).astype(x.dtype)  # self counts once, unless excluded
            xp.add.at(count, ctx.idx, 1)
            ctx.count = count
            out = out // count if x.dtype.kind in "iu" else out / count
        if reduce == "prod":
            zeros = (own == 0).astype(xp.int64)
            xp.add.at(zeros, ctx.idx, values == 0)
            nonzero = xp.where(own == 0, 1, own)
            xp.multiply.at(nonzero, ctx.idx, xp.where(values == 0, 1, values))
            ctx.save_for_backward(own, values, out, zeros, nonzero)
        elif reduce in ("amax", "amin"):
            ctx.save_for_backward(own, values, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        nx, ns = ctx.needs_input_grad
        idx, reduce = ctx.idx, ctx.reduce
        if reduce == "sum":
            gx, gv = grad, grad[idx]
        elif reduce == "mean":
            gx = grad / ctx.count
            gv = gx[idx]
        elif reduce == "prod":
            own, values, out, zeros, nonzero = ctx.saved_tensors
            gx = grad * _product_of_others(own, out, zeros, nonzero)
            gv = grad[idx] * _product_of_others(values, out[idx], zeros[idx], nonzero[idx])
        else:  # amax/amin: the gradient is shared evenly by every element equal to the result
            own, values, out = ctx.saved_tensors
            own_wins = own == out
            if ctx.excluded is not None:
                own_wins &= ~ctx.excluded
            value_wins = values == out[idx]
            winners = own_wins.astype(grad.dtype)
            xp.add.at(winners, idx, value_wins)
            shared = grad / xp.where(winners == 0, 1, winners)
            gx, gv = shared * own_wins, shared[idx] * value_wins
        if nx and ctx.excluded is not None:
            gx = xp.where(ctx.excluded, 0, gx)
        gs = None
        if ns:
            gs = xp.zeros(ctx.src_shape, dtype=grad.dtype)
            gs[ctx.part] = gv
        return (gx if nx else None), gs
