"""``conv2d`` by im2col + one BLAS matmul, and the sliding-window helpers pooling shares."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn._utils import Pair, pair, single


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


# Bytes of im2col columns built at a time. A batch whose columns exceed it is convolved in chunks of samples (and
# its columns rebuilt in backward instead of kept), so deep layers on large batches stay within a bounded buffer.
COLUMN_BUFFER_BYTES = 1 << 24  # 16 MiB: the CNN of configs/cnn.yaml trains unchunked at batch 64


def _pad_nhwc(x: ndarray, pads: tuple[tuple[int, int], tuple[int, int]]) -> ndarray:
    """``x`` (N, C, H, W) as a zero-padded channels-last (N, H', W', C) array; without padding, a view."""
    xh = x.transpose(0, 2, 3, 1)
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return xh
    n, h, w, c = xh.shape
    out = xp.zeros((n, h + top + bottom, w + left + right, c), dtype=x.dtype)
    out[:, top : top + h, left : left + w] = xh  # the copy that also turns NCHW memory channels-last
    return out


def _windows(xpad: ndarray, kernel, out_hw, stride, dilation, groups: int, *, writeable: bool = False) -> ndarray:
    """The (N, out_h, out_w, kh, kw, groups, C/groups) view of every window of a channels-last ``xpad``."""
    n, _, _, c = xpad.shape
    sn, sy, sx, sc = xpad.strides
    return xp.lib.stride_tricks.as_strided(
        xpad,
        shape=(n, *out_hw, *kernel, groups, c // groups),
        strides=(sn, sy * stride[0], sx * stride[1], sy * dilation[0], sx * dilation[1], sc * (c // groups), sc),
        writeable=writeable,
    )


def _columns(win: ndarray) -> ndarray:
    """im2col: the (N*out_h*out_w, kh*kw*C) matrix of a (N, out_h, out_w, kh, kw, C) window view, copied once.

    With one channel a row would be a scatter of single floats, so the copy is made kernel offset by kernel offset
    (each a run of whole pixel rows) and the matrix returned is its transpose: BLAS takes either orientation.
    """
    n, oh, ow, kh, kw, c = win.shape
    if c == 1:
        return win.transpose(3, 4, 5, 0, 1, 2).reshape(kh * kw, n * oh * ow).T
    return win.reshape(n * oh * ow, kh * kw * c)


class Conv2dFn(Function):
    # NOTE: channels-last im2col. Each output pixel of the whole batch is one row of the columns (N*out_h*out_w,
    # kh*kw*C), copied from the as_strided window view in one pass, so a layer is one GEMM with the weight laid
    # out as (kh*kw*C, C_out) and its output is (N, out_h, out_w, C_out): returned as an (N, C_out, out_h, out_w)
    # view of that memory, which the elementwise ops and pooling that follow keep channels-last. The weight
    # gradient (columns^T @ grad) and the input gradient (grad @ weight, then col2im) are GEMMs of the same
    # family. Groups add a loop over groups; a batch whose columns exceed COLUMN_BUFFER_BYTES runs in chunks.
    @staticmethod
    def forward(ctx, x, weight, bias, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
        n, c, h, w = x.shape
        o, cg, kh, kw = weight.shape
        oh = _out_size(h, kh, stride[0], sum(pads[0]), dilation[0])
        ow = _out_size(w, kw, stride[1], sum(pads[1]), dilation[1])
        if oh < 1 or ow < 1:
            padded = (h + sum(pads[0]), w + sum(pads[1]))
            raise RuntimeError(f"the padded input {padded} is smaller than the dilated kernel ({kh}, {kw})")
        xpad = _pad_nhwc(x, pads)
        og = o // groups
        wk = xp.ascontiguousarray(weight.reshape(groups, og, cg, kh, kw).transpose(0, 3, 4, 2, 1))
        wk = wk.reshape(groups, kh * kw * cg, og)  # group g's weight as (kh*kw*C/groups, C_out/groups)
        out = xp.empty((n, oh, ow, o), dtype=x.dtype)
        out2d = out.reshape(n * oh * ow, o)
        chunk = max(1, COLUMN_BUFFER_BYTES // (oh * ow * kh * kw * c * x.itemsize))
        geometry = ((kh, kw), (oh, ow), stride, dilation, groups)
        saved_cols = []
        for s in range(0, n, chunk):
            win = _windows(xpad[s : s + chunk], *geometry)
            rows = slice(s * oh * ow, min(n, s + chunk) * oh * ow)
            for g in range(groups):
                cols = _columns(win[..., g, :])
                xp.matmul(cols, wk[g], out=out2d[rows, g * og : (g + 1) * og])
                if chunk >= n:
                    saved_cols.append(cols)
            if bias is not None:
                out2d[rows] += bias  # while this chunk of the output is still in cache
        ctx.save_for_backward(xpad if chunk < n else None, wk, *saved_cols)
        ctx.geometry = (x.shape, weight.shape, pads, chunk, geometry)
        return out.transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad):
        xpad, wk, *saved_cols = ctx.saved_tensors
        (n, c, h, w), wshape, pads, chunk, geometry = ctx.geometry
        (kh, kw), (oh, ow), stride, _, groups = geometry
        o, cg = wshape[:2]
        og = o // groups
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = grad.transpose(0, 2, 3, 1).reshape(n * oh * ow, o)  # a view when grad is channels-last, as usual
        by_gemm = stride == (1, 1)  # the input gradient as a convolution of the gradient: see _input_grad
        gw_groups = xp.zeros((groups, kh * kw * cg, og), dtype=grad.dtype)  # tiny: allocated even if unneeded
        if need_x and not by_gemm:
            (top, bottom), (left, right) = pads
            dxpad = xp.zeros((n, h + top + bottom, w + left + right, c), dtype=grad.dtype)
        for s in range(0, n, chunk):
            rows = slice(s * oh * ow, min(n, s + chunk) * oh * ow)
            win = None if xpad is None else _windows(xpad[s : s + chunk], *geometry)
            for g in range(groups):
                gg = g2[rows, g * og : (g + 1) * og]
                if need_w:
                    cols = saved_cols[g] if win is None else _columns(win[..., g, :])
                    gw_groups[g] += cols.T @ gg
                if need_x and not by_gemm:  # col2im: each kernel offset's columns added back onto its pixels
                    dcols = (gg @ wk[g].T).reshape(-1, oh, ow, kh, kw, cg)
                    dwin = _windows(dxpad[s : s + chunk], *geometry, writeable=True)[..., g, :]
                    for i in range(kh):
                        for j in range(kw):
                            dwin[:, :, :, i, j] += dcols[:, :, :, i, j]
        gx = None
        if need_x and by_gemm:
            gx = _input_grad(g2.reshape(n, oh, ow, o), wk, (n, c, h, w), pads, geometry)
        elif need_x:
            gx = dxpad[:, pads[0][0] : pads[0][0] + h, pads[1][0] : pads[1][0] + w].transpose(0, 3, 1, 2)
        gw = None
        if need_w:
            gw = xp.ascontiguousarray(gw_groups.reshape(groups, kh, kw, cg, og).transpose(0, 4, 3, 1, 2))
            gw = gw.reshape(wshape)
        gb = xp.ones(len(g2), dtype=g2.dtype) @ g2 if need_b else None  # a GEMV: 10x a column sum's speed
        return gx, gw, gb


def _input_grad(g: ndarray, wk: ndarray, xshape: tuple[int, ...], pads: Any, geometry: Any) -> ndarray:
    """dL/dx of a stride-1 convolution, as one more im2col + GEMM: the gradient (N, out_h, out_w, C_out), zero-padded
    by the dilated kernel's span, correlated with the kernel flipped in space, its roles of C and C_out swapped.
    (Cheaper than col2im, whose kh*kw scatter-adds cost more than the GEMM.)"""
    (kh, kw), (oh, ow), _, (dh, dw), groups = geometry
    n, c, h, w = xshape
    o = g.shape[-1]
    og, cg = o // groups, c // groups
    ah, aw = dh * (kh - 1), dw * (kw - 1)
    gp = xp.zeros((n, oh + 2 * ah, ow + 2 * aw, o), dtype=g.dtype)
    gp[:, ah : ah + oh, aw : aw + ow] = g
    gq = gp[:, pads[0][0] : pads[0][0] + h + ah, pads[1][0] : pads[1][0] + w + aw]  # windows of x's own pixels
    flipped = wk.reshape(groups, kh, kw, cg, og)[:, ::-1, ::-1].transpose(0, 1, 2, 4, 3)
    flipped = flipped.reshape(groups, kh * kw * og, cg)
    dx = xp.empty((n, h, w, c), dtype=g.dtype)
    dx2d = dx.reshape(n * h * w, c)
    chunk = max(1, COLUMN_BUFFER_BYTES // (h * w * kh * kw * o * g.itemsize))
    for s in range(0, n, chunk):
        win = _windows(gq[s : s + chunk], (kh, kw), (h, w), (1, 1), (dh, dw), groups)
        rows = slice(s * h * w, min(n, s + chunk) * h * w)
        for gi in range(groups):
            xp.matmul(_columns(win[..., gi, :]), flipped[gi], out=dx2d[rows, gi * cg : (gi + 1) * cg])
    return dx.transpose(0, 3, 1, 2)


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


# ---- conv1d (a conv2d over a height of 1) and conv_transpose2d (issue 14) ----


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation of ``input`` (N, C, L) or (C, L) with ``weight`` (O, C/groups, k).

    Example::

        x, w = vinsgrad.randn(2, 3, 50), vinsgrad.randn(8, 3, 5)
        F.conv1d(x, w, padding=2).shape  # (2, 8, 50)
    """
    if input.ndim not in (2, 3) or weight.ndim != 3:
        raise ValueError(
            f"conv1d expects a 2-D (C, L) or 3-D (N, C, L) input and a 3-D weight, got input {tuple(input.shape)} "
            f"and weight {tuple(weight.shape)}"
        )
    pad = padding if isinstance(padding, str) else (0, single(padding, "padding", minimum=0))
    out = conv2d(
        input.unsqueeze(-2),
        weight.unsqueeze(-2),
        bias,
        (1, single(stride, "stride", minimum=1)),
        pad,
        (1, single(dilation, "dilation", minimum=1)),
        groups,
    )
    return out.squeeze(-2)


