"""``vinsgrad.linalg``: vector and matrix norms and the cross product, as in ``torch.linalg``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd import ops
from vinsgrad.autograd.tensor import Tensor


def vector_norm(
    x: Tensor, ord: float = 2, dim: int | tuple[int, ...] | None = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (every element by default); ``ord`` inf/-inf give the largest/
    smallest ``|x|`` and 0 the number of nonzero elements."""
    return ops.VectorNormFn.apply(x if dtype is None else x.to(dtype), ord=ord, dim=dim, keepdim=keepdim)


def matrix_norm(
    A: Tensor, ord: str | float = "fro", dim: tuple[int, ...] = (-2, -1), keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The ``ord`` norm of the matrices in dims ``dim``: ``"fro"``; 1/-1 (largest/smallest column sum of ``|A|``)
    or inf/-inf (row sums); 2/-2 (largest/smallest singular value) or ``"nuc"`` (their sum)."""
    A = A if dtype is None else A.to(dtype)
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a pair of dims, got {dim}")
    rows, cols = (ops.wrap_dim(d, A.ndim) for d in dim)
    if ord in (2, -2, "nuc"):
        out = ops.SingularValueNormFn.apply(A.movedim((rows, cols), (-2, -1)), ord=ord)
        return out.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols)) if keepdim else out
    if ord not in (1, -1, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got {ord!r}")
    summed, across = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = A.abs().sum(summed, keepdim=True)
    out = sums.amax(across, keepdim=True) if ord > 0 else sums.amin(across, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def norm(
    A: Tensor, ord: Any = None, dim: int | tuple[int, ...] | None = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """A vector norm when ``dim`` is an int (or when ``A`` is 1-D), a matrix norm when ``dim`` is a pair (or
    ``A`` is 2-D and ``ord`` is given); with neither ``ord`` nor ``dim``, the 2-norm of all elements."""
    if isinstance(dim, int) or (dim is None and (ord is None or A.ndim == 1)) or (dim is not None and len(dim) == 1):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and A.ndim != 2:
        raise RuntimeError(f"linalg.norm: with ord={ord!r} and no dim, the input must be 1-D or 2-D, got {A.ndim}-D")
    return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the last by default), broadcasting."""
    return input.cross(other, dim)


__all__ = ["cross", "matrix_norm", "norm", "vector_norm"]
