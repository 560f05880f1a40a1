"""Conv1d and ConvTranspose2d against explicit NumPy loops, padding_mode, output_size, reprs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F

RNG = np.random.default_rng(5)


def _t(a: np.ndarray, grad: bool = False) -> vinsgrad.Tensor:
    return vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=grad)


def transposed_loop(x, w, b, stride, padding, output_padding, dilation, groups):  # type: ignore[no-untyped-def]
    """Each input pixel adds weight[ci, co] * x[ci, i, j] at output (i * s + ki * d - p, j * s + kj * d - p)."""
    n, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    out_h = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    out_w = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    out = np.zeros((n, og * groups, out_h, out_w))
    cg = c // groups
    for ci in range(c):
        g = ci // cg
        for co in range(og):
            for i in range(h):
                for j in range(wd):
                    for ki in range(kh):
                        for kj in range(kw):
                            r = i * stride[0] + ki * dilation[0] - padding[0]
                            q = j * stride[1] + kj * dilation[1] - padding[1]
                            if 0 <= r < out_h and 0 <= q < out_w:
                                out[:, g * og + co, r, q] += w[ci, co, ki, kj] * x[:, ci, i, j]
    return out + (0 if b is None else b.reshape(-1, 1, 1))


@pytest.mark.parametrize(
    ("xs", "ws", "kw"),
    [
        ((2, 3, 4, 5), (3, 2, 3, 3), {}),
        ((1, 2, 3, 3), (2, 3, 4, 4), {"stride": 2, "padding": 1}),
        ((2, 4, 3, 4), (4, 1, 2, 3), {"stride": (2, 1), "padding": (0, 1), "output_padding": (1, 0), "groups": 2}),
        ((1, 2, 3, 3), (2, 2, 3, 2), {"dilation": 2, "output_padding": 1}),
    ],
)
def test_conv_transpose2d_matches_the_scatter_loop(xs, ws, kw) -> None:  # type: ignore[no-untyped-def]
    x, w = RNG.standard_normal(xs), RNG.standard_normal(ws)
    b = RNG.standard_normal(ws[1] * kw.get("groups", 1))
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    expected = transposed_loop(
        x,
        w,
        b,
        pair(kw.get("stride", 1)),
        pair(kw.get("padding", 0)),
        pair(kw.get("output_padding", 0)),
        pair(kw.get("dilation", 1)),
        kw.get("groups", 1),
    )
    got = F.conv_transpose2d(_t(x), _t(w), _t(b), **kw)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_is_the_adjoint_of_conv2d() -> None:
    # <conv2d(x, w), y> == <x, conv_transpose2d(y, w)>: the defining property, with stride, padding and dilation
    x, w = RNG.standard_normal((2, 3, 7, 6)), RNG.standard_normal((4, 3, 3, 2))
    y = F.conv2d(_t(x), _t(w), stride=2, padding=1, dilation=(1, 2)).numpy()
    g = RNG.standard_normal(y.shape)
    back = F.conv_transpose2d(_t(g), _t(w), stride=2, padding=1, dilation=(1, 2), output_padding=(0, 1)).numpy()
    assert back.shape == x.shape
    assert (y * g).sum() == pytest.approx((x * back).sum(), rel=1e-12)


def test_conv_transpose2d_layer() -> None:
    up = nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1, bias=False)
    assert up.weight.shape == (16, 8, 4, 4) and up.bias is None
    assert up(vinsgrad.randn(2, 16, 7, 7)).shape == (2, 8, 14, 14)
    assert repr(up) == "ConvTranspose2d(16, 8, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False)"
    layer = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    x = vinsgrad.randn(1, 2, 5, 5)
    assert layer(x).shape == (1, 2, 9, 9) and layer(x, output_size=[10, 10]).shape == (1, 2, 10, 10)
    with pytest.raises(ValueError, match="valid sizes range from 9 to 10"):
        layer(x, output_size=(11, 11))
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="output padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(x, layer.weight, output_padding=1)
    with pytest.raises(ValueError, match="to have 2 channels"):
        F.conv_transpose2d(vinsgrad.randn(1, 3, 4, 4), layer.weight)


def test_conv1d_matches_a_loop_and_the_layer_wires_it() -> None:
    x, w, b = RNG.standard_normal((2, 4, 9)), RNG.standard_normal((6, 2, 3)), RNG.standard_normal(6)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1)))
    out_len = (9 + 2 - 3) // 2 + 1
    expected = np.zeros((2, 6, out_len))
    for o in range(6):
        g = o // 3  # groups=2: 3 outputs per group, each reading input channels 2g, 2g + 1
        for t in range(out_len):
            expected[:, o, t] = (w[o] * xp[:, 2 * g : 2 * g + 2, 2 * t : 2 * t + 3]).sum(axis=(1, 2)) + b[o]
    got = F.conv1d(_t(x), _t(w), _t(b), stride=2, padding=1, groups=2)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    conv = nn.Conv1d(16, 33, 3, stride=2)
    assert conv.weight.shape == (33, 16, 3) and conv(vinsgrad.randn(20, 16, 50)).shape == (20, 33, 24)
    assert conv(vinsgrad.randn(16, 50)).shape == (33, 24)
    assert repr(conv) == "Conv1d(16, 33, kernel_size=(3,), stride=(2,))"
    with pytest.raises(ValueError, match="kernel_size must be an int or a tuple of 1 of ints"):
        nn.Conv1d(1, 1, (3, 3))


@pytest.mark.parametrize(("mode", "np_mode"), [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")])
def test_padding_mode_pads_the_input_as_np_pad(mode: str, np_mode: str) -> None:
    conv = nn.Conv2d(1, 1, 3, padding=(1, 2), padding_mode=mode, bias=False).double()
    x = RNG.standard_normal((1, 1, 4, 5))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)), mode=np_mode)
    expected = F.conv2d(_t(padded), conv.weight).detach().numpy()
    np.testing.assert_allclose(conv(_t(x)).detach().numpy(), expected, rtol=1e-13)
    assert repr(conv).endswith(f"padding=(1, 2), bias=False, padding_mode={mode})")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
