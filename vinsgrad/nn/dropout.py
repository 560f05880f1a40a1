"""``Dropout`` (elements) and ``Dropout1d``/``Dropout2d`` (whole channels): inverted dropout in training mode,
the identity in eval mode (``functional.dropout``/``dropout1d``/``dropout2d``)."""

from __future__ import annotations

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn.module import Module


class _DropoutNd(Module):
    """The probability check and repr the dropout layers share. ``inplace`` is accepted for PyTorch compatibility;
    the output is always a new tensor."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
        self.p, self.inplace = float(p), inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training, zero each element with probability ``p`` and scale the rest by 1/(1-p); in eval, pass through.

    The mask is drawn from vinsgrad's default generator, so ``vinsgrad.manual_seed`` makes it reproducible.

    Example::

        drop = nn.Dropout(p=0.2)
        y = drop(vinsgrad.ones(4, 10))  # entries are 0.0 or 1.25
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """In training, zero each whole channel of an (N, C, L) or (C, L) input with probability ``p`` (scaling the rest
    by 1/(1-p)); in eval, pass through.

    Example::

        drop = nn.Dropout1d(p=0.5)
        y = drop(vinsgrad.ones(8, 16, 10))  # each (sample, channel) row all 0.0 or all 2.0
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """In training, zero each whole channel of an (N, C, H, W) input with probability ``p`` (scaling the rest by
    1/(1-p)); in eval, pass through. Neighbouring pixels are correlated, so dropping channels regularises conv
    layers where dropping pixels would not.

    Example::

        drop = nn.Dropout2d(p=0.25)
        y = drop(vinsgrad.ones(8, 16, 5, 5))  # each (sample, channel) plane all 0.0 or all 1.3333
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training)
