"""A registry of gradient checks: every differentiable op and layer, each on a few small float64 inputs.

A ``Case`` builds its inputs from a NumPy generator and maps them to output tensors; ``run_case`` compares
backward's Jacobians with central finite differences (the machinery of ``vinsgrad.gradcheck``) and reports,
never raises. ``tests/test_selftest.py`` runs every case and checks that every Function and layer is covered;
the ``vinsgrad selftest`` command runs them on the user's machine.

Register a case next to its neighbours::

    @case("tanh (2,3)", ("Tanh",), randn_inputs((2, 3)))
    def _(x):
        return x.tanh()
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import vinsgrad
import vinsgrad.nn
import vinsgrad.nn.functional as F
from vinsgrad.autograd import ops
from vinsgrad.autograd.gradcheck import analytical_jacobians, check_inputs, compare_jacobians, numerical_jacobians
from vinsgrad.autograd.tensor import Tensor

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3  # gradcheck's defaults

MakeInputs = Callable[[np.random.Generator], tuple]


@dataclass(frozen=True)
class Case:
    """One gradient check: ``fn(*make_inputs(rng))`` differentiated against finite differences."""

    name: str  # e.g. "add (3,1)+(4,)"
    covers: tuple[str, ...]  # the Function / Module classes exercised, e.g. ("Add",)
    make_inputs: MakeInputs  # float64 inputs, requires_grad=True on those to check
    fn: Callable[..., Tensor | tuple]


CASES: list[Case] = []


def case(name: str, covers: tuple[str, ...] | list[str], make_inputs: MakeInputs) -> Callable[[Callable], Callable]:
    """Decorator: register ``fn`` as the case ``name`` (names are unique; they identify the case in tests)."""

    def register(fn: Callable[..., Tensor | tuple]) -> Callable[..., Tensor | tuple]:
        if any(c.name == name for c in CASES):
            raise ValueError(f"selftest: a case named {name!r} is already registered; pick another name")
        CASES.append(Case(name, tuple(covers), make_inputs, fn))
        return fn

    return register


def randn_inputs(*shapes: tuple[int, ...], positive: bool = False) -> MakeInputs:
    """``make_inputs`` giving one standard-normal float64 tensor per shape, all requiring grad.

    With ``positive=True`` the values are in [0.5, 2.5) instead (for log, sqrt, division, powers)."""

    def make(rng: np.random.Generator) -> tuple:
        arrays = [rng.uniform(0.5, 2.5, s) if positive else rng.standard_normal(s) for s in shapes]
        return tuple(vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=True) for a in arrays)

    return make


@dataclass
class CaseResult:
    """The outcome of one case: the worst errors between backward and finite differences, or what went wrong."""

    name: str
    shapes: tuple[tuple[int, ...], ...]
    max_abs_err: float
    max_rel_err: float
    passed: bool
    seconds: float
    error: str | None = None


def run_case(case: Case, seed: int = 0) -> CaseResult:
    """Gradcheck one case; a failure (a mismatch or an exception) is reported in the result, never raised."""
    start = time.perf_counter()
    shapes: tuple[tuple[int, ...], ...] = ()
    try:
        inputs = case.make_inputs(np.random.default_rng(seed))
        inputs = inputs if isinstance(inputs, tuple) else (inputs,)
        shapes = tuple(tuple(t.shape) for t in inputs if isinstance(t, Tensor))
        check_inputs(case.fn, inputs)
        numerical = numerical_jacobians(case.fn, inputs, EPS)
        result = compare_jacobians(numerical, analytical_jacobians(case.fn, inputs), ATOL, RTOL)
    except Exception as e:
        nan = float("nan")
        return CaseResult(case.name, shapes, nan, nan, False, time.perf_counter() - start, f"{type(e).__name__}: {e}")
    seconds = time.perf_counter() - start
    passed = result.worst is None
    return CaseResult(case.name, shapes, result.max_abs_err, result.max_rel_err, passed, seconds, result.worst)


def run_all(selected: str | None = None) -> list[CaseResult]:
    """Run every case, or those whose name or ``covers`` contains ``selected`` (case-insensitive)."""
    key = (selected or "").lower()
    chosen = [c for c in CASES if key in c.name.lower() or any(key in n.lower() for n in c.covers)]
    return [run_case(c) for c in chosen]


def _inputs(*makers: Callable[[np.random.Generator], Any]) -> MakeInputs:
    """``make_inputs`` from one maker per input (for cases mixing checked tensors with other values)."""
    return lambda rng: tuple(m(rng) for m in makers)


def _randn(*shape: int, positive: bool = False, away_from_zero: bool = False) -> Callable[[np.random.Generator], Any]:
    def make(rng: np.random.Generator) -> Tensor:
        a = rng.uniform(0.5, 2.5, shape) if positive else rng.standard_normal(shape)
        if away_from_zero:
            a = np.sign(a) * (np.abs(a) + 0.5)
        return vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=True)

    return make


def _mask(*shape: int) -> Callable[[np.random.Generator], Any]:
    return lambda rng: vinsgrad.tensor(rng.random(shape) < 0.5)


def _fmt(shape: tuple[int, ...]) -> str:
    return str(shape).replace(" ", "")


# **** autograd ops ****

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
    _pair = f"{_fmt(_sx)},{_fmt(_sy)}"
    case(f"add {_pair}", ("Add",), randn_inputs(_sx, _sy))(lambda x, y: x + y)
    case(f"sub {_pair}", ("Sub",), randn_inputs(_sx, _sy))(lambda x, y: x - y)
    case(f"mul {_pair}", ("Mul",), randn_inputs(_sx, _sy))(lambda x, y: x * y)
    case(f"div {_pair}", ("Div",), _inputs(_randn(*_sx), _randn(*_sy, away_from_zero=True)))(lambda x, y: x / y)
    case(f"pow {_pair}", ("Pow",), _inputs(_randn(*_sx, positive=True), _randn(*_sy)))(lambda x, y: x**y)
    case(f"maximum {_pair}", ("Maximum",), randn_inputs(_sx, _sy))(vinsgrad.maximum)
    case(f"minimum {_pair}", ("Minimum",), randn_inputs(_sx, _sy))(vinsgrad.minimum)
    case(f"where {_pair}", ("Where",), _inputs(_mask(*_sx), _randn(*_sx), _randn(*_sy)))(vinsgrad.where)

case("radd 2.5+(2,3)", ("Add",), randn_inputs((2, 3)))(lambda x: 2.5 + x)
case("rsub 1.5-(2,3)", ("Sub",), randn_inputs((2, 3)))(lambda x: 1.5 - x)
case("rmul -2*(2,3)", ("Mul",), randn_inputs((2, 3)))(lambda x: -2 * x)
case("rdiv 3/(2,3)", ("Div",), _inputs(_randn(2, 3, away_from_zero=True)))(lambda x: 3.0 / x)
case("pow (2,3)**3", ("Pow",), randn_inputs((2, 3)))(lambda x: x**3)
case("pow (2,3)**0.5", ("Pow",), randn_inputs((2, 3), positive=True))(lambda x: x**0.5)
case("rpow 2**(2,3)", ("Pow",), randn_inputs((2, 3)))(lambda x: 2.0**x)
case("maximum (2,3),0.1", ("Maximum",), randn_inputs((2, 3)))(lambda x: x.maximum(0.1))
case("where (2,3) scalar", ("Where",), _inputs(_mask(2, 3), _randn(2, 3)))(lambda c, x: vinsgrad.where(c, x, 0.0))
case("where (2,3) same tensor", ("Where",), _inputs(_mask(2, 3), _randn(2, 3)))(
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
    case(f"matmul {_fmt(_sx)}@{_fmt(_sy)}", ("MatMul",), randn_inputs(_sx, _sy))(lambda x, y: x @ y)

UNARY: dict[str, tuple[str, Callable[[Tensor], Tensor], bool]] = {
    "neg": ("Neg", lambda x: -x, False),
    "abs": ("Abs", lambda x: x.abs(), False),
    "exp": ("Exp", lambda x: x.exp(), False),
    "log": ("Log", lambda x: x.log(), True),
    "sqrt": ("Sqrt", lambda x: x.sqrt(), True),
    "sin": ("Sin", lambda x: x.sin(), False),
    "cos": ("Cos", lambda x: x.cos(), False),
    "tanh": ("Tanh", lambda x: x.tanh(), False),
    "sigmoid": ("Sigmoid", lambda x: x.sigmoid(), False),
    "relu": ("ReLU", lambda x: x.relu(), False),
    "clamp": ("Clamp", lambda x: x.clamp(-0.5, 0.7), False),
    "clamp min": ("Clamp", lambda x: x.clamp(min=-0.2), False),
    "clamp max": ("Clamp", lambda x: x.clamp(max=0.3), False),
}
for _name, (_cls, _fn, _positive) in UNARY.items():
    for _s in [(), (2, 3)]:
        case(f"{_name} {_fmt(_s)}", (_cls,), randn_inputs(_s, positive=_positive))(_fn)

case(
    "sigmoid large |x|",
    ("Sigmoid",),
    lambda rng: (vinsgrad.tensor([-30.0, -5.0, 0.0, 5.0, 30.0], dtype=vinsgrad.float64, requires_grad=True),),
)(lambda x: x.sigmoid())
# NOTE: longdouble keeps (at least) float64 precision, so the round trip exercises Cast both ways exactly.
case("cast float64->longdouble->float64", ("Cast",), randn_inputs((2, 3)))(lambda x: x.to(np.longdouble).sin().double())

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
    case(f"sum (2,3,4) {_args}", ("Sum",), _x)(lambda x, d=_dim, k=_keep: x.sum(d, keepdim=k))
    case(f"mean (2,3,4) {_args}", ("Mean",), _x)(lambda x, d=_dim, k=_keep: x.mean(d, keepdim=k))
    case(f"var (2,3,4) {_args}", ("Var",), _x)(lambda x, d=_dim, k=_keep: x.var(d, keepdim=k))
    case(f"std (2,3,4) {_args}", ("Var", "Sqrt"), _x)(lambda x, d=_dim, k=_keep: x.std(d, keepdim=k))
    case(f"amax (2,3,4) {_args}", ("Amax",), _x)(lambda x, d=_dim, k=_keep: x.amax(d, keepdim=k))
    case(f"amin (2,3,4) {_args}", ("Amax", "Neg"), _x)(lambda x, d=_dim, k=_keep: x.amin(d, keepdim=k))
    case(f"logsumexp (2,3,4) {_args}", ("LogSumExp",), _x)(lambda x, d=_dim, k=_keep: x.logsumexp(d, keepdim=k))

case("sum (2,3) broadcast input", ("Sum", "Add"), randn_inputs((2, 1), (3,)))(lambda x, y: (x + y).sum(0))
case("var (2,3,4) correction=0", ("Var",), randn_inputs((2, 3, 4)))(lambda x: x.var(1, correction=0))
case("max (2,3,4) dim=1", ("Gather",), randn_inputs((2, 3, 4)))(lambda x: x.max(1)[0])
case("min (2,3,4) dim=-1 keepdim", ("Gather",), randn_inputs((2, 3, 4)))(lambda x: x.min(-1, keepdim=True)[0])
case("max (2,3) full", ("Amax",), randn_inputs((2, 3)))(lambda x: x.max())
case(
    "gather (3,4) dim=1 repeats",
    ("Gather",),
    _inputs(_randn(3, 4), lambda rng: vinsgrad.tensor(rng.integers(0, 4, (3, 5)))),
)(lambda x, i: x.gather(1, i))
case(
    "gather (3,4) dim=0 smaller index",
    ("Gather",),
    _inputs(_randn(3, 4), lambda rng: vinsgrad.tensor(rng.integers(0, 3, (2, 2)))),
)(lambda x, i: x.gather(0, i))

for _dim in [0, 1, -1]:
    _x = randn_inputs((2, 3, 4))
    case(f"softmax (2,3,4) dim={_dim}", ("Softmax",), _x)(lambda x, d=_dim: x.softmax(d))
    case(f"log_softmax (2,3,4) dim={_dim}", ("LogSoftmax",), _x)(lambda x, d=_dim: x.log_softmax(d))

MOVEMENT: dict[str, tuple[tuple[str, ...], Callable[[Tensor], Tensor]]] = {
    "reshape (2,3,4)->(4,-1)": (("Reshape",), lambda x: x.reshape(4, -1)),
    "view (2,3,4)->(6,4)": (("Reshape",), lambda x: x.view((6, 4))),
    "flatten (2,3,4) 1": (("Reshape",), lambda x: x.flatten(1)),
    "unsqueeze (2,3,4) -1": (("Reshape",), lambda x: x.unsqueeze(-1)),
    "squeeze (2,3,4)[:, :1]": (("Reshape", "Index"), lambda x: x[:, :1].squeeze(1)),
    "transpose (2,3,4) 0,2": (("Permute",), lambda x: x.transpose(0, 2)),
    "permute (2,3,4) 2,0,1": (("Permute",), lambda x: x.permute(2, 0, 1)),
    "T (2,3,4)": (("Permute",), lambda x: x.T),
    "clone (2,3,4)": (("Clone", "Mul"), lambda x: x.clone() * x),
    "expand (2,1,4)->(3,2,3,4)": (("Expand", "Index"), lambda x: x[:, :1].expand(3, 2, 3, -1)),
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
    case(f"index (3,4) {_name}", ("Index",), randn_inputs((3, 4)))(lambda x, i=_index: x[i])
case("index (3,4) tensor index", ("Index",), randn_inputs((3, 4)))(lambda x: x[vinsgrad.tensor([2, 0])])

case("cat dim=0", ("Cat",), randn_inputs((2, 3), (1, 3), (3, 3)))(lambda *xs: vinsgrad.cat(xs, 0))
case("cat dim=-1", ("Cat",), randn_inputs((2, 1), (2, 3)))(lambda *xs: vinsgrad.cat(xs, dim=-1))
case("cat with a constant", ("Cat",), _inputs(_randn(2, 3), lambda rng: vinsgrad.ones(2, 3, dtype=vinsgrad.float64)))(
    lambda x, c: vinsgrad.cat([c, x], dim=1)
)
case("stack dim=0", ("Stack",), randn_inputs((2, 3), (2, 3)))(lambda *xs: vinsgrad.stack(xs))
case("stack dim=-1", ("Stack",), randn_inputs((2, 3), (2, 3), (2, 3)))(lambda *xs: vinsgrad.stack(xs, dim=-1))

case("pad (2,3) last dim", ("Pad",), randn_inputs((2, 3)))(lambda x: ops.Pad.apply(x, pad=(1, 2)))
case("pad (2,3,4) two dims value=1.5", ("Pad",), randn_inputs((2, 3, 4)))(
    lambda x: ops.Pad.apply(x, pad=(0, 1, 2, 1), value=1.5)
)

case("chain tanh(x@w+b).logsumexp", ("MatMul", "Add", "Tanh", "LogSumExp"), randn_inputs((4, 3), (3, 5), (5,)))(
    lambda x, w, b: (x @ w + b).tanh().logsumexp(dim=1)
)
case("two outputs", ("Mul", "Exp"), randn_inputs((2, 3)))(lambda x: (x * x, x.exp()))

# **** nn: linear, activations, losses ****


def _module(make: Callable[[], Any], *makers: Callable[[np.random.Generator], Any]) -> MakeInputs:
    """``make_inputs`` giving (module, *inputs, *parameters): the module in float64 with N(0,1) parameters, so
    the case checks the gradient of its input(s) and of every parameter through the Module's own wiring."""

    def make_inputs(rng: np.random.Generator) -> tuple:
        module = make().double()
        for p in module.parameters():
            p.data[...] = rng.standard_normal(p.shape)
        return (module, *(m(rng) for m in makers), *module.parameters())

    return make_inputs


