"""Adam and AdamW (Adam with decoupled weight decay), as ``torch.optim.Adam`` and ``torch.optim.AdamW``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_betas, check_hyperparameter, grad_for_update


class Adam(Optimizer):
    """Adam with PyTorch's update rule (bias-corrected moments; ``amsgrad`` keeps the running max of ``v``).

    With ``g`` the gradient (negated if ``maximize``; plus ``weight_decay * param`` unless the decay is decoupled,
    in which case ``param *= 1 - lr * weight_decay`` first) and ``t`` the step count::

        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        param -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    ``foreach`` is accepted for PyTorch compatibility and changes nothing.

    Example::

        opt = optim.Adam(model.parameters(), lr=1e-3)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "foreach": foreach,
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_hyperparameter("Invalid learning rate", group["lr"], lambda v: v >= 0, "lr >= 0")
        check_hyperparameter("Invalid epsilon value", group["eps"], lambda v: v >= 0, "eps >= 0")
        check_betas(group["betas"])
        check_hyperparameter("Invalid weight_decay value", group["weight_decay"], lambda v: v >= 0, "weight_decay >= 0")

    def _step_group(self, group: dict[str, Any]) -> None:
        def init(p: Any) -> dict[str, Any]:
            state: dict[str, Any] = {}
            state["exp_avg"] = xp.zeros_like(p._data)
            state["exp_avg_sq"] = xp.zeros_like(p._data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(p._data)
            return state

        params, states = self._stepped(group, init)
        beta1, beta2 = group["betas"]
        adam(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["exp_avg"] for s in states],
            [s["exp_avg_sq"] for s in states],
            [s["max_exp_avg_sq"] for s in states] if group["amsgrad"] else [],
            [s["step"] for s in states],
            amsgrad=group["amsgrad"],
            beta1=beta1,
            beta2=beta2,
            lr=group["lr"],
            weight_decay=group["weight_decay"],
            eps=group["eps"],
            maximize=group["maximize"],
            decoupled_weight_decay=group["decoupled_weight_decay"],
        )


class AdamW(Adam):
    """Adam with decoupled weight decay (``param *= 1 - lr * weight_decay`` before the Adam step), default 1e-2.

    Example::

        opt = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            decoupled_weight_decay=True,
        )


def adam(
    params: list[ndarray],
    grads: list[ndarray],
    exp_avgs: list[ndarray],
    exp_avg_sqs: list[ndarray],
    max_exp_avg_sqs: list[ndarray],
    state_steps: list[int],
    *,
    amsgrad: bool,
    beta1: float,
    beta2: float,
    lr: float,
    weight_decay: float,
    eps: float,
    maximize: bool,
    decoupled_weight_decay: bool = False,
) -> None:
    """The Adam update on arrays, in place on ``params`` and the moment buffers.

    ``state_steps`` holds each parameter's step number counting this one (1 on the first step).
    """
    lr, beta1, beta2, eps, weight_decay = float(lr), float(beta1), float(beta2), float(eps), float(weight_decay)
    for i, (param, grad, exp_avg, exp_avg_sq) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs)):
        if decoupled_weight_decay:
            if weight_decay != 0:
                param *= 1 - lr * weight_decay
            grad = xp.negative(grad) if maximize else grad
        else:
            grad = grad_for_update(param, grad, weight_decay, maximize)
        tmp = xp.subtract(grad, exp_avg)  # the one scratch array, reused below
        tmp *= 1 - beta1
        exp_avg += tmp  # m.lerp_(g, 1 - beta1)
        exp_avg_sq *= beta2
        tmp = xp.multiply(grad, grad, out=tmp)
        tmp *= 1 - beta2
        exp_avg_sq += tmp
        step = state_steps[i]
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        if amsgrad:
            xp.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
        denom = xp.sqrt(max_exp_avg_sqs[i] if amsgrad else exp_avg_sq, out=tmp)
        denom /= bias_correction2_sqrt
        denom += eps
        update = xp.divide(exp_avg, denom, out=tmp)
        update *= step_size
        param -= update
