"""nn.functional (linear, activation and loss part): pad, relu's inplace flag, and the fused ops' shapes."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
from vinsgrad.nn import functional as F


def test_pad_constant_values_and_gradient() -> None:
    x = vinsgrad.tensor([[1.0, 2.0]], requires_grad=True)
    out = F.pad(x, (1, 2), value=-1.0)
    assert out.tolist() == [[-1.0, 1.0, 2.0, -1.0, -1.0]]
    assert F.pad(x, (0, 0, 1, 0)).tolist() == [[0.0, 0.0], [1.0, 2.0]]
    (out * vinsgrad.arange(5.0)).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0]]
    x64 = vinsgrad.randn(2, 3, dtype=vinsgrad.float64, requires_grad=True)
    assert vinsgrad.gradcheck(lambda t: F.pad(t, [2, 1, 1, 1], value=0.5), (x64,))
    with pytest.raises(ValueError, match="mode must be 'constant', 'reflect', 'replicate' or 'circular', got 'edge'"):
        F.pad(x, (1, 1), mode="edge")


def test_relu_accepts_inplace_and_returns_the_result() -> None:
    x = vinsgrad.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True).tolist() == [0.0, 2.0]
    assert F.leaky_relu(x, 0.5, inplace=True).tolist() == [-0.5, 2.0]


def test_fused_linear_matches_matmul_plus_bias_on_batched_input() -> None:
    x, w, b = vinsgrad.randn(2, 3, 4), vinsgrad.randn(5, 4), vinsgrad.randn(5)
    assert np.allclose(F.linear(x, w, b)._data, x._data @ w._data.T + b._data, atol=1e-6)


def test_cross_entropy_matches_log_softmax_then_nll_in_every_mode() -> None:
    rng = np.random.default_rng(0)
    x = vinsgrad.tensor(rng.standard_normal((6, 4)))
    y = vinsgrad.tensor([0, 3, -100, 1, 2, 3])
    w = vinsgrad.tensor([0.5, 1.0, 2.0, 3.0])
    for reduction in ("mean", "sum", "none"):
        fused = F.cross_entropy(x, y, weight=w, reduction=reduction)
        composed = F.nll_loss(F.log_softmax(x, dim=1), y, weight=w, reduction=reduction)
        assert np.allclose(fused._data, composed._data, atol=1e-6)


def test_binary_cross_entropy_functions_reject_bad_reduction() -> None:
    x = vinsgrad.rand(3)
    for fn in (F.binary_cross_entropy, F.binary_cross_entropy_with_logits, F.mse_loss, F.l1_loss):
        with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
            fn(x, x, reduction="avg")