def _classes(n_classes: int, *shape: int, ignore: int | None = None) -> Callable[[np.random.Generator], Any]:
    """Integer class targets; with ``ignore``, the first one is set to that ignore_index."""

    def make(rng: np.random.Generator) -> Tensor:
        y = rng.integers(0, n_classes, shape)
        if ignore is not None:
            y.reshape(-1)[0] = ignore
        return vinsgrad.tensor(y)

    return make


def _uniform(*shape: int, lo: float = 0.0, hi: float = 1.0) -> Callable[[np.random.Generator], Any]:
    """A float64 tensor in [lo, hi) that requires grad (probabilities, targets)."""
    return lambda rng: vinsgrad.tensor(rng.uniform(lo, hi, shape), dtype=vinsgrad.float64, requires_grad=True)


def _probs(*shape: int) -> Callable[[np.random.Generator], Any]:
    """Rows of class probabilities along dim 1, requiring grad (soft targets for cross entropy)."""

    def make(rng: np.random.Generator) -> Tensor:
        p = rng.uniform(0.1, 1.0, shape)
        return vinsgrad.tensor(p / p.sum(axis=1, keepdims=True), dtype=vinsgrad.float64, requires_grad=True)

    return make


_W3 = [0.5, 2.0, 1.25]  # class weights for three-class cases
_W4 = [0.5, 2.0, 1.25, 0.75]  # element weights along a last dim of 4
_F64 = vinsgrad.float64

