"""Containers: ``Sequential`` (modules applied in order), ``ModuleList``, ``ModuleDict``, ``ParameterList`` and
``ParameterDict``, and the shape helpers ``Identity`` and ``Flatten``."""

from __future__ import annotations

import operator
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any, TypeVar

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn.activation import ReLU
from vinsgrad.nn.module import Module, Parameter, _indent
from vinsgrad.nn.pooling import MaxPool2d

S = TypeVar("S", bound="_IndexedModules")


class _IndexedModules(Module):
    """What Sequential and ModuleList share: submodules named "0", "1", ..., indexed like a list."""

    def _key(self, idx: Any) -> str:
        n = len(self._modules)
        i = operator.index(idx)
        if not -n <= i < n:
            raise IndexError(f"index {idx} is out of range for {type(self).__name__} of length {n}")
        return list(self._modules)[i % n]

    def _renumber(self, modules: list[Any]) -> None:
        self._modules.clear()
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._modules.values())

    def __getitem__(self, idx: int) -> Any:
        return self._modules[self._key(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._key(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        doomed = set(list(self._modules)[idx]) if isinstance(idx, slice) else {self._key(idx)}
        # Renumber so the names stay "0", "1", ..., as PyTorch does.
        self._renumber([m for k, m in self._modules.items() if k not in doomed])

    def append(self: S, module: Module) -> S:
        """Add ``module`` at the end, named by its position."""
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self: S, modules: Iterable[Module]) -> S:
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index``; the later modules move up one."""
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)


class Sequential(_IndexedModules):
    """Apply modules one after another: ``Sequential(a, b)(x)`` is ``b(a(x))``. Submodules are named "0", "1", ...
    (or by the keys of a dict passed as the only argument).

    Example::

        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        logits = model(vinsgrad.randn(64, 784))  # shape (64, 10)
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], dict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):  # a slice keeps the original names, as in PyTorch
            return Sequential(dict(list(self._modules.items())[idx]))
        return super().__getitem__(idx)

    def forward(self, input: Any) -> Any:
        modules = list(self)
        i = 0
        while i < len(modules):
            if i + 1 < len(modules) and _pools_after_relu(modules[i], modules[i + 1]):
                # NOTE: ReLU then MaxPool2d runs as pool then relu: relu is monotone, so relu(max(x)) = max(relu(x))
                # bit for bit, and the gradient reaches the same first-max positions (where the max is > 0; 0
                # elsewhere either way). ReLU then runs on the pooled, 4x smaller tensor, forward and backward.
                input = modules[i + 1](input).relu()
                i += 2
            else:
                input = modules[i](input)
                i += 1
        return input


def _pools_after_relu(first: Module, second: Module) -> bool:
    """Whether Sequential may swap a ReLU and the MaxPool2d after it: plain layers, no indices returned, and no
    hooks on either (a hook must see its own layer's input and output, so hooked layers run in their order)."""
    return (
        type(first) is ReLU
        and type(second) is MaxPool2d
        and not second.return_indices
        and not any(m._forward_pre_hooks or m._forward_hooks or m._backward_hooks for m in (first, second))
    )


