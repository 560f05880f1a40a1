"""Averaged stochastic gradient descent, as ``torch.optim.ASGD``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_common, grad_for_update


class ASGD(Optimizer):
    """Averaged SGD with PyTorch's update rule: SGD with a decaying step, plus a running average ``ax`` of the
    iterates (the averaged solution; the parameters themselves follow plain decayed SGD).

    With ``g`` the gradient (negated if ``maximize``, plus ``weight_decay * param``) and ``t`` the step count,
    ``eta`` and ``mu`` start at ``lr`` and 1::

        param *= 1 - lambd * eta;  param -= eta * g
        ax += mu * (param - ax)          (ax = param while mu == 1)
        eta = lr / (1 + lambd * lr * t) ** alpha;  mu = 1 / max(1, t - t0)

    ``foreach`` is accepted for PyTorch compatibility and changes nothing.

    Example::

        opt = optim.ASGD(model.parameters(), lr=1e-2)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_common(group, "lr", "weight_decay")

    def _step_group(self, group: dict[str, Any]) -> None:
        params, states = self._stepped(
            group, lambda p: {"eta": float(group["lr"]), "mu": 1.0, "ax": xp.zeros_like(p._data)}
        )
        etas, mus = asgd(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["ax"] for s in states],
            [s["eta"] for s in states],
            [s["mu"] for s in states],
            [s["step"] for s in states],
            lambd=group["lambd"],
            lr=group["lr"],
            t0=group["t0"],
            alpha=group["alpha"],
            weight_decay=group["weight_decay"],
            maximize=group["maximize"],
        )
        for state, eta, mu in zip(states, etas, mus):
            state["eta"], state["mu"] = eta, mu


def asgd(
    params: list[ndarray],
    grads: list[ndarray],
    axs: list[ndarray],
    etas: list[float],
    mus: list[float],
    state_steps: list[int],
    *,
    lambd: float,
    lr: float,
    t0: float,
    alpha: float,
    weight_decay: float,
    maximize: bool,
) -> tuple[list[float], list[float]]:
    """The ASGD update on arrays, in place on ``params`` and ``axs``; returns the next ``eta``s and ``mu``s
    (Python floats). Steps count this one."""
    lambd, lr, t0, alpha = float(lambd), float(lr), float(t0), float(alpha)
    new_etas, new_mus = [], []
    for param, grad, ax, eta, mu, step in zip(params, grads, axs, etas, mus, state_steps):
        grad = grad_for_update(param, grad, float(weight_decay), maximize)
        eta, mu = float(eta), float(mu)
        param *= 1 - lambd * eta
        param -= eta * grad
        if mu != 1:
            ax += mu * (param - ax)
        else:
            ax[...] = param
        new_etas.append(lr / (1 + lambd * lr * step) ** alpha)
        new_mus.append(1 / max(1, step - t0))
    return new_etas, new_mus