case("Linear (4,3)->(4,2)", ("Linear",), _module(lambda: vinsgrad.nn.Linear(3, 2), _randn(4, 3)))(lambda m, x, *p: m(x))
case(
    "Linear (2,3,3)->(2,3,2) no bias",
    ("Linear",),
    _module(lambda: vinsgrad.nn.Linear(3, 2, bias=False), _randn(2, 3, 3)),
)(lambda m, x, *p: m(x))
case("Linear (3,)->(2,)", ("Linear",), _module(lambda: vinsgrad.nn.Linear(3, 2), _randn(3)))(lambda m, x, *p: m(x))
case(
    "Sequential Linear-ReLU-Linear",
    ("Linear", "ReLU"),
    _module(
        lambda: vinsgrad.nn.Sequential(vinsgrad.nn.Linear(3, 4), vinsgrad.nn.ReLU(), vinsgrad.nn.Linear(4, 2)),
        _randn(5, 3),
    ),
)(lambda m, x, *p: m(x))

case("ReLU (3,4)", ("ReLU",), _module(vinsgrad.nn.ReLU, _randn(3, 4, away_from_zero=True)))(lambda m, x: m(x))
case(
    "LeakyReLU (3,4) slope 0.2",
    ("LeakyReLU",),
    _module(lambda: vinsgrad.nn.LeakyReLU(0.2), _randn(3, 4, away_from_zero=True)),
)(lambda m, x: m(x))
case("Sigmoid (3,4)", ("Sigmoid",), _module(vinsgrad.nn.Sigmoid, _randn(3, 4)))(lambda m, x: m(x))
case("Tanh (3,4)", ("Tanh",), _module(vinsgrad.nn.Tanh, _randn(3, 4)))(lambda m, x: m(x))
case(
    "GELU (3,4)",
    ("GELU",),
    _module(vinsgrad.nn.GELU, lambda rng: vinsgrad.tensor(rng.uniform(-4, 4, (3, 4)), dtype=_F64, requires_grad=True)),
)(lambda m, x: m(x))
case("GELU tanh (3,4)", ("GELU",), _module(lambda: vinsgrad.nn.GELU(approximate="tanh"), _randn(3, 4)))(
    lambda m, x: m(x)
)
case("Softmax dim=1 (3,4)", ("Softmax",), _module(lambda: vinsgrad.nn.Softmax(dim=1), _randn(3, 4)))(lambda m, x: m(x))
case("LogSoftmax dim=0 (3,4)", ("LogSoftmax",), _module(lambda: vinsgrad.nn.LogSoftmax(dim=0), _randn(3, 4)))(
    lambda m, x: m(x)
)

