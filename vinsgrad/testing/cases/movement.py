"""Gradient checks of the movement and indexing ops of issue 13: each composed op on the Functions it uses, and
the Functions of its own (roll, diagonal, diag_embed, unfold, scatter_reduce)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import vinsgrad
from vinsgrad.autograd import ops
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.testing.registry import case, inputs, randn, randn_inputs

V = vinsgrad.tensor

# name -> (covered Functions, input shape, op); tuple outputs are checked as a whole.
MOVEMENT: dict[str, tuple[tuple[type, ...], tuple[int, ...], Callable[[Tensor], Any]]] = {
    "t (3,4)": ((ops.PermuteFn,), (3, 4), lambda x: x.t()),
    "mT (2,3,4)": ((ops.PermuteFn,), (2, 3, 4), lambda x: x.mT),
    "movedim (2,3,4) (0,1)->(2,0)": ((ops.PermuteFn,), (2, 3, 4), lambda x: x.movedim((0, 1), (2, 0))),
    "swapaxes (2,3,4) 0,-1": ((ops.PermuteFn,), (2, 3, 4), lambda x: x.swapaxes(0, -1)),
    "contiguous of t (3,4)": ((ops.PermuteFn, ops.CloneFn), (3, 4), lambda x: x.t().contiguous()),
    "view_as (3,4) as (2,6)": ((ops.ReshapeFn,), (3, 4), lambda x: x.view_as(vinsgrad.zeros(2, 6))),
    "reshape_as (3,4) as (12,)": ((ops.ReshapeFn,), (3, 4), lambda x: x.reshape_as(vinsgrad.zeros(12))),
    "expand_as (3,1) as (2,3,4)": ((ops.ExpandFn,), (3, 1), lambda x: x.expand_as(vinsgrad.zeros(2, 3, 4))),
    "unflatten (2,6) 1->(3,-1)": ((ops.ReshapeFn,), (2, 6), lambda x: x.unflatten(1, (3, -1))),
    "squeeze (1,3,1) (0,2)": ((ops.ReshapeFn,), (1, 3, 1), lambda x: x.squeeze((0, 2))),
    "chunk (2,7) 3 dim=1": ((ops.IndexFn,), (2, 7), lambda x: x.chunk(3, dim=1)),
    "split (5,2) [1,3,1]": ((ops.IndexFn,), (5, 2), lambda x: x.split([1, 3, 1])),
    "split (2,5) 2 dim=-1": ((ops.IndexFn,), (2, 5), lambda x: x.split(2, dim=-1)),
    "unbind (3,4) dim=1": ((ops.IndexFn,), (3, 4), lambda x: x.unbind(1)),
    "narrow (3,4) 1,1,2": ((ops.IndexFn,), (3, 4), lambda x: x.narrow(1, 1, 2)),
    "select (3,4) 0,-1": ((ops.IndexFn,), (3, 4), lambda x: x.select(0, -1)),
    "flip (2,3,4) 0,2": ((ops.IndexFn,), (2, 3, 4), lambda x: x.flip(0, 2)),
    "fliplr (3,4)": ((ops.IndexFn,), (3, 4), lambda x: x.fliplr()),
    "roll (3,4) 1 dim 1": ((ops.RollFn,), (3, 4), lambda x: x.roll(1, 1)),
    "roll (3,4) flat 5": ((ops.RollFn,), (3, 4), lambda x: x.roll(5)),
    "roll (3,4) (1,-1) dims (0,1)": ((ops.RollFn,), (3, 4), lambda x: x.roll((1, -1), (0, 1))),
    "tril (2,3,4) -1": ((ops.WhereFn,), (2, 3, 4), lambda x: x.tril(-1)),
    "triu (3,4) 1": ((ops.WhereFn,), (3, 4), lambda x: x.triu(1)),
    "diagonal (3,4)": ((ops.DiagonalFn,), (3, 4), lambda x: x.diagonal()),
    "diagonal (3,2,4) offset 1 dims 0,2": ((ops.DiagonalFn,), (3, 2, 4), lambda x: x.diagonal(1, 0, 2)),
    "diagonal (3,4) offset -2 dims 1,0": ((ops.DiagonalFn,), (3, 4), lambda x: x.diagonal(-2, 1, 0)),
    "diag (3,3) -1": ((ops.DiagonalFn,), (3, 3), lambda x: x.diag(-1)),
    "diag (3,) 1": ((ops.DiagEmbedFn,), (3,), lambda x: x.diag(1)),
    "diag_embed (2,3)": ((ops.DiagEmbedFn,), (2, 3), lambda x: x.diag_embed()),
    "diag_embed (2,3) offset -1 dims 0,2": ((ops.DiagEmbedFn,), (2, 3), lambda x: x.diag_embed(-1, 0, 2)),
    "repeat (2,3) 2,1,2": ((ops.ReshapeFn, ops.ExpandFn), (2, 3), lambda x: x.repeat(2, 1, 2)),
    "tile (2,3) (2,)": ((ops.ReshapeFn, ops.ExpandFn), (2, 3), lambda x: x.tile((2,))),
    "repeat_interleave (3,2) 2 dim 0": ((ops.IndexFn,), (3, 2), lambda x: x.repeat_interleave(2, dim=0)),
    "repeat_interleave (3,2) counts": ((ops.IndexFn,), (3, 2), lambda x: x.repeat_interleave(V([1, 0, 3]), 0)),
    "repeat_interleave (2,2) flat": ((ops.IndexFn, ops.ReshapeFn), (2, 2), lambda x: x.repeat_interleave(2)),
    "unfold (5,) 2,1": ((ops.UnfoldFn,), (5,), lambda x: x.unfold(0, 2, 1)),
    "unfold (2,7) 3,2": ((ops.UnfoldFn,), (2, 7), lambda x: x.unfold(1, 3, 2)),
    "unfold (7,2) 2,3 (gaps)": ((ops.UnfoldFn,), (7, 2), lambda x: x.unfold(0, 2, 3)),
    "index_select (3,4) dim 1 repeats": ((ops.IndexFn,), (3, 4), lambda x: x.index_select(1, V([3, 0, 3]))),
    "masked_select (3,4) row mask": (
        (ops.IndexFn, ops.ExpandFn),
        (3, 4),
        lambda x: x.masked_select(V([True, False, True, True])),
    ),
    "take (3,4) (2,2)": ((ops.IndexFn, ops.ReshapeFn), (3, 4), lambda x: x.take(V([[0, 11], [5, 5]]))),
    "take_along_dim (3,4) dim 1": ((ops.GatherFn,), (3, 4), lambda x: x.take_along_dim(V([[0], [3], [1]]), 1)),
    "take_along_dim (3,4) broadcast": (
        (ops.GatherFn, ops.ExpandFn),
        (3, 1),
        lambda x: x.take_along_dim(V([[0, 0]]), 0),
    ),
    # PyTorch applies ints first: x[0, :, idx] on (3,4,5) is (4,2), NumPy's rule would give (2,4)
    "index (3,4,5) [0, :, idx]": ((ops.IndexFn,), (3, 4, 5), lambda x: x[0, :, V([1, 3, 3])]),
    "index (3,4,5) [0-d tensor, :, idx]": ((ops.IndexFn,), (3, 4, 5), lambda x: x[V(1), :, V([0, 2])]),
    "index (3,4,5) [1, :, list]": ((ops.IndexFn,), (3, 4, 5), lambda x: x[1, :, [4, 0]]),
    "index (3,4,5) [None, idx, :, 1]": ((ops.IndexFn,), (3, 4, 5), lambda x: x[None, V([0, 2]), :, 1]),
    "index (3,4,5) [idx, 1, mask]": (
        (ops.IndexFn,),
        (3, 4, 5),
        lambda x: x[V([2, 0]), 1, V([True, False, True, False, False])],
    ),
}
for _name, (_covers, _shape, _fn) in MOVEMENT.items():
    case(_name, _covers, randn_inputs(_shape))(_fn)


def _setitem_torch_order(x: Tensor, v: Tensor) -> Tensor:
    y = x * 1.0
    y[0, :, V([1, 3])] = v  # v is (4, 2): the placement PyTorch reads
    return y * y


case("setitem (3,4,5)[0, :, idx] = (4,2)", (ops.IndexPutFn, ops.MulFn), randn_inputs((3, 4, 5), (4, 2)))(
    _setitem_torch_order
)

_INDEX = V([[0, 1, 2, 0], [1, 2, 0, 0]])
for _reduce in ["sum", "prod", "mean", "amax", "amin"]:
    for _self in [True, False]:
        case(
            f"scatter_reduce (3,4) {_reduce} include_self={_self}",
            (ops.ScatterReduceFn,),
            inputs(randn(3, 4), randn(3, 4)),  # src larger than index: only its leading part is read
        )(lambda x, s, r=_reduce, inc=_self: x.scatter_reduce(0, _INDEX, s, r, include_self=inc))


def _with_zeros(rng: Any) -> tuple[Tensor, Tensor]:
    """Zeros where the product's gradient is hardest: a lone zero, and two zeros meeting at one place."""
    x, s = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    x[0, 0], s[1, 1], s[0, 1] = 0.0, 0.0, 0.0
    return V(x, requires_grad=True), V(s, requires_grad=True)


case("scatter_reduce (3,4) prod with zeros", (ops.ScatterReduceFn,), _with_zeros)(
    lambda x, s: x.scatter_reduce(0, V([[0, 1, 2, 0], [1, 1, 0, 0]]), s, "prod")
)
