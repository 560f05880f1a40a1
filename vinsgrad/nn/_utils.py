"""Helpers ``nn`` modules and ``nn.functional`` share: argument checks and the int-or-pair type."""

from __future__ import annotations

from typing import Any

Pair = int | tuple[int, int]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> None:
    """Raise PyTorch's ValueError unless ``reduction`` is one of 'mean', 'sum' or 'none'."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction!r} is not a valid value for reduction; expected 'mean', 'sum' or 'none'")


def pair(value: Any, name: str, *, minimum: int) -> tuple[int, int]:
    """``value`` as (height, width): an int means both; each must be >= ``minimum``."""
    pair = (value, value) if isinstance(value, int) else tuple(value) if isinstance(value, (tuple, list)) else ()
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= minimum for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints >= {minimum}, got {value!r}")
    return pair
