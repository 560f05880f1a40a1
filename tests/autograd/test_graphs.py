"""Whole graphs, not single ops: reuse, diamonds, residuals and shared weights, checked by finite differences.

Single-op gradchecks cannot see a wrong order of nodes in the engine; these tests can. A node that runs before
all of its consumers have added their gradient loses the later contributions, which is what
``test_reused_non_leaf_*`` caught (the engine once marked nodes visited when it pushed them on its DFS stack).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
from vinsgrad import gradcheck


def leaf(*shape: int, seed: int = 0) -> vinsgrad.Tensor:
    rng = np.random.default_rng(seed)
    return vinsgrad.tensor(rng.standard_normal(shape), dtype=vinsgrad.float64, requires_grad=True)


# **** the two cases from the bug report, with hand-derived gradients ****


def test_reused_non_leaf_exp_branch() -> None:
    x = vinsgrad.tensor([0.3, -0.2], dtype=vinsgrad.float64, requires_grad=True)
    h = x * 2
    (h + h.exp() * 3).sum().backward()
    # d/dx [2x + 3 exp(2x)] = 2 + 6 exp(2x)
    np.testing.assert_allclose(x.grad, 2 + 6 * np.exp(2 * np.array([0.3, -0.2])), rtol=1e-12)


def test_reused_non_leaf_linear_combination() -> None:
    x = vinsgrad.tensor([1.0], requires_grad=True)
    z = x + 1
    (z - 2 * z).sum().backward()
    assert x.grad.tolist() == [-1.0]


def test_operand_order_does_not_matter() -> None:
    grads = []
    for swap in (False, True):
        x = leaf(3)
        h = x * 2
        out = (h.exp() * 3 + h) if swap else (h + h.exp() * 3)
        out.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_hand_written_log_softmax_matches_the_op() -> None:
    x = leaf(4, 5)
    (x - x.exp().sum(-1).log().unsqueeze(-1)).pow(2).sum().backward()
    by_hand = x.grad.numpy().copy()
    x.grad = None
    x.log_softmax(-1).pow(2).sum().backward()
    np.testing.assert_allclose(by_hand, x.grad, rtol=1e-10)
    assert gradcheck(lambda t: t - t.exp().sum(-1).log().unsqueeze(-1), (x,))


def test_diamond_and_deep_reuse() -> None:
    def fn(x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        a = x.tanh()
        b = a * a  # a reused by one node
        c = a.sin() + b  # and again further down another branch
        d = c * a + b.exp()
        return d + a

    assert gradcheck(fn, (leaf(2, 3),))


def test_residual_mlp() -> None:
    vinsgrad.manual_seed(0)
    blocks = [nn.Linear(4, 4).double() for _ in range(3)]
    params = [p for b in blocks for p in b.parameters()]

    def fn(x: vinsgrad.Tensor, *_: vinsgrad.Tensor) -> vinsgrad.Tensor:
        for block in blocks:
            x = x + block(x).tanh()  # x is used by the block and by the skip connection
        return x

    assert gradcheck(fn, (leaf(3, 4), *params))


def test_self_attention_block() -> None:
    rng = np.random.default_rng(1)
    wq, wk, wv = (vinsgrad.tensor(rng.standard_normal((4, 4)) * 0.5, requires_grad=True) for _ in range(3))

    def attend(x: vinsgrad.Tensor, wq: vinsgrad.Tensor, wk: vinsgrad.Tensor, wv: vinsgrad.Tensor) -> vinsgrad.Tensor:
        q, k, v = x @ wq, x @ wk, x @ wv
        scores = (q @ k.transpose(-2, -1)) / 2.0
        out = scores.softmax(-1) @ v
        return F.layer_norm(out + x, (4,))  # residual around attention

    assert gradcheck(attend, (leaf(2, 3, 4), wq, wk, wv))


def test_self_attention_reusing_one_projection() -> None:
    # q is used three times: as query, key and value
    def attend(x: vinsgrad.Tensor, w: vinsgrad.Tensor) -> vinsgrad.Tensor:
        q = x @ w
        return (q @ q.transpose(-2, -1)).softmax(-1) @ q

    assert gradcheck(attend, (leaf(2, 3, 4), leaf(4, 4, seed=2)))


def test_weight_tying_embedding_and_head() -> None:
    emb = nn.Embedding(6, 4).double()
    head = nn.Linear(4, 6, bias=False).double()
    head.weight = emb.weight  # tied
    tokens = vinsgrad.tensor([[1, 2, 5], [0, 2, 2]])

    def fn(w: vinsgrad.Tensor) -> vinsgrad.Tensor:
        return head(emb(tokens).tanh())

    assert gradcheck(fn, (emb.weight,))
    # and the two uses both land in the one .grad
    emb.weight.grad = None
    fn(emb.weight).sum().backward()
    both = emb.weight.grad.numpy().copy()
    w_a = emb.weight.detach().clone().requires_grad_()
    w_b = emb.weight.detach().clone().requires_grad_()
    F.linear(F.embedding(tokens, w_a).tanh(), w_b).sum().backward()
    np.testing.assert_allclose(both, w_a.grad.numpy() + w_b.grad.numpy(), rtol=1e-12)


def test_long_chain_with_reuse_needs_no_recursion() -> None:
    x = vinsgrad.tensor([1.0], dtype=vinsgrad.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    (y + y).sum().backward()
    assert x.grad.tolist() == [2.0]


# **** random graphs: reuse at random depths, diamonds, residual chains, shared weights ****

# Smooth ops only: finite differences are meaningless at the kinks of relu/abs/clamp/maximum.
UNARY = {
    "tanh": lambda t: t.tanh(),
    "sin": lambda t: t.sin(),
    "sigmoid": lambda t: t.sigmoid(),
    "exp_small": lambda t: (t * 0.3).exp(),
    "log_pos": lambda t: (t * t + 0.5).log(),
    "sqrt_pos": lambda t: (t * t + 0.5).sqrt(),
    "square": lambda t: t * t,
    "neg": lambda t: -t,
    "softmax": lambda t: t.softmax(-1),
    "log_softmax": lambda t: t.log_softmax(-1),
    "center_cols": lambda t: t - t.sum(-1, keepdim=True) / 3,  # reductions broadcast back to (2, 3)
    "center_rows": lambda t: t - t.mean(0),
    "transpose_back": lambda t: t.T.T,
    "reshape_back": lambda t: t.reshape(-1).reshape(t.shape),
    "slice_pad": lambda t: vinsgrad.cat([t[:, :1], t[:, 1:] * 2], dim=1),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "pow": lambda a, b: (a * a + 1) ** (b * 0.5),
    "where": lambda a, b: vinsgrad.where(vinsgrad.tensor([[True, False, True]]), a, b),
    "stack_sum": lambda a, b: vinsgrad.stack([a, b]).sum(0),
}
SHARED = {
    "matmul_w": lambda t, w: t @ w,  # the same weight in several places
    "residual_w": lambda t, w: t + (t @ w).tanh(),
    "linear_w": lambda t, w: F.linear(t, w),
}

instruction = st.one_of(
    st.tuples(st.just("unary"), st.sampled_from(sorted(UNARY)), st.integers(0, 10**6)),
    st.tuples(st.just("binary"), st.sampled_from(sorted(BINARY)), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("shared"), st.sampled_from(sorted(SHARED)), st.integers(0, 10**6)),
)


def run_program(program: list[tuple], x: vinsgrad.Tensor, y: vinsgrad.Tensor, w: vinsgrad.Tensor) -> vinsgrad.Tensor:
    """Interpret ``program``: each instruction picks earlier values (any depth) and appends a new one.

    Every value has shape (2, 3), so any two can meet."""
    values = [x, y]
    for ins in program:
        kind, name = ins[0], ins[1]
        if kind == "unary":
            values.append(UNARY[name](values[ins[2] % len(values)]))
        elif kind == "binary":
            values.append(BINARY[name](values[ins[2] % len(values)], values[ins[3] % len(values)]))
        else:
            values.append(SHARED[name](values[ins[2] % len(values)], w))
    # Every intermediate feeds the output, so each is reused at least once more.
    total = values[0]
    for v in values[1:]:
        total = total + v * 0.5
    return total


@settings(max_examples=40, deadline=None)
@given(st.lists(instruction, min_size=1, max_size=12), st.integers(0, 2**16))
def test_random_graphs_match_finite_differences(program: list[tuple], seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = (vinsgrad.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=True) for _ in range(2))
    w = vinsgrad.tensor(rng.uniform(-0.8, 0.8, (3, 3)), requires_grad=True)
    assert gradcheck(lambda a, b, c: run_program(program, a, b, c), (x, y, w), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("reuse_depth", [1, 3, 6])
def test_reuse_at_depth(reuse_depth: int) -> None:
    def fn(x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        h = x.tanh()
        y = h
        for _ in range(reuse_depth):
            y = (y * 1.5).sin()
        return y + h

    assert gradcheck(fn, (leaf(2, 3),))
