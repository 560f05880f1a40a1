"""Adamax (Adam with an infinity norm), as ``torch.optim.Adamax``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_betas, check_common, grad_for_update


class Adamax(Optimizer):
    """Adamax with PyTorch's update rule: Adam's second moment replaced by a decaying running maximum of ``|g|``.

    With ``g`` the gradient (negated if ``maximize``, plus ``weight_decay * param``) and ``t`` the step count::

        m = beta1 * m + (1 - beta1) * g;  u = max(beta2 * u, |g| + eps)
        param -= lr / (1 - beta1**t) * m / u

    ``foreach`` is accepted for PyTorch compatibility and changes nothing.

    Example::

        opt = optim.Adamax(model.parameters(), lr=2e-3)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach}
        super().__init__(params, {**defaults, "maximize": maximize})

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_common(group, "lr", "eps")
        check_betas(group["betas"])
        check_common(group, "weight_decay")

    def _step_group(self, group: dict[str, Any]) -> None:
        params, states = self._stepped(
            group, lambda p: {"exp_avg": xp.zeros_like(p._data), "exp_inf": xp.zeros_like(p._data)}
        )
        beta1, beta2 = group["betas"]
        adamax(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["exp_avg"] for s in states],
            [s["exp_inf"] for s in states],
            [s["step"] for s in states],
            eps=group["eps"],
            beta1=beta1,
            beta2=beta2,
            lr=group["lr"],
            weight_decay=group["weight_decay"],
            maximize=group["maximize"],
        )


def adamax(
    params: list[ndarray],
    grads: list[ndarray],
    exp_avgs: list[ndarray],
    exp_infs: list[ndarray],
    state_steps: list[int],
    *,
    eps: float,
    beta1: float,
    beta2: float,
    lr: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """The Adamax update on arrays, in place on ``params``, ``exp_avgs`` and ``exp_infs``; steps count this one."""
    eps, beta1, beta2, lr = float(eps), float(beta1), float(beta2), float(lr)
    for param, grad, exp_avg, exp_inf, step in zip(params, grads, exp_avgs, exp_infs, state_steps):
        grad = grad_for_update(param, grad, float(weight_decay), maximize)
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_inf *= beta2
        bound = xp.abs(grad)
        bound += eps
        xp.maximum(exp_inf, bound, out=exp_inf)
        update = xp.divide(exp_avg, exp_inf, out=bound)
        update *= lr / (1 - beta1**step)
        param -= update
