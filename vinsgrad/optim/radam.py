"""RAdam (rectified Adam), as ``torch.optim.RAdam``."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_betas, check_common, grad_for_update


class RAdam(Optimizer):
    """RAdam with PyTorch's update rule: plain momentum SGD while the variance estimate is unreliable
    (``rho_t <= 5``), then Adam with a rectification factor.

    With ``g`` the gradient (negated if ``maximize``; plus ``weight_decay * param``, or ``param *= 1 - lr *
    weight_decay`` first when ``decoupled_weight_decay``) and ``t`` the step count::

        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g;  m_hat = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t > 5:
            r = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            param -= lr * m_hat * r * sqrt(1 - beta2**t) / (sqrt(v) + eps)
        else:
            param -= lr * m_hat

    ``foreach`` is accepted for PyTorch compatibility and changes nothing.

    Example::

        opt = optim.RAdam(model.parameters(), lr=1e-3)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_common(group, "lr", "eps")
        check_betas(group["betas"])
        check_common(group, "weight_decay")

    def _step_group(self, group: dict[str, Any]) -> None:
        params, states = self._stepped(
            group, lambda p: {"exp_avg": xp.zeros_like(p._data), "exp_avg_sq": xp.zeros_like(p._data)}
        )
        beta1, beta2 = group["betas"]
        radam(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["exp_avg"] for s in states],
            [s["exp_avg_sq"] for s in states],
            [s["step"] for s in states],
            beta1=beta1,
            beta2=beta2,
            lr=group["lr"],
            weight_decay=group["weight_decay"],
            eps=group["eps"],
            decoupled_weight_decay=group["decoupled_weight_decay"],
            maximize=group["maximize"],
        )


def radam(
    params: list[ndarray],
    grads: list[ndarray],
    exp_avgs: list[ndarray],
    exp_avg_sqs: list[ndarray],
    state_steps: list[int],
    *,
    beta1: float,
    beta2: float,
    lr: float,
    weight_decay: float,
    eps: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """The RAdam update on arrays, in place on ``params`` and the moments; steps count this one."""
    beta1, beta2, lr, eps, weight_decay = float(beta1), float(beta2), float(lr), float(eps), float(weight_decay)
    rho_inf = 2 / (1 - beta2) - 1
    for param, grad, exp_avg, exp_avg_sq, step in zip(params, grads, exp_avgs, exp_avg_sqs, state_steps):
        if decoupled_weight_decay:
            if weight_decay != 0:
                param *= 1 - lr * weight_decay
            grad = xp.negative(grad) if maximize else grad
        else:
            grad = grad_for_update(param, grad, weight_decay, maximize)
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            denom = xp.sqrt(exp_avg_sq)
            denom += eps
            param -= (lr * rect * math.sqrt(bias_correction2) / bias_correction1) * exp_avg / denom
        else:
            param -= (lr / bias_correction1) * exp_avg
