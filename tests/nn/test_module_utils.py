"""nn.utils: clip_grad_norm_ (PyTorch's total norm and scaling) and clip_grad_value_."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn


def _params_with_grads(*grads: list[float]) -> list[nn.Parameter]:
    params = []
    for g in grads:
        p = nn.Parameter(vinsgrad.zeros(len(g)))
        p.grad = vinsgrad.tensor(g)
        params.append(p)
    return params


def test_clip_grad_norm_scales_all_gradients_together() -> None:
    params = _params_with_grads([3.0, 4.0], [12.0])
    total = nn.utils.clip_grad_norm_(params, max_norm=6.5)
    assert total.item() == pytest.approx(13.0)  # sqrt(9 + 16 + 144)
    assert params[0].grad.tolist() == pytest.approx([1.5, 2.0], rel=1e-6)
    assert params[1].grad.tolist() == pytest.approx([6.0], rel=1e-6)
    assert params[0].grad.dtype == vinsgrad.float32


def test_clip_grad_norm_leaves_small_gradients_and_supports_other_norms() -> None:
    params = _params_with_grads([3.0, -4.0], [12.0])
    assert nn.utils.clip_grad_norm_(params, 100.0).item() == pytest.approx(13.0)
    assert params[0].grad.tolist() == [3.0, -4.0]
    assert nn.utils.clip_grad_norm_(params, 100.0, norm_type=1).item() == pytest.approx(19.0)
    assert nn.utils.clip_grad_norm_(params, 6.0, norm_type=math.inf).item() == pytest.approx(12.0)
    assert params[1].grad.item() == pytest.approx(6.0, rel=1e-6)


def test_clip_grad_norm_edge_cases() -> None:
    p = nn.Parameter(vinsgrad.zeros(2))
    assert nn.utils.clip_grad_norm_(p, 1.0).item() == 0.0  # no gradients at all
    p.grad = vinsgrad.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    model = nn.Linear(3, 2)
    model(vinsgrad.randn(4, 3) * 100).sum().backward()
    nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    after = math.sqrt(sum(float((q.grad._data**2).sum()) for q in model.parameters()))
    assert after == pytest.approx(0.5, rel=1e-5)


def test_clip_grad_value_clamps_each_element() -> None:
    params = _params_with_grads([3.0, -4.0, 0.5])
    nn.utils.clip_grad_value_(params, 1.0)
    assert np.array_equal(params[0].grad._data, [1.0, -1.0, 0.5])


def test_parameters_to_vector_and_back() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1, bias=False))
    vec = nn.utils.parameters_to_vector(model.parameters())
    expected = np.concatenate([p._data.ravel() for p in model.parameters()])
    assert vec.shape == (6 + 2 + 2,) and np.array_equal(vec._data, expected)
    vec.sum().backward()  # differentiable: every parameter gets a gradient of ones
    assert all(np.array_equal(p.grad._data, np.ones(p.shape)) for p in model.parameters())
    nn.utils.vector_to_parameters(vinsgrad.arange(10).float(), model.parameters())
    assert model[0].weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert model[0].bias.tolist() == [6.0, 7.0] and model[1].weight.tolist() == [[8.0, 9.0]]
    with pytest.raises(TypeError, match="expected vec to be a Tensor, but got list"):
        nn.utils.vector_to_parameters([1.0], model.parameters())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"one element per parameter value \(10\), got shape \(9,\)"):
        nn.utils.vector_to_parameters(vinsgrad.zeros(9), model.parameters())


def test_clip_grad_value_accepts_foreach() -> None:
    params = _params_with_grads([3.0, -4.0, 0.5])
    nn.utils.clip_grad_value_(params, 1.0, foreach=True)
    assert params[0].grad.tolist() == [1.0, -1.0, 0.5]
