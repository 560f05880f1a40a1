"""What the ops share: PyTorch's type promotion, the dims of reductions, and math NumPy lacks (erf, erfc, erfinv)."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import float32, ndarray, xp


def shape_of(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, ndarray) else ()


def category(x: Any) -> int:
    """PyTorch's type categories: 0 bool, 1 integer, 2 floating point."""
    kind = x.dtype.kind if isinstance(x, ndarray) else xp.asarray(x).dtype.kind
    return 0 if kind == "b" else 1 if kind in "iu" else 2


def promote(x: Any, y: Any) -> tuple[Any, Any]:
    """The operands cast as PyTorch's type promotion would, where NumPy's differs.

    A higher category wins whatever its size (float32 with an int64 array stays float32, where NumPy gives
    float64); within a category a tensor with dims beats a 0-d one; NumPy scalars count as Python numbers, and
    integer or bool arrays meet Python floats in float32, the default dtype.
    """
    if isinstance(x, ndarray):
        if isinstance(y, ndarray):
            return (x, y) if x.dtype == y.dtype else promote_arrays(x, y)
        if isinstance(y, xp.generic):
            y = y.item()
        return (x.astype(float32) if isinstance(y, float) and x.dtype.kind in "biu" else x), y
    if isinstance(x, xp.generic):
        x = x.item()
    if isinstance(y, ndarray) and isinstance(x, float) and y.dtype.kind in "biu":
        return x, y.astype(float32)
    return x, y


def promote_arrays(x: ndarray, y: ndarray) -> tuple[ndarray, ndarray]:
    cx, cy = category(x), category(y)
    if cx != cy:
        return (x, y.astype(x.dtype)) if cx > cy else (x.astype(y.dtype), y)
    if (x.ndim == 0) != (y.ndim == 0):
        return (x.astype(y.dtype), y) if x.ndim == 0 else (x, y.astype(x.dtype))
    return x, y


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
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


def normalize_dim(dim: int, ndim: int) -> int:
    """One ``dim`` as a non-negative axis (0 for a 0-d tensor), IndexError when out of range."""
    axes = normalize_dims(dim, ndim)
    return axes[0] if axes else 0


def expand_reduced(grad: ndarray, shape: tuple[int, ...], axes: tuple[int, ...] | None, keepdim: bool) -> ndarray:
    """Reshape the gradient of a reduction so it broadcasts against the input."""
    if axes is None:
        return grad.reshape((1,) * len(shape))
    if not keepdim:
        grad = xp.expand_dims(grad, axes)
    return grad


def erf(x: ndarray) -> ndarray:
    """The error function, elementwise, to about 1e-15 in float64 (NumPy has none).

    A positive power series for |x| < 2.5 and a continued fraction for erfc beyond; both loop a fixed number of
    times over whole arrays, so there is no per-element Python.
    """
    a = xp.abs(x)
    out = xp.empty_like(a)
    small = a < 2.5
    z = a[small]
    z2 = z * z
    term, total = z, z.copy()
    for n in range(35):  # erf(z) = 2/sqrt(pi) exp(-z^2) sum_n 2^n z^(2n+1) / (2n+1)!!
        term = term * z2 * (2 / (2 * n + 3))
        total += term
    out[small] = (2 / math.sqrt(math.pi)) * xp.exp(-z2) * total
    out[~small] = 1 - _erfc_large(a[~small])
    return xp.copysign(out, x)


def _erfc_large(z: ndarray) -> ndarray:
    """erfc(z) for z >= 2.5 by its continued fraction (no cancellation, unlike 1 - erf(z))."""
    frac = xp.zeros_like(z)
    for k in range(25, 0, -1):  # erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))
        frac = (k / 2) / (z + frac)
    return xp.exp(-z * z) / (math.sqrt(math.pi) * (z + frac))


def erfc(x: ndarray) -> ndarray:
    """1 - erf(x), keeping its precision in the far right tail where erf(x) rounds to 1."""
    out = 1 - erf(x)
    large = x >= 2.5
    if xp.any(large):
        out[large] = _erfc_large(x[large])
    return out


def erfinv(y: ndarray) -> ndarray:
    """The inverse of erf on (-1, 1) (+-inf at +-1, nan outside), computed in float64 and returned in y's dtype.

    Winitzki's closed-form guess (relative error ~2e-3) refined by four Newton steps on erf(x) = y.
    """
    y64 = y.astype(xp.float64)
    with xp.errstate(divide="ignore", invalid="ignore"):
        log_term = xp.log((1 - y64) * (1 + y64))
        a = 0.147
        b = 2 / (math.pi * a) + log_term / 2
        x = xp.copysign(xp.sqrt(xp.sqrt(b * b - log_term / a) - b), y64)
        inside = xp.abs(y64) < 1
        for _ in range(4):
            step = (erf(xp.where(inside, x, 0.0)) - y64) / ((2 / math.sqrt(math.pi)) * xp.exp(-x * x))
            x = xp.where(inside, x - step, x)
    x = xp.where(xp.abs(y64) == 1, xp.copysign(xp.inf, y64), x)
    return xp.where(xp.abs(y64) > 1, xp.nan, x).astype(y.dtype)
