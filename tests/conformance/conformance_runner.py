"""The differential runner: one case, written once in PyTorch spelling, run on torch and on vinsgrad, compared.

A case is ``case(name, fn, inputs=[...])`` where ``fn(T, *tensors)`` uses a module ``T`` that is either ``torch``
or ``vinsgrad``. Both sides get the same NumPy-generated inputs. The runner compares, output leaf by output leaf:
values (tolerance by dtype), dtype name, shape; then the gradient of ``sum(out * g)`` for a fixed random ``g``
with respect to every float input that requires grad. A case marked ``raises=`` expects both to raise, and the
vinsgrad exception to be an instance of the builtin class torch raised.

``run(case, torch, vinsgrad)`` returns an ``Outcome``: ``agree``, ``missing`` (vinsgrad has no such attribute or
keyword argument), or ``disagree`` with a one-line reason.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

# (rtol, atol) by dtype name; integers and bools must match exactly.
TOLERANCE = {"float16": (1e-2, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-7, 1e-9)}
GRAD_TOLERANCE = {"float16": (1e-2, 1e-2), "float32": (1e-3, 1e-4), "float64": (1e-6, 1e-8)}


@dataclass(frozen=True)
class Input:
    """How to generate one input: shape, dtype and value range; floats require grad unless ``grad=False``."""

    shape: tuple[int, ...]
    dtype: str
    low: float = -2.0
    high: float = 2.0
    grad: bool = True

    def generate(self, rng: np.random.Generator) -> np.ndarray:
        if self.dtype == "bool":
            return np.asarray(rng.random(self.shape) < 0.5)
        if self.dtype.startswith(("int", "uint")):
            return np.asarray(rng.integers(int(self.low), int(self.high), size=self.shape), dtype=self.dtype)
        return np.asarray(rng.uniform(self.low, self.high, size=self.shape), dtype=self.dtype)

    @property
    def requires_grad(self) -> bool:
        return self.grad and self.dtype.startswith("float")


def F32(shape: tuple[int, ...], low: float = -2.0, high: float = 2.0, grad: bool = True) -> Input:
    return Input(shape, "float32", low, high, grad)


def F64(shape: tuple[int, ...], low: float = -2.0, high: float = 2.0, grad: bool = True) -> Input:
    return Input(shape, "float64", low, high, grad)


def I32(shape: tuple[int, ...], low: int = -5, high: int = 6) -> Input:
    return Input(shape, "int32", low, high, False)


def I64(shape: tuple[int, ...], low: int = -5, high: int = 6) -> Input:
    return Input(shape, "int64", low, high, False)


def B(shape: tuple[int, ...]) -> Input:
    return Input(shape, "bool", grad=False)


@dataclass(frozen=True)
class Case:
    """One comparison: ``fn(T, *inputs)`` on both frameworks."""

    name: str
    fn: Callable[..., Any]
    inputs: tuple[Input, ...] = ()
    raises: type[BaseException] | None = None
    values: bool = True  # False for random ops: only dtype and shape are compared


CASES: list[Case] = []


def case(
    name: str,
    fn: Callable[..., Any],
    inputs: list[Input] | None = None,
    *,
    raises: type[BaseException] | None = None,
    values: bool = True,
) -> None:
    """Register a case; names must be unique (they are the pytest ids)."""
    if any(c.name == name for c in CASES):
        raise ValueError(f"duplicate conformance case name {name!r}")
    CASES.append(Case(name, fn, tuple(inputs or ()), raises, values))


@dataclass(frozen=True)
class Outcome:
    status: str  # "agree", "missing" or "disagree"
    reason: str = ""


class Disagree(Exception):
    """Raised inside the comparison to stop at the first difference."""


def _seed(name: str) -> int:
    return zlib.crc32(name.encode())


def _builtin_class(exc: BaseException) -> type[BaseException]:
    """The first builtin exception class in ``exc``'s MRO (torch's own errors subclass RuntimeError and friends)."""
    return next(k for k in type(exc).__mro__ if k.__module__ == "builtins")


def _is_missing(exc: BaseException) -> bool:
    if isinstance(exc, AttributeError):
        return True
    return isinstance(exc, TypeError) and "unexpected keyword argument" in str(exc)


def _call(T: ModuleType, c: Case, arrays: list[np.ndarray]) -> tuple[Any, list[Any]]:
    tensors = [T.tensor(a.copy(), requires_grad=spec.requires_grad) for a, spec in zip(arrays, c.inputs)]
    return c.fn(T, *tensors), tensors


def _leaves(out: Any) -> list[Any]:
    """Output leaves in order: tensors and plain Python values, tuples and lists flattened."""
    if isinstance(out, tuple | list):
        return [leaf for item in out for leaf in _leaves(item)]
    return [out]


def _dtype_name(dtype: Any) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def _close(name: str, got: np.ndarray, want: np.ndarray, tol: dict[str, tuple[float, float]]) -> bool:
    if got.shape != want.shape:
        return False
    rtol, atol = tol.get(name, (0.0, 0.0))
    if want.dtype.kind in "fc":
        return bool(np.allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(got, want))


def _compare_leaf(where: str, got: Any, want: Any, torch: ModuleType, vg: ModuleType, values: bool) -> None:
    if isinstance(want, torch.Tensor):
        if not isinstance(got, vg.Tensor):
            raise Disagree(f"{where}: returned {type(got).__name__}, torch returned a Tensor")
        want_dtype, got_dtype = _dtype_name(want.dtype), _dtype_name(got.dtype)
        if got_dtype != want_dtype:
            raise Disagree(f"{where}: dtype {got_dtype}, torch {want_dtype}")
        if tuple(got.shape) != tuple(want.shape):
            raise Disagree(f"{where}: shape {tuple(got.shape)}, torch {tuple(want.shape)}")
        if values and not _close(want_dtype, np.asarray(got.detach().numpy()), want.detach().numpy(), TOLERANCE):
            raise Disagree(f"{where}: values differ")
    elif isinstance(want, str):
        if got != want.replace("torch", "vinsgrad"):
            raise Disagree(f"{where}: {got!r}, torch {want!r}")
    elif isinstance(want, float):
        if not isinstance(got, int | float) or not np.isclose(got, want, rtol=1e-5, atol=1e-7, equal_nan=True):
            raise Disagree(f"{where}: {got!r}, torch {want!r}")
    elif got != want or type(got) is not type(want):
        raise Disagree(f"{where}: {got!r} ({type(got).__name__}), torch {want!r} ({type(want).__name__})")


def _backward(T: ModuleType, leaves: list[Any], grads: list[np.ndarray]) -> None:
    total = sum((leaf * T.tensor(g)).sum() for leaf, g in zip(leaves, grads))
    total.backward()  # type: ignore[union-attr]


def _compare(c: Case, torch: ModuleType, vg: ModuleType) -> None:
    rng = np.random.default_rng(_seed(c.name))
    arrays = [spec.generate(rng) for spec in c.inputs]
    want_out, want_inputs = _call(torch, c, arrays)
    got_out, got_inputs = _call(vg, c, arrays)
    want_leaves, got_leaves = _leaves(want_out), _leaves(got_out)
    if len(got_leaves) != len(want_leaves):
        raise Disagree(f"returned {len(got_leaves)} outputs, torch {len(want_leaves)}")
    for i, (got, want) in enumerate(zip(got_leaves, want_leaves)):
        _compare_leaf(f"output {i}", got, want, torch, vg, c.values)

    differentiable = [i for i, w in enumerate(want_leaves) if isinstance(w, torch.Tensor) and w.requires_grad]
    if not differentiable or not c.values:
        return
    for i in differentiable:
        if not getattr(got_leaves[i], "requires_grad", False):
            raise Disagree(f"output {i} does not require grad, torch's does")
    grads = [
        rng.standard_normal(tuple(want_leaves[i].shape)).astype(_dtype_name(want_leaves[i].dtype))
        for i in differentiable
    ]
    _backward(torch, [want_leaves[i] for i in differentiable], grads)
    _backward(vg, [got_leaves[i] for i in differentiable], grads)
    for k, (got, want) in enumerate(zip(got_inputs, want_inputs)):
        if want.grad is None:
            continue
        if got.grad is None:
            raise Disagree(f"grad of input {k}: None, torch has one")
        name = _dtype_name(want.dtype)
        if not _close(name, np.asarray(got.grad.numpy()), want.grad.numpy(force=True), GRAD_TOLERANCE):
            raise Disagree(f"grad of input {k}: values differ")


def run(c: Case, torch: ModuleType, vg: ModuleType) -> Outcome:
    """Run ``c`` on both frameworks and say whether vinsgrad agrees with torch."""
    if c.raises is not None:
        return _run_error_case(c, torch, vg)
    try:
        _compare(c, torch, vg)
    except Disagree as exc:
        return Outcome("disagree", str(exc))
    except Exception as exc:
        if _is_missing(exc):
            return Outcome("missing", f"{type(exc).__name__}: {exc}")
        return Outcome("disagree", f"{_builtin_class(exc).__name__}: {_first_line(exc)}")
    return Outcome("agree")


def _run_error_case(c: Case, torch: ModuleType, vg: ModuleType) -> Outcome:
    rng = np.random.default_rng(_seed(c.name))
    arrays = [spec.generate(rng) for spec in c.inputs]
    try:
        _call(torch, c, arrays)
    except Exception as exc:
        expected = _builtin_class(exc)
    else:
        raise AssertionError(f"harness error: torch did not raise for {c.name}")
    if c.raises is None or not issubclass(expected, c.raises):
        raise AssertionError(f"harness error: torch raised {expected.__name__}, the case expects {c.raises}")
    try:
        _call(vg, c, arrays)
    except Exception as exc:
        if isinstance(exc, expected):
            return Outcome("agree")
        if _is_missing(exc):
            return Outcome("missing", f"{type(exc).__name__}: {exc}")
        return Outcome("disagree", f"raised {type(exc).__name__}, torch {expected.__name__}: {_first_line(exc)}")
    return Outcome("disagree", f"did not raise, torch raised {expected.__name__}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else ""


__all__ = ["CASES", "F32", "F64", "I32", "I64", "B", "Case", "Input", "Outcome", "case", "run"]
