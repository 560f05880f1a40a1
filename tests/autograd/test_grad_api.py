"""autograd.grad, backward(inputs=), Variable and inference_mode: values against hand-derived gradients."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
from vinsgrad import autograd

X = np.array([0.5, -1.0, 2.0])


def test_grad_returns_gradients_without_touching_dot_grad() -> None:
    x = vinsgrad.tensor(X, dtype=vinsgrad.float64, requires_grad=True)
    (g,) = autograd.grad((x**3).sum(), x)
    np.testing.assert_allclose(g.numpy(), 3 * X**2)
    assert x.grad is None and not g.requires_grad


def test_grad_for_non_leaf_and_leaf_inputs_with_grad_outputs() -> None:
    x = vinsgrad.tensor(X, dtype=vinsgrad.float64, requires_grad=True)
    h = x.exp()
    y = h * h + x  # y = e^{2x} + x
    v = np.array([1.0, 2.0, -1.0])
    gh, gx = autograd.grad(y, [h, x], grad_outputs=vinsgrad.tensor(v, dtype=vinsgrad.float64))
    np.testing.assert_allclose(gh.numpy(), v * 2 * np.exp(X))  # dy/dh = 2h, only through the product
    np.testing.assert_allclose(gx.numpy(), v * (2 * np.exp(2 * X) + 1))  # the full derivative
    assert x.grad is None


def test_grad_sums_several_outputs_even_when_one_output_feeds_another() -> None:
    x = vinsgrad.tensor(X, dtype=vinsgrad.float64, requires_grad=True)
    a = (x * x).sum()  # 2x
    b = a * 3  # 6x, and b is computed from a: a is a root that another root consumes
    (g,) = autograd.grad([a, b], [x])
    np.testing.assert_allclose(g.numpy(), 8 * X)


def test_retain_graph_and_freed_graph() -> None:
    x = vinsgrad.tensor(X, requires_grad=True)
    y = (x * 2).sum()
    autograd.grad(y, x, retain_graph=True)
    autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        autograd.grad(y, x)


def test_unused_inputs_error_none_or_zeros() -> None:
    x = vinsgrad.tensor(X, requires_grad=True)
    z = vinsgrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"inputs\[1\] was not used .* allow_unused=True"):
        autograd.grad((x * 2).sum(), [x, z], retain_graph=True)
    assert autograd.grad((x * 2).sum(), [x, z], allow_unused=True, retain_graph=True)[1] is None
    zeros = autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)[1]
    assert zeros.tolist() == [0.0, 0.0]


def test_grad_errors_are_clear() -> None:
    x = vinsgrad.tensor(X, requires_grad=True)
    with pytest.raises(NotImplementedError, match="no higher-order derivatives"):
        autograd.grad((x * x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match=r"inputs\[0\] does not require grad"):
        autograd.grad((x * x).sum(), vinsgrad.ones(3))
    with pytest.raises(RuntimeError, match="got 2 grad_outputs for 1 outputs"):
        autograd.grad(x * x, x, grad_outputs=[vinsgrad.ones(3), vinsgrad.ones(3)])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        autograd.grad(x * x, x)


def test_backward_inputs_accumulates_only_into_them() -> None:
    x = vinsgrad.tensor(X, dtype=vinsgrad.float64, requires_grad=True)
    w = vinsgrad.tensor(2.0, dtype=vinsgrad.float64, requires_grad=True)
    h = x * w
    (h * h).sum().backward(inputs=[x, h])
    np.testing.assert_allclose(x.grad.numpy(), 2 * X * 4)  # d(w^2 x^2)/dx = 2 x w^2
    np.testing.assert_allclose(h.grad.numpy(), 2 * X * 2)  # a non-leaf input gets .grad too
    assert w.grad is None
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        (x * 2).sum().backward(create_graph=True)


def test_variable_is_the_legacy_name_of_tensor() -> None:
    v = autograd.Variable(vinsgrad.ones(2), requires_grad=True)
    assert isinstance(v, vinsgrad.Tensor) and v.requires_grad and isinstance(vinsgrad.zeros(1), autograd.Variable)


def test_inference_mode_as_context_decorator_and_off_switch() -> None:
    x = vinsgrad.ones(2, requires_grad=True)
    with vinsgrad.inference_mode():
        assert not (x * 2).requires_grad
    assert vinsgrad.is_grad_enabled()

    @vinsgrad.inference_mode()
    def called() -> bool:
        return (x * 2).requires_grad

    @vinsgrad.inference_mode
    def bare() -> bool:
        return (x * 2).requires_grad

    assert not called() and not bare() and vinsgrad.is_grad_enabled()
    with vinsgrad.inference_mode(False):
        assert (x * 2).requires_grad
    assert autograd.inference_mode is vinsgrad.inference_mode


def test_a_grad_that_is_not_a_tensor_is_a_clear_error_at_the_next_backward() -> None:
    a = vinsgrad.tensor(1.0, requires_grad=True)
    (a * 2).backward()
    a.grad = 0.0  # type: ignore[assignment]  # the polynomial tutorial's reset; torch refuses it at assignment
    with pytest.raises(TypeError, match=r"\.grad of a tensor of shape \(\) is a float, expected a Tensor or None"):
        (a * 2).backward()
