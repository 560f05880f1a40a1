"""``gradcheck`` itself: it passes correct gradients, catches wrong ones, and refuses what it cannot check."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg
from vinsgrad.autograd import Function, GradcheckError


def x64(*shape: int, seed: int = 0) -> vg.Tensor:
    return vg.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


class HalfSquare(Function):
    """Forward x*x, backward x (wrong by a factor 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


def test_passes_correct_gradients_with_several_inputs_and_outputs() -> None:
    a, b = x64(2, 3), x64(3, seed=1)
    assert vg.gradcheck(lambda a, b: ((a * b).sum(1), (a - b).exp()), (a, b)) is True
    assert vg.gradcheck(lambda a: a.tanh(), a) is True  # a single tensor as inputs


def test_catches_a_wrong_backward_and_names_the_worst_element() -> None:
    x = vg.tensor([0.1, -3.0, 2.0], dtype=vg.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 at \(input element 1, output element 1\): numerical -6"):
        vg.gradcheck(HalfSquare.apply, (x,))


def test_catches_a_gradient_that_is_off_by_little() -> None:
    class Nudged(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 3.01

    with pytest.raises(GradcheckError):
        vg.gradcheck(Nudged.apply, (x64(4),))
    assert vg.gradcheck(Nudged.apply, (x64(4),), rtol=0.01)


def test_nan_gradients_fail() -> None:
    class NanBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad * np.nan

    with pytest.raises(GradcheckError, match="analytical nan"):
        vg.gradcheck(NanBackward.apply, (x64(2),))


def test_checks_only_inputs_that_require_grad() -> None:
    a = x64(3)
    const = vg.tensor([1.0, 2.0, 3.0], dtype=vg.float64)
    assert vg.gradcheck(lambda a, c, k: a * c * k, (a, const, 2.0))


def test_non_contiguous_inputs_are_perturbed_in_place() -> None:
    x = vg.tensor(np.random.default_rng(0).standard_normal((3, 4)).T, requires_grad=True)
    assert not x._data.flags.c_contiguous
    assert vg.gradcheck(lambda t: t.exp() * t, (x,))
    with pytest.raises(GradcheckError):
        vg.gradcheck(HalfSquare.apply, (x,))


def test_refuses_float32_and_nothing_to_check() -> None:
    with pytest.raises(ValueError, match="input 0 is float32; finite differences need float64"):
        vg.gradcheck(lambda t: t * 2, (vg.ones(2, requires_grad=True),))
    with pytest.raises(ValueError, match="no input requires grad"):
        vg.gradcheck(lambda t: t * 2, (vg.ones(2, dtype=vg.float64),))
    with pytest.raises(ValueError, match="no floating-point Tensor"):
        vg.gradcheck(lambda t: t.argmax(), (x64(3),))


def test_leaves_inputs_and_their_grads_untouched() -> None:
    x = x64(2, 2)
    before = x._data.copy()
    x.grad = vg.tensor(np.full((2, 2), 5.0))
    vg.gradcheck(lambda t: t.sin(), (x,))
    np.testing.assert_array_equal(x._data, before)
    np.testing.assert_array_equal(x.grad._data, np.full((2, 2), 5.0))


def test_works_under_no_grad() -> None:
    with vg.no_grad():
        assert vg.gradcheck(lambda t: t.sigmoid(), (x64(3),))
    with vg.no_grad(), pytest.raises(GradcheckError):
        vg.gradcheck(HalfSquare.apply, (x64(3),))
