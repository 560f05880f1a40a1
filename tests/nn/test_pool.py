"""max_pool2d / avg_pool2d and their layers against explicit windows; ties, NaN, divisors and errors.

Finite-difference gradchecks live in vinsgrad/testing/cases/ (run by tests/test_selftest.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
from vinsgrad.nn._utils import pair


def windows(h, k, s, p, d, ceil_mode):  # type: ignore[no-untyped-def]
    """Start rows of each window along one axis, in unpadded coordinates, by PyTorch's output-size rule."""
    span = d * (k - 1) + 1
    num = h + 2 * p - span
    out = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (out - 1) * s >= h + p:
        out -= 1
    return [i * s - p for i in range(out)]


def explicit_pool(x, k, s, p, d=(1, 1), ceil_mode=False, kind="max", count_include_pad=True, divisor=None):  # type: ignore[no-untyped-def]
    """Each output element from the list of input positions its window covers (float64, loops)."""
    n, c, h, w = x.shape
    rows = windows(h, k[0], s[0], p[0], d[0], ceil_mode)
    cols = windows(w, k[1], s[1], p[1], d[1], ceil_mode)
    out = np.zeros((n, c, len(rows), len(cols)))
    for i, r0 in enumerate(rows):
        for j, c0 in enumerate(cols):
            rr = [r0 + a * d[0] for a in range(k[0])]
            cc = [c0 + b * d[1] for b in range(k[1])]
            inside_r = [r for r in rr if 0 <= r < h]
            inside_c = [q for q in cc if 0 <= q < w]
            vals = x[:, :, inside_r][:, :, :, inside_c]
            if kind == "max":
                out[:, :, i, j] = vals.max(axis=(2, 3))
            else:
                if divisor is not None:
                    div = divisor
                elif count_include_pad:  # padding counts, positions past the padding (ceil_mode) do not
                    div = len([r for r in rr if r < h + p[0]]) * len([q for q in cc if q < w + p[1]])
                else:
                    div = len(inside_r) * len(inside_c)
                out[:, :, i, j] = vals.sum(axis=(2, 3)) / div
    return out


MAX_CONFIGS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 1)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True),
]


@pytest.mark.parametrize("kwargs", MAX_CONFIGS, ids=str)
def test_max_pool2d_matches_explicit_windows(kwargs) -> None:  # type: ignore[no-untyped-def]
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 8))
    k = pair(kwargs["kernel_size"], "k", minimum=1)
    s = pair(kwargs.get("stride", k), "s", minimum=1)
    p = pair(kwargs.get("padding", 0), "p", minimum=0)
    d = pair(kwargs.get("dilation", 1), "d", minimum=1)
    out = F.max_pool2d(vg.tensor(x), **kwargs)
    np.testing.assert_array_equal(out._data, explicit_pool(x, k, s, p, d, kwargs.get("ceil_mode", False)))


