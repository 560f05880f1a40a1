"""Whole graphs, not single ops: reuse at depth, diamonds, residual chains, attention and tied weights.

A single-op check cannot see a wrong order of nodes in the engine; these cases can (each reuses a non-leaf
tensor further down another branch, which a node order that is not consumers-first gets wrong).
"""

from __future__ import annotations

import vinsgrad
import vinsgrad.nn.functional as F
from vinsgrad.autograd import ops
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.testing.registry import case, randn_inputs


def _reuse_down_another_branch(x: Tensor) -> Tensor:
    h = x * 2
    return h + h.exp() * 3  # h again after the exp branch: the bug once reported


def _diamond(x: Tensor) -> Tensor:
    a = x.tanh()
    b = a * a
    c = a.sin() + b
    return c * a + b.exp() + a


def _residual_chain(x: Tensor, w: Tensor) -> Tensor:
    for _ in range(3):
        x = x + (x @ w).tanh()  # x feeds the block and the skip connection; w is shared by all three
    return x


def _self_attention(x: Tensor, w: Tensor) -> Tensor:
    q = x @ w  # used as query, key and value
    return F.layer_norm((q @ q.transpose(-2, -1) / 2.0).softmax(-1) @ q + x, (4,))


def _tied_embedding_head(w: Tensor) -> Tensor:
    tokens = vinsgrad.tensor([[1, 2, 5], [0, 2, 2]])
    return F.linear(F.embedding(tokens, w).tanh(), w)  # the same weight embeds and scores


def _hand_written_log_softmax(x: Tensor) -> Tensor:
    return x - x.exp().sum(-1).log().unsqueeze(-1)


case("graph reuse down another branch", (ops.MulFn, ops.ExpFn, ops.AddFn), randn_inputs((2, 3)))(
    _reuse_down_another_branch
)
case("graph diamond", (ops.TanhFn, ops.SinFn, ops.MulFn), randn_inputs((2, 3)))(_diamond)
case("graph residual chain shared weight", (ops.MatMulFn, ops.TanhFn, ops.AddFn), randn_inputs((2, 4), (4, 4)))(
    _residual_chain
)
case(
    "graph self-attention q used three times",
    (ops.MatMulFn, ops.SoftmaxFn, F.NormalizeFn),
    randn_inputs((2, 3, 4), (4, 4)),
)(_self_attention)
case("graph tied embedding and head", (F.EmbeddingFn, F.LinearFn), randn_inputs((6, 4)))(_tied_embedding_head)
case("graph hand-written log_softmax", (ops.ExpFn, ops.SumFn, ops.LogFn, ops.SubFn), randn_inputs((3, 5)))(
    _hand_written_log_softmax
)
