"""Gradient checks of the tensor ops in ``vinsgrad.autograd.ops``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import vinsgrad
from vinsgrad.autograd import ops
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.testing.registry import case, fmt, inputs, mask, randn, randn_inputs

# Pairs that broadcast in every way NumPy allows: equal, trailing, both sides, new leading dims, scalars.
BROADCAST_PAIRS: list[tuple[tuple[int, ...], tuple[int, ...]]] = [
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((3, 1), (1, 4)),
    ((2, 1, 3), (4, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
]

for _sx, _sy in BROADCAST_PAIRS:
    _pair = f"{fmt(_sx)},{fmt(_sy)}"
    case(f"add {_pair}", (ops.AddFn,), randn_inputs(_sx, _sy))(lambda x, y: x + y)
    case(f"sub {_pair}", (ops.SubFn,), randn_inputs(_sx, _sy))(lambda x, y: x - y)
    case(f"mul {_pair}", (ops.MulFn,), randn_inputs(_sx, _sy))(lambda x, y: x * y)
    case(f"div {_pair}", (ops.DivFn,), inputs(randn(*_sx), randn(*_sy, away_from_zero=True)))(lambda x, y: x / y)
    case(f"pow {_pair}", (ops.PowFn,), inputs(randn(*_sx, positive=True), randn(*_sy)))(lambda x, y: x**y)
    case(f"maximum {_pair}", (ops.MaximumFn,), randn_inputs(_sx, _sy))(vinsgrad.maximum)
    case(f"minimum {_pair}", (ops.MinimumFn,), randn_inputs(_sx, _sy))(vinsgrad.minimum)
    case(f"where {_pair}", (ops.WhereFn,), inputs(mask(*_sx), randn(*_sx), randn(*_sy)))(vinsgrad.where)

case("radd 2.5+(2,3)", (ops.AddFn,), randn_inputs((2, 3)))(lambda x: 2.5 + x)
case("rsub 1.5-(2,3)", (ops.SubFn,), randn_inputs((2, 3)))(lambda x: 1.5 - x)
case("rmul -2*(2,3)", (ops.MulFn,), randn_inputs((2, 3)))(lambda x: -2 * x)
case("rdiv 3/(2,3)", (ops.DivFn,), inputs(randn(2, 3, away_from_zero=True)))(lambda x: 3.0 / x)
case("pow (2,3)**3", (ops.PowFn,), randn_inputs((2, 3)))(lambda x: x**3)
case("pow (2,3)**0.5", (ops.PowFn,), randn_inputs((2, 3), positive=True))(lambda x: x**0.5)
case("rpow 2**(2,3)", (ops.PowFn,), randn_inputs((2, 3)))(lambda x: 2.0**x)
case("maximum (2,3),0.1", (ops.MaximumFn,), randn_inputs((2, 3)))(lambda x: x.maximum(0.1))
case("where (2,3) scalar", (ops.WhereFn,), inputs(mask(2, 3), randn(2, 3)))(lambda c, x: vinsgrad.where(c, x, 0.0))
case("where (2,3) same tensor", (ops.WhereFn,), inputs(mask(2, 3), randn(2, 3)))(
    lambda c, x: vinsgrad.where(c, x, x * x)
)

MATMUL_PAIRS: list[tuple[tuple[int, ...], tuple[int, ...]]] = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((2, 2, 3), (3, 4)),
    ((3,), (2, 3, 2)),
    ((2, 1, 2, 3), (3, 3, 2)),
]
for _sx, _sy in MATMUL_PAIRS:
    case(f"matmul {fmt(_sx)}@{fmt(_sy)}", (ops.MatMulFn,), randn_inputs(_sx, _sy))(lambda x, y: x @ y)

UNARY: dict[str, tuple[type, Callable[[Tensor], Tensor], bool]] = {
    "neg": (ops.NegFn, lambda x: -x, False),
    "abs": (ops.AbsFn, lambda x: x.abs(), False),
    "exp": (ops.ExpFn, lambda x: x.exp(), False),
    "log": (ops.LogFn, lambda x: x.log(), True),
    "sqrt": (ops.SqrtFn, lambda x: x.sqrt(), True),
    "sin": (ops.SinFn, lambda x: x.sin(), False),
    "cos": (ops.CosFn, lambda x: x.cos(), False),
    "tanh": (ops.TanhFn, lambda x: x.tanh(), False),
    "sigmoid": (ops.SigmoidFn, lambda x: x.sigmoid(), False),
    "relu": (ops.ReLUFn, lambda x: x.relu(), False),
    "clamp": (ops.ClampFn, lambda x: x.clamp(-0.5, 0.7), False),
    "clamp min": (ops.ClampFn, lambda x: x.clamp(min=-0.2), False),
    "clamp max": (ops.ClampFn, lambda x: x.clamp(max=0.3), False),
}
for _name, (_cls, _fn, _positive) in UNARY.items():
    for _s in [(), (2, 3)]:
        case(f"{_name} {fmt(_s)}", (_cls,), randn_inputs(_s, positive=_positive))(_fn)

case(
    "sigmoid large |x|",
    (ops.SigmoidFn,),
    lambda rng: (vinsgrad.tensor([-30.0, -5.0, 0.0, 5.0, 30.0], dtype=vinsgrad.float64, requires_grad=True),),
)(lambda x: x.sigmoid())
# NOTE: longdouble keeps (at least) float64 precision, so the round trip exercises Cast both ways exactly.
case("cast float64->longdouble->float64", (ops.CastFn,), randn_inputs((2, 3)))(
    lambda x: x.to(np.longdouble).sin().double()
)

REDUCE_DIMS: list[tuple[Any, bool]] = [
    (None, False),
    (None, True),
    (1, False),
    (-1, True),
    ((0, 2), False),
    ((0, 2), True),
]
for _dim, _keep in REDUCE_DIMS:
    _args = f"dim={_dim} keepdim={_keep}"
    _x = randn_inputs((2, 3, 4))
    case(f"sum (2,3,4) {_args}", (ops.SumFn,), _x)(lambda x, d=_dim, k=_keep: x.sum(d, keepdim=k))
    case(f"mean (2,3,4) {_args}", (ops.MeanFn,), _x)(lambda x, d=_dim, k=_keep: x.mean(d, keepdim=k))
    case(f"var (2,3,4) {_args}", (ops.VarFn,), _x)(lambda x, d=_dim, k=_keep: x.var(d, keepdim=k))
    case(f"std (2,3,4) {_args}", (ops.VarFn, ops.SqrtFn), _x)(lambda x, d=_dim, k=_keep: x.std(d, keepdim=k))
    case(f"amax (2,3,4) {_args}", (ops.AmaxFn,), _x)(lambda x, d=_dim, k=_keep: x.amax(d, keepdim=k))
    case(f"amin (2,3,4) {_args}", (ops.AminFn,), _x)(lambda x, d=_dim, k=_keep: x.amin(d, keepdim=k))
    case(f"logsumexp (2,3,4) {_args}", (ops.LogSumExpFn,), _x)(lambda x, d=_dim, k=_keep: x.logsumexp(d, keepdim=k))

case("sum (2,3) broadcast input", (ops.SumFn, ops.AddFn), randn_inputs((2, 1), (3,)))(lambda x, y: (x + y).sum(0))
case("var (2,3,4) correction=0", (ops.VarFn,), randn_inputs((2, 3, 4)))(lambda x: x.var(1, correction=0))
case("max (2,3,4) dim=1", (ops.GatherFn,), randn_inputs((2, 3, 4)))(lambda x: x.max(1)[0])
case("min (2,3,4) dim=-1 keepdim", (ops.GatherFn,), randn_inputs((2, 3, 4)))(lambda x: x.min(-1, keepdim=True)[0])
case("max (2,3) full", (ops.AmaxFn,), randn_inputs((2, 3)))(lambda x: x.max())
case(
    "gather (3,4) dim=1 repeats",
    (ops.GatherFn,),
    inputs(randn(3, 4), lambda rng: vinsgrad.tensor(rng.integers(0, 4, (3, 5)))),
)(lambda x, i: x.gather(1, i))
case(
    "gather (3,4) dim=0 smaller index",
    (ops.GatherFn,),
    inputs(randn(3, 4), lambda rng: vinsgrad.tensor(rng.integers(0, 3, (2, 2)))),
)(lambda x, i: x.gather(0, i))

for _dim in [0, 1, -1]:
    _x = randn_inputs((2, 3, 4))
    case(f"softmax (2,3,4) dim={_dim}", (ops.SoftmaxFn,), _x)(lambda x, d=_dim: x.softmax(d))
    case(f"log_softmax (2,3,4) dim={_dim}", (ops.LogSoftmaxFn,), _x)(lambda x, d=_dim: x.log_softmax(d))

MOVEMENT: dict[str, tuple[tuple[type, ...], Callable[[Tensor], Tensor]]] = {
    "reshape (2,3,4)->(4,-1)": ((ops.ReshapeFn,), lambda x: x.reshape(4, -1)),
    "view (2,3,4)->(6,4)": ((ops.ReshapeFn,), lambda x: x.view((6, 4))),
    "flatten (2,3,4) 1": ((ops.ReshapeFn,), lambda x: x.flatten(1)),
    "unsqueeze (2,3,4) -1": ((ops.ReshapeFn,), lambda x: x.unsqueeze(-1)),
    "squeeze (2,3,4)[:, :1]": ((ops.ReshapeFn, ops.IndexFn), lambda x: x[:, :1].squeeze(1)),
    "transpose (2,3,4) 0,2": ((ops.PermuteFn,), lambda x: x.transpose(0, 2)),
    "permute (2,3,4) 2,0,1": ((ops.PermuteFn,), lambda x: x.permute(2, 0, 1)),
    "T (2,3,4)": ((ops.PermuteFn,), lambda x: x.T),
    "clone (2,3,4)": ((ops.CloneFn, ops.MulFn), lambda x: x.clone() * x),
    "expand (2,1,4)->(3,2,3,4)": ((ops.ExpandFn, ops.IndexFn), lambda x: x[:, :1].expand(3, 2, 3, -1)),
}
for _name, (_covers, _fn) in MOVEMENT.items():
    case(_name, _covers, randn_inputs((2, 3, 4)))(_fn)

INDEXES: dict[str, Any] = {
    "int": 1,
    "negative int": -1,
    "slice": slice(1, None),
    "step slice": (slice(None), slice(None, None, -2)),
    "None, Ellipsis": (None, Ellipsis, 0),
    "int array with repeats": np.array([0, 2, 0, 2]),
    "two int arrays": (np.array([0, 1, 1]), np.array([2, 0, 2])),
    "slice then int array": (slice(None), np.array([1, 1, 3])),
    "bool mask": np.array([[True, False, True, False], [False, False, True, True], [True, True, True, False]]),
    "bool row mask": np.array([True, False, True]),
}
for _name, _index in INDEXES.items():
    case(f"index (3,4) {_name}", (ops.IndexFn,), randn_inputs((3, 4)))(lambda x, i=_index: x[i])
case("index (3,4) tensor index", (ops.IndexFn,), randn_inputs((3, 4)))(lambda x: x[vinsgrad.tensor([2, 0])])

case("cat dim=0", (ops.CatFn,), randn_inputs((2, 3), (1, 3), (3, 3)))(lambda *xs: vinsgrad.cat(xs, 0))
case("cat dim=-1", (ops.CatFn,), randn_inputs((2, 1), (2, 3)))(lambda *xs: vinsgrad.cat(xs, dim=-1))
case("cat with a constant", (ops.CatFn,), inputs(randn(2, 3), lambda rng: vinsgrad.ones(2, 3, dtype=vinsgrad.float64)))(
    lambda x, c: vinsgrad.cat([c, x], dim=1)
)
case("stack dim=0", (ops.StackFn,), randn_inputs((2, 3), (2, 3)))(lambda *xs: vinsgrad.stack(xs))
case("stack dim=-1", (ops.StackFn,), randn_inputs((2, 3), (2, 3), (2, 3)))(lambda *xs: vinsgrad.stack(xs, dim=-1))

case("pad (2,3) last dim", (ops.PadFn,), randn_inputs((2, 3)))(lambda x: ops.PadFn.apply(x, pad=(1, 2)))
case("pad (2,3,4) two dims value=1.5", (ops.PadFn,), randn_inputs((2, 3, 4)))(
    lambda x: ops.PadFn.apply(x, pad=(0, 1, 2, 1), value=1.5)
)

case(
    "chain tanh(x@w+b).logsumexp",
    (ops.MatMulFn, ops.AddFn, ops.TanhFn, ops.LogSumExpFn),
    randn_inputs((4, 3), (3, 5), (5,)),
)(lambda x, w, b: (x @ w + b).tanh().logsumexp(dim=1))
case("two outputs", (ops.MulFn, ops.ExpFn), randn_inputs((2, 3)))(lambda x: (x * x, x.exp()))