class ModuleList(_IndexedModules):
    """A list of submodules that are registered, so ``parameters()`` and ``state_dict()`` find them. No forward.

    Example::

        self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
        for block in self.blocks: x = block(x)
    """

    def __init__(self, modules: Iterable[Any] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            return ModuleList(list(self)[idx])
        return super().__getitem__(idx)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __repr__(self) -> str:
        # Runs of identical modules print once, as "(0-2): 3 x Linear(...)", like PyTorch.
        reprs = [_indent(repr(m), 2) for m in self._modules.values()]
        lines: list[str] = []
        start = 0
        for i in range(1, len(reprs) + 1):
            if i == len(reprs) or reprs[i] != reprs[start]:
                count = i - start
                head = f"({start}): " if count == 1 else f"({start}-{i - 1}): {count} x "
                lines.append(head + reprs[start])
                start = i
        return "ModuleList()" if not lines else "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class Identity(Module):
    """Return the input unchanged (constructor arguments are accepted and ignored, as in PyTorch).

    Example::

        head = nn.Identity()
        head(x) is x  # True
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Flatten(Module):
    """Flatten dims ``start_dim`` to ``end_dim`` into one; by default all but the batch dim.

    Example::

        flat = nn.Flatten()
        flat(vinsgrad.zeros(64, 1, 28, 28)).shape  # (64, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class ModuleDict(Module):
    """A dict of submodules that are registered (in insertion order), so ``parameters()`` finds them. No forward.

    Example::

        self.heads = nn.ModuleDict({"digit": nn.Linear(64, 10), "parity": nn.Linear(64, 2)})
        logits = self.heads["digit"](h)
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no key {key!r}; keys are {list(self._modules)}")
        return self._modules[key]  # type: ignore[return-value]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> KeysView[str]:
        return self._modules.keys()

    def items(self) -> ItemsView[str, Any]:
        return self._modules.items()

    def values(self) -> ValuesView[Any]:
        return self._modules.values()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping or from ``(name, module)`` pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(f"ModuleDict.update: element {i} should be a (name, module) pair, got {pair!r}")
            self[pair[0]] = pair[1]


def _parameter_line(key: str, p: Any) -> str:
    if not isinstance(p, Tensor):
        return f"({key}): Object of type: {type(p).__name__}"
    kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
    size = "x".join(str(n) for n in p.shape)
    return f"({key}): {kind} containing: [{p.dtype} of size {size}]"


def _parameters_repr(module: Module, entries: Iterable[tuple[str, Any]]) -> str:
    # One entry per line, even a single one (the default repr would put one line inside the parentheses).
    lines = [_parameter_line(k, p) for k, p in entries]
    return f"{type(module).__name__}(\n  " + "\n  ".join(lines) + "\n)" if lines else f"{type(module).__name__}()"


def _as_parameter(value: Any) -> Any:
    # A plain Tensor becomes a Parameter, as in PyTorch; anything else is kept as it is.
    return value if isinstance(value, Parameter) or not isinstance(value, Tensor) else Parameter(value)


class ParameterList(Module):
    """A list of Parameters that are registered (named "0", "1", ...), for a variable number of weights.

    Example::

        self.scales = nn.ParameterList([nn.Parameter(vinsgrad.ones(8)) for _ in range(3)])
        for s in self.scales: x = x * s
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _key(self, idx: int) -> str:
        i = operator.index(idx)
        if not -self._size <= i < self._size:
            raise IndexError(f"index {idx} is out of range for ParameterList of length {self._size}")
        return str(i % self._size)

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            return ParameterList([self[i] for i in range(self._size)[idx]])
        return getattr(self, self._key(idx))

    def __setitem__(self, idx: int, value: Any) -> None:
        self._set(self._key(idx), value)

    def _set(self, key: str, value: Any) -> None:
        value = _as_parameter(value)
        if isinstance(value, Parameter) or value is None:
            self._forget(key)
            self.register_parameter(key, value)
        else:
            setattr(self, key, value)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self._size))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` (a Tensor becomes a Parameter) at the end."""
        self._size += 1
        self._set(str(self._size - 1), value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for value in values:
            self.append(value)
        return self

    def __repr__(self) -> str:
        return _parameters_repr(self, ((str(i), p) for i, p in enumerate(self)))


class ParameterDict(Module):
    """A dict of Parameters that are registered under their keys (insertion order is kept).

    Example::

        self.bias = nn.ParameterDict({"left": vinsgrad.zeros(4), "right": vinsgrad.zeros(4)})
        y = x + self.bias[side]
    """

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(f"ParameterDict has no key {key!r}; keys are {list(self._keys)}")
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        value = _as_parameter(value)
        if isinstance(value, Parameter) or value is None:
            self._forget(key)
            self.register_parameter(key, value)
        else:
            self._check_name(key, "parameter")
            setattr(self, key, value)
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> KeysView[str]:
        return self._keys.keys()

    def items(self) -> list[tuple[str, Any]]:
        return [(k, self[k]) for k in self._keys]

    def values(self) -> list[Any]:
        return [self[k] for k in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._keys else default

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add (or replace) entries from a mapping or from ``(key, value)`` pairs."""
        pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(f"ParameterDict.update: element {i} should be a (key, value) pair, got {pair!r}")
            self[pair[0]] = pair[1]

    def __repr__(self) -> str:
        return _parameters_repr(self, self.items())
