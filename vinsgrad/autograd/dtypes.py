"""What users see as dtypes: ``vinsgrad.float32`` wraps NumPy's float32 and prints as ``torch.float32`` does;
``finfo``, ``iinfo``, ``promote_types`` and the default dtype as in PyTorch. Inside the library dtypes stay NumPy's
(backend.py), so the hot paths never unwrap."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import float32, xp


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


def get_default_dtype() -> dtype:
    """The dtype Python floats become: float32 (vinsgrad has no ``set_default_dtype``)."""
    return as_dtype(float32)


def promote_types(type1: Any, type2: Any) -> dtype:
    """The dtype an op on tensors of these two dtypes gives, by PyTorch's rules: the higher category (bool <
    integer < floating point) wins whatever its size (int64 with float16 is float16); within one, the wider."""
    a, b = as_dtype(type1).dtype, as_dtype(type2).dtype
    rank = {"b": 0, "u": 1, "i": 1, "f": 2}
    if rank[a.kind] != rank[b.kind]:
        return as_dtype(a if rank[a.kind] > rank[b.kind] else b)
    return as_dtype(xp.promote_types(a, b))


class finfo:
    """The limits of a floating-point dtype (float32 by default), as ``torch.finfo``: bits, eps, max, min, tiny
    (= smallest_normal) and resolution, as Python numbers; ``dtype`` is the name."""

    def __init__(self, type: Any = None) -> None:
        np_dtype = as_dtype(float32 if type is None else type).dtype
        if np_dtype.kind != "f":
            raise TypeError(f"finfo() requires a floating point dtype, got {as_dtype(np_dtype)}; use iinfo()")
        info = xp.finfo(np_dtype)
        self.bits, self.dtype = int(info.bits), np_dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)


class iinfo:
    """The limits of an integer dtype, as ``torch.iinfo``: bits, max and min as ints; ``dtype`` is the name."""

    def __init__(self, type: Any) -> None:
        np_dtype = as_dtype(type).dtype
        if np_dtype.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer dtype, got {as_dtype(np_dtype)}; use finfo()")
        info = xp.iinfo(np_dtype)
        self.bits, self.max, self.min, self.dtype = int(info.bits), int(info.max), int(info.min), np_dtype.name


__all__ = ["as_dtype", "dtype", "finfo", "get_default_dtype", "iinfo", "promote_types"]
