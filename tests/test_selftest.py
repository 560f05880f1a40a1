"""The gradcheck registry: every case passes, every op and layer is covered, and a wrong backward is caught."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
from vinsgrad import testing as selftest
from vinsgrad.autograd import Function, ops
from vinsgrad.testing import CASES, Case, case, randn_inputs, run_all, run_case

# Modules that hold or arrange other modules, or do no math of their own.
NOT_LAYERS = {
    "Module",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
    "Identity",
    "Flatten",
    "Unflatten",
}


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_case_passes(c: Case) -> None:
    result = run_case(c)
    assert result.passed, f"{c.name} {result.shapes}: {result.error}"
    assert result.error is None and result.max_abs_err <= selftest.ATOL


def _functions_in(package: object) -> set[type]:
    """Every Function subclass defined in ``package``'s modules (autograd.ops and nn.functional are packages)."""
    prefix = package.__name__  # type: ignore[attr-defined]
    found = set()
    for module in list(sys.modules.values()):
        if module is None or not getattr(module, "__name__", "").startswith(prefix):
            continue
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Function) and obj.__module__.startswith(prefix):
                found.add(obj)
    return found


def _covered() -> set[type]:
    return {cls for c in CASES for cls in c.covers}


@pytest.mark.parametrize("package", [ops, F], ids=["autograd.ops", "nn.functional"])
def test_every_function_is_covered(package: object) -> None:
    missing = _functions_in(package) - _covered()
    assert not missing, f"no selftest case covers these Functions: {sorted(c.__qualname__ for c in missing)}"


def test_every_layer_and_loss_is_covered() -> None:
    exported = getattr(nn, "__all__", None) or [n for n in vars(nn) if not n.startswith("_")]
    layers = {
        obj
        for name in exported
        if isinstance(obj := getattr(nn, name), type) and issubclass(obj, nn.Module) and name not in NOT_LAYERS
    }
    missing = layers - _covered()
    assert not missing, f"no selftest case covers these layers/losses: {sorted(c.__name__ for c in missing)}"


def test_ops_in_these_packages_are_found() -> None:
    # Guards the coverage test itself: it must see the ops, or it would pass vacuously.
    assert {ops.AddFn, ops.MatMulFn, ops.IndexFn, ops.PadFn, ops.LogSoftmaxFn} <= _functions_in(ops)
    assert {F.LinearFn, F.Conv2dFn, F.CrossEntropyFn} <= _functions_in(F)


def test_a_module_and_its_function_of_the_same_kind_are_told_apart() -> None:
    # nn.Linear (the Module) and F.LinearFn (the Function) are different classes: covering one is not the other.
    assert nn.Linear is not F.LinearFn and F.LinearFn in _covered() and nn.Linear in _covered()


class WrongSquare(Function):
    """x * x with the factor 2 missing from its backward: a bug the registry must catch."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


@contextmanager
def registered(name: str, covers: tuple[type, ...], make_inputs, fn) -> Iterator[Case]:  # type: ignore[no-untyped-def]
    case(name, covers, make_inputs)(fn)
    try:
        yield CASES[-1]
    finally:
        CASES.pop()


def test_wrong_backward_is_reported_as_failed() -> None:
    with registered("wrong square (3,)", (WrongSquare,), randn_inputs((3,)), WrongSquare.apply) as c:
        assert c.name == "wrong square (3,)" and c.fn == WrongSquare.apply
        result = run_case(c)
        assert [r.name for r in run_all("wrongsquare")] == ["wrong square (3,)"]
    assert not result.passed
    assert result.shapes == ((3,),)
    assert "Jacobian mismatch" in (result.error or "")
    # d(x^2)/dx = 2x, the wrong backward says x: the error is |x| at the worst element, relative error 1/2.
    assert result.max_abs_err > 0.1
    assert result.max_rel_err == pytest.approx(0.5, rel=1e-3)
    assert all(c.name != "wrong square (3,)" for c in CASES)  # unregistered again


def test_exception_in_case_is_reported_not_raised() -> None:
    def boom(x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        raise RuntimeError("boom")

    result = run_case(Case("boom", (), randn_inputs((2,)), boom))
    assert not result.passed and result.error == "RuntimeError: boom"
    assert np.isnan(result.max_abs_err)


def test_case_with_nothing_to_check_fails() -> None:
    const = Case("const", (), lambda rng: (vinsgrad.ones(2, dtype=vinsgrad.float64),), lambda x: x * 2)
    result = run_case(const)
    assert not result.passed and "no input requires grad" in (result.error or "")


def test_float32_inputs_fail_with_a_clear_error() -> None:
    f32 = Case("f32", (), lambda rng: (vinsgrad.ones(2, requires_grad=True),), lambda x: x * 2)
    assert "need float64" in (run_case(f32).error or "")


def test_duplicate_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="already registered"):
        case(CASES[0].name, (ops.AddFn,), randn_inputs((1,)))(lambda x: x)


def test_run_all_selects_by_name_or_covers() -> None:
    chosen = {r.name for r in run_all("matmul")}
    assert chosen == {c.name for c in CASES if "matmul" in c.name.lower() or ops.MatMulFn in c.covers}
    assert "matmul (2,3)@(3,4)" in chosen and "chain tanh(x@w+b).logsumexp" in chosen
    logsoftmax = {
        c.name for c in CASES if "logsoftmax" in c.name.lower() or any("LogSoftmax" in k.__name__ for k in c.covers)
    }
    assert {r.name for r in run_all("LogSoftmax")} == logsoftmax


def test_randn_inputs_positive_and_seeded() -> None:
    a = randn_inputs((4, 5), positive=True)(np.random.default_rng(3))
    b = randn_inputs((4, 5), positive=True)(np.random.default_rng(3))
    assert a[0].dtype == vinsgrad.float64 and a[0].requires_grad
    assert a[0]._data.min() >= 0.5 and np.array_equal(a[0]._data, b[0]._data)
