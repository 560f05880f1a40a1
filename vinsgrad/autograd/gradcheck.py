"""``gradcheck``: compare the analytical Jacobian (backward) with central finite differences, in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vinsgrad.autograd.backend import float64, xp
from vinsgrad.autograd.grad_mode import enable_grad, no_grad
from vinsgrad.autograd.tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` with the worst mismatch between backward and finite differences."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o._data.dtype.kind == "f"]


def _checked(inputs: Sequence[Any]) -> list[Tensor]:
    return [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]


def numerical_jacobians(fn: Callable[..., Any], inputs: Sequence[Any], eps: float) -> list[list[Any]]:
    """``jac[i][j]``: d(output j)/d(input i) by central differences, shape (input.numel(), output.numel())."""
    with no_grad():
        n_out = [o._data.size for o in _outputs(fn, inputs)]
        jacobians: list[list[Any]] = []
        for t in inputs:
            if not (isinstance(t, Tensor) and t.requires_grad):
                jacobians.append([])
                continue
            jac = [xp.zeros((t._data.size, n)) for n in n_out]
            for k in range(t._data.size):
                idx = xp.unravel_index(k, t._data.shape)  # NOTE: indexes any strides; a reshape(-1) might copy
                orig = t._data[idx]
                t._data[idx] = orig + eps
                plus = [o._data.reshape(-1).copy() for o in _outputs(fn, inputs)]
                t._data[idx] = orig - eps
                minus = [o._data.reshape(-1).copy() for o in _outputs(fn, inputs)]
                t._data[idx] = orig
                for j, (p, m) in enumerate(zip(plus, minus)):
                    jac[j][k] = (p - m) / (2 * eps)
            jacobians.append(jac)
    return jacobians


def analytical_jacobians(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[list[Any]]:
    """The same Jacobians, one backward pass per output element (a one-hot ``gradient`` each time).

    The inputs' ``.grad`` is left as it was found."""
    grads_of = _checked(inputs)
    kept = [t.grad for t in grads_of]
    with enable_grad():
        outs = _outputs(fn, inputs)
    jac = {id(t): [xp.zeros((t._data.size, o._data.size)) for o in outs] for t in grads_of}
    try:
        for j, out in enumerate(outs):
            for k in range(out._data.size):
                for t in grads_of:
                    t.grad = None
                onehot = xp.zeros(out._data.size, dtype=out._data.dtype)
                onehot[k] = 1
                if out.requires_grad:
                    out.backward(onehot.reshape(out.shape), retain_graph=True)
                for t in grads_of:
                    if t.grad is not None:
                        jac[id(t)][j][:, k] = t.grad._data.reshape(-1)
    finally:
        for t, g in zip(grads_of, kept):
            t.grad = g
    return [jac[id(t)] if isinstance(t, Tensor) and t.requires_grad else [] for t in inputs]


@dataclass
class JacobianComparison:
    """How far the analytical Jacobians are from the numerical ones.

    ``max_rel_err`` divides each error by ``max(|numerical|, atol)``, so entries near zero count absolutely.
    ``worst`` describes the element that exceeds ``atol + rtol * |numerical|`` by the most (None if none does).
    """

    max_abs_err: float
    max_rel_err: float
    worst: str | None


def compare_jacobians(
    numerical: list[list[Any]], analytical: list[list[Any]], atol: float, rtol: float
) -> JacobianComparison:
    """Compare the results of ``numerical_jacobians`` and ``analytical_jacobians`` element by element."""
    max_abs = max_rel = 0.0
    worst: tuple[float, str] | None = None
    for i, (num_i, ana_i) in enumerate(zip(numerical, analytical)):
        for j, (n, a) in enumerate(zip(num_i, ana_i)):
            if not n.size:
                continue
            # NOTE: a nan or inf on either side is an infinite error, never a match.
            finite = xp.isfinite(a) & xp.isfinite(n)
            err = xp.where(finite, xp.abs(xp.where(finite, a - n, 0.0)), xp.inf)
            scale = xp.where(finite, xp.abs(n), 0.0)
            max_abs = max(max_abs, float(err.max()))
            max_rel = max(max_rel, float((err / xp.maximum(scale, atol)).max()))
            excess = err - (atol + rtol * scale)
            if excess.max() > 0:
                k, m = xp.unravel_index(int(excess.argmax()), excess.shape)
                msg = (
                    f"Jacobian mismatch for output {j} with respect to input {i} at (input element {k}, "
                    f"output element {m}): numerical {n[k, m]:.6g}, analytical {a[k, m]:.6g}, "
                    f"abs error {err[k, m]:.3g} > atol {atol} + rtol {rtol} * |numerical|"
                )
                if worst is None or excess[k, m] > worst[0]:
                    worst = (float(excess[k, m]), msg)
    return JacobianComparison(max_abs, max_rel, None if worst is None else worst[1])


def check_inputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> None:
    """Raise ``ValueError`` unless there is something to check, in float64."""
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t._data.dtype != float64:
            raise ValueError(
                f"gradcheck: input {i} is {t._data.dtype}; finite differences need float64 "
                "(create it with dtype=vinsgrad.float64)"
            )
    if not _checked(inputs):
        raise ValueError("gradcheck: no input requires grad; create the inputs to check with requires_grad=True")
    with no_grad():
        if not _outputs(fn, inputs):
            raise ValueError("gradcheck: fn returned no floating-point Tensor to differentiate")


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check ``fn``'s gradients against finite differences; True, or ``GradcheckError`` naming the worst element.

    Args:
        fn: takes ``*inputs`` and returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of them (and other values); those with ``requires_grad`` are checked and
            must be float64.

    Example::

        x = vinsgrad.randn(3, 4, dtype=vinsgrad.float64, requires_grad=True)
        gradcheck(lambda t: (t * t).sum(dim=1), (x,))
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    check_inputs(fn, inputs)
    result = compare_jacobians(numerical_jacobians(fn, inputs, eps), analytical_jacobians(fn, inputs), atol, rtol)
    if result.worst is not None:
        raise GradcheckError(result.worst)
    return True
