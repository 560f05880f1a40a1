"""Dropout: inverted scaling, the mask's rate and its gradient, eval mode, reproducibility and errors."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F


def test_training_zeroes_about_p_and_scales_the_rest() -> None:
    vg.manual_seed(0)
    x = vg.ones(200, 500, requires_grad=True)
    out = F.dropout(x, p=0.3)
    kept = out._data != 0
    assert out.dtype == vg.float32
    np.testing.assert_allclose(out._data[kept], 1 / 0.7, rtol=1e-6)
    # 100000 Bernoulli(0.7) draws: the kept fraction is within 5 standard deviations (0.0072) of 0.7.
    assert abs(kept.mean() - 0.7) < 5 * np.sqrt(0.7 * 0.3 / kept.size)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad._data, kept / np.float32(0.7))


def test_eval_mode_and_p_zero_are_the_identity() -> None:
    drop = nn.Dropout(0.5).eval()
    x = vg.randn(3, 4)
    assert drop(x) is x
    assert F.dropout(x, 0.0) is x and F.dropout(x, 0.9, training=False) is x


def test_p_one_zeroes_everything() -> None:
    x = vg.randn(3, 4, requires_grad=True)
    out = F.dropout(x, 1.0)
    out.sum().backward()
    assert (out._data == 0).all() and (x.grad._data == 0).all()


def test_mask_comes_from_the_default_generator() -> None:
    drop = nn.Dropout(0.5)
    vg.manual_seed(7)
    a = drop(vg.ones(50))._data
    vg.manual_seed(7)
    b = drop(vg.ones(50))._data
    c = drop(vg.ones(50))._data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_float64_input_keeps_float64_and_repr() -> None:
    assert F.dropout(vg.ones(4, dtype=vg.float64), 0.5).dtype == vg.float64
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)" and nn.Dropout().p == 0.5


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_bad_probability_is_rejected(p: float) -> None:
    with pytest.raises(ValueError, match=f"between 0 and 1, but got {p}"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match=f"between 0 and 1, but got {p}"):
        F.dropout(vg.ones(2), p)