case(
    "CrossEntropyLoss (4,3)",
    ("CrossEntropyLoss", "CrossEntropy"),
    _module(vinsgrad.nn.CrossEntropyLoss, _randn(4, 3), _classes(3, 4)),
)(lambda m, x, y: m(x, y))
case(
    "CrossEntropyLoss weight ignore_index smoothing",
    ("CrossEntropyLoss", "CrossEntropy"),
    _module(
        lambda: vinsgrad.nn.CrossEntropyLoss(vinsgrad.tensor(_W3), ignore_index=1, label_smoothing=0.2),
        _randn(5, 3),
        _classes(3, 5, ignore=1),
    ),
)(lambda m, x, y: m(x, y))
case(
    "CrossEntropyLoss sum (2,3,2,2)",
    ("CrossEntropyLoss", "CrossEntropy"),
    _module(lambda: vinsgrad.nn.CrossEntropyLoss(reduction="sum"), _randn(2, 3, 2, 2), _classes(3, 2, 2, 2)),
)(lambda m, x, y: m(x, y))
case(
    "CrossEntropyLoss none weight (4,3)",
    ("CrossEntropyLoss", "CrossEntropy"),
    _module(lambda: vinsgrad.nn.CrossEntropyLoss(vinsgrad.tensor(_W3), reduction="none"), _randn(4, 3), _classes(3, 4)),
)(lambda m, x, y: m(x, y))
case(
    "CrossEntropyLoss probabilities weight smoothing",
    ("CrossEntropyLoss", "CrossEntropy"),
    _module(
        lambda: vinsgrad.nn.CrossEntropyLoss(vinsgrad.tensor(_W3), label_smoothing=0.1), _randn(4, 3), _probs(4, 3)
    ),
)(lambda m, x, p: m(x, p))
case(
    "NLLLoss weight ignore_index (4,3)",
    ("NLLLoss",),
    _module(lambda: vinsgrad.nn.NLLLoss(vinsgrad.tensor(_W3), ignore_index=0), _randn(4, 3), _classes(3, 4, ignore=0)),
)(lambda m, x, y: m(x, y))
case(
    "NLLLoss none (2,3,2)",
    ("NLLLoss",),
    _module(lambda: vinsgrad.nn.NLLLoss(reduction="none"), _randn(2, 3, 2), _classes(3, 2, 2)),
)(lambda m, x, y: m(x, y))
case("MSELoss (3,4)", ("MSELoss",), _module(vinsgrad.nn.MSELoss, _randn(3, 4), _randn(3, 4)))(lambda m, x, t: m(x, t))
case("L1Loss sum (3,4)", ("L1Loss",), _module(lambda: vinsgrad.nn.L1Loss(reduction="sum"), _randn(3, 4), _randn(3, 4)))(
    lambda m, x, t: m(x, t)
)
case(
    "BCELoss weight (3,4)",
    ("BCELoss", "BinaryCrossEntropy"),
    _module(lambda: vinsgrad.nn.BCELoss(vinsgrad.tensor(_W4)), _uniform(3, 4, lo=0.1, hi=0.9), _uniform(3, 4)),
)(lambda m, x, t: m(x, t))
case(
    "BCEWithLogitsLoss weight pos_weight (3,4)",
    ("BCEWithLogitsLoss", "BCEWithLogits"),
    _module(
        lambda: vinsgrad.nn.BCEWithLogitsLoss(vinsgrad.tensor(_W4), pos_weight=vinsgrad.tensor([3.0, 0.5, 1.0, 2.0])),
        _randn(3, 4),
        _uniform(3, 4),
    ),
)(lambda m, x, t: m(x, t))
case(
    "BCEWithLogitsLoss none (5,)",
    ("BCEWithLogitsLoss", "BCEWithLogits"),
    _module(lambda: vinsgrad.nn.BCEWithLogitsLoss(reduction="none"), _randn(5), _uniform(5)),
)(lambda m, x, t: m(x, t))


