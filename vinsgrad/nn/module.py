"""``Module``, the base class of every layer, and ``Parameter``, the tensor a Module learns.

A Module keeps its parameters, buffers and submodules in three dicts (``_parameters``, ``_buffers``,
``_modules``) filled by plain attribute assignment, exactly as in PyTorch; everything else (``parameters()``,
``state_dict()``, ``train()``, the printed tree) walks those dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, TypeVar

from vinsgrad.autograd.backend import float32, ndarray, xp
from vinsgrad.autograd.device import check_device
from vinsgrad.autograd.device import device as Device
from vinsgrad.autograd.tensor import Tensor, as_array
from vinsgrad.nn import hooks as _hooks
from vinsgrad.nn.hooks import RemovableHandle

M = TypeVar("M", bound="Module")


def factory_dtype(layer: str, device: Any, dtype: Any) -> Any:
    """The dtype a layer's parameters are created with (float32 by default); ``device`` may only be the CPU."""
    check_device(device, layer)
    return float32 if dtype is None else xp.dtype(dtype)


class Parameter(Tensor):
    """A Tensor that is a Module's learnable weight: assigning it to a Module attribute registers it.

    Example::

        layer.scale = nn.Parameter(vinsgrad.ones(3))
        [name for name, _ in layer.named_parameters()]  # [..., 'scale']
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        # A Tensor's array is shared, not copied, as in PyTorch.
        super().__init__(xp.empty(0, dtype=float32) if data is None else as_array(data), requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the keys it could not match (empty lists after a strict load)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer: subclasses set parameters and submodules in ``__init__`` and define ``forward``.

    Example::

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x).relu()
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]
    _non_persistent_buffers: set[str]
    # Hooks by handle id (see nn/hooks.py); the sets hold the ids of hooks registered with_kwargs / always_call.
    _forward_pre_hooks: dict[int, Callable[..., Any]]
    _forward_hooks: dict[int, Callable[..., Any]]
    _backward_hooks: dict[int, Callable[..., Any]]

    def __init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_modules", {})
        setattr_(self, "_non_persistent_buffers", set())
        for name in ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks"):
            setattr_(self, name, {})
        for name in ("_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs", "_forward_hooks_always_called"):
            setattr_(self, name, {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_hooks or self._forward_pre_hooks or self._backward_hooks:
            return _hooks.call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # **** hooks ****

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward; a non-None result replaces ``args``.

        With ``with_kwargs=True`` it is ``hook(module, args, kwargs)`` and may return ``(args, kwargs)``.
        Returns a handle whose ``remove()`` unregisters the hook.
        """
        handle = _hooks.add_hook(self._forward_pre_hooks, hook, prepend, self._forward_pre_hooks_with_kwargs)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False, always_call: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward; a non-None result replaces ``output``.

        With ``with_kwargs=True`` it is ``hook(module, args, kwargs, output)``; with ``always_call=True`` it also
        runs (with output None) when forward raises. Returns a handle whose ``remove()`` unregisters the hook.

        Example::

            handle = model.fc.register_forward_hook(lambda m, args, out: print(out.shape))
            handle.remove()
        """
        extra = (self._forward_hooks_with_kwargs, self._forward_hooks_always_called)
        handle = _hooks.add_hook(self._forward_hooks, hook, prepend, *extra)
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` in backward, once the gradients of this module's Tensor
        inputs are known; a non-None result (a tuple, one entry per Tensor input) replaces ``grad_input``.

        ``grad_output`` holds the gradients of the outputs (a tuple); ``grad_input`` is all None when no input
        requires grad. Returns a handle whose ``remove()`` unregisters the hook.
        """
        return _hooks.add_hook(self._backward_hooks, hook, prepend)

    # **** registration ****

    def _check_name(self, name: Any, kind: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call (call super().__init__())")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name must be non-empty and contain no ".", got {name!r}')

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` (a Parameter, or None for an optional one that is absent) under ``name``."""
        self._check_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute {name!r} already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter {name!r} "
                "(vinsgrad.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not learned (a running mean, say); ``persistent`` puts it in state_dict."""
        self._check_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute {name!r} already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer {name!r} (Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a submodule under ``name`` (the same as assigning it as an attribute)."""
        self._check_name(name, "module")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute {name!r} already exists")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call (call super().__init__())")
            self._forget(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter {name!r} "
                    "(vinsgrad.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call (call super().__init__())")
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module {name!r} (Module or None expected)"
                )
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer {name!r} (Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        """Drop ``name`` from wherever it lives, so it can be re-registered as something else."""
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: parameters, buffers and submodules live in the dicts.
        d = self.__dict__
        if "_parameters" in d:  # absent while unpickling, before __init__ state is restored
            # NOTE: three plain lookups, not a loop over a tuple of the dicts: this runs for every self.weight
            if name in d["_parameters"]:
                return d["_parameters"][name]
            if name in d["_buffers"]:
                return d["_buffers"][name]
            if name in d["_modules"]:
                return d["_modules"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._parameters, *self._buffers, *self._modules})

    # **** iteration ****

    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every submodule below it with dotted names ('' for this one); a module reachable under
        two names comes once unless ``remove_duplicate=False``."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"head.1.weight"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        param = module._parameters.get(name)
        if param is None:
            raise AttributeError(
                f"{type(module).__name__} has no parameter {name!r}; it has {list(module._parameters)}"
            )
        return param

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``"head.1"``); ``""`` is this module."""
        module = self
        for i, name in enumerate(target.split(".") if target else []):
            child = module._modules.get(name)
            if child is None:
                where = ".".join(target.split(".")[:i]) or "the model"
                raise AttributeError(
                    f"{type(module).__name__} ({where}) has no submodule {name!r}; it has {list(module._modules)}"
                )
            module = child
        return module

    def _named_members(
        self, store: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is not None and (not remove_duplicate or id(value) not in seen):
                    seen.add(id(value))
                    yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter (shared ones once, unless ``remove_duplicate=False``) with its dotted name, e.g.
        ``('0.weight', Parameter)``."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    # **** modes and gradients ****

    def train(self: M, mode: bool = True) -> M:
        """Set ``training`` on this module and every submodule (Dropout and BatchNorm behave differently)."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be a bool, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self: M) -> M:
        return self.train(False)

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (the default, as in PyTorch) or to zeros in place."""
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad._data.fill(0)

    def apply(self: M, fn: Callable[[Module], Any]) -> M:
        """Call ``fn`` on every submodule (children first) and then on this module, e.g. to initialise weights."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # **** dtype ****

    def _cast_floating(self, dtype: Any) -> None:
        """Cast every floating-point parameter, gradient and buffer to ``dtype`` in place (objects keep identity)."""
        dtype = xp.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, got {dtype}")
        for module in self.modules():
            for t in (*module._parameters.values(), *module._buffers.values()):
                if t is not None and t._data.dtype.kind == "f":
                    t._data = t._data.astype(dtype, copy=False)
                    if t.grad is not None:
                        t.grad._data = t.grad._data.astype(dtype, copy=False)

    def to(self: M, *args: Any, **kwargs: Any) -> M:
        """``to(dtype)`` casts floating-point parameters and buffers in place; ``"cpu"`` is accepted and a no-op."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, str | Device | int) or a is None:
                device = a
            else:
                dtype = a
        check_device(device, "to()")
        if dtype is not None:
            self._cast_floating(dtype)
        return self

    def float(self: M) -> M:
        return self.to(xp.float32)

    def double(self: M) -> M:
        return self.to(xp.float64)

    def half(self: M) -> M:
        return self.to(xp.float16)

    def cpu(self: M) -> M:
        return self

    def cuda(self: M, device: Any = None) -> M:
        """Always an error: vinsgrad has no CUDA device (``.to(device)`` with ``device("cpu")`` is portable)."""
        check_device("cuda", "cuda()")
        return self

    # **** state ****

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> dict[str, Tensor]:
        """Parameters and persistent buffers by dotted name (``'0.weight'``), sharing memory with the module."""
        out: dict[str, Tensor] = {}
        self._save_to(out, prefix, keep_vars)
        return out

    def _save_to(self, out: dict[str, Tensor], prefix: str, keep_vars: bool) -> None:
        # NOTE: no dedup, as in PyTorch: a module shared under two names is saved under both.
        for name, param in self._parameters.items():
            if param is not None:
                out[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers:
                out[prefix + name] = buf if keep_vars else buf.detach()
        for name, module in self._modules.items():
            if module is not None:
                module._save_to(out, f"{prefix}{name}.", keep_vars)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy ``state_dict`` (Tensors or NumPy arrays by dotted name) into this module's parameters and buffers.

        Shape mismatches, and with ``strict`` missing or unexpected keys, raise one RuntimeError naming them all.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be a dict-like mapping, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors: list[str] = []
        updates: list[tuple[Tensor, ndarray]] = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value._data if isinstance(value, Tensor) else xp.asarray(value)
            if array.dtype.kind not in "biuf":
                errors.append(f"value for {key} is {type(value).__name__} of dtype {array.dtype}, expected a tensor")
            elif array.shape != target.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(array.shape)} from checkpoint, "
                    f"the shape in current model is {tuple(target.shape)}"
                )
            else:
                updates.append((target, array))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        for target, array in updates:
            target._data[...] = array  # NOTE: in place, so optimizers holding these Parameters see the new values
        return IncompatibleKeys(missing, unexpected)

    # **** printing ****

    def extra_repr(self) -> str:
        """The constructor arguments shown inside ``Name(...)``; layers override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): {_indent(repr(module), 2)}" for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({body})"


def _indent(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first (it follows a ``(name): `` prefix)."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(" " * spaces + line for line in rest)])
