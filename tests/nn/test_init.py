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
