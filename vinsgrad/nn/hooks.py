"""Module hooks: functions called around ``forward`` (and in backward) without editing the module.

``register_forward_pre_hook``, ``register_forward_hook`` and ``register_full_backward_hook`` (on ``Module``)
return a ``RemovableHandle``. A module without hooks pays one truth test per call; with hooks, ``Module.__call__``
hands the call to ``call_with_hooks`` here.

How the full backward hook sees ``grad_input`` and ``grad_output`` in one call: the module's Tensor inputs are
packed into one flat array by ``PackInputsFn`` (its backward receives every input's gradient at once, after all of
the module's uses of them), and each Tensor output passes through ``CaptureGradFn``, an identity whose backward
records the output's gradient. The engine runs consumers first, so every output's gradient is recorded before the
pack node runs; that is where the hook is called, and what it returns replaces ``grad_input``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor

_next_id = itertools.count()


class RemovableHandle:
    """What a ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook (twice is harmless).

    Also a context manager: the hook is removed when the ``with`` block ends.
    """

    def __init__(self, *hook_dicts: dict[int, Any]) -> None:
        self.id = next(_next_id)
        self.hook_dicts = hook_dicts

    def remove(self) -> None:
        for hooks in self.hook_dicts:
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def add_hook(hooks: dict[int, Any], hook: Any, prepend: bool, *extra: dict[int, Any]) -> RemovableHandle:
    """Put ``hook`` in ``hooks`` (first if ``prepend``) and return its handle; ``extra`` dicts share the handle's id."""
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks, *extra)
    hooks[handle.id] = hook
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks.update([items[-1], *items[:-1]])
    return handle


class _BackwardState:
    """One forward call's link between its outputs' gradients and the hook call in its inputs' backward."""

    def __init__(self, module: Any, hooks: list[Callable[..., Any]]) -> None:
        self.module, self.hooks = module, hooks
        self.grad_outputs: list[Tensor | None] = []
        self.input_slots: list[tuple[int, tuple[int, ...]] | None] = []  # per Tensor input: (size, shape) if packed
        self.outputs_left = 0  # captured outputs whose gradient has not arrived yet

    def call_hooks(self, grad_inputs: tuple[Tensor | None, ...]) -> tuple[Tensor | None, ...]:
        grad_outputs = tuple(self.grad_outputs)
        for hook in self.hooks:
            new = hook(self.module, grad_inputs, grad_outputs)
            if new is not None:
                new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
                if len(new) != len(grad_inputs):
                    raise RuntimeError(
                        f"backward hook returned {len(new)} gradients, expected {len(grad_inputs)} "
                        "(one per Tensor input of forward, None where there is none)"
                    )
                grad_inputs = new
        return grad_inputs


class CaptureGradFn(Function):
    """Identity on one output of a hooked module; backward records the output's gradient for the hook."""

    returns_view = True

    @staticmethod
    def forward(ctx: Any, x: ndarray, state: _BackwardState, index: int) -> ndarray:
        ctx.state, ctx.index = state, index
        return x

    @staticmethod
    def backward(ctx: Any, grad: ndarray) -> tuple[ndarray, None, None]:
        state: _BackwardState = ctx.state
        state.grad_outputs[ctx.index] = Tensor(grad)
        state.outputs_left -= 1
        if state.outputs_left == 0 and all(slot is None for slot in state.input_slots):
            # NOTE: no input requires grad (a first layer), so no pack node: the hook runs here, as in PyTorch
            state.call_hooks((None,) * len(state.input_slots))
        return grad, None, None


class PackInputsFn(Function):
    """The hooked module's Tensor inputs that require grad, flattened into one array; backward calls the hook."""

    @staticmethod
    def forward(ctx: Any, state: _BackwardState, *arrays: ndarray) -> ndarray:
        ctx.state = state
        return xp.concatenate([a.reshape(-1) for a in arrays])

    @staticmethod
    def backward(ctx: Any, grad: ndarray) -> tuple[Any, ...]:
        state: _BackwardState = ctx.state
        pieces: list[Tensor | None] = []
        start = 0
        for slot in state.input_slots:  # the packed inputs' (size, shape), in the order they were packed
            if slot is None:
                pieces.append(None)
            else:
                size, shape = slot
                pieces.append(Tensor(grad[start : start + size].reshape(shape)))
                start += size
        grad_inputs = state.call_hooks(tuple(pieces))
        out = [g for g, slot in zip(grad_inputs, state.input_slots) if slot is not None]
        return (None, *(None if g is None else (g._data if isinstance(g, Tensor) else xp.asarray(g)) for g in out))


def _hook_inputs(state: _BackwardState, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``args`` with the Tensors that require grad replaced by pieces of one ``PackInputsFn`` node.

    ``grad_input`` has one entry per Tensor argument, as in PyTorch (None for those that need no gradient)."""
    tensors = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    state.input_slots = [None] * len(tensors)
    hooked = [(slot, i) for slot, i in enumerate(tensors) if args[i].requires_grad]
    if not hooked:
        return args
    packed = PackInputsFn.apply(state, *(args[i] for _, i in hooked))
    new_args, start = list(args), 0
    for slot, i in hooked:
        shape = tuple(args[i].shape)
        size = int(xp.prod(shape, dtype=xp.int64))
        new_args[i] = packed[start : start + size].reshape(shape)
        state.input_slots[slot] = (size, shape)
        start += size
    return tuple(new_args)


def _hook_outputs(state: _BackwardState, output: Any) -> Any:
    outputs = output if isinstance(output, tuple) else (output,)
    state.grad_outputs = [None] * len(outputs)
    wrapped = []
    for i, o in enumerate(outputs):
        if isinstance(o, Tensor) and o.requires_grad:
            state.outputs_left += 1
            o = CaptureGradFn.apply(o, state, i)
        wrapped.append(o)
    return tuple(wrapped) if isinstance(output, tuple) else wrapped[0]


def call_with_hooks(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module(*args, **kwargs)`` with its pre-hooks, forward hooks and full backward hooks applied."""
    for hook_id, hook in list(module._forward_pre_hooks.items()):
        if hook_id in module._forward_pre_hooks_with_kwargs:
            new = hook(module, args, kwargs)
            if new is not None:
                if not (isinstance(new, tuple) and len(new) == 2):
                    raise RuntimeError(
                        f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), got {new!r}"
                    )
                args, kwargs = new
        else:
            new = hook(module, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
    state = None
    if module._backward_hooks:
        state = _BackwardState(module, list(module._backward_hooks.values()))
        args = _hook_inputs(state, args)
    try:
        output = module.forward(*args, **kwargs)
    except Exception:
        for hook_id, hook in list(module._forward_hooks.items()):
            if hook_id in module._forward_hooks_always_called:
                _call_forward_hook(module, hook_id, hook, args, kwargs, None)
        raise
    for hook_id, hook in list(module._forward_hooks.items()):
        new = _call_forward_hook(module, hook_id, hook, args, kwargs, output)
        if new is not None:
            output = new
    if state is not None:
        output = _hook_outputs(state, output)
    return output


def _call_forward_hook(
    module: Any, hook_id: int, hook: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], output: Any
) -> Any:
    if hook_id in module._forward_hooks_with_kwargs:
        return hook(module, args, kwargs, output)
    return hook(module, args, output)
