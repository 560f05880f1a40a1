"""``dropout``: zero elements at random during training."""

from __future__ import annotations

import warnings

from vinsgrad.autograd.backend import float32, float64, xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.random import rng


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p); the identity when not training
    (``inplace`` is accepted for PyTorch compatibility; the result is a new tensor).

    The mask is drawn from vinsgrad's default generator, so ``manual_seed`` makes it reproducible.

    Example::

        x = vinsgrad.ones(4, 4)
        F.dropout(x, 0.5)  # about half zeros, the rest 2.0
    """
    return _masked(input, p, training, tuple(input.shape))


def _channel_dropout(input: Tensor, p: float, training: bool) -> Tensor:
    """Zero each (sample, channel) slice of ``input`` (N, C, ...) with probability ``p``, scaling the rest."""
    return _masked(input, p, training, (*input.shape[:2], *(1,) * (input.ndim - 2)))


def _masked(input: Tensor, p: float, training: bool, mask_shape: tuple[int, ...]) -> Tensor:
    """``input`` times a keep-mask of ``mask_shape`` (broadcast over the rest) drawn with probability ``1 - p``,
    scaled by 1/(1-p); the identity when not training."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    dtype = input.dtype if input.dtype in (float32, float64) else float64
    keep = rng().random(mask_shape, dtype=dtype) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return input * Tensor(keep * xp.asarray(scale, dtype=input.dtype))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of ``input`` (N, C, L) or (C, L) with probability ``p`` (the rest scaled by 1/(1-p));
    the identity when not training. ``inplace`` is accepted for PyTorch compatibility.

    Example::

        F.dropout1d(vinsgrad.ones(2, 4, 3), 0.5)[0, :, 0]  # each channel all 0.0 or all 2.0
    """
    if input.ndim not in (2, 3):
        raise ValueError(f"dropout1d expects a 2-D (C, L) or 3-D (N, C, L) input, got shape {tuple(input.shape)}")
    if input.ndim == 2:
        return _channel_dropout(input.unsqueeze(0), p, training).squeeze(0)
    return _channel_dropout(input, p, training)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) plane of ``input`` (N, C, H, W) or (C, H, W) with probability
    ``p``, the kept ones scaled by 1/(1-p); the identity when not training. ``inplace`` is accepted for PyTorch
    compatibility; the result is a new tensor.

    A 3-D input is taken as (N, C, L), as PyTorch does (with a warning): 1-D channel dropout.

    Example::

        x = vinsgrad.ones(2, 4, 3, 3)
        F.dropout2d(x, 0.5)[0, :, 0, 0]  # each channel all 0.0 or all 2.0
    """
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d expects a 3-D or 4-D input (N, C, H, W), got shape {tuple(input.shape)}")
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: received a 3-D input, taken as (N, C, L) for channel-wise 1-D dropout, as PyTorch does; use "
            "dropout1d for that, or pass (N, C, H, W)",
            stacklevel=2,
        )
    return _channel_dropout(input, p, training)
