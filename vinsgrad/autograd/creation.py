"""Functions that make tensors: from data, filled with a constant, ranges, and random draws."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import float32, int64, xp
from vinsgrad.autograd.device import check_device
from vinsgrad.autograd.tensor import Tensor, _shape_arg, as_array
from vinsgrad.random import Generator, rng


def _make(data: Any, requires_grad: bool) -> Tensor:
    return Tensor(data, requires_grad=requires_grad)


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
    return _make(xp.zeros(_shape_arg(size), dtype=dtype), requires_grad)


def ones(*size: Any, dtype: Any = float32, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with 1."""
    check_device(device, "ones()")
    return _make(xp.ones(_shape_arg(size), dtype=dtype), requires_grad)


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
    return _make(xp.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: Any = float32, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    check_device(device, "linspace()")
    return _make(xp.linspace(start, end, steps, dtype=dtype), requires_grad)


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
