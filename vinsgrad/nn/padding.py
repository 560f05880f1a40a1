"""Padding layers (``ZeroPad2d``, ``ReflectionPad2d``, ...): each holds its widths and calls ``F.pad``."""

from __future__ import annotations

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn.module import Module


class _PadNd(Module):
    """Pads the last ``_dims`` dims by ``padding``: an int for every side, or (left, right[, top, bottom])."""

    _dims = 1
    _mode = "constant"

    value = 0.0

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        super().__init__()
        n = 2 * self._dims
        widths = (padding,) * n if isinstance(padding, int) else tuple(padding)
        if len(widths) != n or not all(isinstance(p, int) and not isinstance(p, bool) for p in widths):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of {n} ints, got {padding!r}")
        self.padding = widths

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode, self.value if self._mode == "constant" else None)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: int | tuple[int, ...], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ZeroPad1d(_PadNd):
    """Pad the last dim of an input (N, C, W) or (C, W) with zeros.

    Example::

        nn.ZeroPad1d(2)(vinsgrad.ones(1, 3)).shape  # (1, 7)
    """

    _dims = 1


class ZeroPad2d(_PadNd):
    """Pad the last 2 dims of an input (N, C, H, W) or (C, H, W) with zeros.

    Example::

        nn.ZeroPad2d((1, 1, 2, 0))(vinsgrad.ones(1, 3, 3)).shape  # (1, 5, 5)
    """

    _dims = 2


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim of an input (N, C, W) or (C, W) with ``value``.

    Example::

        nn.ConstantPad1d(2, 3.5)(vinsgrad.ones(1, 3))  # tensor([[3.5, 3.5, 1., 1., 1., 3.5, 3.5]])
    """

    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims of an input (N, C, H, W) or (C, H, W) with ``value``.

    Example::

        nn.ConstantPad2d(1, -1.0)(vinsgrad.ones(1, 2, 2)).shape  # (1, 4, 4)
    """

    _dims = 2


class ReflectionPad1d(_PadNd):
    """Pad the last dim of an input (N, C, W) or (C, W) by mirroring about the edge, which is not repeated.

    Example::

        nn.ReflectionPad1d(2)(vinsgrad.tensor([[1.0, 2.0, 3.0]]))  # tensor([[3., 2., 1., 2., 3., 2., 1.]])
    """

    _dims = 1
    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last 2 dims of an input (N, C, H, W) or (C, H, W) by mirroring about the edge, which is not repeated.

    Example::

        nn.ReflectionPad2d(3)(vinsgrad.randn(1, 3, 8, 8)).shape  # (1, 3, 14, 14), as in CycleGAN
    """

    _dims = 2
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim of an input (N, C, W) or (C, W) by repeating the edge.

    Example::

        nn.ReplicationPad1d((1, 2))(vinsgrad.tensor([[1.0, 2.0]]))  # tensor([[1., 1., 2., 2., 2.]])
    """

    _dims = 1
    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last 2 dims of an input (N, C, H, W) or (C, H, W) by repeating the edge.

    Example::

        nn.ReplicationPad2d(1)(vinsgrad.randn(1, 3, 4, 4)).shape  # (1, 3, 6, 6)
    """

    _dims = 2
    _mode = "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dim of an input (N, C, W) or (C, W) by wrapping around.

    Example::

        nn.CircularPad1d(1)(vinsgrad.tensor([[1.0, 2.0, 3.0]]))  # tensor([[3., 1., 2., 3., 1.]])
    """

    _dims = 1
    _mode = "circular"


class CircularPad2d(_PadNd):
    """Pad the last 2 dims of an input (N, C, H, W) or (C, H, W) by wrapping around.

    Example::

        nn.CircularPad2d(1)(vinsgrad.randn(1, 3, 4, 4)).shape  # (1, 3, 6, 6)
    """

    _dims = 2
    _mode = "circular"
