"""``conv2d`` by im2col + one BLAS matmul, and the sliding-window helpers pooling shares."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn._utils import Pair, pair


def _out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def _taps(xpad: ndarray, i: int, j: int, out_hw: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]):
    """The view of ``xpad`` that kernel offset (i, j) sees at every output pixel: shape (..., out_h, out_w)."""
    (oh, ow), (sh, sw), (dh, dw) = out_hw, stride, dilation
    return xpad[..., i * dh : i * dh + sh * (oh - 1) + 1 : sh, j * dw : j * dw + sw * (ow - 1) + 1 : sw]


def _crop(xpad: ndarray, pads: tuple[tuple[int, int], tuple[int, int]], hw: tuple[int, int]) -> ndarray:
    (top, _), (left, _) = pads
    return xpad[..., top : top + hw[0], left : left + hw[1]]


def _pad_hw(x: ndarray, pads: tuple[tuple[int, int], tuple[int, int]], value: float = 0.0) -> ndarray:
    if not any(pads[0] + pads[1]):
        return x
    return xp.pad(x, ((0, 0),) * (x.ndim - 2) + pads, constant_values=value)


class Conv2dFn(Function):
    # NOTE: im2col copies the strided window view into (N, groups, C/groups*kh*kw, out_h*out_w), so the copy reads
    # whole rows of pixels and the product with the weight lands directly in (N, C_out, out_h, out_w) order: one
    # BLAS matmul per sample, and no transposed copies of the output or the gradient in either direction.
    @staticmethod
    def forward(ctx, x, weight, bias, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
        n, c, h, w = x.shape
        o, _, kh, kw = weight.shape
        xpad = _pad_hw(x, pads)
        oh = _out_size(h, kh, stride[0], sum(pads[0]), dilation[0])
        ow = _out_size(w, kw, stride[1], sum(pads[1]), dilation[1])
        if oh < 1 or ow < 1:
            raise RuntimeError(f"the padded input {xpad.shape[2:]} is smaller than the dilated kernel ({kh}, {kw})")
        sn, sc, sy, sx = xpad.strides
        window = xp.lib.stride_tricks.as_strided(
            xpad,
            shape=(n, c, kh, kw, oh, ow),
            strides=(sn, sc, sy * dilation[0], sx * dilation[1], sy * stride[0], sx * stride[1]),
            writeable=False,
        )
        cols = window.reshape(n, groups, c // groups * kh * kw, oh * ow)  # the one copy: im2col
        w3 = weight.reshape(groups, o // groups, -1)
        out = xp.matmul(w3, cols).reshape(n, o, oh, ow)
        if bias is not None:
            out += bias.reshape(o, 1, 1)
        ctx.save_for_backward(cols, w3)
        ctx.geometry = (x.shape, weight.shape, xpad.shape[2:], (oh, ow), stride, pads, dilation)
        return out

    @staticmethod
    def backward(ctx, grad):
        cols, w3 = ctx.saved_tensors
        (n, c, h, w), wshape, (hp, wp), out_hw, stride, pads, dilation = ctx.geometry
        need_x, need_w, need_b = ctx.needs_input_grad
        g = grad.reshape(n, *w3.shape[:2], -1)
        gx = gw = gb = None
        if need_w:
            # NOTE: per-sample products summed over the batch. NumPy hands stacked matmuls to BLAS only when both
            # operands are contiguous, so cols stays as it is and the (small) gradient is transposed instead.
            g_t = xp.ascontiguousarray(g.swapaxes(-1, -2))
            gw = xp.matmul(cols, g_t).sum(axis=0).swapaxes(-1, -2).reshape(wshape)
        if need_b:
            gb = grad.sum(axis=(0, 2, 3))
        if need_x:  # col2im: scatter-add each kernel offset's columns back onto the pixels it read
            dcols = xp.matmul(w3.swapaxes(-1, -2), g).reshape(n, c, wshape[2], wshape[3], *out_hw)
            dxpad = xp.zeros((n, c, hp, wp), dtype=dcols.dtype)
            for i in range(wshape[2]):
                for j in range(wshape[3]):
                    _taps(dxpad, i, j, out_hw, stride, dilation)[...] += dcols[:, :, i, j]
            gx = xp.ascontiguousarray(_crop(dxpad, pads, (h, w)))
        return gx, gw, gb


def conv_pads(padding: Any, kernel: tuple[int, int], dilation: tuple[int, int], stride: tuple[int, int]):
    """Explicit (top, bottom), (left, right) padding from an int, a pair, 'valid' or 'same'."""
    if padding == "valid":
        return ((0, 0), (0, 0))
    if padding == "same":
        if stride != (1, 1):
            raise ValueError(f"padding='same' is not supported for strided convolutions, got stride={stride}")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, str):
        raise ValueError(f"padding must be an int, a pair of ints, 'valid' or 'same', got {padding!r}")
    ph, pw = pair(padding, "padding", minimum=0)
    return ((ph, ph), (pw, pw))


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Pair = 1,
    padding: Pair | str = 0,
    dilation: Pair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of ``input`` (N, C, H, W) or (C, H, W) with ``weight`` (O, C/groups, kh, kw).

    Example::

        x, w = vinsgrad.randn(1, 3, 8, 8), vinsgrad.randn(4, 3, 3, 3)
        F.conv2d(x, w, padding=1).shape  # (1, 4, 8, 8)
    """
    if input.ndim == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    stride, dilation = pair(stride, "stride", minimum=1), pair(dilation, "dilation", minimum=1)
    if input.ndim != 4 or weight.ndim != 4:
        raise ValueError(
            f"conv2d expects a 3-D (C, H, W) or 4-D (N, C, H, W) input and a 4-D weight, "
            f"got input {tuple(input.shape)} and weight {tuple(weight.shape)}"
        )
    o, cg, kh, kw = weight.shape
    if not isinstance(groups, int) or groups < 1 or o % groups or cg * groups != input.shape[1]:
        raise ValueError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
            f"{cg * groups} channels and out_channels {o} to be divisible by groups"
        )
    if bias is not None and tuple(bias.shape) != (o,):
        raise ValueError(f"conv2d: bias must have shape ({o},) (one per output channel), got {tuple(bias.shape)}")
    if input.dtype != weight.dtype:
        raise TypeError(
            f"conv2d: input is {input.dtype} but the weight is {weight.dtype}; cast the input (x.float()) or the "
            "model (model.double()) so they match"
        )
    pads = conv_pads(padding, (kh, kw), dilation, stride)
    return Conv2dFn.apply(input, weight, bias, stride=stride, pads=pads, dilation=dilation, groups=groups)
