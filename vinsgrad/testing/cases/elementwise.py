"""Gradient checks of the elementwise math added for the everyday tensor API (issue 13): unary math, the
broadcasting binary ops (atan2, fmod, remainder, copysign, hypot, logaddexp, xlogy, lerp), clamp with tensor
bounds, nan_to_num and the rounded divisions."""

from __future__ import annotations

from collections.abc import Callable

import vinsgrad
from vinsgrad.autograd import ops
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.testing.registry import case, constant, fmt, inputs, randn, uniform

# op -> (Function, its call, (low, high) of the inputs where it is smooth; None: standard normal)
UNARY: dict[str, tuple[type, Callable[[Tensor], Tensor], tuple[float, float] | None]] = {
    "square": (ops.SquareFn, lambda x: x.square(), None),
    "exp2": (ops.Exp2Fn, lambda x: x.exp2(), None),
    "expm1": (ops.Expm1Fn, lambda x: x.expm1(), None),
    "log2": (ops.Log2Fn, lambda x: x.log2(), (0.5, 2.5)),
    "log10": (ops.Log10Fn, lambda x: x.log10(), (0.5, 2.5)),
    "log1p": (ops.Log1pFn, lambda x: x.log1p(), (-0.5, 2.0)),
    "rsqrt": (ops.RsqrtFn, lambda x: x.rsqrt(), (0.5, 2.5)),
    "reciprocal": (ops.ReciprocalFn, lambda x: x.reciprocal(), (0.5, 2.5)),
    "tan": (ops.TanFn, lambda x: x.tan(), (-1.2, 1.2)),
    "asin": (ops.AsinFn, lambda x: x.asin(), (-0.9, 0.9)),
    "acos": (ops.AcosFn, lambda x: x.acos(), (-0.9, 0.9)),
    "atan": (ops.AtanFn, lambda x: x.atan(), None),
    "sinh": (ops.SinhFn, lambda x: x.sinh(), None),
    "cosh": (ops.CoshFn, lambda x: x.cosh(), None),
    "asinh": (ops.AsinhFn, lambda x: x.asinh(), None),
    "acosh": (ops.AcoshFn, lambda x: x.acosh(), (1.2, 3.0)),
    "atanh": (ops.AtanhFn, lambda x: x.atanh(), (-0.9, 0.9)),
    "erf": (ops.ErfFn, lambda x: x.erf(), None),
    "erfc": (ops.ErfcFn, lambda x: x.erfc(), None),
    "erfinv": (ops.ErfinvFn, lambda x: x.erfinv(), (-0.9, 0.9)),
    "frac": (ops.FracFn, lambda x: x.frac(), None),
    # piecewise constant: the gradient is 0 away from the jumps, which random inputs miss
    "floor": (ops.FloorFn, lambda x: x.floor(), None),
    "ceil": (ops.CeilFn, lambda x: x.ceil(), None),
    "trunc": (ops.TruncFn, lambda x: x.trunc(), None),
    "round": (ops.RoundFn, lambda x: x.round(), None),
    "round decimals=2": (ops.RoundFn, lambda x: x.round(decimals=2), None),
    "sign": (ops.SignFn, lambda x: x.sign(), None),
    "nan_to_num": (ops.NanToNumFn, lambda x: x.nan_to_num(), None),
}
for _name, (_cls, _fn, _range) in UNARY.items():
    for _s in [(), (2, 3)]:
        _make = randn(*_s) if _range is None else uniform(*_s, lo=_range[0], hi=_range[1])
        case(f"{_name} {fmt(_s)}", (_cls,), inputs(_make))(_fn)

BINARY: dict[str, tuple[type, Callable[[Tensor, Tensor], Tensor]]] = {
    "atan2": (ops.Atan2Fn, lambda x, y: x.atan2(y)),
    "fmod": (ops.FmodFn, lambda x, y: x.fmod(y)),
    "remainder": (ops.RemainderFn, lambda x, y: x % y),
    "copysign": (ops.CopysignFn, lambda x, y: x.copysign(y)),
    "hypot": (ops.HypotFn, lambda x, y: x.hypot(y)),
    "logaddexp": (ops.LogAddExpFn, lambda x, y: x.logaddexp(y)),
}
for _sx, _sy in [((2, 3), (2, 3)), ((2, 3), (3,)), ((3, 1), (1, 4)), ((), (2, 3))]:
    _pair = f"{fmt(_sx)},{fmt(_sy)}"
    _away = inputs(randn(*_sx, away_from_zero=True), randn(*_sy, away_from_zero=True))
    for _name, (_cls, _binary) in BINARY.items():
        case(f"{_name} {_pair}", (_cls,), _away)(_binary)
    case(f"xlogy {_pair}", (ops.XLogYFn,), inputs(randn(*_sx), uniform(*_sy, lo=0.5, hi=2.5)))(vinsgrad.xlogy)
    case(f"lerp {_pair}", (ops.LerpFn,), inputs(randn(*_sx), randn(*_sy), uniform(*_sy)))(vinsgrad.lerp)
case("lerp (2,3) weight=0.3", (ops.LerpFn,), inputs(randn(2, 3), randn(2, 3)))(lambda a, b: a.lerp(b, 0.3))
case(
    "xlogy (3,) x=0",
    (ops.XLogYFn,),
    inputs(lambda rng: vinsgrad.tensor([0.0, 1.5, -2.0], dtype=vinsgrad.float64), uniform(3, lo=0.5, hi=2.5)),
)(vinsgrad.xlogy)
case("fmod (2,3),1.5", (ops.FmodFn,), inputs(randn(2, 3)))(lambda x: x.fmod(1.5))
case("rmod 2.5%(2,3)", (ops.RemainderFn,), inputs(randn(2, 3, away_from_zero=True)))(lambda x: 2.5 % x)
case("div floor (2,3)", (ops.DivFn,), inputs(randn(2, 3), randn(3, away_from_zero=True)))(lambda x, y: x // y)
case("div trunc (2,3)", (ops.DivFn,), inputs(randn(2, 3), randn(2, 3, away_from_zero=True)))(
    lambda x, y: x.div(y, rounding_mode="trunc")
)
case("add alpha=2.5 (2,3),(3,)", (ops.AddFn,), inputs(randn(2, 3), randn(3)))(lambda x, y: x.add(y, alpha=2.5))
case("sub alpha=-3 (2,3),(3,)", (ops.SubFn,), inputs(randn(2, 3), randn(3)))(lambda x, y: x.sub(y, alpha=-3))
case(
    "pow 0**y, y>0 (3,)",
    (ops.PowFn,),
    inputs(lambda rng: vinsgrad.tensor([0.0, 1.0, 2.0], dtype=vinsgrad.float64), uniform(3, lo=1.5, hi=2.5)),
)(lambda x, y: x**y)
case(
    "clamp tensor bounds (2,3)",
    (ops.ClampFn,),
    inputs(randn(2, 3), uniform(3, lo=-1.0, hi=-0.2), uniform(2, 1, lo=0.2, hi=1.0)),
)(lambda x, lo, hi: x.clamp(lo, hi))
case("clamp_min (2,3),(3,) constant bound", (ops.ClampFn,), inputs(randn(2, 3), constant(3)))(
    lambda x, lo: x.clamp_min(lo)
)
case("clamp_max (2,3)", (ops.ClampFn,), inputs(randn(2, 3)))(lambda x: x.clamp_max(0.2))
