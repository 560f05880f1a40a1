"""``pad``: widen a tensor's trailing dims with a constant, or by reflecting, replicating or wrapping its edges."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.ops import PadFn
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn.functional.upsampling import _pad_by_mode


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the trailing dims; ``pad`` lists (before, after) widths starting from the last dim, as in PyTorch.

    Modes: 'constant' (``value``, default 0), 'reflect' (mirror without repeating the edge), 'replicate' (repeat
    the edge) and 'circular' (wrap around); the last three pad the last 1-3 dims of a batched or unbatched input.

    Example::

        F.pad(vinsgrad.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")  # tensor([[3., 2., 1., 2., 3., 2.]])
    """
    widths = tuple(int(p) for p in pad)
    if mode == "constant":
        return PadFn.apply(input, pad=widths, value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    return _pad_by_mode(input, widths, mode)
