"""Max and average pooling over 2-D windows."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import int64, ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn._utils import Pair, pair
from vinsgrad.nn.functional.conv import _crop, _pad_hw, _taps


def _pool_args(kernel_size: Any, stride: Any, padding: Any, dilation: Any, name: str):
    kernel = pair(kernel_size, "kernel_size", minimum=1)
    strides = kernel if stride is None or stride == [] else pair(stride, "stride", minimum=1)
    pad = pair(padding, "padding", minimum=0)
    dil = pair(dilation, "dilation", minimum=1)
    if any(p > (d * (k - 1) + 1) // 2 for p, k, d in zip(pad, kernel, dil)):
        raise ValueError(
            f"{name}: pad should be at most half of the effective kernel size, got padding={padding}, "
            f"kernel_size={kernel_size}, dilation={dilation}"
        )
    return kernel, strides, pad, dil


def _pool_geometry(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil_mode: bool):
    """Output size and (low, high) padding; ceil_mode pads the high side so a last, partial window fits."""
    span = dilation * (kernel - 1) + 1
    out = (size + 2 * pad - span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:  # the last window must start inside the input or left pad
        out -= 1
    if out < 1:
        raise ValueError(f"pooling: input size {size} (padding {pad}) is smaller than the kernel span {span}")
    return out, (pad, max(pad, (out - 1) * stride + span - size - pad))


def _pool_input(input: Tensor, name: str) -> None:
    if input.ndim not in (3, 4):
        raise ValueError(f"{name} expects a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {tuple(input.shape)}")


def _window_max(x: ndarray, kernel: tuple[int, int], stride: Any, dilation: Any, out_hw: Any, pads: Any):
    """Each window's maximum and the kernel offset (row-major) it was found at."""
    if x.dtype.kind == "b":
        raise NotImplementedError("max pooling is not implemented for bool tensors, as in PyTorch (cast with .int())")
    lowest = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    xpad = _pad_hw(x, pads, value=lowest)
    kh, kw = kernel
    best = _taps(xpad, 0, 0, out_hw, stride, dilation).copy()
    arg = xp.zeros(best.shape, dtype=xp.min_scalar_type(kh * kw))
    for k in range(1, kh * kw):
        tap = _taps(xpad, k // kw, k % kw, out_hw, stride, dilation)
        wins = tap > best
        wins |= xp.isnan(tap)  # NOTE: the first maximum wins and NaN propagates, as in PyTorch
        xp.maximum(best, tap, out=best)
        # k exceeds every earlier offset, so a max records the winners branch-free (masked stores are slow)
        xp.maximum(arg, wins.view(xp.uint8) * arg.dtype.type(k), out=arg)
    return best, arg, xpad.shape


class MaxPool2dFn(Function):
    @staticmethod
    def forward(ctx, x, kernel=(1, 1), stride=(1, 1), dilation=(1, 1), out_hw=(1, 1), pads=((0, 0), (0, 0))):
        best, ctx.arg, pshape = _window_max(x, kernel, stride, dilation, out_hw, pads)
        ctx.geometry = (x.shape, pshape, kernel, stride, dilation, out_hw, pads)
        return best

    @staticmethod
    def backward(ctx, grad):
        shape, pshape, (kh, kw), stride, dilation, out_hw, pads = ctx.geometry
        dxpad = xp.zeros(pshape, dtype=grad.dtype)
        overlap = any(s < d * (k - 1) + 1 for s, d, k in zip(stride, dilation, (kh, kw)))
        for k in range(kh * kw):
            tap = _taps(dxpad, k // kw, k % kw, out_hw, stride, dilation)
            if overlap:
                tap += grad * (ctx.arg == k)
            else:  # each input position is in one window at most: write, no temporary
                xp.multiply(grad, ctx.arg == k, out=tap)
        return _crop(dxpad, pads, shape[-2:])


def max_pool2d(
    input: Tensor,
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    dilation: Pair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum over each (dilated) window of ``input`` (N, C, H, W) or (C, H, W); padding counts as -inf.

    With ``return_indices`` it returns ``(output, indices)``, each index the argmax's position in its flattened
    (H * W) input plane, as PyTorch does.

    Example::

        x = vinsgrad.randn(1, 1, 4, 4)
        F.max_pool2d(x, 2).shape  # (1, 1, 2, 2)
    """
    _pool_input(input, "max_pool2d")
    kernel, strides, pad, dil = _pool_args(kernel_size, stride, padding, dilation, "max_pool2d")
    geometry = [_pool_geometry(input.shape[-2 + a], kernel[a], strides[a], pad[a], dil[a], ceil_mode) for a in (0, 1)]
    out_hw = (geometry[0][0], geometry[1][0])
    pads = (geometry[0][1], geometry[1][1])
    out = MaxPool2dFn.apply(input, kernel=kernel, stride=strides, dilation=dil, out_hw=out_hw, pads=pads)
    if not return_indices:
        return out
    # Found again rather than fished out of the autograd node, which does not exist under no_grad.
    arg = _window_max(input._data, kernel, strides, dil, out_hw, pads)[1].astype(int64)
    rows = xp.arange(out_hw[0])[:, None] * strides[0] - pads[0][0] + (arg // kernel[1]) * dil[0]
    cols = xp.arange(out_hw[1]) * strides[1] - pads[1][0] + (arg % kernel[1]) * dil[1]
    return out, Tensor(rows * input.shape[-1] + cols)


class AvgPool2dFn(Function):
    @staticmethod
    def forward(ctx, x, kernel=(1, 1), stride=(1, 1), out_hw=(1, 1), pads=((0, 0), (0, 0)), divisor=None):
        xpad = _pad_hw(x, pads)
        kh, kw = kernel
        total = _taps(xpad, 0, 0, out_hw, stride, (1, 1)).copy()
        for k in range(1, kh * kw):
            total += _taps(xpad, k // kw, k % kw, out_hw, stride, (1, 1))
        divisor = divisor.astype(x.dtype, copy=False)
        ctx.divisor = divisor
        ctx.geometry = (x.shape, xpad.shape, kernel, stride, out_hw, pads)
        total /= divisor
        return total

    @staticmethod
    def backward(ctx, grad):
        shape, pshape, (kh, kw), stride, out_hw, pads = ctx.geometry
        share = grad / ctx.divisor
        dxpad = xp.zeros(pshape, dtype=grad.dtype)
        for k in range(kh * kw):
            _taps(dxpad, k // kw, k % kw, out_hw, stride, (1, 1))[...] += share
        return _crop(dxpad, pads, shape[-2:])


def _window_counts(size: int, kernel: int, stride: int, out: int, lo: int, hi: int) -> ndarray:
    """How many of each window's positions along one axis lie in [lo, hi) of the padded axis."""
    starts = xp.arange(out) * stride
    return xp.clip(xp.minimum(starts + kernel, hi) - xp.maximum(starts, lo), 0, None)


def avg_pool2d(
    input: Tensor,
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: Pair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean over each window of ``input`` (N, C, H, W) or (C, H, W).

    With ``count_include_pad`` (the default, as in PyTorch) zero padding counts towards the divisor; positions
    past the padding that ``ceil_mode`` adds never do.

    Example::

        x = vinsgrad.randn(1, 1, 4, 4)
        F.avg_pool2d(x, 2).shape  # (1, 1, 2, 2)
    """
    _pool_input(input, "avg_pool2d")
    kernel, strides, pad, _ = _pool_args(kernel_size, stride, padding, 1, "avg_pool2d")
    if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override < 1):
        raise ValueError(f"avg_pool2d: divisor_override must be a positive int or None, got {divisor_override!r}")
    counts, out_hw, pads = [], [], []
    for a in (0, 1):
        size = input.shape[-2 + a]
        out, lo_hi = _pool_geometry(size, kernel[a], strides[a], pad[a], 1, ceil_mode)
        lo, hi = (0, size + 2 * pad[a]) if count_include_pad else (pad[a], pad[a] + size)
        counts.append(_window_counts(size, kernel[a], strides[a], out, lo, hi))
        out_hw.append(out)
        pads.append(lo_hi)
    divisor = xp.asarray(float(divisor_override)) if divisor_override else xp.outer(counts[0], counts[1])
    return AvgPool2dFn.apply(
        input, kernel=kernel, stride=strides, out_hw=tuple(out_hw), pads=tuple(pads), divisor=divisor
    )