def test_max_pool2d_gradient_goes_to_the_first_maximum() -> None:
    # Each 2x2 window of this input holds a tie; PyTorch sends the gradient to the first maximum (row-major).
    x = vg.tensor([[[[1.0, 3.0, 0.0, 0.0], [3.0, 2.0, 0.0, 0.0], [5.0, 1.0, -1.0, 7.0], [2.0, 5.0, 7.0, 7.0]]]])
    x.requires_grad_()
    out = F.max_pool2d(x, 2)
    np.testing.assert_array_equal(out._data[0, 0], [[3.0, 0.0], [5.0, 7.0]])
    out.backward(vg.tensor([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = [[0, 10, 20, 0], [0, 0, 0, 0], [30, 0, 0, 40], [0, 0, 0, 0]]
    np.testing.assert_array_equal(x.grad._data[0, 0], expected)


def test_max_pool2d_return_indices_are_flat_positions_of_the_first_maximum() -> None:
    x = vg.tensor([[[[1.0, 3.0, 0.0, 0.0, 2.0], [3.0, 2.0, 2.0, 0.0, 9.0], [5.0, 1.0, -1.0, 7.0, 1.0]]]])
    x.requires_grad_()
    out, idx = nn.MaxPool2d(2, stride=2, padding=1, return_indices=True)(x)
    assert idx.dtype == vg.int64 and idx.shape == out.shape == (1, 1, 2, 3)
    # windows start at rows -1, 1 and columns -1, 1, 3 of the 3x5 plane (W = 5); ties go to the first.
    np.testing.assert_array_equal(idx._data[0, 0], [[0, 1, 4], [10, 6, 9]])  # (1, 1) ties 2 with (1, 2)
    np.testing.assert_array_equal(out._data.reshape(-1), x._data.reshape(-1)[idx._data.reshape(-1)])
    with vg.no_grad():
        _, idx = F.max_pool2d(x, 3, 1, return_indices=True)
    np.testing.assert_array_equal(idx._data[0, 0], [[10, 13, 9]])


def test_max_pool2d_overlapping_windows_accumulate_gradient() -> None:
    x = vg.tensor([[[[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()  # the centre wins all four windows
    np.testing.assert_array_equal(x.grad._data[0, 0], [[0, 0, 0], [0, 4, 0], [0, 0, 0]])


def test_max_pool2d_padding_never_wins_and_nan_propagates() -> None:
    x = -vg.ones(1, 1, 2, 2) - 5
    out = F.max_pool2d(x, 2, stride=1, padding=1)
    assert (out._data == -6).all()  # padding is -inf, not 0
    y = vg.tensor([[[[1.0, float("nan")], [3.0, 2.0]]]])
    assert np.isnan(F.max_pool2d(y, 2).item())


def test_max_pool2d_index_of_a_nan_max_is_the_last_nan() -> None:
    y = vg.tensor([[[[1.0, 4.0, 2.0], [float("nan"), 3.0, float("nan")]]]], requires_grad=True)
    out, idx = F.max_pool2d(y, (2, 3), return_indices=True)
    assert np.isnan(out.item()) and idx.item() == 5  # flat position of the last NaN, as in PyTorch 2.13
    out.backward(vg.ones(1, 1, 1, 1))
    np.testing.assert_array_equal(y.grad._data[0, 0], [[0, 0, 0], [0, 0, 1]])


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64"])  # bool is refused, as in PyTorch (below)
def test_max_pool2d_pads_integers_below_their_minimum(dtype: str) -> None:
    x = vg.tensor(np.array([[[[3, 1], [2, 0]]]]).astype(dtype))
    out, idx = F.max_pool2d(x, 2, stride=1, padding=1, return_indices=True)
    assert out.dtype == x.dtype
    np.testing.assert_array_equal(out._data[0, 0], np.array([[3, 3, 1], [3, 3, 1], [2, 2, 0]]).astype(dtype))
    # a window holding padding and the element 0 takes the element, never the padding
    assert idx._data[0, 0, 2, 2] == 3 and (idx._data >= 0).all()


def test_max_pool2d_keeps_a_channels_last_input_channels_last_forward_and_backward() -> None:
    data = np.random.default_rng(0).standard_normal((2, 4, 6, 3)).transpose(0, 3, 1, 2)  # NCHW shape, NHWC memory
    x = vg.tensor(data, requires_grad=True)
    x._data = data
    out = F.max_pool2d(x, 2)
    out.backward(vg.ones(*out.shape, dtype=vg.float64))
    assert out._data.transpose(0, 2, 3, 1).flags.c_contiguous and x.grad._data.transpose(0, 2, 3, 1).flags.c_contiguous
    np.testing.assert_array_equal(out._data, data.reshape(2, 3, 2, 2, 3, 2).max(axis=(3, 5)))
    assert x.grad._data.sum() == out._data.size


def test_avg_pool2d_by_hand() -> None:
    x = vg.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(F.avg_pool2d(x, 2)._data[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    # padding=1 with count_include_pad: the corner window sees x[0,0] = 0 and three zeros of padding.
    padded = F.avg_pool2d(x, 2, padding=1)._data[0, 0]
    assert padded[0, 0] == 0.0 and padded[0, 1] == (1 + 2) / 4 and padded[2, 2] == 15 / 4


AVG_CONFIGS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True),
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(3, 2), padding=1, divisor_override=5),
]


@pytest.mark.parametrize("kwargs", AVG_CONFIGS, ids=str)
def test_avg_pool2d_matches_explicit_windows_and_spreads_gradient(kwargs) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 2, 9, 8))
    k = pair(kwargs["kernel_size"], "k", minimum=1)
    s = pair(kwargs.get("stride", k), "s", minimum=1)
    p = pair(kwargs.get("padding", 0), "p", minimum=0)
    args = (
        kwargs.get("ceil_mode", False),
        "avg",
        kwargs.get("count_include_pad", True),
        kwargs.get("divisor_override"),
    )
    tx = vg.tensor(x, requires_grad=True)
    out = F.avg_pool2d(tx, **kwargs)
    np.testing.assert_allclose(out._data, explicit_pool(x, k, s, p, (1, 1), *args), rtol=1e-12)
    # avg_pool is linear: its gradient is the transpose of the map, i.e. <g, pool(e_i)> for each unit input e_i.
    g = rng.standard_normal(out.shape)
    out.backward(g)
    basis = np.eye(x[0, 0].size).reshape(-1, 1, *x.shape[2:])
    columns = explicit_pool(basis, k, s, p, (1, 1), *args)[:, 0]  # (H*W, out_h, out_w)
    expected = np.einsum("ncij,pij->ncp", g, columns).reshape(x.shape)
    np.testing.assert_allclose(tx.grad._data, expected, rtol=1e-12, atol=1e-14)


def test_pools_keep_float32_and_accept_unbatched_input() -> None:
    x = vg.randn(3, 6, 6, requires_grad=True)
    for out in (F.max_pool2d(x, 2), F.avg_pool2d(x, 2)):
        assert out.shape == (3, 3, 3) and out.dtype == vg.float32
        out.sum().backward()
        assert x.grad.dtype == vg.float32


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_pool_errors(pool) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="pad should be at most half"):
        pool(vg.randn(1, 1, 6, 6), 2, padding=2)
    with pytest.raises(ValueError, match=r"3-D \(C, H, W\) or 4-D"):
        pool(vg.randn(6, 6), 2)
    with pytest.raises(ValueError, match="smaller than the kernel span"):
        pool(vg.randn(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="kernel_size must be"):
        pool(vg.randn(1, 1, 4, 4), 0)


def test_pool_layers() -> None:
    mp, ap = nn.MaxPool2d(2), nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
    x = vg.randn(2, 3, 8, 8)
    np.testing.assert_array_equal(mp(x)._data, F.max_pool2d(x, 2, 2)._data)
    np.testing.assert_array_equal(ap(x)._data, F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)._data)
    assert mp.stride == 2 and list(mp.parameters()) == [] and mp.state_dict() == {}
    assert repr(mp) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(ap) == "AvgPool2d(kernel_size=3, stride=2, padding=1)"
    assert nn.MaxPool2d(3, ceil_mode=True)(vg.randn(1, 1, 7, 7)).shape == (1, 1, math.ceil(7 / 3), 3)


def test_max_pool2d_pads_integer_inputs_with_their_lowest_value() -> None:
    x = vg.tensor([[[[-5, -7], [-9, -3]]]])  # int64, all negative: a zero pad would win every window
    out = F.max_pool2d(x, 2, stride=1, padding=1)
    np.testing.assert_array_equal(out._data[0, 0], [[-5, -5, -7], [-5, -3, -3], [-9, -3, -3]])
    assert out.dtype == vg.int64
    with pytest.raises(NotImplementedError, match="not implemented for bool"):
        F.max_pool2d(vg.tensor([[[[True, False]]]]), (1, 2))
