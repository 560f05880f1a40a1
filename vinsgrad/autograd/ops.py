"""Every built-in differentiable op: one ``Function`` each, forward and backward side by side.

Conventions: ``forward`` gets arrays (and plain Python values for non-tensor arguments) and returns an array;
``backward`` gets the output's gradient and returns one gradient per positional argument, or None where
``ctx.needs_input_grad`` says none is needed. Backward never modifies ``grad`` in place: the engine may hand
the same array to several consumers.
"""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import float32, ndarray, xp
from vinsgrad.autograd.function import Function, unbroadcast


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, ndarray) else ()


def _category(x: Any) -> int:
    """PyTorch's type categories: 0 bool, 1 integer, 2 floating point."""
    kind = x.dtype.kind if isinstance(x, ndarray) else xp.asarray(x).dtype.kind
    return 0 if kind == "b" else 1 if kind in "iu" else 2


def _promote(x: Any, y: Any) -> tuple[Any, Any]:
    """The operands cast as PyTorch's type promotion would, where NumPy's differs.

    A higher category wins whatever its size (float32 with an int64 array stays float32, where NumPy gives
    float64); within a category a tensor with dims beats a 0-d one; NumPy scalars count as Python numbers, and
    integer or bool arrays meet Python floats in float32, the default dtype.
    """
    if isinstance(x, ndarray):
        if isinstance(y, ndarray):
            return (x, y) if x.dtype == y.dtype else _promote_arrays(x, y)
        if isinstance(y, xp.generic):
            y = y.item()
        return (x.astype(float32) if isinstance(y, float) and x.dtype.kind in "biu" else x), y
    if isinstance(x, xp.generic):
        x = x.item()
    if isinstance(y, ndarray) and isinstance(x, float) and y.dtype.kind in "biu":
        return x, y.astype(float32)
    return x, y


def _promote_arrays(x: ndarray, y: ndarray) -> tuple[ndarray, ndarray]:
    cx, cy = _category(x), _category(y)
    if cx != cy:
        return (x, y.astype(x.dtype)) if cx > cy else (x.astype(y.dtype), y)
    if (x.ndim == 0) != (y.ndim == 0):
        return (x.astype(y.dtype), y) if x.ndim == 0 else (x, y.astype(x.dtype))
    return x, y


def _normalize_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``dim`` (int, tuple or None for all) as sorted non-negative axes; a 0-d tensor accepts 0 and -1."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(
                f"dimension {d} out of range: expected one in [{-max(ndim, 1)}, {max(ndim, 1) - 1}] "
                f"for a tensor with {ndim} dims"
            )
    if ndim == 0:
        return ()
    axes = tuple(sorted(d % ndim for d in dims))
    if len(set(axes)) != len(axes):
        raise ValueError(f"dim {dim} names the same dimension more than once")
    return axes


def _expand_reduced(grad: ndarray, shape: tuple[int, ...], axes: tuple[int, ...] | None, keepdim: bool) -> ndarray:
    """Reshape the gradient of a reduction so it broadcasts against the input."""
    if axes is None:
        return grad.reshape((1,) * len(shape))
    if not keepdim:
        grad = xp.expand_dims(grad, axes)
    return grad


# **** binary ops (broadcasting) ****


