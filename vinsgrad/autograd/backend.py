"""The one seam between vinsgrad and its array library.

Every Tensor's storage is an ``xp.ndarray``; ops and creation functions use ``xp`` and nothing else, so a
NumPy-compatible module (CuPy, say) could be dropped in here. Host-side code (datasets, file formats) keeps
using NumPy directly.
"""

from __future__ import annotations

import numpy as xp

ndarray = xp.ndarray

# Inside the library dtypes are NumPy's; users see them wrapped (dtypes.py: ``vinsgrad.float32``).
float32 = xp.dtype("float32")
float64 = xp.dtype("float64")
float16 = xp.dtype("float16")
int8 = xp.dtype("int8")
int16 = xp.dtype("int16")
int32 = xp.dtype("int32")
uint8 = xp.dtype("uint8")
int64 = xp.dtype("int64")
bool_ = xp.dtype("bool")

__all__ = ["bool_", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "ndarray", "uint8", "xp"]
