"""How a tensor's values print, in PyTorch's layout: floats with 4 decimals, whole floats as ``1.``, scientific
notation when the magnitudes span more than 1000x (or exceed 1e8, or go below 1e-4), every element padded to one
width, long tensors summarized with ``...``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from vinsgrad.autograd.backend import ndarray, xp

PRECISION = 4
LINE_WIDTH = 80


def format_values(data: ndarray) -> str:
    """``data`` as the body of ``tensor(...)``."""
    formatter: Any = {"float_kind": _float_formatter(data)} if data.dtype.kind == "f" else None
    body = xp.array2string(data, separator=", ", prefix="tensor(", formatter=formatter, max_line_width=LINE_WIDTH)
    return body.replace(", ...,", ",  ...,")  # PyTorch's elision within a row is " ..."


def _float_formatter(data: ndarray) -> Callable[[float], str]:
    flat = data.ravel()
    values = flat[xp.isfinite(flat) & (flat != 0)].astype(xp.float64)
    if values.size == 0:  # only zeros, nan and inf: PyTorch prints them as whole numbers
        return _whole(1)
    magnitude = xp.abs(values)
    low, high = float(magnitude.min()), float(magnitude.max())
    whole = bool(xp.all(values == xp.ceil(values)))
    if high / low > 1000.0 or high > 1.0e8 or (not whole and low < 1.0e-4):
        # the longest strings: the most negative value and the smallest magnitudes of each sign (3-digit exponents)
        negative, positive = values[values < 0], values[values > 0]
        extremes = [values.min(), values.max()]
        extremes += [negative.max()] if negative.size else []
        extremes += [positive.min()] if positive.size else []
        width = max(len(f"{v:.{PRECISION}e}") for v in extremes)
        return lambda v: f"{v:{width}.{PRECISION}e}"
    if whole:
        return _whole(max(len(f"{v:.0f}") + 1 for v in (values.min(), values.max())))
    width = max(len(f"{v:.{PRECISION}f}") for v in (values.min(), values.max()))
    return lambda v: f"{v:.{PRECISION}f}".rjust(width)


def _whole(width: int) -> Callable[[float], str]:
    return lambda v: (f"{v:.0f}" + ("." if math.isfinite(v) else "")).rjust(width)
