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


# **** 1-D and adaptive pooling (issue 14) ****


class MaxPool1d(Module):
    """The maximum over each window of an input (N, C, L) or (C, L); ``stride`` defaults to the kernel size.

    Example::

        pool = nn.MaxPool1d(2)
        pool(vinsgrad.randn(4, 8, 100)).shape  # (4, 8, 50)
    """

    def __init__(
        self,
        kernel_size: int,
        stride: int | None = None,
        padding: int = 0,
        dilation: int = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.dilation, self.ceil_mode = padding, dilation, ceil_mode
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        return F.max_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool1d(Module):
    """The mean over each window of an input (N, C, L) or (C, L); zero padding counts by default, as PyTorch.

    Example::

        pool = nn.AvgPool1d(3, stride=2)
        pool(vinsgrad.randn(4, 8, 11)).shape  # (4, 8, 5)
    """

    def __init__(
        self,
        kernel_size: int,
        stride: int | None = None,
        padding: int = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        # stored as 1-tuples, as PyTorch does
        self.kernel_size = _as_single(kernel_size)
        self.stride = _as_single(stride if stride is not None else kernel_size)
        self.padding = _as_single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _as_single(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


class AdaptiveAvgPool2d(Module):
    """Average over an ``output_size`` grid of bins, whatever the input's size: (N, C, H, W) -> (N, C, *output_size).

    ``output_size`` is an int (square) or a pair; None in the pair keeps that input dim.

    Example::

        pool = nn.AdaptiveAvgPool2d((1, 1))  # global average pooling
        pool(vinsgrad.randn(4, 512, 7, 7)).shape  # (4, 512, 1, 1)
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """The maximum over an ``output_size`` grid of bins, whatever the input's size (see ``AdaptiveAvgPool2d``).

    Example::

        pool = nn.AdaptiveMaxPool2d(3)
        pool(vinsgrad.randn(4, 8, 10, 10)).shape  # (4, 8, 3, 3)
    """

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(Module):
    """Average over ``output_size`` bins of the length, whatever it is: (N, C, L) -> (N, C, output_size).

    Example::

        nn.AdaptiveAvgPool1d(1)(vinsgrad.randn(4, 16, 37)).shape  # (4, 16, 1)
    """

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """The maximum over ``output_size`` bins of the length, whatever it is: (N, C, L) -> (N, C, output_size).

    Example::

        nn.AdaptiveMaxPool1d(2)(vinsgrad.randn(4, 16, 37)).shape  # (4, 16, 2)
    """

    def __init__(self, output_size: int, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
