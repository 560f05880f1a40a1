"""PyTorch's in-place semantics: mutation, the leaf rule, version counters, ``.data``, ``__setitem__``."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
import vinsgrad.nn as nn


def test_tutorial_update_loop_updates_the_parameters() -> None:
    model = nn.Linear(3, 1)
    x, y = vinsgrad.randn(8, 3), vinsgrad.randn(8, 1)
    before = [p.detach().clone() for p in model.parameters()]
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    with vinsgrad.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    for p, b in zip(model.parameters(), before):
        np.testing.assert_allclose(p.numpy() if not p.requires_grad else p.detach().numpy(), (b - 0.1 * p.grad).numpy())
    assert ((model(x) - y) ** 2).mean().item() < loss.item()


def test_augmented_assignment_keeps_the_object_and_memory() -> None:
    t = vinsgrad.tensor([1.0, 2.0])
    memory, ident = t.detach().numpy(), id(t)
    t += 1
    t *= 2
    t -= 1
    t /= 2
    assert id(t) == ident and t.detach().numpy() is memory
    np.testing.assert_allclose(t.numpy(), [1.5, 2.5])


def test_leaf_that_requires_grad_refuses_in_place_while_recording() -> None:
    w = vinsgrad.ones(2, requires_grad=True)
    for op in (lambda: w.add_(1), lambda: w.zero_(), lambda: w.__setitem__(0, 3.0), lambda: w.normal_()):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            op()
    with vinsgrad.no_grad():
        w.fill_(3.0)
    assert w.tolist() == [3.0, 3.0]


def test_in_place_on_a_non_leaf_is_differentiated() -> None:
    x = vinsgrad.tensor([1.0, 2.0], dtype=vinsgrad.float64, requires_grad=True)
    h = x * 2
    h += x  # h = 3x
    h *= x  # h = 3x^2
    h.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * np.array([1.0, 2.0]))


def test_modified_saved_array_raises_with_versions() -> None:
    x = vinsgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y * y  # saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: .* is at version 1; expected version 0"):
        z.sum().backward()


def test_writes_through_data_are_not_tracked_and_share_memory() -> None:
    p = nn.Parameter(vinsgrad.zeros(3))
    d = p.data
    assert isinstance(d, vinsgrad.Tensor) and not d.requires_grad and d.grad_fn is None
    vinsgrad.manual_seed(0)
    p.data.normal_(0, 0.02)
    assert 0 < np.abs(p.detach().numpy()).max() < 0.2
    p.data.copy_(vinsgrad.tensor([1.0, 2.0, 3.0]))
    assert p.tolist() == [1.0, 2.0, 3.0]
    y = p * p
    p.data.mul_(1.0)  # not counted, as in PyTorch
    y.sum().backward()
    assert p.grad.tolist() == [2.0, 4.0, 6.0]
    assert np.asarray(p) is p.detach().numpy()


def test_setitem_int_slice_mask_index_and_gradient() -> None:
    t = vinsgrad.zeros(3, 4)
    t[0] = 1.0
    t[1, 1:3] = vinsgrad.tensor([2.0, 3.0])
    t[t > 2.5] = 9.0
    t[vinsgrad.tensor([2])] = vinsgrad.ones(4) * 5
    expected = np.zeros((3, 4), np.float32)
    expected[0] = 1
    expected[1, 1] = 2
    expected[1, 2] = 9
    expected[2] = 5
    np.testing.assert_array_equal(t.numpy(), expected)
    x = vinsgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = vinsgrad.tensor([10.0], requires_grad=True)
    y = x * 1.0
    y[1] = v[0] * 2
    (y * vinsgrad.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 3.0] and v.grad.tolist() == [4.0]


def test_in_place_cast_rule_and_masked_fill() -> None:
    i = vinsgrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i += 1.5
    x = vinsgrad.tensor([1.0, 2.0, 3.0])
    x.masked_fill_(x > 1.5, 0.0)
    assert x.tolist() == [1.0, 0.0, 0.0]
    s = vinsgrad.zeros(2, 3).scatter_(1, vinsgrad.tensor([[2], [0]]), vinsgrad.tensor([[7.0], [8.0]]))
    assert s.tolist() == [[0, 0, 7], [8, 0, 0]]
    a = vinsgrad.zeros(3).scatter_add_(0, vinsgrad.tensor([1, 1, 2]), vinsgrad.tensor([1.0, 2.0, 4.0]))
    assert a.tolist() == [0, 3, 4]


def test_retain_grad_and_next_functions() -> None:
    x = vinsgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    out = (h * h).sum()
    names = [repr(n) for n, _ in out.grad_fn.next_functions]
    assert names == ["<MulBackward0>"]
    leaf_node = h.grad_fn.next_functions[0][0]
    assert repr(leaf_node) == "<AccumulateGrad>" and leaf_node.variable is x
    out.backward()
    assert h.retains_grad and h.grad.tolist() == [6.0, 12.0]


def test_index_fill_clamp_uniform_zero() -> None:
    t = vinsgrad.zeros(2, 3)
    t.index_fill_(1, vinsgrad.tensor([0, 2]), 5.0)
    assert t.tolist() == [[5, 0, 5], [5, 0, 5]]
    t.clamp_(max=4.0)
    assert t.tolist() == [[4, 0, 4], [4, 0, 4]]
    vinsgrad.manual_seed(1)
    t.uniform_(-1.0, 1.0)
    assert t.dtype == vinsgrad.float32 and t.numpy().min() >= -1 and t.numpy().max() < 1
    assert t.zero_().tolist() == [[0, 0, 0], [0, 0, 0]]
    x = vinsgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=vinsgrad.float64, requires_grad=True)
    y = (x * 1.0).index_fill(0, vinsgrad.tensor([1]), 0.0)
    (y * y).sum().backward()
    assert x.grad.tolist() == [[2.0, 4.0], [0.0, 0.0]]


def test_direct_writes_outside_the_graph_still_count_versions() -> None:
    p = vinsgrad.tensor([1.0, 2.0], requires_grad=True)
    w = vinsgrad.tensor([3.0, 4.0])  # a constant the product saves for p's gradient
    z = p * w
    w[0] = 5.0  # written straight into memory (nothing to record), but counted
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    buffer = vinsgrad.zeros(3, 2)
    memory = buffer.numpy()
    for i in range(3):
        buffer[i] = vinsgrad.tensor([i, -i])
    assert buffer.numpy() is memory and buffer.tolist() == [[0, 0], [1, -1], [2, -2]]


def test_in_place_on_a_reduction_result_is_allowed_but_on_a_view_refused() -> None:
    x = vinsgrad.tensor([[1.0, 3.0], [2.0, 0.5]], dtype=vinsgrad.float64, requires_grad=True)
    m = x.amax(1)  # its own memory, though NumPy returns it as a view of a temporary: the write is allowed
    m += 1
    assert m.tolist() == [4.0, 3.0]
    with pytest.raises(RuntimeError, match="AmaxBackward0"):  # amax saved its output; PyTorch refuses here too
        m.sum().backward()
    v = (x * 1.0).reshape(4)  # shares the memory of the tensor it reshapes
    with pytest.raises(RuntimeError, match="in-place operation on a view"):
        v += 1
