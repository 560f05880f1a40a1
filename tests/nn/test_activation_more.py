"""The activations of issue 14 against NumPy formulas and their hand-derived slopes, PyTorch's corner conventions,
stability at extreme inputs, dtypes and reprs."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn
from vinsgrad.nn import functional as F

SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _sig(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


# name -> (layer, f(x), f'(x)) with the reference written independently of the library
REFERENCES = {
    "SiLU": (nn.SiLU(), lambda x: x / (1 + np.exp(-x)), lambda x: _sig(x) + x * _sig(x) * (1 - _sig(x))),
    "ELU": (
        nn.ELU(0.7),
        lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1)),
        lambda x: np.where(x > 0, 1, 0.7 * np.exp(x)),
    ),
    "SELU": (
        nn.SELU(),
        lambda x: SELU_S * np.where(x > 0, x, SELU_A * (np.exp(x) - 1)),
        lambda x: SELU_S * np.where(x > 0, 1, SELU_A * np.exp(x)),
    ),
    "CELU": (
        nn.CELU(2.0),
        lambda x: np.maximum(x, 0) + np.minimum(0, 2 * (np.exp(x / 2) - 1)),
        lambda x: np.where(x > 0, 1, np.exp(x / 2)),
    ),
    "Softplus": (
        nn.Softplus(2.0, 5.0),
        lambda x: np.where(2 * x > 5, x, np.log(1 + np.exp(2 * x)) / 2),
        lambda x: np.where(2 * x > 5, 1, _sig(2 * x)),
    ),
    "Softsign": (nn.Softsign(), lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2),
    "Hardtanh": (nn.Hardtanh(-2.0, 0.5), lambda x: np.clip(x, -2, 0.5), lambda x: ((x > -2) & (x < 0.5)).astype(float)),
    "ReLU6": (nn.ReLU6(), lambda x: np.minimum(np.maximum(x, 0), 6), lambda x: ((x > 0) & (x < 6)).astype(float)),
    "Hardsigmoid": (nn.Hardsigmoid(), lambda x: np.clip((x + 3) / 6, 0, 1), lambda x: ((x > -3) & (x < 3)) / 6),
    "Hardswish": (
        nn.Hardswish(),
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        lambda x: np.where(x <= -3, 0, np.where(x < 3, (2 * x + 3) / 6, 1)),
    ),
    "Mish": (
        nn.Mish(),
        lambda x: x * np.tanh(np.log1p(np.exp(x))),
        lambda x: np.tanh(np.log1p(np.exp(x))) + x * (1 - np.tanh(np.log1p(np.exp(x))) ** 2) * _sig(x),
    ),
    "LogSigmoid": (nn.LogSigmoid(), lambda x: np.log(_sig(x)), lambda x: 1 - _sig(x)),
    "Tanhshrink": (nn.Tanhshrink(), lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2),
}


@pytest.mark.parametrize("name", list(REFERENCES))
def test_values_and_slopes_match_the_formulas(name: str) -> None:
    layer, f, df = REFERENCES[name]
    # includes the corners -3, 0, 3, 6 and the Softplus threshold 2.5, where PyTorch's one-sided choices apply
    points = np.array([-7.0, -3.0, -2.0, -1.3, -0.4, 0.0, 0.2, 0.5, 1.7, 2.5, 3.0, 4.5, 6.0, 8.0])
    x = vinsgrad.tensor(points, dtype=vinsgrad.float64, requires_grad=True)
    out = layer(x)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), f(points), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), df(points), rtol=1e-12, atol=1e-15)
    assert layer(vinsgrad.tensor(points.astype(np.float32))).dtype == vinsgrad.float32


def test_extreme_inputs_stay_finite() -> None:
    x = vinsgrad.tensor([-1000.0, 1000.0], requires_grad=True)
    for fn in (F.silu, F.softplus, F.mish, F.logsigmoid, F.elu, F.selu, F.celu):
        out = fn(x)
        out.sum().backward()
        assert np.isfinite(out.detach().numpy()).all() and np.isfinite(x.grad.numpy()).all(), fn.__name__
        x.grad = None
    assert F.logsigmoid(x).tolist() == [-1000.0, 0.0]
    assert F.softplus(vinsgrad.tensor([-1000.0, 30.0])).tolist() == [0.0, 30.0]


def test_prelu_learns_one_slope_per_channel() -> None:
    layer = nn.PReLU(num_parameters=2, init=0.1)
    assert layer.weight.tolist() == pytest.approx([0.1, 0.1]) and repr(layer) == "PReLU(num_parameters=2)"
    layer.weight.data.copy_(vinsgrad.tensor([0.5, 2.0]))
    x = vinsgrad.tensor([[[-1.0, 3.0]], [[-2.0, -4.0]]]).reshape(1, 2, 2)
    out = layer(x)
    assert out.tolist() == [[[-0.5, 3.0], [-4.0, -8.0]]]
    out.sum().backward()
    assert layer.weight.grad.tolist() == [-1.0, -6.0]  # the sum of the negative inputs of each channel
    with pytest.raises(ValueError, match=r"one per channel \(2\), got shape \(3,\)"):
        F.prelu(x, vinsgrad.tensor([1.0, 2.0, 3.0]))


def test_softmin_and_normalize() -> None:
    x = np.array([[1.0, 2.0, 4.0], [0.0, -1.0, 3.0]])
    e = np.exp(-x)
    np.testing.assert_allclose(nn.Softmin(dim=1)(vinsgrad.tensor(x)).numpy(), e / e.sum(1, keepdims=True), rtol=1e-6)
    for p in (1.0, 2.0, 3.0, math.inf):
        norm = np.abs(x).max(1, keepdims=True) if p == math.inf else (np.abs(x) ** p).sum(1, keepdims=True) ** (1 / p)
        got = F.normalize(vinsgrad.tensor(x, dtype=vinsgrad.float64), p=p, dim=1).numpy()
        np.testing.assert_allclose(got, x / norm, rtol=1e-14)
    # a zero vector stays zero, and its gradient is 1/eps (the clamp makes the norm a constant there)
    z = vinsgrad.tensor([[0.0, 0.0]], dtype=vinsgrad.float64, requires_grad=True)
    out = F.normalize(z, eps=0.5)
    out.sum().backward()
    assert out.tolist() == [[0.0, 0.0]] and z.grad.tolist() == [[2.0, 2.0]]


def test_constructor_checks_and_reprs() -> None:
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.ELU(alpha=0.5)) == "ELU(alpha=0.5)" and repr(nn.CELU()) == "CELU(alpha=1.0)"
    assert repr(nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert repr(nn.SiLU(inplace=True)) == "SiLU(inplace=True)" and repr(nn.ReLU6()) == "ReLU6()"
    assert repr(nn.Softmin(dim=1)) == "Softmin(dim=1)"
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError, match="num_parameters must be a positive int, got 0"):
        nn.PReLU(0)
    with pytest.raises(ValueError, match="p must be positive"):
        F.normalize(vinsgrad.ones(2, 2), p=0)


def test_shrinks_threshold_glu_and_softmax2d() -> None:
    points = np.array([-2.0, -0.5, -0.3, 0.0, 0.4, 0.5, 1.5])
    x = vinsgrad.tensor(points, dtype=vinsgrad.float64, requires_grad=True)
    np.testing.assert_array_equal(nn.Hardshrink()(x).detach().numpy(), np.where(np.abs(points) > 0.5, points, 0))
    soft = nn.Softshrink(0.5)(x)
    np.testing.assert_allclose(soft.detach().numpy(), np.sign(points) * np.maximum(np.abs(points) - 0.5, 0))
    soft.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (np.abs(points) > 0.5).astype(float))  # 0 at the corners
    np.testing.assert_array_equal(nn.Threshold(0.0, -9.0)(x).detach().numpy(), np.where(points > 0, points, -9.0))
    a = np.random.default_rng(0).standard_normal((3, 6))
    expected = a[:, :3] / (1 + np.exp(-a[:, 3:]))
    np.testing.assert_allclose(nn.GLU()(vinsgrad.tensor(a)).numpy(), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="even size"):
        F.glu(vinsgrad.randn(2, 5))
    img = np.random.default_rng(1).standard_normal((2, 3, 2, 2))
    e = np.exp(img)
    np.testing.assert_allclose(nn.Softmax2d()(vinsgrad.tensor(img)).numpy(), e / e.sum(1, keepdims=True), rtol=1e-6)


def test_cosine_similarity_and_pairwise_distance() -> None:
    a = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 0.0]])
    b = np.array([[4.0, 3.0], [0.0, 2.0], [1.0, 1.0]])
    got = nn.CosineSimilarity(dim=1)(vinsgrad.tensor(a), vinsgrad.tensor(b)).tolist()
    assert got == pytest.approx([24 / 25, 0.0, 0.0])  # a zero vector has similarity 0, not nan
    d = nn.PairwiseDistance(p=1.0)(vinsgrad.tensor(a), vinsgrad.tensor(b)).tolist()
    assert d == pytest.approx(np.abs(a - b + 1e-6).sum(1).tolist(), rel=1e-6)
