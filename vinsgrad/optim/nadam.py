"""NAdam (Adam with Nesterov momentum), as ``torch.optim.NAdam``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    check_betas,
    check_common,
    check_hyperparameter,
    grad_for_update,
)


class NAdam(Optimizer):
    """NAdam with PyTorch's update rule (Dozat's momentum schedule ``mu_t``, and its running product).

    With ``g`` the gradient (negated if ``maximize``; plus ``weight_decay * param``, or ``param *= 1 - lr *
    weight_decay`` first when ``decoupled_weight_decay``) and ``t`` the step count::

        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay));  prod_t = mu_1 * ... * mu_t
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2**t)) + eps
        param -= lr * ((1 - mu_t) / (1 - prod_t) * g + mu_{t+1} / (1 - prod_t * mu_{t+1}) * m) / denom

    ``foreach`` is accepted for PyTorch compatibility and changes nothing.

    Example::

        opt = optim.NAdam(model.parameters(), lr=2e-3)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_common(group, "lr", "eps")
        check_betas(group["betas"])
        check_common(group, "weight_decay")
        decay = group["momentum_decay"]
        check_hyperparameter("Invalid momentum_decay value", decay, lambda v: v >= 0, "momentum_decay >= 0")

    def _step_group(self, group: dict[str, Any]) -> None:
        params, states = self._stepped(
            group,
            lambda p: {"mu_product": 1.0, "exp_avg": xp.zeros_like(p._data), "exp_avg_sq": xp.zeros_like(p._data)},
        )
        beta1, beta2 = group["betas"]
        mu_products = nadam(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["exp_avg"] for s in states],
            [s["exp_avg_sq"] for s in states],
            [s["mu_product"] for s in states],
            [s["step"] for s in states],
            beta1=beta1,
            beta2=beta2,
            lr=group["lr"],
            weight_decay=group["weight_decay"],
            momentum_decay=group["momentum_decay"],
            eps=group["eps"],
            decoupled_weight_decay=group["decoupled_weight_decay"],
            maximize=group["maximize"],
        )
        for state, mu_product in zip(states, mu_products):
            state["mu_product"] = mu_product


def nadam(
    params: list[ndarray],
    grads: list[ndarray],
    exp_avgs: list[ndarray],
    exp_avg_sqs: list[ndarray],
    mu_products: list[float],
    state_steps: list[int],
    *,
    beta1: float,
    beta2: float,
    lr: float,
    weight_decay: float,
    momentum_decay: float,
    eps: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> list[float]:
    """The NAdam update on arrays, in place on ``params`` and the moments; returns the new ``mu_product``s
    (Python floats, so they cannot be updated in place). Steps count this one."""
    beta1, beta2, lr, eps, weight_decay = float(beta1), float(beta2), float(lr), float(eps), float(weight_decay)
    new_products = []
    for i, (param, grad, exp_avg, exp_avg_sq) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs)):
        step = state_steps[i]
        if decoupled_weight_decay:
            if weight_decay != 0:
                param *= 1 - lr * weight_decay
            grad = xp.negative(grad) if maximize else grad
        else:
            grad = grad_for_update(param, grad, weight_decay, maximize)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * float(momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * float(momentum_decay)))
        mu_product = float(mu_products[i]) * mu
        new_products.append(mu_product)
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denom = xp.sqrt(exp_avg_sq / (1 - beta2**step))
        denom += eps
        param -= (lr * (1 - mu) / (1 - mu_product)) * grad / denom
        param -= (lr * mu_next / (1 - mu_product * mu_next)) * exp_avg / denom
    return new_products
