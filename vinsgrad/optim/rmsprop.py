"""RMSprop (optionally centered, with momentum), as ``torch.optim.RMSprop``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_hyperparameter, grad_for_update


class RMSprop(Optimizer):
    """RMSprop with PyTorch's update rule (``eps`` is added outside the square root).

    With ``g`` the gradient (negated if ``maximize``, plus ``weight_decay * param``)::

        v = alpha * v + (1 - alpha) * g * g;  avg = sqrt(v - mean_g**2 if centered else v) + eps
        b = momentum * b + g / avg;  param -= lr * b        (param -= lr * g / avg without momentum)

    where ``mean_g = alpha * mean_g + (1 - alpha) * g`` is kept only when ``centered``. ``foreach`` is accepted for
    PyTorch compatibility and changes nothing.

    Example::

        opt = optim.RMSprop(model.parameters(), lr=1e-2)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_hyperparameter("Invalid learning rate", group["lr"], lambda v: v >= 0, "lr >= 0")
        check_hyperparameter("Invalid epsilon value", group["eps"], lambda v: v >= 0, "eps >= 0")
        check_hyperparameter("Invalid momentum value", group["momentum"], lambda v: v >= 0, "momentum >= 0")
        check_hyperparameter("Invalid weight_decay value", group["weight_decay"], lambda v: v >= 0, "weight_decay >= 0")
        check_hyperparameter("Invalid alpha value", group["alpha"], lambda v: v >= 0, "alpha >= 0")

    def _step_group(self, group: dict[str, Any]) -> None:
        def init(p: Any) -> dict[str, Any]:
            state: dict[str, Any] = {}
            state["square_avg"] = xp.zeros_like(p._data)
            if group["momentum"] > 0:
                state["momentum_buffer"] = xp.zeros_like(p._data)
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(p._data)
            return state

        params, states = self._stepped(group, init)
        rmsprop(
            [p._data for p in params],
            [p.grad._data for p in params],
            [s["square_avg"] for s in states],
            [s["grad_avg"] for s in states] if group["centered"] else [],
            [s["momentum_buffer"] for s in states] if group["momentum"] > 0 else [],
            lr=group["lr"],
            alpha=group["alpha"],
            eps=group["eps"],
            weight_decay=group["weight_decay"],
            momentum=group["momentum"],
            centered=group["centered"],
            maximize=group["maximize"],
        )


def rmsprop(
    params: list[ndarray],
    grads: list[ndarray],
    square_avgs: list[ndarray],
    grad_avgs: list[ndarray],
    momentum_buffer_list: list[ndarray],
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    centered: bool,
    maximize: bool,
) -> None:
    """The RMSprop update on arrays, in place on ``params`` and the running averages."""
    lr, alpha, eps, momentum = float(lr), float(alpha), float(eps), float(momentum)
    for i, (param, grad, square_avg) in enumerate(zip(params, grads, square_avgs)):
        grad = grad_for_update(param, grad, float(weight_decay), maximize)
        avg = xp.multiply(grad, grad)  # the one scratch array, reused below
        avg *= 1 - alpha
        square_avg *= alpha
        square_avg += avg
        if centered:
            grad_avg = grad_avgs[i]
            delta = xp.subtract(grad, grad_avg, out=avg)
            delta *= 1 - alpha
            grad_avg += delta  # grad_avg.lerp_(g, 1 - alpha)
            avg = xp.multiply(grad_avg, grad_avg, out=avg)
            avg = xp.sqrt(xp.subtract(square_avg, avg, out=avg), out=avg)
        else:
            avg = xp.sqrt(square_avg, out=avg)
        avg += eps
        update = xp.divide(grad, avg, out=avg)
        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf *= momentum
            buf += update
            update = xp.multiply(buf, lr, out=update)
        else:
            update *= lr
        param -= update
