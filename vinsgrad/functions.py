"""The ``vinsgrad.*`` functions that are not Tensor methods (``cat``, ``stack``, ``where``, ...), as in PyTorch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vinsgrad.autograd import ops
from vinsgrad.autograd.tensor import Tensor, as_array


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    if not tensors:
        raise ValueError("cat expected a non-empty sequence of tensors")
    return ops.CatFn.apply(*tensors, dim=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    if not tensors:
        raise ValueError("stack expected a non-empty sequence of tensors")
    return ops.StackFn.apply(*tensors, dim=dim)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (both broadcast)."""
    return ops.WhereFn.apply(as_array(condition), input, other)


def maximum(input: Tensor, other: Any) -> Tensor:
    """The elementwise maximum (broadcast); a tie sends half the gradient to each side."""
    return ops.MaximumFn.apply(input, other)


def minimum(input: Tensor, other: Any) -> Tensor:
    """The elementwise minimum (broadcast); a tie sends half the gradient to each side."""
    return ops.MinimumFn.apply(input, other)


# **** linear algebra ****


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the letters of ``equation`` (e.g. ``"bij,bjk->bik"``), differentiable; ``...`` stands
    for broadcast dims, and without ``->`` the output keeps the letters used once, in alphabetical order.
    The operands may also come as one list."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    return ops.EinsumFn.apply(*operands, equation=equation)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first ``dims`` of ``b``, or the dims listed as
    ``([dims of a], [dims of b])``; the other dims of ``a`` then ``b`` remain."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError(f"tensordot: both sides must contract as many dims, got {dims_a} and {dims_b}")
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sub_a = [next(letters) for _ in range(a.ndim)]
    sub_b = [next(letters) for _ in range(b.ndim)]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"tensordot: contracted dims differ in size: {a.shape[da]} (a) and {b.shape[db]} (b)")
        sub_b[db % max(b.ndim, 1)] = sub_a[da % max(a.ndim, 1)]
    out = [c for c in sub_a if c not in sub_b] + [c for c in sub_b if c not in sub_a]
    return ops.EinsumFn.apply(a, b, equation=f"{''.join(sub_a)},{''.join(sub_b)}->{''.join(out)}")


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim``; by default the first dim of size 3 (``linalg.cross``
    defaults to the last dim)."""
    return input.cross(other, dim)
