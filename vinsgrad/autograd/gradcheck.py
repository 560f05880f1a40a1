"""``gradcheck``: compare the analytical Jacobian (backward) with central finite differences, in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from vinsgrad.autograd.backend import float64, xp
from vinsgrad.autograd.grad_mode import no_grad
from vinsgrad.autograd.tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` with the worst mismatch between backward and finite differences."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o.data.dtype.kind == "f"]


def numerical_jacobians(fn: Callable[..., Any], inputs: Sequence[Any], eps: float) -> list[list[Any]]:
    """``jac[i][j]``: d(output j)/d(input i) by central differences, shape (input.numel(), output.numel())."""
    with no_grad():
        n_out = [o.data.size for o in _outputs(fn, inputs)]
        jacobians: list[list[Any]] = []
        for t in inputs:
            if not (isinstance(t, Tensor) and t.requires_grad):
                jacobians.append([])
                continue
            flat = t.data.reshape(-1)  # a view: perturbing it perturbs the input
            jac = [xp.zeros((flat.size, n)) for n in n_out]
            for k in range(flat.size):
                orig = flat[k]
                flat[k] = orig + eps
                plus = [o.data.reshape(-1).copy() for o in _outputs(fn, inputs)]
                flat[k] = orig - eps
                minus = [o.data.reshape(-1).copy() for o in _outputs(fn, inputs)]
                flat[k] = orig
                for j, (p, m) in enumerate(zip(plus, minus)):
                    jac[j][k] = (p - m) / (2 * eps)
            jacobians.append(jac)
    return jacobians


def analytical_jacobians(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[list[Any]]:
    """The same Jacobians, one backward pass per output element (a one-hot ``gradient`` each time)."""
    grads_of = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    outs = _outputs(fn, inputs)
    jac = {id(t): [xp.zeros((t.data.size, o.data.size)) for o in outs] for t in grads_of}
    for j, out in enumerate(outs):
        for k in range(out.data.size):
            for t in grads_of:
                t.grad = None
            onehot = xp.zeros(out.data.size, dtype=out.data.dtype)
            onehot[k] = 1
            if out.requires_grad:
                out.backward(onehot.reshape(out.shape), retain_graph=True)
            for t in grads_of:
                if t.grad is not None:
                    jac[id(t)][j][:, k] = t.grad.data.reshape(-1)
    for t in grads_of:
        t.grad = None
    return [jac[id(t)] if isinstance(t, Tensor) and t.requires_grad else [] for t in inputs]


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
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.data.dtype != float64:
            raise ValueError(
                f"gradcheck: input {i} is {t.data.dtype}; finite differences need float64 "
                "(create it with dtype=vinsgrad.float64)"
            )
    numerical = numerical_jacobians(fn, inputs, eps)
    analytical = analytical_jacobians(fn, inputs)
    worst: tuple[float, str] | None = None
    for i, (num_i, ana_i) in enumerate(zip(numerical, analytical)):
        for j, (n, a) in enumerate(zip(num_i, ana_i)):
            excess = xp.abs(a - n) - (atol + rtol * xp.abs(n))
            if excess.size and excess.max() > 0:
                k, m = xp.unravel_index(int(excess.argmax()), excess.shape)
                err = float(abs(a[k, m] - n[k, m]))
                msg = (
                    f"Jacobian mismatch for output {j} with respect to input {i} at (input element {k}, "
                    f"output element {m}): numerical {n[k, m]:.6g}, analytical {a[k, m]:.6g}, "
                    f"abs error {err:.3g} > atol {atol} + rtol {rtol} * |numerical|"
                )
                if worst is None or err > worst[0]:
                    worst = (err, msg)
    if worst is not None:
        raise GradcheckError(worst[1])
    return True
