"""``Conv2d``: a learnable 2-D convolution; its math (im2col + BLAS matmul, col2im) is ``functional.conv2d``."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn import init
from vinsgrad.nn._utils import pair
from vinsgrad.nn.functional.conv import conv_pads
from vinsgrad.nn.module import Module, Parameter, factory_dtype


class Conv2d(Module):
    """Applies a 2-D convolution (cross-correlation) over an input of shape (N, C_in, H, W) or (C_in, H, W).

    Weight (out_channels, in_channels / groups, kh, kw) and bias (out_channels,) start uniform in
    ±1/sqrt(fan_in), PyTorch's default (kaiming_uniform_ with a=sqrt(5)), drawn from vinsgrad's default generator.

    Shape: (N, C_in, H, W) -> (N, C_out, H_out, W_out) with
    H_out = (H + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1 (likewise W_out).

    Example::

        conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        conv(vinsgrad.randn(4, 1, 28, 28)).shape  # (4, 8, 28, 28)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype("Conv2d", device, dtype)
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {v!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"Conv2d: in_channels ({in_channels}) and out_channels ({out_channels}) must both be divisible by "
                f"groups ({groups})"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = pair(kernel_size, "kernel_size", minimum=1)
        self.stride = pair(stride, "stride", minimum=1)
        self.padding: tuple[int, int] | str = (
            padding if isinstance(padding, str) else pair(padding, "padding", minimum=0)
        )
        self.dilation = pair(dilation, "dilation", minimum=1)
        conv_pads(padding, self.kernel_size, self.dilation, self.stride)  # one rule for valid padding: F.conv2d's
        self.weight = Parameter(xp.empty((out_channels, in_channels // groups, *self.kernel_size), dtype=dtype))
        if bias:
            self.bias = Parameter(xp.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """kaiming_uniform_(weight, a=sqrt(5)) and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as PyTorch does."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
            init.uniform_(self.bias, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))

    def forward(self, input: Tensor) -> Tensor:
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s
