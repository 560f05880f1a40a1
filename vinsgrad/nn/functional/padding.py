"""``pad``: widen a tensor's trailing dims."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.ops import PadFn
from vinsgrad.autograd.tensor import Tensor


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad with a constant; ``pad`` lists (before, after) widths starting from the last dim, as in PyTorch."""
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got mode={mode!r}")
    return PadFn.apply(input, pad=tuple(int(p) for p in pad), value=0.0 if value is None else value)
