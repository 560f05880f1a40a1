"""Activation layers: hand-derived values, gradients by finite differences, dtype kept, reprs."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn
from vinsgrad.autograd.ops._utils import erf, erfc
from vinsgrad.nn import functional as F


def _x64(*values: float) -> vinsgrad.Tensor:
    return vinsgrad.tensor(list(values), dtype=vinsgrad.float64, requires_grad=True)


def _value_and_grad(layer: nn.Module, x: vinsgrad.Tensor) -> tuple[list[float], list[float]]:
    out = layer(x)
    out.sum().backward()
    return out.tolist(), x.grad.tolist()


def test_relu_and_leaky_relu_values_and_gradients() -> None:
    assert _value_and_grad(nn.ReLU(), _x64(-1.0, 0.0, 2.0)) == ([0.0, 0.0, 2.0], [0.0, 0.0, 1.0])
    # PyTorch's convention at 0: ReLU passes no gradient, LeakyReLU passes the slope
    out, grad = _value_and_grad(nn.LeakyReLU(0.2), _x64(-1.0, 0.0, 2.0))
    assert out == pytest.approx([-0.2, 0.0, 2.0]) and grad == pytest.approx([0.2, 0.2, 1.0])
    assert nn.LeakyReLU()(_x64(-100.0)).item() == pytest.approx(-1.0)


def test_sigmoid_and_tanh_values_stay_finite_at_extremes() -> None:
    out, grad = _value_and_grad(nn.Sigmoid(), _x64(0.0, math.log(3.0)))
    assert out == pytest.approx([0.5, 0.75]) and grad == pytest.approx([0.25, 0.75 * 0.25])
    big = nn.Sigmoid()(vinsgrad.tensor([-1000.0, 1000.0]))
    assert big.tolist() == [0.0, 1.0] and big.dtype == vinsgrad.float32
    out, grad = _value_and_grad(nn.Tanh(), _x64(0.0, 0.5))
    assert out == pytest.approx([0.0, math.tanh(0.5)]) and grad == pytest.approx([1.0, 1 - math.tanh(0.5) ** 2])


def test_gelu_exact_and_tanh_values() -> None:
    # GELU(x) = x * Phi(x); GELU'(x) = Phi(x) + x * phi(x)
    phi1, pdf1 = 0.5 * (1 + math.erf(1 / math.sqrt(2))), math.exp(-0.5) / math.sqrt(2 * math.pi)
    out, grad = _value_and_grad(nn.GELU(), _x64(1.0, -1.0, 0.0))
    assert out == pytest.approx([phi1, -(1 - phi1), 0.0], abs=1e-15)
    assert grad == pytest.approx([phi1 + pdf1, (1 - phi1) - pdf1, 0.5], abs=1e-14)
    inner = math.sqrt(2 / math.pi) * (1 + 0.044715)
    assert nn.GELU(approximate="tanh")(_x64(1.0)).item() == pytest.approx(0.5 * (1 + math.tanh(inner)), abs=1e-15)
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', got 'fast'"):
        nn.GELU("fast")


def test_tanh_gelu_across_cache_blocks_matches_the_formula_and_its_derivative() -> None:
    # more elements than one cache block, a ragged last block, and a non-contiguous input and gradient
    from vinsgrad.autograd.ops._utils import CACHE_BLOCK

    rows = np.random.default_rng(0).standard_normal((3, CACHE_BLOCK // 2 + 7, 2)) * 3
    x = vinsgrad.tensor(rows, requires_grad=True)
    xt = x.transpose(0, 1)
    out = F.gelu(xt, approximate="tanh")
    seed = np.random.default_rng(1).standard_normal(xt.shape).transpose(1, 0, 2).copy().transpose(1, 0, 2)
    out.backward(vinsgrad.tensor(seed))
    a = rows.transpose(1, 0, 2)
    k = math.sqrt(2 / math.pi)
    t = np.tanh(k * (a + 0.044715 * a**3))
    np.testing.assert_allclose(out.detach().numpy(), 0.5 * a * (1 + t), rtol=1e-14, atol=1e-14)
    dgelu = 0.5 * (1 + t) + 0.5 * a * (1 - t**2) * k * (1 + 3 * 0.044715 * a**2)
    np.testing.assert_allclose(x.grad.numpy(), (seed * dgelu).transpose(1, 0, 2), rtol=1e-13, atol=1e-13)


def test_erf_matches_math_erf_everywhere() -> None:
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, -0.0, 2.5, -2.5, 30.0, -30.0]])
    expected = np.array([math.erf(v) for v in x])
    assert np.abs(erf(x) - expected).max() < 5e-15
    f32 = erf(x.astype(np.float32))
    assert f32.dtype == np.float32 and np.abs(f32 - expected).max() < 1e-6


def test_erf_and_erfc_hold_double_precision_across_every_branch_and_the_tails() -> None:
    # 0.46875 and 4 are where the rational approximations switch; erfc keeps its relative precision out to 26.
    x = np.concatenate([np.linspace(-27, 27, 54001), np.linspace(0.46, 0.48, 2001), np.linspace(3.99, 4.01, 2001)])
    assert np.abs(erf(x) - [math.erf(v) for v in x]).max() < 1e-15
    want = np.array([math.erfc(v) for v in x])
    tiny = want > 1e-300
    assert (np.abs(erfc(x) - want)[tiny] / want[tiny]).max() < 5e-15
    specials = np.array([np.nan, np.inf, -np.inf, -0.0])
    np.testing.assert_array_equal(erf(specials), [np.nan, 1.0, -1.0, -0.0])
    np.testing.assert_array_equal(erfc(specials), [np.nan, 0.0, 2.0, 1.0])


def test_softmax_and_log_softmax() -> None:
    x = vinsgrad.tensor([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    p = nn.Softmax(dim=1)(x)
    e = np.exp([1.0, 2.0, 3.0])
    assert np.allclose(p._data[0], e / e.sum()) and p._data[1].tolist() == [1.0, 0.0, 0.0]
    logp = nn.LogSoftmax(dim=1)(x)
    assert np.isfinite(logp._data).all() and logp._data[1].tolist() == [0.0, -1000.0, -2000.0]
    assert logp.dtype == vinsgrad.float32
    # PyTorch's legacy rule without dim: 0 for 1-D and 3-D input, 1 otherwise
    assert np.allclose(nn.Softmax()(x)._data.sum(axis=1), 1.0)
    assert np.allclose(F.softmax(vinsgrad.randn(2, 3, 4))._data.sum(axis=0), 1.0)
    assert F.log_softmax(x, dim=0, dtype=vinsgrad.float64).dtype == vinsgrad.float64


@pytest.mark.parametrize(
    "layer",
    [
        nn.ReLU(),
        nn.LeakyReLU(0.3),
        nn.Sigmoid(),
        nn.Tanh(),
        nn.GELU(),
        nn.GELU("tanh"),
        nn.Softmax(1),
        nn.LogSoftmax(0),
    ],
    ids=repr,
)
def test_gradcheck(layer: nn.Module) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)) * 2
    a = np.sign(a) * (np.abs(a) + 0.1)  # away from the kinks at 0
    x = vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=True)
    assert vinsgrad.gradcheck(layer, (x,))


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.LeakyReLU(), nn.GELU(), nn.GELU("tanh"), nn.Softmax(1)], ids=repr)
def test_float32_stays_float32(layer: nn.Module) -> None:
    x = vinsgrad.randn(3, 4, requires_grad=True)
    out = layer(x)
    out.sum().backward()
    assert out.dtype == vinsgrad.float32 and x.grad.dtype == vinsgrad.float32


def test_reprs_match_pytorch() -> None:
    assert [repr(m) for m in (nn.ReLU(), nn.ReLU(inplace=True), nn.LeakyReLU(), nn.Sigmoid(), nn.Tanh())] == [
        "ReLU()",
        "ReLU(inplace=True)",
        "LeakyReLU(negative_slope=0.01)",
        "Sigmoid()",
        "Tanh()",
    ]
    assert [repr(m) for m in (nn.GELU(), nn.Softmax(dim=1), nn.LogSoftmax())] == [
        "GELU(approximate='none')",
        "Softmax(dim=1)",
        "LogSoftmax(dim=None)",
    ]
