"""Functions that make tensors: from data, filled with a constant, ranges, and random draws."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import float32, float64, int64, xp
from vinsgrad.autograd.device import check_device
from vinsgrad.autograd.tensor import Tensor, _shape_arg, as_array
from vinsgrad.random import Generator, rng


def _make(data: Any, requires_grad: bool) -> Tensor:
    return Tensor(data, requires_grad=requires_grad)


def _default(dtype: Any) -> Any:
    return float32 if dtype is None else dtype


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats become float32; arrays keep their dtype).

    Example::

        x = vinsgrad.tensor([[1.0, 2.0]], requires_grad=True)
    """
    check_device(device, "tensor()")
    return _make(xp.array(as_array(data, dtype)), requires_grad)


def from_numpy(array: Any) -> Tensor:
    """A tensor that shares memory with the NumPy ``array``."""
    if not isinstance(array, xp.ndarray):
        raise TypeError(f"from_numpy expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def zeros(*size: Any, dtype: Any = float32, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with 0 (``zeros(2, 3)`` or ``zeros((2, 3))``)."""
    check_device(device, "zeros()")
    return _make(xp.zeros(_shape_arg(size), dtype=_default(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = float32, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with 1."""
    check_device(device, "ones()")
    return _make(xp.ones(_shape_arg(size), dtype=_default(dtype)), requires_grad)


def full(size: Any, fill_value: float, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value unless given)."""
    check_device(device, "full()")
    if dtype is None:
        dtype = as_array(fill_value).dtype
    return _make(xp.full(_shape_arg((size,)), fill_value, dtype=dtype), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype) of ``t``."""
    check_device(device, "zeros_like()")
    return _make(xp.zeros_like(t._data, dtype=dtype), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, unless given, the dtype) of ``t``."""
    check_device(device, "ones_like()")
    return _make(xp.ones_like(t._data, dtype=dtype), requires_grad)


def full_like(
    t: Tensor, fill_value: float, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``fill_value`` with the shape (and, unless given, the dtype) of ``t``."""
    check_device(device, "full_like()")
    return _make(xp.full_like(t._data, fill_value, dtype=dtype), requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``arange(end)`` or ``arange(start, end, step)``; int64 for integer arguments, else float32."""
    check_device(device, "arange()")
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = int64 if all(isinstance(v, int) for v in (start, end, step)) else float32
    if xp.dtype(dtype).kind in "iu":
        start, end, step = int(start), int(end), int(step)  # PyTorch truncates each toward zero first
        if step == 0:
            raise RuntimeError("arange: step must be nonzero (after truncation to the integer dtype)")
    return _make(xp.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: Any = float32, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    check_device(device, "linspace()")
    dtype = _default(dtype)
    if xp.dtype(dtype).kind == "f":
        return _make(xp.linspace(start, end, steps, dtype=dtype), requires_grad)
    return _make(_linspace_float64(start, end, steps).astype(dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = float32, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` identity matrix (square when ``m`` is omitted)."""
    check_device(device, "eye()")
    return _make(xp.eye(n, m, dtype=dtype), requires_grad)


def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = float32,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform samples in [0, 1)."""
    check_device(device, "rand()")
    return _make(rng(generator).random(_shape_arg(size), dtype=dtype), requires_grad)


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = float32,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples."""
    check_device(device, "randn()")
    return _make(rng(generator).standard_normal(_shape_arg(size), dtype=dtype), requires_grad)


def randint(
    low: int,
    high: Any = None,
    size: Any = (),
    generator: Generator | None = None,
    dtype: Any = int64,
    device: Any = None,
) -> Tensor:
    """Integers in [low, high): ``randint(low, high, size)`` or, as in PyTorch, ``randint(high, size)``."""
    check_device(device, "randint()")
    if high is None or isinstance(high, (tuple, list)):
        low, high, size = 0, low, size if high is None else high
    return Tensor(rng(generator).integers(low, high, size=_shape_arg((size,)), dtype=dtype))


def randperm(n: int, generator: Generator | None = None, dtype: Any = int64, device: Any = None) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    check_device(device, "randperm()")
    return Tensor(rng(generator).permutation(n).astype(dtype, copy=False))


def _linspace_float64(start: float, end: float, steps: int) -> Any:
    """PyTorch's linspace arithmetic in float64: the first half counts up from ``start``, the second half counts
    down from ``end``; casting the result to an integer dtype then truncates toward zero, as PyTorch does."""
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    if steps == 1:
        return xp.array([start], dtype=float64)
    idx = xp.arange(steps, dtype=float64)
    step = (end - start) / max(steps - 1, 1)
    return xp.where(idx < steps // 2, start + step * idx, end - step * (steps - 1 - idx))


def logspace(
    start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` values ``base ** x`` for ``x`` evenly spaced from ``start`` to ``end``, both included."""
    values = xp.power(float(base), _linspace_float64(start, end, steps))
    return _make(values.astype(_default(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` whose values are unspecified (vinsgrad fills it with zeros)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor with the shape (and, unless given, the dtype) of ``t`` and unspecified values (zeros here)."""
    return _make(xp.zeros_like(t._data, dtype=dtype), requires_grad)


def _float_like(name: str, t: Tensor, dtype: Any) -> Any:
    dtype = xp.dtype(t.dtype if dtype is None else dtype)
    if dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point dtype, got {dtype}")
    return dtype


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, generator: Generator | None = None) -> Tensor:
    """Uniform samples in [0, 1) with the shape (and, unless given, the dtype) of ``t``."""
    dtype = _float_like("rand_like", t, dtype)
    return _make(rng(generator).random(t.shape).astype(dtype), requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, generator: Generator | None = None) -> Tensor:
    """Standard normal samples with the shape (and, unless given, the dtype) of ``t``."""
    dtype = _float_like("randn_like", t, dtype)
    return _make(rng(generator).standard_normal(t.shape).astype(dtype), requires_grad)


def randint_like(
    t: Tensor,
    low: int = 0,
    high: int | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
) -> Tensor:
    """Integers in [low, high) with the shape (and, unless given, the dtype) of ``t``: ``randint_like(t, high)``
    or ``randint_like(t, low, high)``."""
    if high is None:
        low, high = 0, low
    values = rng(generator).integers(low, high, size=t.shape)
    return _make(values.astype(t.dtype if dtype is None else dtype), requires_grad)


def _triangle_indices(name: str, row: int, col: int, offset: int, dtype: Any, lower: bool) -> Tensor:
    if row < 0 or col < 0:
        raise RuntimeError(f"{name}: row and col must be non-negative, got row={row}, col={col}")
    r, c = xp.indices((row, col))
    keep = (c - r <= offset) if lower else (c - r >= offset)
    return Tensor(xp.stack([r[keep], c[keep]]).astype(dtype))


def tril_indices(row: int, col: int, offset: int = 0, dtype: Any = int64) -> Tensor:
    """The (2, N) row and column indices of the lower triangle of a ``row`` x ``col`` matrix, row by row;
    ``offset`` > 0 takes diagonals above the main one too, < 0 leaves some out."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, lower=True)


def triu_indices(row: int, col: int, offset: int = 0, dtype: Any = int64) -> Tensor:
    """The (2, N) row and column indices of the upper triangle of a ``row`` x ``col`` matrix, row by row."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, lower=False)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: output ``i`` repeats ``tensors[i]`` along every other dimension.

    ``indexing="ij"`` gives shape ``(len(t0), len(t1), ...)``; ``"xy"`` swaps the first two dimensions (Cartesian,
    as in NumPy's default). Built from reshape and expand, so gradients flow back to the inputs.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty list of tensors")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expected 0D or 1D tensors, got one with shape {t.shape}")
    dims = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        dims[0], dims[1] = 1, 0
    shape = [0] * len(tensors)
    for i, t in enumerate(tensors):
        shape[dims[i]] = t.numel()
    grids = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[dims[i]] = -1
        grids.append(t.reshape(*view).expand(*shape))
    return tuple(grids)


def is_floating_point(t: Tensor) -> bool:
    """Whether ``t`` has a floating-point dtype (float16, float32, float64)."""
    return t.is_floating_point()


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a vinsgrad Tensor (a Parameter counts)."""
    return isinstance(obj, Tensor)
