"""What the ops share: PyTorch's type promotion, the dims of reductions, math NumPy lacks (erf, erfc, erfinv), and
cache-sized blocks for chains of elementwise passes."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import float32, ndarray, xp

CACHE_BLOCK = 1 << 16  # elements per block: 256 KB of float32, so a chain of passes over it stays in L2


def cache_blocks(size: int, block: int = CACHE_BLOCK) -> list[slice]:
    """Slices of ``range(size)`` of ``block`` elements each.

    A chain of in-place NumPy passes over a large array (each a full trip to memory) runs 1.3x to 1.5x faster
    when done block by block: the block stays in cache from one pass to the next (GELU, measured on a GPT's
    (32, 128, 512) activations)."""
    return [slice(i, min(i + block, size)) for i in range(0, size, block)]


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


# NOTE: W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev approximation for the error function",
# Math. Comp. 23, 1969), coefficients highest power first: erf(x) = x P(x^2)/Q(x^2) for |x| <= 0.46875;
# erfc(x) = exp(-x^2) P(x)/Q(x) up to 4; beyond, erfc(x) = exp(-x^2)/x (1/sqrt(pi) - w P(w)/Q(w)) with w = 1/x^2.
# Each is accurate to about 1e-16 relative in float64.
_ERF_P = (1.85777706184603153e-1, 3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2,
          3.20937758913846947e3)  # fmt: skip
_ERF_Q = (1.0, 2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3)
_ERFC_MID_P = (2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1,
               2.98635138197400131e2, 8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3,
               1.23033935479799725e3)  # fmt: skip
_ERFC_MID_Q = (1.0, 1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3,
               3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3)  # fmt: skip
_ERFC_TAIL_P = (1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
                1.60837851487422766e-2, 6.58749161529837803e-4)  # fmt: skip
_ERFC_TAIL_Q = (1.0, 2.56852019228982242e0, 1.87295284992346725e0, 5.27905102951428412e-1, 6.05183413124413191e-2,
                2.33520497626869185e-3)  # fmt: skip
_ERF_SMALL = 0.46875


def _poly(coeffs: tuple[float, ...], y: ndarray) -> ndarray:
    out = coeffs[0] * y
    out += coeffs[1]
    for c in coeffs[2:]:  # in place: no temporary array per step
        out *= y
        out += c
    return out


def _erf_small(x: ndarray) -> ndarray:
    y = x * x
    return x * _poly(_ERF_P, y) / _poly(_ERF_Q, y)


def _erfc_positive(z: ndarray, relative: bool = True) -> ndarray:
    """erfc(z) for z > 0.46875, with full relative precision in the tail (no 1 - erf cancellation) when
    ``relative``; erf needs only absolute precision and skips the split exponential."""
    z = xp.minimum(z, 30.0)  # erfc(30) underflows to 0; keeps inf from making nan below (nan stays nan)
    out = xp.empty_like(z)
    mid = z <= 4.0
    m = z[mid]
    out[mid] = _poly(_ERFC_MID_P, m) / _poly(_ERFC_MID_Q, m)
    t = z[~mid]
    w = 1 / (t * t)
    out[~mid] = ((1 / math.sqrt(math.pi)) - w * _poly(_ERFC_TAIL_P, w) / _poly(_ERFC_TAIL_Q, w)) / t
    if not relative:
        return out * xp.exp(-z * z)
    # exp(-z^2) as exp(-r^2) exp(-(z - r)(z + r)) with r = z rounded down to 1/16: z*z alone loses digits.
    r = xp.trunc(z * 16) / 16
    return out * xp.exp(-r * r) * xp.exp(-(z - r) * (z + r))


def stable_sigmoid(x: ndarray) -> ndarray:
    """``1 / (1 + exp(-x))`` in x's float dtype, for any x: exp(-|x|) never overflows, and the two branches give
    the same value for either sign of x."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def erf(x: ndarray) -> ndarray:
    """The error function, elementwise, to about 1e-16 in float64 (NumPy has none), by Cody's rational
    approximations: a few whole-array multiply-adds, no per-element Python."""
    a = xp.abs(x)
    out = xp.empty_like(a)
    small = a <= _ERF_SMALL
    out[small] = _erf_small(a[small])
    out[~small] = 1 - _erfc_positive(a[~small], relative=False)
    return xp.copysign(out, x)


def erfc(x: ndarray) -> ndarray:
    """1 - erf(x), keeping its precision in the far right tail where erf(x) rounds to 1."""
    out = xp.empty_like(x)
    small = xp.abs(x) <= _ERF_SMALL
    out[small] = 1 - _erf_small(x[small])
    big = x[~small]
    tail = _erfc_positive(xp.abs(big))
    out[~small] = xp.where(big < 0, 2 - tail, tail)
    return out


def erfinv(y: ndarray) -> ndarray:
    """The inverse of erf on (-1, 1) (+-inf at +-1, nan outside), computed in float64 and returned in y's dtype.

    Winitzki's closed-form guess (relative error ~2e-3) refined by two Halley steps on erf(x) = y (cubic
    convergence: 2e-3 -> 1e-8 -> double precision), with erf'' = -2x erf'.
    """
    y64 = y.astype(xp.float64)
    with xp.errstate(divide="ignore", invalid="ignore"):
        log_term = xp.log((1 - y64) * (1 + y64))
        a = 0.147
        b = 2 / (math.pi * a) + log_term / 2
        x = xp.copysign(xp.sqrt(xp.sqrt(b * b - log_term / a) - b), y64)
        inside = xp.abs(y64) < 1
        for _ in range(2):
            newton = (erf(xp.where(inside, x, 0.0)) - y64) / ((2 / math.sqrt(math.pi)) * xp.exp(-x * x))
            x = xp.where(inside, x - newton / (1 + x * newton), x)
    x = xp.where(xp.abs(y64) == 1, xp.copysign(xp.inf, y64), x)
    return xp.where(xp.abs(y64) > 1, xp.nan, x).astype(y.dtype)
