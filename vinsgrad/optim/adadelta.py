"""Adadelta, as ``torch.optim.Adadelta``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_common, check_hyperparameter, grad_for_update


class Adadelta(Optimizer):
    """Adadelta with PyTorch's update rule (``eps`` inside both square roots, and an ``lr`` that scales the step).

    With ``g`` the gradient (negated if ``maximize``, plus ``weight_decay * param``)::

        v = rho * v + (1 - rho) * g * g;  delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta;  param -= lr * delta

    ``foreach`` is accepted for PyTorch compatibility and changes nothing.

    Example::

        opt = optim.Adadelta(model.parameters(), lr=1.0)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "foreach": foreach}
        super().__init__(params, {**defaults, "maximize": maximize})

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_common(group, "lr")
        check_hyperparameter("Invalid rho value", group["rho"], lambda v: 0 <= v <= 1, "0 <= rho <= 1")
        check_common(group, "eps", "weight_decay")

    def _step_group(self, group: dict[str, Any]) -> None:
        params, states = self._stepped(
            group, lambda p: {"square_avg": xp.zeros_like(p._data), "acc_delta": xp.zeros_like(p._data)}
        )
        adadelta(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["square_avg"] for s in states],
            [s["acc_delta"] for s in states],
            lr=group["lr"],
            rho=group["rho"],
            eps=group["eps"],
            weight_decay=group["weight_decay"],
            maximize=group["maximize"],
        )


def adadelta(
    params: list[ndarray],
    grads: list[ndarray],
    square_avgs: list[ndarray],
    acc_deltas: list[ndarray],
    *,
    lr: float,
    rho: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """The Adadelta update on arrays, in place on ``params`` and both running averages."""
    lr, rho, eps = float(lr), float(rho), float(eps)
    for param, grad, square_avg, acc_delta in zip(params, grads, square_avgs, acc_deltas):
        grad = grad_for_update(param, grad, float(weight_decay), maximize)
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps)
        delta /= xp.sqrt(square_avg + eps)
        delta *= grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        delta *= lr
        param -= delta
