"""``MaxPool2d`` and ``AvgPool2d``: parameter-free layers over ``functional.max_pool2d``/``avg_pool2d``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn._utils import Pair
from vinsgrad.nn.module import Module


class MaxPool2d(Module):
    """The maximum over each window of an input (N, C, H, W) or (C, H, W); ``stride`` defaults to the kernel size.

    With ``return_indices`` it returns ``(output, indices)`` (flat positions in each H * W plane), as PyTorch.

    Example::

        pool = nn.MaxPool2d(2)
        pool(vinsgrad.randn(4, 8, 28, 28)).shape  # (4, 8, 14, 14)
    """

    def __init__(
        self,
        kernel_size: Pair,
        stride: Pair | None = None,
        padding: Pair = 0,
        dilation: Pair = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size: Any = kernel_size
        self.stride: Any = stride if stride is not None else kernel_size
        self.padding, self.dilation, self.ceil_mode = padding, dilation, ceil_mode
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        return F.max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean over each window of an input (N, C, H, W) or (C, H, W); padding counts by default, as PyTorch.

    Example::

        pool = nn.AvgPool2d(2)
        pool(vinsgrad.randn(4, 8, 28, 28)).shape  # (4, 8, 14, 14)
    """

    def __init__(
        self,
        kernel_size: Pair,
        stride: Pair | None = None,
        padding: Pair = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size: Any = kernel_size
        self.stride: Any = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
