"""1-D and adaptive pooling against loops over PyTorch's windows and bins; max_pool2d of integers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F

RNG = np.random.default_rng(3)


def _t(a: np.ndarray, grad: bool = False) -> vinsgrad.Tensor:
    return vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=grad)


def bins(size: int, out: int) -> list[range]:
    return [range(math.floor(i * size / out), math.ceil((i + 1) * size / out)) for i in range(out)]


@pytest.mark.parametrize("out", [1, (2, 3), (3, None), (5, 7), (4, 6)])
def test_adaptive_pools_use_pytorchs_uneven_bins(out) -> None:  # type: ignore[no-untyped-def]
    x = RNG.standard_normal((2, 3, 5, 7))
    oh, ow = (out, out) if isinstance(out, int) else (out[0], out[1] or 7)
    avg = np.zeros((2, 3, oh, ow))
    mx = np.zeros((2, 3, oh, ow))
    idx = np.zeros((2, 3, oh, ow), dtype=np.int64)
    for i, rows in enumerate(bins(5, oh)):
        for j, cols in enumerate(bins(7, ow)):
            window = x[:, :, rows.start : rows.stop, cols.start : cols.stop].reshape(2, 3, -1)
            avg[:, :, i, j] = window.mean(-1)
            mx[:, :, i, j] = window.max(-1)
            k = window.argmax(-1)
            idx[:, :, i, j] = (rows.start + k // len(cols)) * 7 + cols.start + k % len(cols)
    np.testing.assert_allclose(F.adaptive_avg_pool2d(_t(x), out).numpy(), avg, rtol=1e-13)
    values, indices = F.adaptive_max_pool2d(_t(x), out, return_indices=True)
    np.testing.assert_array_equal(values.numpy(), mx)
    np.testing.assert_array_equal(indices.numpy(), idx)


def test_adaptive_max_pool_gradient_lands_on_each_maximum_once_per_bin() -> None:
    # 3 -> 2 bins overlap on the middle row: [0, 2) and [1, 3)
    x = _t(np.array([[[[0.0, 1.0, 0.0], [2.0, 9.0, 3.0], [0.0, 1.0, 0.0]]]]), grad=True)
    out = nn.AdaptiveMaxPool2d(2)(x)
    assert out.tolist() == [[[[9.0, 9.0], [9.0, 9.0]]]]
    out.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 0.0]]]]
    nan = F.adaptive_max_pool2d(vinsgrad.tensor([[[1.0, float("nan")], [3.0, 2.0]]]), 1)
    assert math.isnan(nan.item())


def test_pool1d_matches_windows_of_the_padded_sequence() -> None:
    x = RNG.standard_normal((2, 3, 11))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1)), constant_values=-np.inf)
    expected = np.stack([padded[..., s : s + 3].max(-1) for s in range(0, 11, 2)], -1)
    values, indices = F.max_pool1d(_t(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(values.numpy(), expected)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.numpy(), -1), expected)
    zeros = np.pad(x, ((0, 0), (0, 0), (1, 1)))
    mean = np.stack([zeros[..., s : s + 3].mean(-1) for s in range(0, 11, 2)], -1)
    np.testing.assert_allclose(nn.AvgPool1d(3, 2, 1)(_t(x)).numpy(), mean, rtol=1e-13)
    mean_inside = np.stack([x[..., max(s - 1, 0) : s + 2].mean(-1) for s in range(0, 11, 2)], -1)
    got = F.avg_pool1d(_t(x), 3, 2, 1, count_include_pad=False).numpy()
    np.testing.assert_allclose(got, mean_inside, rtol=1e-13)
    assert nn.MaxPool1d(2)(vinsgrad.randn(3, 8)).shape == (3, 4)
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert repr(nn.MaxPool1d(3)) == "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"
    with pytest.raises(ValueError, match=r"max_pool1d expects a 2-D \(C, L\) or 3-D"):
        F.max_pool1d(vinsgrad.randn(1, 1, 2, 2), 2)


def test_max_pool2d_pads_integers_with_their_minimum() -> None:
    x = vinsgrad.arange(16).reshape(1, 1, 4, 4) - 20  # all negative: a zero pad would win
    values, indices = F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    assert values.tolist() == [[[[-15, -13], [-7, -5]]]] and values.dtype == vinsgrad.int64
    assert indices.tolist() == [[[[5, 7], [13, 15]]]]


def test_adaptive_layers_repr_and_errors() -> None:
    assert repr(nn.AdaptiveAvgPool2d((1, None))) == "AdaptiveAvgPool2d(output_size=(1, None))"
    assert repr(nn.AdaptiveMaxPool2d(3)) == "AdaptiveMaxPool2d(output_size=3)"
    assert nn.AdaptiveAvgPool2d((1, 1))(vinsgrad.randn(4, 8, 7, 7)).shape == (4, 8, 1, 1)
    with pytest.raises(ValueError, match="output_size must be a positive int or a pair"):
        F.adaptive_avg_pool2d(vinsgrad.randn(1, 1, 4, 4), 0)


def test_adaptive_pools_1d_bins() -> None:
    x = RNG.standard_normal((2, 3, 11))
    avg = np.stack([x[..., r.start : r.stop].mean(-1) for r in bins(11, 4)], -1)
    mx = np.stack([x[..., r.start : r.stop].max(-1) for r in bins(11, 4)], -1)
    np.testing.assert_allclose(nn.AdaptiveAvgPool1d(4)(_t(x)).numpy(), avg, rtol=1e-13)
    values, indices = F.adaptive_max_pool1d(_t(x), 4, return_indices=True)
    np.testing.assert_array_equal(values.numpy(), mx)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.numpy(), -1), mx)
    assert nn.AdaptiveMaxPool1d(2)(vinsgrad.randn(3, 9)).shape == (3, 2)
    assert repr(nn.AdaptiveAvgPool1d(5)) == "AdaptiveAvgPool1d(output_size=5)"
