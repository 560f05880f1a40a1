"""``dropout``: zero elements at random during training."""

from __future__ import annotations

from vinsgrad.autograd.backend import float32, float64, xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.random import rng


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p); the identity when not training.

    The mask is drawn from vinsgrad's default generator, so ``manual_seed`` makes it reproducible.

    Example::

        x = vinsgrad.ones(4, 4)
        F.dropout(x, 0.5)  # about half zeros, the rest 2.0
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    dtype = input.dtype if input.dtype in (float32, float64) else float64
    keep = rng().random(input.shape, dtype=dtype) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return input * Tensor(keep * xp.asarray(scale, dtype=input.dtype))
