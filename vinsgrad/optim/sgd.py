"""Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov), as ``torch.optim.SGD``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.ops._utils import CACHE_BLOCK, cache_blocks
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_hyperparameter, grad_for_update


class SGD(Optimizer):
    """Stochastic gradient descent with PyTorch's update rule.

    With ``g = grad + weight_decay * param`` (negated first if ``maximize``), the momentum buffer is ``b = g`` on
    the first step and ``b = momentum * b + (1 - dampening) * g`` after; the step is ``param -= lr * d`` with
    ``d = g + momentum * b`` (Nesterov), ``d = b`` (momentum) or ``d = g``. ``foreach`` is accepted for PyTorch
    compatibility and changes nothing.

    Example::

        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_hyperparameter("Invalid learning rate", group["lr"], lambda v: v >= 0, "lr >= 0")
        check_hyperparameter("Invalid momentum value", group["momentum"], lambda v: v >= 0, "momentum >= 0")
        check_hyperparameter("Invalid dampening value", group["dampening"], lambda v: True, "a number")
        check_hyperparameter("Invalid weight_decay value", group["weight_decay"], lambda v: v >= 0, "weight_decay >= 0")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening "
                f"(got momentum={group['momentum']}, dampening={group['dampening']})"
            )

    def _step_group(self, group: dict[str, Any]) -> None:
        params = [p for p in group["params"] if p.grad is not None]
        momentum = group["momentum"]
        buffers = [self.state[p].get("momentum_buffer") for p in params] if momentum != 0 else []
        sgd(
            [p._data for p in params],
            [p.grad._data for p in params],
            buffers,
            lr=group["lr"],
            momentum=momentum,
            dampening=group["dampening"],
            weight_decay=group["weight_decay"],
            nesterov=group["nesterov"],
            maximize=group["maximize"],
        )
        for p, buf in zip(params, buffers):
            self.state[p]["momentum_buffer"] = buf


def sgd(
    params: list[ndarray],
    grads: list[ndarray],
    momentum_buffer_list: list[ndarray | None],
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
) -> None:
    """The SGD update on arrays, in place on ``params``; ``momentum_buffer_list`` (one entry per parameter when
    ``momentum != 0``, None for a parameter's first step) is updated in place, new buffers are stored in it."""
    lr, momentum, dampening = float(lr), float(momentum), float(dampening)  # NOTE: Python floats keep float32
    for i, (param, grad) in enumerate(zip(params, grads)):
        d_p = grad_for_update(param, grad, float(weight_decay), maximize)
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = momentum_buffer_list[i] = d_p.copy()
            else:
                buf *= momentum
                buf += d_p if dampening == 0 else (1 - dampening) * d_p
            if nesterov:
                step = xp.multiply(buf, momentum)
                d_p = xp.add(step, d_p, out=step)
            else:
                d_p = buf
        if param.size < 4 * CACHE_BLOCK:  # below four blocks the arrays stay in cache anyway
            param -= lr * d_p
        else:
            _subtract_scaled_blocks(param, d_p, lr)


def _subtract_scaled_blocks(param: ndarray, update: ndarray, lr: float) -> None:
    """``param -= lr * update`` on a large array, a cache-sized block at a time, with the same values.

    The product ``lr * update`` then stays in cache instead of making one more trip to memory and back. Measured on
    1M float32 elements: 0.66 ms at once, 0.43 ms blocked (the SGD step of a 784-1024-1024-10 MLP: 1.3 ms to
    1.0 ms). Below four blocks the loop only costs (100K elements: 23 us at once, 29 us blocked)."""
    if not (param.flags.c_contiguous and update.flags.c_contiguous):
        param -= lr * update
        return
    flat_param, flat_update = param.reshape(-1), update.reshape(-1)
    scaled = xp.empty(CACHE_BLOCK, dtype=update.dtype)
    for block in cache_blocks(param.size):
        product = xp.multiply(flat_update[block], lr, out=scaled[: block.stop - block.start])
        xp.subtract(flat_param[block], product, out=flat_param[block])
