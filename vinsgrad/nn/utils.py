"""Gradient utilities (``clip_grad_norm_``, ``clip_grad_value_``, in place on ``.grad``) and the flat-vector view
of parameters (``parameters_to_vector``, ``vector_to_parameters``)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.functions import cat


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale all gradients together so their total ``norm_type``-norm is at most ``max_norm``.

    The total norm is that of the per-parameter norms (as if all gradients were one vector); gradients are
    multiplied in place by ``min(1, max_norm / (total + 1e-6))``. Returns the total norm before clipping.
    ``foreach`` is accepted for PyTorch compatibility (there is one implementation).

    Example::

        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return Tensor(xp.zeros((), dtype=xp.float32))
    dtype = grads[0]._data.dtype
    if norm_type == math.inf:
        norms = [xp.abs(g._data).max() if g._data.size else dtype.type(0) for g in grads]
        total = xp.max(norms).astype(dtype)
    else:
        norms = [xp.linalg.norm(g._data.reshape(-1), norm_type) for g in grads]
        total = xp.linalg.norm(xp.asarray(norms, dtype=dtype), norm_type)
    if error_if_nonfinite and not xp.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    coef = min(max_norm / (float(total) + 1e-6), 1.0)
    for g in grads:
        g._data *= coef  # NOTE: in place, so optimizers see the clipped gradient
    return Tensor(xp.asarray(total, dtype=dtype))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element to ``[-clip_value, clip_value]`` in place (``foreach`` as in clip_grad_norm_)."""
    for g in _grads(parameters):
        xp.clip(g._data, -clip_value, clip_value, out=g._data)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable, as PyTorch's).

    Example::

        vec = nn.utils.parameters_to_vector(model.parameters())  # shape (number of weights,)
    """
    params = _tensors(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters' values, in place (no graph is recorded)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, but got {type(vec).__name__}")
    params = _tensors(parameters, "vector_to_parameters")
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise ValueError(
            f"vector_to_parameters: vec must be 1-D with one element per parameter value ({total}), got shape "
            f"{tuple(vec.shape)}"
        )
    start = 0
    for p in params:
        n = p.numel()
        p._data[...] = vec._data[start : start + n].reshape(p.shape)
        start += n


def _tensors(parameters: Iterable[Tensor], name: str) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{name}: expected an iterable of Tensors, got an element of type {type(p).__name__}")
    return params
