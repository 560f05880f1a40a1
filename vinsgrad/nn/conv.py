"""``Conv1d``, ``Conv2d`` and ``ConvTranspose2d``: learnable convolutions over ``functional.conv1d``/``conv2d``
(im2col + BLAS matmul, col2im) and ``functional.conv_transpose2d``."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn import init
from vinsgrad.nn._utils import ntuple
from vinsgrad.nn.functional.conv import conv_pads
from vinsgrad.nn.module import Module, Parameter, factory_dtype

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: argument checks, parameters, PyTorch's initialisation and repr."""

    _dims = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        device: Any,
        dtype: Any,
        output_padding: Any = 0,
    ) -> None:
        super().__init__()
        name, n = type(self).__name__, self._dims
        dtype = factory_dtype(name, device, dtype)
        for arg, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name}: {arg} must be a positive int, got {v!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must both be divisible by "
                f"groups ({groups})"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode={padding_mode!r}")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        # tuples of n ints (padding may also be 'same' or 'valid'), as PyTorch stores them
        self.kernel_size: Any = ntuple(kernel_size, n, "kernel_size", minimum=1)
        self.stride: Any = ntuple(stride, n, "stride", minimum=1)
        self.padding: Any = padding if isinstance(padding, str) else ntuple(padding, n, "padding", minimum=0)
        self.dilation: Any = ntuple(dilation, n, "dilation", minimum=1)
        self.output_padding: Any = ntuple(output_padding, n, "output_padding", minimum=0)
        self.padding_mode = padding_mode
        if isinstance(padding, str) and self._transposed:
            raise ValueError(f"{name}: padding must be an int or a tuple of ints, got {padding!r}")
        if isinstance(padding, str):  # one rule for valid padding: F.conv2d's
            self._pads()
        shape = (in_channels, out_channels // groups) if self._transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(xp.empty((*shape, *self.kernel_size), dtype=dtype))
        if bias:
            self.bias = Parameter(xp.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """kaiming_uniform_(weight, a=sqrt(5)) and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as PyTorch does."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            init.uniform_(self.bias, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))

    def _pads(self) -> Any:
        """(before, after) padding per dim, by F.conv2d's rule (a 1-D layer is a 2-D one of height 1)."""
        as2d = [(1, *v)[-2:] for v in (self.kernel_size, self.dilation, self.stride)]
        return conv_pads(self.padding if isinstance(self.padding, str) else (0, *self.padding)[-2:], *as2d)

    def _padded(self, input: Tensor) -> tuple[Tensor, Any]:
        """The input padded by ``padding_mode`` and the padding left for the convolution itself."""
        if self.padding_mode == "zeros":
            return input, self.padding
        widths = [w for lo_hi in reversed(self._pads()[-self._dims :]) for w in lo_hi]  # F.pad order: last dim first
        return F.pad(input, widths, mode=self.padding_mode), 0

    def extra_repr(self) -> str:
        n = self._dims
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """Applies a 1-D convolution (cross-correlation) over an input of shape (N, C_in, L) or (C_in, L).

    Weight (out_channels, in_channels / groups, kernel_size) and bias (out_channels,) start uniform in
    ±1/sqrt(fan_in), PyTorch's default. ``padding_mode`` 'reflect', 'replicate' or 'circular' pads with
    ``F.pad`` instead of zeros.

    Shape: (N, C_in, L) -> (N, C_out, L_out) with
    L_out = (L + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1.

    Example::

        conv = nn.Conv1d(16, 33, kernel_size=3, stride=2)
        conv(vinsgrad.randn(20, 16, 50)).shape  # (20, 33, 24)
    """

    _dims = 1

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] = 1,
        padding: int | tuple[int] | str = 0,
        dilation: int | tuple[int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype
        )

    def forward(self, input: Tensor) -> Tensor:
        x, padding = self._padded(input)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv2d(_ConvNd):
    """Applies a 2-D convolution (cross-correlation) over an input of shape (N, C_in, H, W) or (C_in, H, W).

    Weight (out_channels, in_channels / groups, kh, kw) and bias (out_channels,) start uniform in
    ±1/sqrt(fan_in), PyTorch's default (kaiming_uniform_ with a=sqrt(5)), drawn from vinsgrad's default generator.
    ``padding_mode`` 'reflect', 'replicate' or 'circular' pads with ``F.pad`` instead of zeros.

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
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype
        )

    def forward(self, input: Tensor) -> Tensor:
        x, padding = self._padded(input)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Applies a 2-D transposed convolution (the gradient of a convolution with respect to its input), the
    upsampling layer of decoders and GANs, over an input (N, C_in, H, W) or (C_in, H, W).

    Weight (in_channels, out_channels / groups, kh, kw), PyTorch's layout, and bias (out_channels,) start as
    PyTorch's (kaiming_uniform_ with a=sqrt(5), fan_in = out_channels / groups * kh * kw).

    Shape: H_out = (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1 (likewise W_out);
    ``forward(input, output_size)`` picks the output_padding that gives ``output_size``.

    Example::

        up = nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1)
        up(vinsgrad.randn(2, 16, 7, 7)).shape  # (2, 8, 14, 14)
    """

    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int] = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            output_padding,
        )

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        if output_size is None:
            return self.output_padding
        wanted = list(output_size)[-2:]
        out_pad = []
        for a, want in enumerate(wanted):
            smallest = (
                (input.shape[-2 + a] - 1) * self.stride[a]
                - 2 * self.padding[a]
                + self.dilation[a] * (self.kernel_size[a] - 1)
                + 1
            )
            if not smallest <= want < smallest + self.stride[a]:
                raise ValueError(
                    f"requested an output size of {wanted}, but valid sizes range from {smallest} to "
                    f"{smallest + self.stride[a] - 1} (for an input of {list(input.shape[-2:])})"
                )
            out_pad.append(want - smallest)
        return tuple(out_pad)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose2d(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(input, output_size),
            self.groups,
            self.dilation,
        )