def _im2col(xpad: ndarray, kernel: tuple[int, int], out_hw: tuple[int, int], stride: Any, dilation: Any) -> ndarray:
    """(N, C, H, W) -> (N, C, kh, kw, out_h, out_w): what each kernel offset sees at each output pixel (a view)."""
    sn, sc, sy, sx = xpad.strides
    return xp.lib.stride_tricks.as_strided(
        xpad,
        shape=(*xpad.shape[:2], *kernel, *out_hw),
        strides=(sn, sc, sy * dilation[0], sx * dilation[1], sy * stride[0], sx * stride[1]),
        writeable=False,
    )


class ConvTranspose2dFn(Function):
    """The adjoint of conv2d in its input: each input pixel scatters ``weight``-scaled copies of itself onto the
    output (col2im), which is how conv2d's backward computes its input gradient. Its own backward is a conv2d."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1), groups=1):
        n, c, h, w = x.shape
        _, og, kh, kw = weight.shape
        full = tuple(
            (i - 1) * s + d * (k - 1) + 1 + op
            for i, s, d, k, op in zip((h, w), stride, dilation, (kh, kw), output_padding)
        )
        # NOTE: contiguous operands, so NumPy hands the stacked matmuls to BLAS (see Conv2dFn)
        w3t = xp.ascontiguousarray(weight.reshape(groups, c // groups, og * kh * kw).swapaxes(-1, -2))
        cols = xp.matmul(w3t, xp.ascontiguousarray(x).reshape(n, groups, c // groups, h * w))
        cols = cols.reshape(n, groups * og, kh, kw, h, w)
        out = xp.zeros((n, groups * og, *full), dtype=cols.dtype)
        for i in range(kh):
            for j in range(kw):
                _taps(out, i, j, (h, w), stride, dilation)[...] += cols[:, :, i, j]
        (ph, pw), (oh, ow) = padding, (full[0] - 2 * padding[0], full[1] - 2 * padding[1])
        out = xp.ascontiguousarray(out[:, :, ph : ph + oh, pw : pw + ow])
        if bias is not None:
            out += bias.reshape(-1, 1, 1)
        ctx.save_for_backward(x, weight)
        ctx.geometry = (full, stride, padding, dilation, groups)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        full, stride, (ph, pw), dilation, groups = ctx.geometry
        need_x, need_w, need_b = ctx.needs_input_grad
        n, c, h, w = x.shape
        _, og, kh, kw = weight.shape
        # the gradient on the uncropped output, whose (kh, kw) windows at stride s line up with the input pixels
        gfull = xp.zeros((n, groups * og, *full), dtype=grad.dtype)
        gfull[:, :, ph : ph + grad.shape[2], pw : pw + grad.shape[3]] = grad
        cols = _im2col(gfull, (kh, kw), (h, w), stride, dilation).reshape(n, groups, og * kh * kw, h * w)
        gx = gw = gb = None
        if need_x:
            w3 = weight.reshape(groups, c // groups, og * kh * kw)
            gx = xp.matmul(w3, cols).reshape(x.shape)
        if need_w:
            xg_t = xp.ascontiguousarray(x.reshape(n, groups, c // groups, h * w).swapaxes(-1, -2))
            gw = xp.matmul(cols, xg_t).sum(axis=0).swapaxes(-1, -2).reshape(weight.shape)
        if need_b:
            gb = grad.sum(axis=(0, 2, 3))
        return gx, gw, gb


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The transposed 2-D convolution (the gradient of conv2d with respect to its input) of ``input``
    (N, C_in, H, W) or (C_in, H, W) with ``weight`` (C_in, C_out/groups, kh, kw), PyTorch's layout.

    H_out = (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1 (likewise W_out).

    Example::

        x, w = vinsgrad.randn(1, 8, 7, 7), vinsgrad.randn(8, 4, 4, 4)
        F.conv_transpose2d(x, w, stride=2, padding=1).shape  # (1, 4, 14, 14)
    """
    if input.ndim == 3:
        return conv_transpose2d(
            input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups, dilation
        ).squeeze(0)
    if input.ndim != 4 or weight.ndim != 4:
        raise ValueError(
            f"conv_transpose2d expects a 3-D (C, H, W) or 4-D (N, C, H, W) input and a 4-D weight, got input "
            f"{tuple(input.shape)} and weight {tuple(weight.shape)}"
        )
    strides, dilations = pair(stride, "stride", minimum=1), pair(dilation, "dilation", minimum=1)
    pads, out_pads = pair(padding, "padding", minimum=0), pair(output_padding, "output_padding", minimum=0)
    if any(op >= s and op >= d for op, s, d in zip(out_pads, strides, dilations)):
        raise ValueError(
            f"conv_transpose2d: output padding must be smaller than either stride or dilation, got "
            f"output_padding={output_padding}, stride={stride}, dilation={dilation}"
        )
    c = weight.shape[0]
    if not isinstance(groups, int) or groups < 1 or c % groups or input.shape[1] != c:
        raise ValueError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
            f"{c} channels, divisible by groups={groups}"
        )
    if bias is not None and tuple(bias.shape) != (weight.shape[1] * groups,):
        raise ValueError(
            f"conv_transpose2d: bias must have shape ({weight.shape[1] * groups},) (one per output channel), got "
            f"{tuple(bias.shape)}"
        )
    if input.dtype != weight.dtype:
        raise TypeError(
            f"conv_transpose2d: input is {input.dtype} but the weight is {weight.dtype}; cast the input (x.float()) "
            "or the model (model.double()) so they match"
        )
    h, w = input.shape[2:]
    kh, kw = weight.shape[2:]
    out_hw = [
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, s, p, d, k, op in zip((h, w), strides, pads, dilations, (kh, kw), out_pads)
    ]
    if min(out_hw) < 1:
        raise ValueError(f"conv_transpose2d: the padding {pads} leaves an empty output (size {tuple(out_hw)})")
    return ConvTranspose2dFn.apply(
        input, weight, bias, stride=strides, padding=pads, output_padding=out_pads, dilation=dilations, groups=groups
    )
