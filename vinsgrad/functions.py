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
