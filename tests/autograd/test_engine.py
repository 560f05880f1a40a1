"""The backward engine: accumulation, freed graphs, hooks, grad mode, deep graphs and memory."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import vinsgrad as vg
from vinsgrad.autograd import Function


def leaf(*values: float, dtype=vg.float64) -> vg.Tensor:  # type: ignore[no-untyped-def]
    return vg.tensor(list(values), dtype=dtype, requires_grad=True)


# **** gradients ****


def test_gradients_accumulate_across_backward_calls() -> None:
    x = leaf(1.0, 2.0)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad._data, [2 + 3, 4 + 3])


def test_accumulation_reuses_the_grad_buffer() -> None:
    x = leaf(1.0, 2.0)
    (x * 2).sum().backward()
    buffer = x.grad._data
    (x * 2).sum().backward()
    assert x.grad._data is buffer
    np.testing.assert_allclose(buffer, [4.0, 4.0])


def test_leaf_used_many_times_sums_all_paths() -> None:
    # d/dx of x*exp(x) + x + x^2 = exp(x)(1+x) + 1 + 2x
    x = leaf(0.5, -1.0)
    t = x * x.exp()
    (t + x + x * x).sum().backward()
    xs = np.array([0.5, -1.0])
    np.testing.assert_allclose(x.grad._data, np.exp(xs) * (1 + xs) + 1 + 2 * xs)


def test_leaf_gradient_is_not_modified_through_a_shared_array() -> None:
    # Add hands the same gradient array to both inputs; the leaf's buffer must not alias what the other
    # branch still reads (a regression test for in-place accumulation during the walk).
    x = leaf(1.0, 2.0)
    t = x + x.exp()
    loss = (t + x).sum()
    loss.backward()
    np.testing.assert_allclose(x.grad._data, 2 + np.exp([1.0, 2.0]))
    y = leaf(1.0, 2.0)
    (y + y + y).sum().backward()
    np.testing.assert_allclose(y.grad._data, [3.0, 3.0])


def test_two_leaves_never_share_a_grad_buffer() -> None:
    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad._data, b.grad._data)
    (a + b).sum().backward()
    np.testing.assert_allclose(a.grad._data, [2.0, 2.0])
    np.testing.assert_allclose(b.grad._data, [2.0, 2.0])


def test_given_gradient_is_copied_not_adopted() -> None:
    x = leaf(1.0, 2.0)
    g = np.array([1.0, 1.0])
    (x + 0).backward(g)
    (x + 0).backward(g)
    np.testing.assert_allclose(g, [1.0, 1.0])
    np.testing.assert_allclose(x.grad._data, [2.0, 2.0])


def test_backward_gradient_argument_weights_the_output() -> None:
    x = leaf(1.0, 2.0, 3.0)
    (x * x).backward(vg.tensor([1.0, 0.0, -1.0], dtype=vg.float64))
    np.testing.assert_allclose(x.grad._data, [2.0, 0.0, -6.0])


def test_backward_on_a_leaf_sets_its_gradient() -> None:
    x = leaf(1.0, 2.0)
    x.backward(np.array([3.0, 4.0]))
    np.testing.assert_allclose(x.grad._data, [3.0, 4.0])


def test_non_scalar_backward_without_gradient_raises() -> None:
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(2,\).*\.sum\(\)"):
        (x * 2).backward()


def test_backward_gradient_of_wrong_shape_raises() -> None:
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\), expected the output's shape \(2,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        vg.tensor([1.0]).sum().backward()


def test_second_backward_through_freed_graph_raises() -> None:
    x = leaf(1.0)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"backward through the graph a second time.*retain_graph=True"):
        y.backward()


def test_backward_through_a_freed_part_of_the_graph_raises() -> None:
    x = leaf(1.0)
    h = x.exp()
    h.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        (h * 2).sum().backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = leaf(2.0)
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad._data, [2 * 12.0])


def test_intermediate_tensors_get_no_grad() -> None:
    x = leaf(1.0)
    h = x * 2
    h.sum().backward()
    assert h.grad is None and not h.is_leaf and x.is_leaf


def test_branch_that_does_not_require_grad_is_skipped() -> None:
    x = leaf(1.0, 2.0)
    c = vg.tensor([5.0, 6.0], dtype=vg.float64)
    (x * c + c.exp()).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(x.grad._data, [5.0, 6.0])


# **** the graph is walked iteratively and freed ****


def test_chain_of_100k_ops_backpropagates() -> None:
    x = vg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad is not None and x.grad.item() == 1.0


def test_graph_is_freed_after_backward() -> None:
    x = leaf(1.0, 2.0)
    h = x.exp()
    node = weakref.ref(h.grad_fn)
    out = (h * 3).sum()
    out.backward()
    assert h.grad_fn.saved_tensors == () and h.grad_fn.inputs == ()
    del h, out
    gc.collect()
    assert node() is None


def test_saved_arrays_are_released_by_backward() -> None:
    x = vg.tensor(np.ones(1000), requires_grad=True)
    y = (x * 2).sin()  # Sin saves x * 2, which nothing but the graph holds
    ref = weakref.ref(y.grad_fn.saved_tensors[0])
    z = y.sum()
    z.backward()
    assert ref() is None  # released while y and z are still alive


def test_memory_is_flat_across_training_steps() -> None:
    w = vg.tensor(np.ones((8, 8)), requires_grad=True)
    x = vg.tensor(np.ones((4, 8)))
    alive = []
    for _ in range(20):
        loss = (x @ w).tanh().sum()
        alive.append(weakref.ref(loss.grad_fn))
        loss.backward()
        w.grad = None
    del loss
    gc.collect()
    assert all(r() is None for r in alive)


def test_no_reference_cycles_in_a_recorded_graph() -> None:
    gc.collect()
    gc.disable()
    try:
        x = leaf(1.0, 2.0)
        y = (x.exp() * x).sum()
        ref = weakref.ref(y.grad_fn)
        del y
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


# **** hooks ****


def test_leaf_hook_runs_once_with_the_summed_gradient() -> None:
    x = leaf(3.0)
    seen: list[float] = []
    x.register_hook(lambda g: seen.append(g.item()))
    (x * x).backward()
    assert seen == [6.0]


def test_hook_can_replace_the_gradient() -> None:
    x = leaf(1.0, 2.0)
    h = x * 2
    h.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: g + 1)
    h.sum().backward()
    np.testing.assert_allclose(x.grad._data, [21.0, 21.0])


def test_nonleaf_hook_sees_the_total_gradient() -> None:
    x = leaf(1.0)
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.item()))
    (h * 3 + h * 4).backward()
    assert seen == [7.0]


def test_hook_can_be_removed() -> None:
    x = leaf(1.0)
    remove = x.register_hook(lambda g: g * 100)
    remove()
    (x * 2).backward()
    assert x.grad.item() == 2.0


def test_hook_on_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        vg.tensor([1.0]).register_hook(lambda g: g)


# **** grad mode ****


def test_no_grad_context_does_not_record() -> None:
    x = leaf(1.0)
    with vg.no_grad():
        y = x * 2
        assert not vg.is_grad_enabled()
    assert vg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_no_grad_decorator_with_and_without_parentheses() -> None:
    x = leaf(1.0)

    @vg.no_grad()
    def f() -> vg.Tensor:
        return x * 2

    @vg.no_grad
    def g() -> vg.Tensor:
        return x * 2

    assert not f().requires_grad and not g().requires_grad
    assert vg.is_grad_enabled()
    assert f.__name__ == "f"


def test_enable_grad_inside_no_grad() -> None:
    x = leaf(1.0)
    with vg.no_grad():
        with vg.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled_as_call_context_and_decorator() -> None:
    x = leaf(1.0)
    with vg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert vg.is_grad_enabled()

    @vg.set_grad_enabled(False)
    def f() -> bool:
        return vg.is_grad_enabled()

    assert vg.is_grad_enabled(), "decorating must not change the mode"
    assert f() is False and vg.is_grad_enabled()
    vg.set_grad_enabled(False)
    try:
        assert not vg.is_grad_enabled()
    finally:
        vg.set_grad_enabled(True)


def test_grad_mode_is_restored_after_an_exception() -> None:
    @vg.no_grad()
    def boom() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        boom()
    with pytest.raises(KeyError), vg.no_grad():
        raise KeyError("y")
    assert vg.is_grad_enabled()


def test_detach_and_requires_grad_() -> None:
    x = leaf(1.0, 2.0)
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    h = x * 2  # detach shares data with its source, as in PyTorch
    assert np.shares_memory(h.detach()._data, h._data)
    y = vg.tensor([1.0]).requires_grad_()
    assert y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError, match="only floating point tensors"):
        vg.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match=r"requires_grad_\(False\).*leaf"):
        h.requires_grad_(False)


def test_in_place_on_a_leaf_that_requires_grad_needs_no_grad() -> None:
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match=r"in-place operation.*no_grad"):
        x.zero_()
    with vg.no_grad():
        x.fill_(3.0)
        x.copy_(np.array([4.0, 5.0]))
    np.testing.assert_allclose(x._data, [4.0, 5.0])


# **** user-defined Functions ****


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x * x * grad


class ScaleBy(Function):
    """A Function with a non-tensor keyword argument and a second tensor input that gets no gradient."""

    @staticmethod
    def forward(ctx, x, y, factor=1.0):
        ctx.factor = factor
        return x * factor + y

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None


def test_user_defined_function_forward_backward_and_gradcheck() -> None:
    x = leaf(1.0, -2.0)
    y = Cube.apply(x)
    assert isinstance(y.grad_fn, Cube) and repr(y.grad_fn) == "<CubeBackward0>"
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, [3.0, 12.0])
    assert vg.gradcheck(Cube.apply, (leaf(0.3, 1.7),))


def test_user_function_returning_none_for_an_input_gives_no_gradient() -> None:
    x, y = leaf(1.0), leaf(2.0)
    h = y * 2
    ScaleBy.apply(x, h, factor=3.0).sum().backward()
    assert x.grad.item() == 3.0 and y.grad is None


def test_user_function_with_wrong_number_of_gradients_raises() -> None:
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match=r"Bad.backward returned 1 gradients, expected 2"):
        Bad.apply(leaf(1.0), leaf(2.0)).sum().backward()


def test_user_function_with_wrong_gradient_shape_raises() -> None:
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad[:1]

    with pytest.raises(RuntimeError, match=r"Bad.backward returned a gradient of shape \(1,\) for input 0, "):
        Bad.apply(leaf(1.0, 2.0)).sum().backward()


def test_gradient_broadcast_to_the_input_is_summed_back_and_cast() -> None:
    class Wide(Function):
        @staticmethod
        def forward(ctx, x):
            return (x * 2).sum()

        @staticmethod
        def backward(ctx, grad):
            return np.full((3, 2), 2.0)  # float64, broadcast shape: summed to (2,) and cast, as PyTorch does

    x = vg.tensor([1.0, 2.0], requires_grad=True)
    Wide.apply(x).backward()
    assert x.grad.dtype == vg.float32
    np.testing.assert_allclose(x.grad._data, [6.0, 6.0])


def test_function_without_forward_says_so() -> None:
    class Empty(Function):
        pass

    with pytest.raises(NotImplementedError, match="must define forward"):
        Empty.apply(leaf(1.0))


def test_clone_copies_memory_and_stays_in_the_graph() -> None:
    x = leaf(1.0, 2.0)
    c = x.clone()
    assert not np.shares_memory(c._data, x._data) and c.grad_fn is not None
    (c * 3).sum().backward()
    np.testing.assert_allclose(x.grad._data, [3.0, 3.0])