class Add(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = _promote(x, y)
        ctx.shapes = (_shape(x), _shape(y))
        return x + y

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        nx, ny = ctx.needs_input_grad
        return (unbroadcast(grad, sx) if nx else None, unbroadcast(grad, sy) if ny else None)


class Sub(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = _promote(x, y)
        ctx.shapes = (_shape(x), _shape(y))
        return x - y

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        nx, ny = ctx.needs_input_grad
        return (unbroadcast(grad, sx) if nx else None, unbroadcast(-grad, sy) if ny else None)


class Mul(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = _promote(x, y)
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (unbroadcast(grad * y, _shape(x)) if nx else None, unbroadcast(grad * x, _shape(y)) if ny else None)


class Div(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = _promote(x, y)
        if _category(x) < 2 and _category(y) < 2:  # true division of integers gives the default float dtype
            x, y = xp.asarray(x, dtype=float32), xp.asarray(y, dtype=float32)
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = unbroadcast(grad / y, _shape(x)) if nx else None
        gy = unbroadcast(-grad * x / (y * y), _shape(y)) if ny else None
        return gx, gy


class Pow(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = _promote(x, y)
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
            gx = unbroadcast(gx, _shape(x))
        if ny:
            # NOTE: d(x**y)/dy = x**y * log(x); where x == 0 PyTorch takes the limit 0 (for y > 0), so do we.
            x = xp.asarray(x, dtype=out.dtype)
            gy = unbroadcast(grad * xp.where(x == 0, 0.0, out * xp.log(xp.where(x == 0, 1.0, x))), _shape(y))
        return gx, gy


def _tie_weights(wins: Any, ties: Any, dtype: Any) -> ndarray:
    """1 where x wins, 0 where it loses, 1/2 on ties: PyTorch splits a tie's gradient evenly."""
    return xp.asarray(wins, dtype=dtype) + xp.asarray(ties, dtype=dtype) * 0.5


def _split_by_weight(ctx: Any, grad: ndarray, wx: ndarray) -> tuple[ndarray | None, ndarray | None]:
    (x, y), (nx, ny) = ctx.saved_tensors, ctx.needs_input_grad
    gx = unbroadcast(grad * wx, _shape(x)) if nx else None
    gy = unbroadcast(grad * (1 - wx), _shape(y)) if ny else None
    return gx, gy


class Maximum(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = _promote(x, y)
        ctx.save_for_backward(x, y)
        return xp.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _split_by_weight(ctx, grad, _tie_weights(x > y, x == y, grad.dtype))


class Minimum(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = _promote(x, y)
        ctx.save_for_backward(x, y)
        return xp.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _split_by_weight(ctx, grad, _tie_weights(x < y, x == y, grad.dtype))


class Where(Function):
    @staticmethod
    def forward(ctx, cond, x, y):
        x, y = _promote(x, y)
        ctx.cond = cond
        ctx.shapes = (_shape(x), _shape(y))
        return xp.where(cond, x, y)

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        _, nx, ny = ctx.needs_input_grad
        zero = xp.zeros((), dtype=grad.dtype)
        gx = unbroadcast(xp.where(ctx.cond, grad, zero), sx) if nx else None
        gy = unbroadcast(xp.where(ctx.cond, zero, grad), sy) if ny else None
        return None, gx, gy


class MatMul(Function):
    @staticmethod
    def forward(ctx, x, y):
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError("both arguments to matmul need to be at least 1-D")
        kx, ky = x.shape[-1], (y.shape[-2] if y.ndim > 1 else y.shape[0])
        if kx != ky:
            raise ValueError(f"shapes {tuple(x.shape)} and {tuple(y.shape)} cannot be multiplied ({kx} != {ky})")
        ctx.save_for_backward(x, y)
        return x @ y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        # Treat 1-D operands as a row (left) or a column (right) matrix, as matmul itself does, and give the
        # gradient back the dims that matmul dropped for them.
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g = grad
        if x.ndim == 1 or y.ndim == 1:
            g = grad.reshape((*xp.broadcast_shapes(x2.shape[:-2], y2.shape[:-2]), x2.shape[-2], y2.shape[-1]))
        gx = gy = None
        if nx:
            gx = unbroadcast(g @ xp.swapaxes(y2, -1, -2), x2.shape).reshape(x.shape)
        if ny:
            gy = unbroadcast(xp.swapaxes(x2, -1, -2) @ g, y2.shape).reshape(y.shape)
        return gx, gy


# **** unary ops ****


class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Abs(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * xp.sign(x)


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        out = xp.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        out = xp.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Sin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * xp.cos(x)


class Cos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * xp.sin(x)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        out = xp.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Function):
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


class ReLU(Function):
    @staticmethod
    def forward(ctx, x):
        out = xp.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)


class Clamp(Function):
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


class Cast(Function):
    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.in_dtype)


# **** reductions ****


class Sum(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes = _normalize_dims(dim, x.ndim)
        ctx.shape, ctx.keepdim = x.shape, keepdim
        return x.sum(axis=ctx.axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return xp.broadcast_to(_expand_reduced(grad, ctx.shape, ctx.axes, ctx.keepdim), ctx.shape)


class Mean(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes = _normalize_dims(dim, x.ndim)
        ctx.shape, ctx.keepdim = x.shape, keepdim
        out = x.mean(axis=ctx.axes, keepdims=keepdim)
        ctx.count = x.size // max(out.size, 1) if x.size else 0
        return out

    @staticmethod
    def backward(ctx, grad):
        g = _expand_reduced(grad, ctx.shape, ctx.axes, ctx.keepdim) / ctx.count
        return xp.broadcast_to(g, ctx.shape)


class Var(Function):
    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        axes = _normalize_dims(dim, x.ndim)
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
        g = _expand_reduced(grad, centered.shape, ctx.axes, ctx.keepdim)
        scale = 2 / ctx.denominator if ctx.denominator else float("nan")
        return g * scale * centered


class Amax(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes = _normalize_dims(dim, x.ndim)
        out = x.max(axis=ctx.axes, keepdims=True)
        ctx.save_for_backward(x, out)
        ctx.keepdim = keepdim
        return out if keepdim else (out.reshape(()) if ctx.axes is None else out.squeeze(ctx.axes))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        # Ties share the gradient evenly, as PyTorch's amax does.
        mask = xp.asarray(x == out, dtype=grad.dtype)
        g = _expand_reduced(grad, x.shape, ctx.axes, ctx.keepdim)
        return g * mask / mask.sum(axis=ctx.axes, keepdims=True)


class LogSumExp(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        axes = _normalize_dims(dim, x.ndim)
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
            return _expand_reduced(grad, x.shape, ctx.axes, ctx.keepdim) * xp.exp(x - out)


class Softmax(Function):
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


class LogSoftmax(Function):
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


# **** movement ops ****


class Clone(Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Reshape(Function):
    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape {tuple(x.shape)} ({x.size} elements) into {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class Permute(Function):
    @staticmethod
    def forward(ctx, x, dims=()):
        if sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
            raise ValueError(f"permute: {tuple(dims)} is not a permutation of the {x.ndim} dims")
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(xp.argsort([d % grad.ndim for d in ctx.dims]))


class Expand(Function):
    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.in_shape = x.shape
        return xp.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.in_shape)


def _is_basic_index(index: Any) -> bool:
    """True when ``index`` selects each element at most once (ints, slices, None, Ellipsis, bool masks)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(i, (ndarray, list)) or xp.asarray(i).dtype == bool for i in items)


class Index(Function):
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


class Gather(Function):
    @staticmethod
    def forward(ctx, x, index, dim=0):
        ctx.shape, ctx.index = x.shape, _gather_index(index, dim, x.ndim)
        return x[ctx.index]

    @staticmethod
    def backward(ctx, grad):
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        xp.add.at(full, ctx.index, grad)
        return full, None


class Cat(Function):
    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in xs]
        return xp.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        splits = xp.cumsum(ctx.sizes)[:-1]
        parts = xp.split(grad, splits, axis=ctx.dim)
        return tuple(p if need else None for p, need in zip(parts, ctx.needs_input_grad))


class Stack(Function):
    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return xp.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        parts = xp.moveaxis(grad, ctx.dim, 0)
        return tuple(p if need else None for p, need in zip(parts, ctx.needs_input_grad))


class Pad(Function):
    @staticmethod
    def forward(ctx, x, pad=(), value=0.0):
        if len(pad) % 2 or len(pad) // 2 > x.ndim:
            raise ValueError(f"pad: expected an even number of pads covering at most {x.ndim} dims, got {pad}")
        # PyTorch order: (last_lo, last_hi, second_last_lo, second_last_hi, ...)
        widths = [(0, 0)] * x.ndim
        for i in range(len(pad) // 2):
            widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
        if any(lo < 0 or hi < 0 for lo, hi in widths):
            raise ValueError(f"pad: negative padding is not supported, got {pad}")
        ctx.slices = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        return xp.pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.slices]
