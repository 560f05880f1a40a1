"""``Optimizer``: the base class that holds parameter groups and per-parameter state, as in PyTorch.

A subclass validates its hyper-parameters in ``_validate_group`` and updates one group in ``_step_group``,
which gathers the arrays and calls a pure function (``sgd``, ``adam``, ...) that does the arithmetic in place
on ``p._data``. ``state_dict()`` holds only NumPy arrays and plain Python values, so it saves without pickle.
"""

from __future__ import annotations

import numbers
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from vinsgrad.autograd import grad_mode
from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, or of dicts (parameter groups) each with a ``"params"`` entry and any
            hyper-parameters that differ from ``defaults`` for that group.
        defaults: the hyper-parameters every group gets unless it sets its own.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got a "
                "Tensor (wrap it in a list: [param])"
            )
        self._validate_group(defaults)
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._opt_called = False  # read by lr schedulers, to warn when they step before the optimizer
        param_groups: list[Any] = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list (did the model register any Parameters?)")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join([*lines, ")"])

    # **** parameter groups ****

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (a dict with ``"params"``) with its own hyper-parameters, e.g. when unfreezing
        layers during fine-tuning. Keys it leaves out take the optimizer's defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"param_group must have a 'params' entry, got keys {sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in "
                "sets will change between runs. Please use a list instead."
            )
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                hint = " (pass model.parameters(), not named_parameters())" if isinstance(p, tuple) else ""
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}{hint}"
                )
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor (optimize the leaf it was computed from)")
        group = {**self.defaults, **param_group, "params": params}
        self._validate_group(group)
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters", UserWarning, stacklevel=2)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _validate_group(self, group: dict[str, Any]) -> None:
        """Raise if a group's hyper-parameters are invalid (subclasses check theirs, with PyTorch's messages)."""

    # **** step ****

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter: to None (the default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None or p.grad.requires_grad:
                        p.grad = p.grad.detach()
                    p.grad._data.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; parameters whose ``.grad`` is None are skipped.

        Args:
            closure: optional function that re-evaluates the model and returns the loss (run with grad enabled).
        """
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        self._opt_called = True
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _step_group(group)")

    def _stepped(
        self, group: dict[str, Any], init: Callable[[Tensor], dict[str, Any]]
    ) -> tuple[list[Any], list[dict[str, Any]]]:
        """The group's parameters that have a gradient, and their states with this step counted.

        A state is created on the parameter's first step, as PyTorch does lazily: ``step`` 0, then ``init(p)``.
        """
        params = [p for p in group["params"] if p.grad is not None]
        states = [self.state[p] for p in params]
        for p, state in zip(params, states):
            if not state:
                state["step"] = 0
                state.update(init(p))
            state["step"] += 1
        return params, states

    # **** state_dict ****

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``.

        Parameters are numbered in order across groups. Arrays are copies, so the dict stays a snapshot while
        training goes on.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            groups.append(
                {**{k: v for k, v in group.items() if k != "params"}, "params": [index[id(p)] for p in group["params"]]}
            )
        state = {index[id(p)]: _snapshot(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()``: hyper-parameters of each group and state of each parameter, matched by order.

        Arrays are copied and cast to their parameter's dtype; state keys may also be strings (``"0"``).
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError(
                "load_state_dict expects the dict returned by state_dict(), with 'state' and 'param_groups'"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups: {len(saved_groups)}, "
                f"this optimizer has {len(self.param_groups)}"
            )
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group that doesn't match the size of optimizer's group: "
                    f"group {i} has {len(saved['params'])} parameters there and {len(group['params'])} here"
                )
        params = {int(k): p for g, s in zip(self.param_groups, saved_groups) for k, p in zip(s["params"], g["params"])}
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if int(key) not in params:
                raise ValueError(f"loaded state dict has state for parameter {key}, which is in no parameter group")
            p = params[int(key)]
            state[p] = {name: self._load_state_value(p, int(key), name, v) for name, v in value.items()}
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new_group = {
                **self.defaults,
                **{k: v for k, v in saved.items() if k != "params"},
                "params": group["params"],
            }
            self._validate_group(new_group)
            new_groups.append(new_group)
        self.state, self.param_groups = state, new_groups

    def _load_state_value(self, p: Tensor, index: int, name: str, value: Any) -> Any:
        """A copy of one loaded state entry (optimizers whose state is not shaped like the parameter override it)."""
        return _cast_state(p, index, name, value)


def _snapshot(value: Any) -> Any:
    """A copy of a state entry that later steps cannot change: arrays copied, lists (of arrays) copied through."""
    if isinstance(value, ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return value


def _cast_state(p: Tensor, index: int, name: str, value: Any) -> Any:
    """A copy of one loaded state entry: arrays in the parameter's dtype and shape, ``step`` as an int."""
    if name == "step":
        return int(value)
    if not isinstance(value, ndarray | list):
        return value
    arr = xp.array(value, dtype=p._data.dtype if p._data.dtype.kind == "f" else None)
    if arr.shape != p._data.shape:
        raise ValueError(
            f"loaded state for parameter {index} ({name!r}) has shape {arr.shape}, but the parameter has shape "
            f"{p._data.shape}: was the state dict saved from a different model?"
        )
    return arr


def check_hyperparameter(message: str, value: Any, valid: Callable[[Any], bool], expected: str) -> None:
    """Raise ``ValueError("{message}: {value} (expected {expected})")`` unless ``valid(value)``; the prefix is
    PyTorch's (``Invalid learning rate: -0.1``). A value that is not a number (say ``"1e-3"``, which YAML reads
    as a string) is a ``TypeError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{message}: {value!r} is a {type(value).__name__}, expected a number ({expected})")
    if not valid(value):
        raise ValueError(f"{message}: {value} (expected {expected})")


def check_betas(betas: Any) -> None:
    """Check a ``(beta1, beta2)`` pair, each in [0, 1), with PyTorch's messages."""
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        check_hyperparameter(f"Invalid beta parameter at index {i}", beta, lambda v: 0 <= v < 1, "0 <= beta < 1")


def check_common(group: dict[str, Any], *names: str) -> None:
    """Check the usual non-negative hyper-parameters a group has, among lr, eps and weight_decay."""
    for name in names:
        check_hyperparameter(_MESSAGES[name], group[name], lambda v: v >= 0, f"{name} >= 0")


_MESSAGES = {
    "lr": "Invalid learning rate",
    "eps": "Invalid epsilon value",
    "weight_decay": "Invalid weight_decay value",
}


def grad_for_update(param: ndarray, grad: ndarray, weight_decay: float, maximize: bool) -> ndarray:
    """The gradient an update rule sees: ``-grad`` when maximizing, plus ``weight_decay * param`` (L2 penalty).

    Returns ``grad`` itself when there is nothing to add (callers must not write into the result then).
    """
    if weight_decay != 0:
        g = xp.multiply(param, weight_decay)
        return xp.subtract(g, grad, out=g) if maximize else xp.add(g, grad, out=g)
    return xp.negative(grad) if maximize else grad
