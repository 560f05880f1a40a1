"""Linear: PyTorch's init, shapes, hand-derived values and gradients, float32 kept, clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn
from vinsgrad.nn import functional as F


def test_shapes_repr_and_parameter_names() -> None:
    layer = nn.Linear(5, 3)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert layer.weight.dtype == vinsgrad.float32
    assert repr(layer) == "Linear(in_features=5, out_features=3, bias=True)"
    assert list(layer.state_dict()) == ["weight", "bias"]
    no_bias = nn.Linear(5, 3, bias=False)
    assert no_bias.bias is None and [n for n, _ in no_bias.named_parameters()] == ["weight"]
    assert nn.Linear(2, 2, dtype=vinsgrad.float64).weight.dtype == vinsgrad.float64
    assert layer(vinsgrad.randn(2, 4, 5)).shape == (2, 4, 3)
    assert layer(vinsgrad.randn(5)).shape == (3,)


def test_default_init_is_uniform_within_one_over_sqrt_fan_in() -> None:
    vinsgrad.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = layer.weight._data, layer.bias._data
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-a, a) has std a/sqrt(3) and fills the whole interval
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert np.abs(w).max() > 0.99 * bound and abs(w.mean()) < 0.01 * bound


def test_init_draws_from_the_seeded_default_generator() -> None:
    vinsgrad.manual_seed(7)
    a = nn.Linear(4, 3)
    vinsgrad.manual_seed(7)
    b = nn.Linear(4, 3)
    c = nn.Linear(4, 3)
    assert np.array_equal(a.weight._data, b.weight._data) and np.array_equal(a.bias._data, b.bias._data)
    assert not np.array_equal(b.weight._data, c.weight._data)


def test_hand_derived_forward_and_backward() -> None:
    layer = nn.Linear(2, 2)
    layer.load_state_dict({"weight": np.array([[1.0, 2.0], [3.0, 4.0]]), "bias": np.array([1.0, -1.0])})
    x = vinsgrad.tensor([[1.0, 1.0], [2.0, 0.0]], requires_grad=True)
    out = layer(x)
    assert out.tolist() == [[4.0, 6.0], [3.0, 5.0]]
    (out * vinsgrad.tensor([[1.0, 0.0], [0.0, 1.0]])).sum().backward()
    # d/dW[i, j] = sum_n g[n, i] x[n, j]; d/db = sum_n g[n]; d/dx = g @ W
    assert layer.weight.grad.tolist() == [[1.0, 1.0], [2.0, 0.0]]
    assert layer.bias.grad.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_input_weight_bias(shape: tuple[int, ...], bias: bool) -> None:
    layer = nn.Linear(3, 2, bias=bias).double()
    x = vinsgrad.randn(*shape, dtype=vinsgrad.float64, requires_grad=True)
    assert vinsgrad.gradcheck(lambda x, *params: layer(x), (x, *layer.parameters()))


def test_float32_stays_float32_forward_and_backward() -> None:
    layer = nn.Linear(6, 4)
    x = vinsgrad.randn(5, 6, requires_grad=True)
    out = layer(x)
    assert out.dtype == vinsgrad.float32
    out.sum().backward()
    assert {x.grad.dtype, layer.weight.grad.dtype, layer.bias.grad.dtype} == {vinsgrad.float32}


def test_backward_computes_only_the_gradients_needed() -> None:
    layer = nn.Linear(3, 2)
    layer.weight.requires_grad_(False)
    x = vinsgrad.randn(4, 3)
    layer(x).sum().backward()
    assert layer.weight.grad is None and x.grad is None
    assert layer.bias.grad.tolist() == [4.0, 4.0]


def test_errors_name_the_problem() -> None:
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"input of shape \(4, 5\) does not match weight of shape \(2, 3\)"):
        layer(vinsgrad.randn(4, 5))
    with pytest.raises(TypeError, match=r"input is float64 but the weight is float32; cast"):
        layer(vinsgrad.randn(4, 3, dtype=vinsgrad.float64))
    with pytest.raises(ValueError, match=r"in_features must be a non-negative int, got 2\.5"):
        nn.Linear(2.5, 3)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Linear(2, 3, device="cuda")


def test_functional_linear_without_bias_matches_matmul() -> None:
    x, w = vinsgrad.randn(3, 4), vinsgrad.randn(2, 4)
    assert np.allclose(F.linear(x, w)._data, x._data @ w._data.T)
