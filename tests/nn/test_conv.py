"""conv2d and Conv2d: values and gradients against a naive loop, PyTorch's init, state_dict keys and errors.

Finite-difference gradchecks of every case live in vinsgrad/testing/cases/ (run by tests/test_selftest.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
from vinsgrad.nn._utils import pair


def naive_conv(x, w, b, stride, pads, dilation, groups):  # type: ignore[no-untyped-def]
    """The definition, one output element at a time (float64)."""
    (sh, sw), ((pt, pb), (pl, pr)), (dh, dw) = stride, pads, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    n, _, hp, wp = xp.shape
    o, cg, kh, kw = w.shape
    oh, ow = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, oh, ow))
    per_group = o // groups
    for b_ in range(n):
        for oc in range(o):
            c0 = (oc // per_group) * cg
            for i in range(oh):
                for j in range(ow):
                    patch = xp[
                        b_,
                        c0 : c0 + cg,
                        i * sh : i * sh + dh * (kh - 1) + 1 : dh,
                        j * sw : j * sw + dw * (kw - 1) + 1 : dw,
                    ]
                    out[b_, oc, i, j] = (patch * w[oc]).sum() + (0 if b is None else b[oc])
    return out


def naive_conv_grads(x, w, g, stride, pads, dilation, groups):  # type: ignore[no-untyped-def]
    """d<g, conv(x, w)>/dx and /dw by the same loop, scattering instead of gathering."""
    (sh, sw), ((pt, pb), (pl, pr)), (dh, dw) = stride, pads, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    gx, gw = np.zeros_like(xp), np.zeros_like(w)
    o, cg, kh, kw = w.shape
    per_group = o // groups
    for b_ in range(g.shape[0]):
        for oc in range(o):
            c0 = (oc // per_group) * cg
            for i in range(g.shape[2]):
                for j in range(g.shape[3]):
                    rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
                    gx[b_, c0 : c0 + cg, rows, cols] += g[b_, oc, i, j] * w[oc]
                    gw[oc] += g[b_, oc, i, j] * xp[b_, c0 : c0 + cg, rows, cols]
    return gx[:, :, pt : xp.shape[2] - pb, pl : xp.shape[3] - pr], gw


CONFIGS = [
    # x shape, w shape, kwargs, explicit pads for the reference
    ((2, 3, 6, 5), (4, 3, 3, 3), {}, ((0, 0), (0, 0))),
    ((2, 3, 6, 5), (4, 3, 3, 2), {"stride": 2, "padding": 1}, ((1, 1), (1, 1))),
    ((1, 2, 9, 8), (3, 2, 2, 3), {"stride": (2, 3), "padding": (2, 0), "dilation": (2, 1)}, ((2, 2), (0, 0))),
    ((2, 4, 5, 5), (6, 2, 3, 3), {"groups": 2, "padding": 1}, ((1, 1), (1, 1))),
    ((1, 2, 5, 6), (2, 2, 4, 3), {"padding": "same"}, ((1, 2), (1, 1))),  # even kernel: the extra row goes below
    ((1, 2, 7, 6), (2, 2, 3, 3), {"padding": "same", "dilation": 2}, ((2, 2), (2, 2))),
]


@pytest.mark.parametrize("xs, ws, kwargs, pads", CONFIGS, ids=[str(c[2]) for c in CONFIGS])
def test_conv2d_matches_the_naive_loop(xs, ws, kwargs, pads) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    stride = pair(kwargs.get("stride", 1), "stride", minimum=1)
    dilation = pair(kwargs.get("dilation", 1), "dilation", minimum=1)
    groups = kwargs.get("groups", 1)
    tx, tw, tb = (vg.tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.conv2d(tx, tw, tb, **kwargs)
    expected = naive_conv(x, w, b, stride, pads, dilation, groups)
    np.testing.assert_allclose(out._data, expected, rtol=1e-12, atol=1e-12)

    g = rng.standard_normal(expected.shape)
    out.backward(g)
    gx, gw = naive_conv_grads(x, w, g, stride, pads, dilation, groups)
    np.testing.assert_allclose(tx.grad._data, gx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tw.grad._data, gw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tb.grad._data, g.sum(axis=(0, 2, 3)), rtol=1e-12)


@pytest.mark.parametrize("xs, ws, kwargs, pads", CONFIGS, ids=[str(c[2]) for c in CONFIGS])
def test_chunked_columns_give_the_same_values_and_gradients(xs, ws, kwargs, pads, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A column budget of one byte forces one sample per chunk, the path deep layers on large batches take.
    import vinsgrad.nn.functional.conv as conv_module

    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((3, *xs[1:])), rng.standard_normal(ws), rng.standard_normal(ws[0])

    def run() -> list[np.ndarray]:
        tx, tw, tb = (vg.tensor(a, requires_grad=True) for a in (x, w, b))
        out = F.conv2d(tx, tw, tb, **kwargs)
        out.backward(np.cos(np.arange(out._data.size)).reshape(out.shape))
        return [out._data, tx.grad._data, tw.grad._data, tb.grad._data]

    whole = run()
    monkeypatch.setattr(conv_module, "COLUMN_BUFFER_BYTES", 1)
    for chunked, expected in zip(run(), whole):
        np.testing.assert_allclose(chunked, expected, rtol=1e-12, atol=1e-12)


def test_conv2d_by_hand() -> None:
    # A 2x2 kernel of ones sums each 2x2 window; bias 10 adds on top.
    x = vg.tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    out = F.conv2d(x, vg.ones(1, 1, 2, 2, dtype=vg.float64), vg.tensor([10.0], dtype=vg.float64))
    np.testing.assert_array_equal(
        out._data[0, 0], np.array([[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]]) + 10
    )


def test_conv2d_unbatched_input_gives_unbatched_output() -> None:
    x, w = vg.randn(2, 5, 5), vg.randn(3, 2, 3, 3)
    out = F.conv2d(x, w, padding=1)
    assert out.shape == (3, 5, 5)
    np.testing.assert_allclose(out._data, F.conv2d(x.unsqueeze(0), w, padding=1)._data[0], rtol=1e-6)


def test_float32_stays_float32_forward_and_backward() -> None:
    conv = nn.Conv2d(2, 3, 3, padding=1)
    x = vg.randn(2, 2, 5, 5, requires_grad=True)
    out = conv(x)
    out.sum().backward()
    assert out.dtype == vg.float32 and x.grad.dtype == vg.float32
    assert conv.weight.grad.dtype == vg.float32 and conv.bias.grad.dtype == vg.float32
    # channels-last memory behind the NCHW shape (the layout the GEMMs produce), no transposed copy
    assert out._data.transpose(0, 2, 3, 1).flags.c_contiguous


def test_no_input_gradient_when_the_input_needs_none() -> None:
    conv = nn.Conv2d(1, 2, 3)
    x = vg.randn(1, 1, 4, 4)
    conv(x).sum().backward()
    assert x.grad is None and conv.weight.grad is not None


# **** the Conv2d layer ****


def test_conv2d_layer_parameters_state_dict_and_repr() -> None:
    conv = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert repr(conv) == "Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), groups=2)"
    no_bias = nn.Conv2d(1, 2, 3, bias=False, padding="same")
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]
    assert repr(no_bias) == "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False)"


def test_conv2d_init_is_pytorch_default_and_seeded() -> None:
    vg.manual_seed(0)
    conv = nn.Conv2d(8, 64, 5)
    bound = 1 / math.sqrt(8 * 5 * 5)  # kaiming_uniform_(a=sqrt(5)) on fan_in = in_channels * kh * kw
    for p in (conv.weight._data, conv.bias._data):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.9 * bound
    assert abs(conv.weight._data.std() - bound / math.sqrt(3)) < 0.05 * bound  # the std of U(-b, b)
    vg.manual_seed(0)
    np.testing.assert_array_equal(nn.Conv2d(8, 64, 5).weight._data, conv.weight._data)


def test_conv2d_layer_forward_is_functional_conv2d() -> None:
    conv = nn.Conv2d(2, 3, 3, stride=(1, 2), dilation=2)
    x = vg.randn(2, 2, 7, 8)
    np.testing.assert_array_equal(conv(x)._data, F.conv2d(x, conv.weight, conv.bias, (1, 2), 0, 2)._data)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"in_channels": 3, "out_channels": 4, "kernel_size": 3, "groups": 2}, "divisible by groups"),
        ({"in_channels": 0, "out_channels": 4, "kernel_size": 3}, "in_channels must be a positive int"),
        ({"in_channels": 1, "out_channels": 4, "kernel_size": (3, 3, 3)}, "kernel_size must be an int or a pair"),
        ({"in_channels": 1, "out_channels": 4, "kernel_size": 3, "stride": 0}, "stride must be"),
        ({"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": -1}, "padding must be"),
        ({"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": "full"}, "'valid' or 'same'"),
        ({"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": "same", "stride": 2}, "strided"),
    ],
)
def test_conv2d_layer_rejects_bad_arguments(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        nn.Conv2d(**kwargs)


def test_conv2d_errors_name_the_shapes() -> None:
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match=r"expected input\[2, 5, 8, 8\] to have 3 channels"):
        conv(vg.randn(2, 5, 8, 8))
    with pytest.raises(ValueError, match=r"3-D \(C, H, W\) or 4-D"):
        conv(vg.randn(8, 8))
    with pytest.raises(RuntimeError, match="smaller than the dilated kernel"):
        conv(vg.randn(1, 3, 2, 2))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        F.conv2d(vg.randn(1, 3, 5, 5), conv.weight, vg.zeros(3))
    with pytest.raises(TypeError, match=r"input is vinsgrad\.float64 but the weight is vinsgrad\.float32"):
        conv(vg.randn(1, 3, 5, 5, dtype=vg.float64))


def test_layers_take_pytorchs_device_and_dtype_arguments() -> None:
    layers = [
        nn.Conv2d(1, 2, 3, dtype=vg.float64),
        nn.BatchNorm2d(2, dtype=vg.float64),
        nn.LayerNorm(2, dtype=vg.float64),
        nn.Embedding(3, 2, device="cpu", dtype=vg.float64),
    ]
    for layer in layers:
        floats = [t for t in (*layer.parameters(), *layer.buffers()) if t.dtype.kind == "f"]
        assert floats and all(t.dtype == vg.float64 for t in floats)
    assert nn.BatchNorm1d(2, dtype=vg.float64).num_batches_tracked.dtype == vg.int64
    with pytest.raises(RuntimeError, match="CPU only, got device 'cuda'"):
        nn.BatchNorm1d(2, device="cuda")


@pytest.mark.parametrize("padding", ["full", "same"])
def test_layer_and_function_word_a_bad_padding_alike(padding: str) -> None:
    # one rule, one wording: the Module asks F.conv2d's own padding check
    x, w = vg.randn(1, 1, 5, 5), vg.randn(1, 1, 3, 3)
    with pytest.raises(ValueError) as from_function:
        F.conv2d(x, w, stride=2, padding=padding)
    with pytest.raises(ValueError) as from_layer:
        nn.Conv2d(1, 1, 3, stride=2, padding=padding)
    assert str(from_layer.value) == str(from_function.value)