# **** nn: convolution, pooling, normalisation, embedding, dropout ****


def _layer(make: Callable[[], Any], *shape: int) -> MakeInputs:
    """``make_inputs`` giving (layer, x, *parameters) in float64: parameters N(0,1), float buffers U(0.5, 2)."""

    def make_inputs(rng: np.random.Generator) -> tuple:
        layer = make().double()
        for p in layer.parameters():
            p.data[...] = rng.standard_normal(p.shape)
        for b in layer.buffers():
            if b.data.dtype.kind == "f":
                b.data[...] = rng.uniform(0.5, 2.0, b.shape)
        x = vinsgrad.tensor(rng.standard_normal(shape), dtype=vinsgrad.float64, requires_grad=True)
        return (layer, x, *layer.parameters())

    return make_inputs


def _constant(*shape: int, positive: bool = False) -> Callable[[np.random.Generator], Any]:
    """A float64 tensor that is an argument, not something to check (e.g. BatchNorm's running statistics)."""
    return lambda rng: vinsgrad.tensor(rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape))


def _call_layer(layer: Any, x: Tensor, *params: Tensor) -> Tensor:
    return layer(x)


def _same_mask(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """Run ``fn`` with the default generator rewound each call, so dropout draws one mask for every evaluation."""

    def wrapped(*args: Any) -> Tensor:
        state = vinsgrad.get_rng_state()
        try:
            return fn(*args)
        finally:
            vinsgrad.set_rng_state(state)

    return wrapped


CONV2D_ARGS: dict[str, tuple[tuple[int, ...], tuple[int, ...], dict[str, Any]]] = {
    "pad=1": ((2, 2, 4, 4), (3, 2, 3, 3), {"padding": 1}),
    "stride=2 dilation=(1,2) pad=(1,2)": (
        (1, 2, 5, 6),
        (2, 2, 2, 3),
        {"stride": 2, "dilation": (1, 2), "padding": (1, 2)},
    ),
    "groups=2 pad=same": ((1, 4, 4, 3), (4, 2, 2, 2), {"groups": 2, "padding": "same"}),
    "unbatched stride=(1,2)": ((2, 4, 5), (2, 2, 3, 2), {"stride": (1, 2)}),
}
for _name, (_sx, _sw, _kw) in CONV2D_ARGS.items():
    case(f"conv2d {_fmt(_sx)}*{_fmt(_sw)} {_name}", ("Conv2dFn",), randn_inputs(_sx, _sw, (_sw[0],)))(
        lambda x, w, b, kw=_kw: F.conv2d(x, w, b, **kw)
    )
case("conv2d no bias", ("Conv2dFn",), randn_inputs((1, 1, 4, 4), (2, 1, 3, 3)))(lambda x, w: F.conv2d(x, w))

POOL_ARGS: dict[str, dict[str, Any]] = {
    "k=2": {"kernel_size": 2},
    "k=3 s=2 p=1 ceil": {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    "k=(2,3) s=1": {"kernel_size": (2, 3), "stride": 1},
}
for _name, _kw in POOL_ARGS.items():
    _x = randn_inputs((2, 2, 5, 6))
    case(f"max_pool2d (2,2,5,6) {_name}", ("MaxPool2dFn",), _x)(lambda x, kw=_kw: F.max_pool2d(x, **kw))
    case(f"avg_pool2d (2,2,5,6) {_name}", ("AvgPool2dFn",), _x)(lambda x, kw=_kw: F.avg_pool2d(x, **kw))
case("max_pool2d (1,2,6,6) dilation=2", ("MaxPool2dFn",), randn_inputs((1, 2, 6, 6)))(
    lambda x: F.max_pool2d(x, 2, stride=1, dilation=2)
)
case("avg_pool2d (2,5,6) p=1 exclude pad", ("AvgPool2dFn",), randn_inputs((2, 5, 6)))(
    lambda x: F.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True, count_include_pad=False)
)
case("avg_pool2d (1,1,4,5) divisor_override", ("AvgPool2dFn",), randn_inputs((1, 1, 4, 5)))(
    lambda x: F.avg_pool2d(x, 2, divisor_override=3)
)

for _s in [(4, 3), (3, 3, 4), (2, 3, 2, 2)]:
    case(f"batch_norm {_fmt(_s)} training", ("Normalize",), randn_inputs(_s, (3,), (3,)))(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)
    )
