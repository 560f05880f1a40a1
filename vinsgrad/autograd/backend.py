"""The one seam between vinsgrad and its array library.

Every Tensor's storage is an ``xp.ndarray``; ops and creation functions use ``xp`` and nothing else, so a
NumPy-compatible module (CuPy, say) could be dropped in here. Host-side code (datasets, file formats) keeps
using NumPy directly.
"""

from __future__ import annotations

from typing import Any

import numpy as xp

ndarray = xp.ndarray

# Inside the library dtypes are NumPy's; users see them wrapped in ``dtype`` (``vinsgrad.float32``).
float32 = xp.dtype("float32")
float64 = xp.dtype("float64")
float16 = xp.dtype("float16")
int8 = xp.dtype("int8")
int16 = xp.dtype("int16")
int32 = xp.dtype("int32")
uint8 = xp.dtype("uint8")
int64 = xp.dtype("int64")
bool_ = xp.dtype("bool")


class dtype:
    """A tensor's element type, printing as ``vinsgrad.float32`` as ``torch.float32`` does.

    It wraps a NumPy dtype (``.dtype``, which lets NumPy take it wherever a dtype is expected) and compares and
    hashes equal to it, so ``t.dtype == vinsgrad.float32``, ``t.dtype == np.float32`` and dict lookups all work.
    One instance per NumPy dtype: get it with ``as_dtype``.
    """

    __slots__ = ("dtype",)
    dtype: xp.dtype

    def __repr__(self) -> str:
        return f"vinsgrad.{self.dtype.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dtype):
            return self.dtype == other.dtype
        if other is None:  # xp.dtype(None) is float64
            return False
        try:
            return bool(self.dtype == xp.dtype(other))  # type: ignore[call-overload]
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dtype)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return as_dtype, (self.dtype.name,)

    @property
    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.dtype.kind == "c"

    @property
    def is_signed(self) -> bool:
        return self.dtype.kind in "ifc"

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    # NumPy's spellings, for code that treats a tensor's dtype as NumPy's.
    @property
    def kind(self) -> str:
        return self.dtype.kind

    @property
    def type(self) -> Any:
        return self.dtype.type


_WRAPPED: dict[xp.dtype, dtype] = {}


def as_dtype(spec: Any) -> dtype:
    """The ``dtype`` for a NumPy dtype or anything NumPy reads as one (``"int32"``, ``np.float32``, a ``dtype``)."""
    if isinstance(spec, dtype):
        return spec
    key = xp.dtype(spec)
    wrapped = _WRAPPED.get(key)
    if wrapped is None:
        wrapped = _WRAPPED[key] = object.__new__(dtype)
        wrapped.dtype = key
    return wrapped


__all__ = [
    "as_dtype",
    "bool_",
    "dtype",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "ndarray",
    "uint8",
    "xp",
]
