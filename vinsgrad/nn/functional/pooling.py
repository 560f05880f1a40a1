"""Max and average pooling over 2-D windows."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import int64, ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn._utils import Pair, pair, single
from vinsgrad.nn.functional.conv import _crop, _pad_hw, _taps
from vinsgrad.nn.functional.upsampling import _apply_along, _area_matrix


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


def _padded_for_max(x: ndarray, pads: Any) -> ndarray:
    """``x`` padded with a value below every element, so padding never wins a window (nor ties with an element):
    -inf for floats; for integers their dtype's minimum, unsigned ones first widened to a signed dtype."""
    if not any(pads[0] + pads[1]):
        return x
    if x.dtype.kind in "bu":
        x = x.astype(xp.promote_types(x.dtype, xp.int8))
    return _pad_hw(x, pads, value=-xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min)


def _window_max(x: ndarray, kernel: tuple[int, int], stride: Any, dilation: Any, out_hw: Any, pads: Any):
    """Each window's maximum and the kernel offset (row-major) of its first maximum."""
    if x.dtype.kind == "b":
        raise NotImplementedError("max pooling is not implemented for bool tensors, as in PyTorch (cast with .int())")
    xpad = _padded_for_max(x, pads)
    kh, kw = kernel
    taps = [_taps(xpad, k // kw, k % kw, out_hw, stride, dilation) for k in range(kh * kw)]
    best = taps[0].copy(order="K")  # keeps a channels-last input channels-last
    for tap in taps[1:]:
        xp.maximum(best, tap, out=best)  # NaN propagates, as in PyTorch
    # NOTE: the offset of the first tap equal to the max, branch-free (masked stores are slow): going backwards,
    # arg -= (tap == best) * (arg - k) sets arg to k where the tap holds the max. A NaN max equals no tap; those
    # windows, rare, take the offset of their last NaN afterwards, as PyTorch's (val > max || isnan(val)) does.
    arg = xp.full_like(best, kh * kw - 1, dtype=xp.min_scalar_type(kh * kw))  # in best's layout: see backward
    for k in range(kh * kw - 2, -1, -1):
        arg -= (taps[k] == best).view(xp.uint8) * (arg - arg.dtype.type(k))
    if best.dtype.kind == "f" and xp.isnan(best).any():
        for k in range(kh * kw):
            arg[xp.isnan(taps[k])] = k
    return best.astype(x.dtype, copy=False), arg, xpad.shape


class MaxPool2dFn(Function):
    @staticmethod
    def forward(ctx, x, kernel=(1, 1), stride=(1, 1), dilation=(1, 1), out_hw=(1, 1), pads=((0, 0), (0, 0))):
        best, ctx.arg, pshape = _window_max(x, kernel, stride, dilation, out_hw, pads)
        channels_last = x.ndim == 4 and x.shape[1] > 1 and x.transpose(0, 2, 3, 1).flags.c_contiguous
        ctx.geometry = (x.shape, pshape, kernel, stride, dilation, out_hw, pads, channels_last)
        return best

    @staticmethod
    def backward(ctx, grad):
        shape, pshape, (kh, kw), stride, dilation, out_hw, pads, channels_last = ctx.geometry
        # windows that tile the padded input exactly (the usual 2x2 pool) write every element below: no zero fill
        tiled = stride == (kh, kw) and dilation == (1, 1) and pshape[-2:] == (out_hw[0] * kh, out_hw[1] * kw)
        alloc = xp.empty if tiled else xp.zeros
        if channels_last:  # the gradient in the input's own layout, so a conv's backward reads it without a copy
            dxpad = alloc((pshape[0], *pshape[2:], pshape[1]), dtype=grad.dtype).transpose(0, 3, 1, 2)
            # NOTE: and grad in the layout of arg (and of dxpad): mixed layouts make the scatter below 5x slower
            grad = xp.ascontiguousarray(grad.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
        else:
            dxpad = alloc(pshape, dtype=grad.dtype)
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


# ---- 1-D pooling (a 2-D pool over a height of 1) and adaptive pooling (issue 14) ----


def _pool1d_input(input: Tensor, name: str) -> None:
    if input.ndim not in (2, 3):
        raise ValueError(f"{name} expects a 2-D (C, L) or 3-D (N, C, L) input, got shape {tuple(input.shape)}")


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum over each (dilated) window of ``input`` (N, C, L) or (C, L); indices are positions in L.

    Example::

        F.max_pool1d(vinsgrad.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)  # tensor([[[3., 2.]]])
    """
    _pool1d_input(input, "max_pool1d")
    k = single(kernel_size, "kernel_size", minimum=1)
    s = k if stride is None or stride == [] else single(stride, "stride", minimum=1)
    p, d = single(padding, "padding", minimum=0), single(dilation, "dilation", minimum=1)
    out = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    return (out[0].squeeze(-2), out[1].squeeze(-2)) if return_indices else out.squeeze(-2)


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean over each window of ``input`` (N, C, L) or (C, L); zero padding counts by default, as PyTorch.

    Example::

        F.avg_pool1d(vinsgrad.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)  # tensor([[[2., 1.]]])
    """
    _pool1d_input(input, "avg_pool1d")
    k = single(kernel_size, "kernel_size", minimum=1)
    s = k if stride is None or stride == [] else single(stride, "stride", minimum=1)
    p = single(padding, "padding", minimum=0)
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad).squeeze(-2)


def _adaptive_size(output_size: Any, in_hw: tuple[int, ...], name: str) -> tuple[int, int]:
    """(out_h, out_w) from an int or a pair whose None entries keep the input's size."""
    sizes = (output_size, output_size) if not isinstance(output_size, (tuple, list)) else tuple(output_size)
    if len(sizes) != 2 or not all(s is None or (isinstance(s, int) and s >= 1) for s in sizes):
        raise ValueError(f"{name}: output_size must be a positive int or a pair of them (or None), got {output_size!r}")
    return (in_hw[0] if sizes[0] is None else sizes[0], in_hw[1] if sizes[1] is None else sizes[1])


def _bins(size: int, out: int) -> tuple[ndarray, ndarray]:
    """PyTorch's adaptive bins along one axis: [floor(i * size / out), ceil((i + 1) * size / out))."""
    i = xp.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average ``input`` (N, C, H, W) or (C, H, W) over an ``output_size`` grid of (possibly uneven, overlapping)
    bins, PyTorch's: bin i spans rows floor(i * H / out_h) to ceil((i + 1) * H / out_h).

    Example::

        F.adaptive_avg_pool2d(vinsgrad.randn(2, 8, 7, 9), (1, 1)).shape  # (2, 8, 1, 1)
    """
    _pool_input(input, "adaptive_avg_pool2d")
    if input.dtype.kind != "f":
        raise RuntimeError(f"adaptive_avg_pool2d needs a floating-point input, got {input.dtype}")
    h, w = input.shape[-2:]
    oh, ow = _adaptive_size(output_size, (h, w), "adaptive_avg_pool2d")
    if (oh, ow) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    out = input if oh == h else _apply_along(input, _area_matrix(h, oh), input.ndim - 2)
    return out if ow == w else _apply_along(out, _area_matrix(w, ow), input.ndim - 1)


class AdaptiveMaxPool2dFn(Function):
    @staticmethod
    def forward(ctx, x, out_hw=(1, 1)):
        h, w = x.shape[-2:]
        (row_lo, row_hi), (col_lo, col_hi) = _bins(h, out_hw[0]), _bins(w, out_hw[1])
        best: Any = None
        arg: Any = None
        # NOTE: offsets past a short bin's end repeat its last row/column, which cannot change its maximum
        for i in range(int((row_hi - row_lo).max())):
            rows = xp.minimum(row_lo + i, row_hi - 1)[:, None]
            for j in range(int((col_hi - col_lo).max())):
                cols = xp.minimum(col_lo + j, col_hi - 1)[None, :]
                tap, flat = x[..., rows, cols], rows * w + cols
                if best is None:
                    best, arg = tap.copy(), xp.broadcast_to(flat, tap.shape).copy()
                    continue
                wins = (tap > best) | xp.isnan(tap)  # the first maximum wins, NaN propagates, as in PyTorch
                best = xp.where(wins, tap, best)
                arg = xp.where(wins, flat, arg)
        ctx.arg, ctx.shape = arg, x.shape
        return best

    @staticmethod
    def backward(ctx, grad):
        planes = ctx.arg.size // (ctx.arg.shape[-2] * ctx.arg.shape[-1])  # N * C (or C)
        hw = ctx.shape[-2] * ctx.shape[-1]
        flat = ctx.arg.reshape(planes, -1) + (xp.arange(planes) * hw)[:, None]
        total = xp.bincount(flat.ravel(), weights=grad.ravel(), minlength=planes * hw)
        return total.astype(grad.dtype, copy=False).reshape(ctx.shape)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum of ``input`` (N, C, H, W) or (C, H, W) over an ``output_size`` grid of PyTorch's adaptive
    bins; with ``return_indices`` also each maximum's flat position in its H * W plane.

    Example::

        F.adaptive_max_pool2d(vinsgrad.randn(2, 8, 7, 9), 3).shape  # (2, 8, 3, 3)
    """
    _pool_input(input, "adaptive_max_pool2d")
    out_hw = _adaptive_size(output_size, input.shape[-2:], "adaptive_max_pool2d")
    out = AdaptiveMaxPool2dFn.apply(input, out_hw=out_hw)
    if not return_indices:
        return out
    # found again rather than fished out of the autograd node, which does not exist under no_grad
    ctx: Any = AdaptiveMaxPool2dFn()
    AdaptiveMaxPool2dFn.forward(ctx, input._data, out_hw)
    return out, Tensor(ctx.arg.astype(int64))


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average ``input`` (N, C, L) or (C, L) over ``output_size`` adaptive bins (as ``adaptive_avg_pool2d``).

    Example::

        F.adaptive_avg_pool1d(vinsgrad.randn(2, 8, 10), 3).shape  # (2, 8, 3)
    """
    _pool1d_input(input, "adaptive_avg_pool1d")
    size = single(output_size, "output_size", minimum=1)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum of ``input`` (N, C, L) or (C, L) over ``output_size`` adaptive bins; indices are positions in L.

    Example::

        F.adaptive_max_pool1d(vinsgrad.randn(2, 8, 10), 3).shape  # (2, 8, 3)
    """
    _pool1d_input(input, "adaptive_max_pool1d")
    size = single(output_size, "output_size", minimum=1)
    out = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), return_indices)
    return (out[0].squeeze(-2), out[1].squeeze(-2)) if return_indices else out.squeeze(-2)