case("batch_norm (2,3,2,2) no affine", ("Normalize",), randn_inputs((2, 3, 2, 2)))(
    lambda x: F.batch_norm(x, None, None, training=True)
)
case(
    "batch_norm (4,3) running stats",
    ("Normalize",),
    _inputs(_randn(4, 3), _randn(3), _randn(3), _constant(3), _constant(3, positive=True)),
)(lambda x, w, b, m, v: F.batch_norm(x, m, v, w, b, training=False))
case("layer_norm (2,3,4) (3,4)", ("Normalize",), randn_inputs((2, 3, 4), (3, 4), (3, 4)))(
    lambda x, w, b: F.layer_norm(x, (3, 4), w, b)
)
case("layer_norm (3,5) no affine", ("Normalize",), randn_inputs((3, 5)))(lambda x: F.layer_norm(x, 5))
case(
    "embedding (5,3) repeats padding_idx",
    ("EmbeddingFn",),
    _inputs(_randn(5, 3), lambda rng: vinsgrad.tensor([[1, 3, 1], [0, 3, 2]])),
)(lambda w, i: F.embedding(i, w, padding_idx=4))  # the padding row's zero gradient is not a derivative: unit-tested
case("dropout (4,5) p=0.3", ("Mul",), randn_inputs((4, 5)))(_same_mask(lambda x: F.dropout(x, 0.3)))

