"""Helpers ``nn`` modules and ``nn.functional`` share: argument checks and the int-or-pair type."""

from __future__ import annotations

from typing import Any

Pair = int | tuple[int, int]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> None:
    """Raise PyTorch's ValueError unless ``reduction`` is one of 'mean', 'sum' or 'none'."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction!r} is not a valid value for reduction; expected 'mean', 'sum' or 'none'")


def ntuple(value: Any, n: int, name: str, *, minimum: int) -> tuple[int, ...]:
    """``value`` as an n-tuple of ints >= ``minimum``: an int means all n of them."""
    t = (value,) * n if isinstance(value, int) else tuple(value) if isinstance(value, (tuple, list)) else ()
    if len(t) != n or not all(isinstance(v, int) and not isinstance(v, bool) and v >= minimum for v in t):
        several = "a pair" if n == 2 else f"a tuple of {n}"
        raise ValueError(f"{name} must be an int or {several} of ints >= {minimum}, got {value!r}")
    return t


def pair(value: Any, name: str, *, minimum: int) -> tuple[int, int]:
    """``value`` as (height, width): an int means both; each must be >= ``minimum``."""
    return ntuple(value, 2, name, minimum=minimum)  # type: ignore[return-value]


def single(value: Any, name: str, *, minimum: int) -> int:
    """An int, or a 1-tuple/list of one, that is >= ``minimum`` (the 1-d layers' size arguments)."""
    v = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise ValueError(f"{name} must be an int (or a 1-tuple of one) >= {minimum}, got {value!r}")
    return v
