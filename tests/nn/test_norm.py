"""BatchNorm1d/2d and LayerNorm: outputs and running statistics by formula, modes, buffers and errors.

Finite-difference gradchecks live in vinsgrad/testing/cases/ (run by tests/test_selftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F


def normalise(x: np.ndarray, axes: tuple[int, ...], eps: float = 1e-5) -> np.ndarray:
    return (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


def test_batchnorm2d_training_output_and_running_stats_after_two_steps() -> None:
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm2d(3, momentum=0.2).double()
    bn.weight._data[:] = [1.0, 2.0, -1.0]
    bn.bias._data[:] = [0.0, 0.5, 3.0]
    x1, x2 = rng.normal(2.0, 3.0, (4, 3, 2, 5)), rng.normal(-1.0, 0.5, (6, 3, 3, 3))
    out = bn(vg.tensor(x1))
    expected = normalise(x1, (0, 2, 3)) * bn.weight._data[:, None, None] + bn.bias._data[:, None, None]
    np.testing.assert_allclose(out._data, expected, rtol=1e-12, atol=1e-12)
    bn(vg.tensor(x2))
    m1, m2 = x1.mean(axis=(0, 2, 3)), x2.mean(axis=(0, 2, 3))
    v1, v2 = x1.var(axis=(0, 2, 3), ddof=1), x2.var(axis=(0, 2, 3), ddof=1)  # unbiased, as PyTorch
    np.testing.assert_allclose(bn.running_mean._data, 0.8 * (0.8 * 0 + 0.2 * m1) + 0.2 * m2, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var._data, 0.8 * (0.8 * 1 + 0.2 * v1) + 0.2 * v2, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 2 and bn.num_batches_tracked.dtype == vg.int64


def test_batchnorm_eval_uses_running_stats_and_leaves_them_alone() -> None:
    bn = nn.BatchNorm1d(2).double()
    bn.running_mean._data[:] = [1.0, -2.0]
    bn.running_var._data[:] = [4.0, 0.25]
    bn.weight._data[:] = [3.0, 1.0]
    bn.eval()
    x = np.array([[1.0, 0.0], [3.0, -2.0], [5.0, 1.0]])
    out = bn(vg.tensor(x))
    expected = (x - [1.0, -2.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) * [3.0, 1.0]
    np.testing.assert_allclose(out._data, expected, rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean._data, [1.0, -2.0])
    assert bn.num_batches_tracked.item() == 0


def test_batchnorm_gradient_of_the_sum_is_zero_in_training() -> None:
    # With batch statistics sum(out) = N * sum(bias) whatever x is, so d sum(out) / dx = 0 and d/dweight = 0.
    bn = nn.BatchNorm2d(2).double()
    x = vg.tensor(np.random.default_rng(1).standard_normal((3, 2, 2, 2)), requires_grad=True)
    bn(x).sum().backward()
    np.testing.assert_allclose(x.grad._data, 0, atol=1e-12)
    np.testing.assert_allclose(bn.weight.grad._data, 0, atol=1e-12)
    np.testing.assert_array_equal(bn.bias.grad._data, [12.0, 12.0])


def test_batchnorm_momentum_none_is_a_cumulative_average() -> None:
    bn = nn.BatchNorm1d(1, momentum=None).double()
    for batch in ([[1.0], [3.0]], [[5.0], [9.0]], [[0.0], [0.0]]):
        bn(vg.tensor(batch))
    np.testing.assert_allclose(bn.running_mean._data, [(2.0 + 7.0 + 0.0) / 3])
    np.testing.assert_allclose(bn.running_var._data, [(2.0 + 8.0 + 0.0) / 3])


def test_batchnorm1d_accepts_3d_input_and_batchnorm2d_rejects_it() -> None:
    x = np.random.default_rng(2).standard_normal((4, 3, 5))
    out = nn.BatchNorm1d(3).double()(vg.tensor(x))
    np.testing.assert_allclose(out._data, normalise(x, (0, 2)), rtol=1e-10)
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(vg.tensor(x))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(vg.randn(2, 3, 4, 4))


def test_batchnorm_state_dict_keys_buffers_and_repr() -> None:
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert bn.running_mean.dtype == vg.float32 and bn.running_var._data.tolist() == [1.0] * 4
    assert repr(bn) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    bare = nn.BatchNorm1d(4, affine=False, track_running_stats=False)
    assert bare.state_dict() == {} and bare.weight is None and bare.running_mean is None


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval_too() -> None:
    bn = nn.BatchNorm1d(2, track_running_stats=False).double().eval()
    x = np.random.default_rng(3).standard_normal((5, 2))
    np.testing.assert_allclose(bn(vg.tensor(x))._data, normalise(x, (0,)), rtol=1e-10)


def test_batchnorm_keeps_float32() -> None:
    bn = nn.BatchNorm2d(3)
    x = vg.randn(4, 3, 2, 2, requires_grad=True)
    out = bn(x)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == bn.weight.grad.dtype == bn.running_var.dtype == vg.float32


def test_batch_norm_errors() -> None:
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(vg.randn(1, 3))
    with pytest.raises(ValueError, match=r"running_mean must have shape \(3,\) for 3 channels, got \(4,\)"):
        F.batch_norm(vg.randn(2, 3), vg.zeros(4), vg.ones(3))
    with pytest.raises(ValueError, match="needed when training=False"):
        F.batch_norm(vg.randn(2, 3), None, None, training=False)
    with pytest.raises(ValueError, match="num_features must be a positive int"):
        nn.BatchNorm2d(0)


def test_batchnorm_reset_running_stats() -> None:
    bn = nn.BatchNorm1d(2)
    bn(vg.randn(4, 2) * 3 + 1)
    bn.reset_running_stats()
    assert bn.running_mean._data.tolist() == [0, 0] and bn.running_var._data.tolist() == [1, 1]
    assert bn.num_batches_tracked.item() == 0


# **** LayerNorm ****


def test_layernorm_by_formula() -> None:
    rng = np.random.default_rng(4)
    ln = nn.LayerNorm((3, 4)).double()
    ln.weight._data[...] = rng.standard_normal((3, 4))
    ln.bias._data[...] = rng.standard_normal((3, 4))
    x = rng.normal(5.0, 2.0, (2, 5, 3, 4))
    expected = normalise(x, (2, 3)) * ln.weight._data + ln.bias._data
    np.testing.assert_allclose(ln(vg.tensor(x))._data, expected, rtol=1e-12, atol=1e-12)


def test_layernorm_gradient_of_the_sum_is_zero() -> None:
    x = vg.tensor(np.random.default_rng(5).standard_normal((3, 6)), requires_grad=True)
    F.layer_norm(x, 6).sum().backward()
    np.testing.assert_allclose(x.grad._data, 0, atol=1e-12)


def test_layernorm_gradients_by_formula_on_a_strided_input() -> None:
    # the row-wise statistics path (dot products over the trailing dims) against the textbook backward
    rng = np.random.default_rng(6)
    ln = nn.LayerNorm((3, 4)).double()
    ln.weight._data[...] = rng.standard_normal((3, 4))
    ln.bias._data[...] = rng.standard_normal((3, 4))
    base = rng.normal(2.0, 3.0, (5, 2, 3, 4))
    x = vg.tensor(base, requires_grad=True)
    g = rng.standard_normal((2, 5, 3, 4))
    ln(x.transpose(0, 1)).backward(vg.tensor(g))
    a = base.transpose(1, 0, 2, 3)
    mean = a.mean(axis=(2, 3), keepdims=True)
    rstd = 1 / np.sqrt(a.var(axis=(2, 3), keepdims=True) + ln.eps)
    xhat = (a - mean) * rstd
    gxhat = g * ln.weight._data
    gx = rstd * (
        gxhat - gxhat.mean(axis=(2, 3), keepdims=True) - xhat * (gxhat * xhat).mean(axis=(2, 3), keepdims=True)
    )
    np.testing.assert_allclose(x.grad._data, gx.transpose(1, 0, 2, 3), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ln.weight.grad._data, (g * xhat).sum(axis=(0, 1)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ln.bias.grad._data, g.sum(axis=(0, 1)), rtol=1e-12, atol=1e-12)


def test_layernorm_parameters_state_dict_and_repr() -> None:
    ln = nn.LayerNorm(8)
    assert ln.normalized_shape == (8,) and list(ln.state_dict()) == ["weight", "bias"]
    assert repr(ln) == "LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert list(nn.LayerNorm(8, bias=False).state_dict()) == ["weight"]
    assert nn.LayerNorm(8, elementwise_affine=False).state_dict() == {}
    out = ln(vg.randn(2, 8))
    assert out.dtype == vg.float32


def test_layernorm_errors() -> None:
    with pytest.raises(ValueError, match=r"normalized_shape \[4\] must match the trailing dims"):
        F.layer_norm(vg.randn(2, 3), 4)
    with pytest.raises(ValueError, match="positive int or tuple"):
        nn.LayerNorm(())


def test_float16_norms_compute_in_float32_and_return_float16() -> None:
    # squares of ~300 overflow float16 (max 65504): the statistics must not be taken in float16
    rng = np.random.default_rng(7)
    data = rng.standard_normal((4, 300)) * 100 + 1000
    x = vg.tensor(data, dtype=vg.float16, requires_grad=True)
    ln = nn.LayerNorm(300).half()
    assert ln.weight.dtype == vg.float16 and ln.bias.dtype == vg.float16
    y = ln(x)
    assert y.dtype == vg.float16
    x16 = data.astype(np.float16).astype(np.float64)
    expected = (x16 - x16.mean(1, keepdims=True)) / np.sqrt(x16.var(1, keepdims=True) + ln.eps)
    np.testing.assert_allclose(y._data.astype(np.float64), expected, atol=2e-3)
    (y.float() ** 2).sum().backward()
    assert x.grad.dtype == vg.float16 and np.isfinite(x.grad._data).all()
    bn = nn.BatchNorm1d(300).half()
    out = bn(x.detach())
    assert out.dtype == vg.float16 and bn.running_mean.dtype == vg.float16
    np.testing.assert_allclose(bn.running_mean._data, 0.1 * x16.mean(0), rtol=2e-3)
