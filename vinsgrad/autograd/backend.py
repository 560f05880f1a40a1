"""The one seam between vinsgrad and its array library.

Every Tensor's storage is an ``xp.ndarray``; ops and creation functions use ``xp`` and nothing else, so a
NumPy-compatible module (CuPy, say) could be dropped in here. Host-side code (datasets, file formats) keeps
using NumPy directly.
"""

from __future__ import annotations

import numpy as xp

ndarray = xp.ndarray

float32 = xp.dtype("float32")
float64 = xp.dtype("float64")
int64 = xp.dtype("int64")
bool_ = xp.dtype("bool")

__all__ = ["bool_", "float32", "float64", "int64", "ndarray", "xp"]
