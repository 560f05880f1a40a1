"""nn.init: PyTorch's gains and fans, distributions with the right bounds/std, in place, reproducible draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn
from vinsgrad.nn import init


def test_calculate_gain() -> None:
    assert init.calculate_gain("linear") == init.calculate_gain("conv2d") == init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope 'a' is not a valid number"):
        init.calculate_gain("leaky_relu", "a")  # type: ignore[arg-type]


def test_fans_follow_pytorch_for_linear_and_conv_shapes() -> None:
    assert init._calculate_fan_in_and_fan_out(vinsgrad.zeros(128, 784)) == (784, 128)
    assert init._calculate_fan_in_and_fan_out(vinsgrad.zeros(16, 3, 5, 5)) == (75, 400)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(vinsgrad.zeros(3))
    with pytest.raises(ValueError, match="Mode 'fan_avg' not supported"):
        init.kaiming_uniform_(vinsgrad.zeros(3, 3), mode="fan_avg")


@pytest.mark.parametrize(
    ("fill", "bound", "std"),
    [
        (lambda t: init.uniform_(t, -0.5, 1.5), None, 2 / math.sqrt(12)),
        (lambda t: init.normal_(t, 1.0, 0.2), None, 0.2),
        (lambda t: init.xavier_uniform_(t, gain=2.0), 2 * math.sqrt(6 / (200 + 300)), 2 * math.sqrt(2 / 500)),
        (lambda t: init.xavier_normal_(t), None, math.sqrt(2 / 500)),
        (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(6 / 300), math.sqrt(2 / 300)),
        (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), None, math.sqrt(2 / 200)),
    ],
    ids=["uniform", "normal", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal"],
)
def test_distributions_have_the_expected_bounds_and_std(fill, bound, std) -> None:  # type: ignore[no-untyped-def]
    vinsgrad.manual_seed(0)
    t = vinsgrad.zeros(200, 300)
    out = fill(t)
    assert out is t and t.dtype == vinsgrad.float32
    assert t._data.std() == pytest.approx(std, rel=0.02)
    if bound is not None:
        assert np.abs(t._data).max() <= bound and np.abs(t._data).max() > 0.99 * bound


def test_constants() -> None:
    t = vinsgrad.randn(2, 3)
    assert init.zeros_(t).tolist() == [[0.0] * 3] * 2
    assert init.ones_(t).tolist() == [[1.0] * 3] * 2
    assert init.constant_(t, 0.25).tolist() == [[0.25] * 3] * 2


def test_generator_and_manual_seed_make_draws_reproducible() -> None:
    a, b = vinsgrad.zeros(4, 5), vinsgrad.zeros(4, 5)
    init.kaiming_normal_(a, generator=vinsgrad.Generator(3))
    init.kaiming_normal_(b, generator=vinsgrad.Generator(3))
    assert np.array_equal(a._data, b._data)
    vinsgrad.manual_seed(1)
    init.uniform_(a)
    vinsgrad.manual_seed(1)
    init.uniform_(b)
    assert np.array_equal(a._data, b._data)


def test_parameters_are_filled_in_place_without_a_graph() -> None:
    layer = nn.Linear(3, 2)
    weight = layer.weight
    init.xavier_uniform_(layer.weight)
    init.zeros_(layer.bias)
    assert layer.weight is weight and weight.grad_fn is None and weight.requires_grad
    assert layer.bias.tolist() == [0.0, 0.0]


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments() -> None:
    t = vinsgrad.zeros(300, 400)
    init.trunc_normal_(t, mean=1.0, std=2.0, a=0.0, b=3.0, generator=vinsgrad.Generator(0))
    x = t._data.astype(np.float64)
    assert x.min() >= 0.0 and x.max() <= 3.0 and x.min() < 0.01 and x.max() > 2.99
    # truncated-normal mean: mu + s * (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha)), alpha = -1/2, beta = 1
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    mean = 1.0 + 2.0 * (phi(-0.5) - phi(1.0)) / (cdf(1.0) - cdf(-0.5))
    assert x.mean() == pytest.approx(mean, abs=0.01)
    with pytest.raises(ValueError, match="holds only"):
        init.trunc_normal_(t, a=50.0, b=51.0)


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (5, 2, 3, 1)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape: tuple[int, ...]) -> None:
    t = init.orthogonal_(vinsgrad.zeros(*shape, dtype=vinsgrad.float64), gain=2.0)
    m = t._data.reshape(shape[0], -1)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] == small else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(vinsgrad.zeros(3))


def test_eye_and_dirac() -> None:
    assert init.eye_(vinsgrad.ones(2, 3)).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(vinsgrad.ones(2, 2, 2))
    w = init.dirac_(vinsgrad.ones(4, 2, 3, 3), groups=2)
    x = vinsgrad.randn(1, 4, 5, 5)
    # a Dirac conv copies channel d of each group's input to output d of that group
    out = nn.functional.conv2d(x, w, padding=1, groups=2)
    np.testing.assert_allclose(out._data[0, [0, 1, 2, 3]], x._data[0, [0, 1, 2, 3]], rtol=1e-6)


def test_kaiming_and_xavier_follow_the_fan_and_gain_formulas() -> None:
    t = vinsgrad.zeros(64, 16, 3, 3)  # fan_in = 144, fan_out = 576
    init.kaiming_uniform_(t, a=0.2, mode="fan_out", nonlinearity="leaky_relu", generator=vinsgrad.Generator(0))
    bound = math.sqrt(3) * math.sqrt(2 / (1 + 0.04)) / math.sqrt(576)
    assert np.abs(t._data).max() <= bound and np.abs(t._data).max() > 0.99 * bound
    init.kaiming_normal_(t, nonlinearity="tanh", generator=vinsgrad.Generator(0))
    assert t._data.std() == pytest.approx((5 / 3) / math.sqrt(144), rel=0.03)
    init.xavier_normal_(t, gain=init.calculate_gain("relu"), generator=vinsgrad.Generator(0))
    assert t._data.std() == pytest.approx(math.sqrt(2) * math.sqrt(2 / (144 + 576)), rel=0.03)
