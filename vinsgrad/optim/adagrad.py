"""Adagrad, as ``torch.optim.Adagrad``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_common, check_hyperparameter, grad_for_update


class Adagrad(Optimizer):
    """Adagrad with PyTorch's update rule: each parameter's step shrinks with its summed squared gradients.

    With ``g`` the gradient (negated if ``maximize``, plus ``weight_decay * param``) and ``t`` the step count::

        clr = lr / (1 + (t - 1) * lr_decay);  sum += g * g;  param -= clr * g / (sqrt(sum) + eps)

    As in PyTorch the state (``step``, ``sum`` filled with ``initial_accumulator_value``) is created for every
    parameter when the optimizer is built. ``foreach`` is accepted for PyTorch compatibility and changes nothing.

    Example::

        opt = optim.Adagrad(model.parameters(), lr=1e-2)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_common(group, "lr")
        check_hyperparameter("Invalid lr_decay value", group["lr_decay"], lambda v: v >= 0, "lr_decay >= 0")
        check_common(group, "weight_decay")
        value = group["initial_accumulator_value"]
        check_hyperparameter("Invalid initial_accumulator_value value", value, lambda v: v >= 0, "a value >= 0")
        check_common(group, "eps")

    def _init_state(self, p: Any, group: dict[str, Any]) -> None:
        state = self.state[p]
        if not state:
            state["step"] = 0
            state["sum"] = xp.full_like(p._data, float(group["initial_accumulator_value"]))

    def _step_group(self, group: dict[str, Any]) -> None:
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            self._init_state(p, group)  # a group added after construction
            self.state[p]["step"] += 1
        states = [self.state[p] for p in params]
        adagrad(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["sum"] for s in states],
            [s["step"] for s in states],
            lr=group["lr"],
            weight_decay=group["weight_decay"],
            lr_decay=group["lr_decay"],
            eps=group["eps"],
            maximize=group["maximize"],
        )


def adagrad(
    params: list[ndarray],
    grads: list[ndarray],
    state_sums: list[ndarray],
    state_steps: list[int],
    *,
    lr: float,
    weight_decay: float,
    lr_decay: float,
    eps: float,
    maximize: bool,
) -> None:
    """The Adagrad update on arrays, in place on ``params`` and ``state_sums``; steps count this one."""
    for param, grad, state_sum, step in zip(params, grads, state_sums, state_steps):
        grad = grad_for_update(param, grad, float(weight_decay), maximize)
        clr = float(lr) / (1 + (step - 1) * float(lr_decay))
        state_sum += grad * grad
        std = xp.sqrt(state_sum)
        std += float(eps)
        update = xp.divide(grad, std, out=std)
        update *= clr
        param -= update
