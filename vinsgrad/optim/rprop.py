"""Resilient backpropagation, as ``torch.optim.Rprop``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_common


class Rprop(Optimizer):
    """Rprop with PyTorch's update rule: each element moves by its own step size in the direction of ``-sign(g)``;
    the step grows by ``etaplus`` while the gradient keeps its sign and shrinks by ``etaminus`` when it flips.

    With ``g`` the gradient (negated if ``maximize``) and ``s`` the step sizes (starting at ``lr``)::

        where g * g_prev > 0: s = min(s * etaplus, step_size_max)
        where g * g_prev < 0: s = max(s * etaminus, step_size_min) and g = 0 (no move, and no flip next time)
        param -= sign(g) * s;  g_prev = g

    ``foreach`` is accepted for PyTorch compatibility and changes nothing.

    Example::

        opt = optim.Rprop(model.parameters(), lr=1e-2)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_common(group, "lr")
        for name in ("etas", "step_sizes"):
            if not isinstance(group[name], tuple | list) or len(group[name]) != 2:
                raise ValueError(f"{name} must be a pair of numbers, got {group[name]!r}")
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Invalid eta values: {etaminus}, {etaplus} (expected 0 < etaminus < 1 < etaplus)")

    def _step_group(self, group: dict[str, Any]) -> None:
        params, states = self._stepped(
            group, lambda p: {"prev": xp.zeros_like(p._data), "step_size": xp.full_like(p._data, float(group["lr"]))}
        )
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        rprop(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["prev"] for s in states],
            [s["step_size"] for s in states],
            step_size_min=step_size_min,
            step_size_max=step_size_max,
            etaminus=etaminus,
            etaplus=etaplus,
            maximize=group["maximize"],
        )


def rprop(
    params: list[ndarray],
    grads: list[ndarray],
    prevs: list[ndarray],
    step_sizes: list[ndarray],
    *,
    step_size_min: float,
    step_size_max: float,
    etaminus: float,
    etaplus: float,
    maximize: bool,
) -> None:
    """The Rprop update on arrays, in place on ``params``, ``prevs`` and ``step_sizes``."""
    for param, grad, prev, step_size in zip(params, grads, prevs, step_sizes):
        grad = xp.negative(grad) if maximize else grad.copy()
        agreement = xp.sign(grad * prev)
        factor = xp.where(agreement > 0, float(etaplus), xp.where(agreement < 0, float(etaminus), 1.0))
        step_size *= factor.astype(step_size.dtype, copy=False)
        xp.clip(step_size, float(step_size_min), float(step_size_max), out=step_size)
        grad[agreement < 0] = 0
        param -= xp.sign(grad) * step_size
        prev[...] = grad