LAYERS: dict[str, tuple[Callable[[], Any], tuple[int, ...]]] = {
    "Conv2d(2,3,3,pad=1)": (lambda: vinsgrad.nn.Conv2d(2, 3, 3, padding=1), (2, 2, 4, 4)),
    "Conv2d(2,2,2,stride=2,bias=False)": (lambda: vinsgrad.nn.Conv2d(2, 2, 2, stride=2, bias=False), (1, 2, 4, 4)),
    "MaxPool2d(2)": (lambda: vinsgrad.nn.MaxPool2d(2), (2, 2, 4, 4)),
    "AvgPool2d(3,2,1)": (lambda: vinsgrad.nn.AvgPool2d(3, 2, 1), (2, 2, 5, 5)),
    "BatchNorm1d(3) train": (lambda: vinsgrad.nn.BatchNorm1d(3), (4, 3, 2)),
    "BatchNorm2d(2) train": (lambda: vinsgrad.nn.BatchNorm2d(2), (2, 2, 2, 3)),
    "BatchNorm2d(2) eval": (lambda: vinsgrad.nn.BatchNorm2d(2).eval(), (2, 2, 2, 3)),
    "LayerNorm((2,3))": (lambda: vinsgrad.nn.LayerNorm((2, 3)), (2, 2, 3)),
    "Dropout(0.4)": (lambda: vinsgrad.nn.Dropout(0.4), (3, 4)),
}
for _name, (_make, _s) in LAYERS.items():
    _call: Callable[..., Tensor] = _same_mask(_call_layer) if _name.startswith("Dropout") else _call_layer
    case(f"layer {_name} {_fmt(_s)}", (_name.split("(")[0],), _layer(_make, *_s))(_call)


def _embedding_layer(rng: np.random.Generator) -> tuple:
    layer = vinsgrad.nn.Embedding(6, 2, padding_idx=0).double()
    layer.weight.data[1:] = rng.standard_normal((5, 2))
    return (layer, vinsgrad.tensor([[2, 3, 3], [5, 1, 4]]), layer.weight)


case("layer Embedding(6,2,padding_idx=0)", ("Embedding",), _embedding_layer)(_call_layer)
