"""A registry of gradient checks: every differentiable op and layer, each on a few small float64 inputs.

A ``Case`` builds its inputs from a NumPy generator and maps them to output tensors; ``run_case`` compares
backward's Jacobians with central finite differences (the machinery of ``vinsgrad.gradcheck``) and reports,
never raises. ``tests/test_selftest.py`` runs every case and checks that every Function and layer class is
covered;
the ``vinsgrad selftest`` command runs them on the user's machine.

The cases live in ``vinsgrad/testing/cases/``, one module per area; every module there is imported when
``CASES`` is first read, so a new area needs no registration. Register a case next to its neighbours::

    @case("tanh (2,3)", (ops.TanhFn,), randn_inputs((2, 3)))
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
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.gradcheck import analytical_jacobians, check_inputs, compare_jacobians, numerical_jacobians
from vinsgrad.autograd.tensor import Tensor

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3  # gradcheck's defaults

MakeInputs = Callable[[np.random.Generator], tuple]


@dataclass(frozen=True)
class Case:
    """One gradient check: ``fn(*make_inputs(rng))`` differentiated against finite differences."""

    name: str  # e.g. "add (3,1)+(4,)"
    covers: tuple[type, ...]  # the Function / Module classes exercised, e.g. (ops.AddFn,)
    make_inputs: MakeInputs  # float64 inputs, requires_grad=True on those to check
    fn: Callable[..., Tensor | tuple]

    @property
    def covered_names(self) -> tuple[str, ...]:
        """The covered classes by name, Functions as their op (``MatMul`` for ``MatMulFn``)."""
        return tuple(c.op_name() if issubclass(c, Function) else c.__name__ for c in self.covers)


CASES: list[Case] = []


def case(name: str, covers: tuple[type, ...] | list[type], make_inputs: MakeInputs) -> Callable[[Callable], Callable]:
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
    """Run every case, or those whose name or covered class names contain ``selected`` (case-insensitive)."""
    key = (selected or "").lower()
    chosen = [c for c in CASES if key in c.name.lower() or any(key in n.lower() for n in c.covered_names)]
    return [run_case(c) for c in chosen]


def inputs(*makers: Callable[[np.random.Generator], Any]) -> MakeInputs:
    """``make_inputs`` from one maker per input (for cases mixing checked tensors with other values)."""
    return lambda rng: tuple(m(rng) for m in makers)


def randn(*shape: int, positive: bool = False, away_from_zero: bool = False) -> Callable[[np.random.Generator], Any]:
    def make(rng: np.random.Generator) -> Tensor:
        a = rng.uniform(0.5, 2.5, shape) if positive else rng.standard_normal(shape)
        if away_from_zero:
            a = np.sign(a) * (np.abs(a) + 0.5)
        return vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=True)

    return make


def mask(*shape: int) -> Callable[[np.random.Generator], Any]:
    return lambda rng: vinsgrad.tensor(rng.random(shape) < 0.5)


def fmt(shape: tuple[int, ...]) -> str:
    return str(shape).replace(" ", "")


def module_inputs(make: Callable[[], Any], *makers: Callable[[np.random.Generator], Any]) -> MakeInputs:
    """``make_inputs`` giving (module, *inputs, *parameters): the module in float64 with N(0,1) parameters, so
    the case checks the gradient of its input(s) and of every parameter through the Module's own wiring."""

    def make_inputs(rng: np.random.Generator) -> tuple:
        module = make().double()
        for p in module.parameters():
            p._data[...] = rng.standard_normal(p.shape)
        return (module, *(m(rng) for m in makers), *module.parameters())

    return make_inputs


def classes(n_classes: int, *shape: int, ignore: int | None = None) -> Callable[[np.random.Generator], Any]:
    """Integer class targets; with ``ignore``, the first one is set to that ignore_index."""

    def make(rng: np.random.Generator) -> Tensor:
        y = rng.integers(0, n_classes, shape)
        if ignore is not None:
            y.reshape(-1)[0] = ignore
        return vinsgrad.tensor(y)

    return make


def uniform(*shape: int, lo: float = 0.0, hi: float = 1.0) -> Callable[[np.random.Generator], Any]:
    """A float64 tensor in [lo, hi) that requires grad (probabilities, targets)."""
    return lambda rng: vinsgrad.tensor(rng.uniform(lo, hi, shape), dtype=vinsgrad.float64, requires_grad=True)


def probs(*shape: int) -> Callable[[np.random.Generator], Any]:
    """Rows of class probabilities along dim 1, requiring grad (soft targets for cross entropy)."""

    def make(rng: np.random.Generator) -> Tensor:
        p = rng.uniform(0.1, 1.0, shape)
        return vinsgrad.tensor(p / p.sum(axis=1, keepdims=True), dtype=vinsgrad.float64, requires_grad=True)

    return make


def layer_inputs(make: Callable[[], Any], *shape: int) -> MakeInputs:
    """``make_inputs`` giving (layer, x, *parameters) in float64: parameters N(0,1), float buffers U(0.5, 2)."""

    def make_inputs(rng: np.random.Generator) -> tuple:
        layer = make().double()
        for p in layer.parameters():
            p._data[...] = rng.standard_normal(p.shape)
        for b in layer.buffers():
            if b._data.dtype.kind == "f":
                b._data[...] = rng.uniform(0.5, 2.0, b.shape)
        x = vinsgrad.tensor(rng.standard_normal(shape), dtype=vinsgrad.float64, requires_grad=True)
        return (layer, x, *layer.parameters())

    return make_inputs


def constant(*shape: int, positive: bool = False) -> Callable[[np.random.Generator], Any]:
    """A float64 tensor that is an argument, not something to check (e.g. BatchNorm's running statistics)."""
    return lambda rng: vinsgrad.tensor(rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape))


def call_layer(layer: Any, x: Tensor, *params: Tensor) -> Tensor:
    return layer(x)


def same_mask(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """Run ``fn`` with the default generator rewound each call, so dropout draws one mask for every evaluation."""

    def wrapped(*args: Any) -> Tensor:
        state = vinsgrad.get_rng_state()
        try:
            return fn(*args)
        finally:
            vinsgrad.set_rng_state(state)

    return wrapped
