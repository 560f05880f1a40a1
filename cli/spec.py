"""A `{type: Name, arg: value}` spec checked against the library class ``Name``'s signature, and the value checks
the config schema shares. Types are checked here; argument values (``lr >= 0``, ``p`` in [0, 1]) only by the
library class itself, when config.py's dry run builds it, so the CLI never disagrees with ``SGD(params, lr=0)``.
Adding a class to vinsgrad.nn / optim / lr_scheduler / vision.transforms makes it usable in configs with no code
here: arguments, defaults and type hints come from ``inspect.signature``.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
import math
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import vinsgrad

from .errors import UsageError

NOT_CONFIGURABLE = ("device", "dtype")  # the trainer runs float32 on the CPU


class ConfigError(UsageError):
    """A bad config, reported as ``<file>: <key path>: <what was expected, what was received>`` (exit code 2)."""

    def __init__(self, source: str, key: str, message: str) -> None:
        super().__init__(f"{source}: {key}: {message}" if key else f"{source}: {message}")


# **** small value checks, shared by the fixed sections and by class arguments ****


@dataclass(frozen=True)
class Field:
    """One key of a fixed section: its default, a check, and how to say what the check expects."""

    default: Any
    check: Callable[[Any], bool]
    expected: str


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: Any) -> bool:
    return (is_int(v) or isinstance(v, float)) and math.isfinite(v)


def positive_int(default: Any) -> Field:
    return Field(default, lambda v: is_int(v) and v >= 1, "an integer >= 1")


def boolean(default: bool) -> Field:
    return Field(default, lambda v: isinstance(v, bool), "true or false")


def text(default: Any, *, optional: bool = False) -> Field:
    return Field(default, lambda v: isinstance(v, str) or (optional and v is None), "a string")


def shown(value: Any) -> str:
    """How a received value appears in an error: YAML-ish, with the type for strings and containers."""
    if isinstance(value, str):
        return f"'{value}' (a string)"
    if isinstance(value, dict):
        return f"a mapping {json.dumps(value, default=str)}"
    if isinstance(value, list):
        return f"a list {json.dumps(value, default=str)}"
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    by_lower = {c.lower(): c for c in choices}  # case counts least: 'Relu' is 'ReLU' before it is 'RNNCell'
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1, cutoff=0.5)
    hint = f"; did you mean '{by_lower[close[0]]}'?" if close else ""
    return f"{hint} (choices: {', '.join(sorted(choices))})" if len(choices) <= 12 else hint


# **** class arguments checked against the class's signature ****


def accepts(value: Any, hint: Any) -> bool:
    """Whether a YAML value fits a type hint (lists stand for tuples/sequences; unknown hints accept anything)."""
    if hint in (inspect.Parameter.empty, Any, object) or isinstance(hint, str | typing.TypeVar):
        return True
    if hint is None or hint is type(None):
        return value is None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(accepts(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return is_int(value)
    if hint is float:
        return is_number(value)
    if hint is str:
        return isinstance(value, str)
    if origin in (tuple, list, Sequence) or hint in (tuple, list):
        if not isinstance(value, list):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(accepts(v, a) for v, a in zip(value, args))
        return all(accepts(v, args[0]) for v in value) if args else True
    if inspect.isclass(hint) and issubclass(hint, vinsgrad.Tensor):
        return isinstance(value, list) and all(is_number(v) for v in value)
    return True


def describe(hint: Any) -> str:
    """A type hint in words: `int | tuple[int, int]` -> 'an integer or a list of 2 integers'."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if hint is None or hint is type(None):
        return "null"
    simple = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    if hint in simple:
        return simple[hint]
    if origin is tuple and args and args[-1] is not Ellipsis:
        return f"a list of {len(args)} {describe(args[0]).removeprefix('an ').removeprefix('a ')}s"
    if inspect.isclass(hint) and issubclass(hint, vinsgrad.Tensor):
        return "a list of numbers"
    return "a list" if origin in (tuple, list, Sequence) else getattr(hint, "__name__", str(hint))


def hint_of(param: inspect.Parameter) -> Any:
    """The parameter's type hint; without one, a bool or float default says the type."""
    if param.annotation is not inspect.Parameter.empty:
        return param.annotation
    if isinstance(param.default, bool | float):
        return type(param.default)
    return inspect.Parameter.empty


def signature_params(cls: type, skip: int) -> dict[str, inspect.Parameter]:
    """The keyword-settable parameters of ``cls(...)``, minus the first ``skip`` (an optimizer's ``params``)."""
    try:
        sig = inspect.signature(cls, eval_str=True)
    except Exception:  # a hint that cannot be evaluated at run time: fall back to unchecked (string) hints
        sig = inspect.signature(cls)
    params = [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return {p.name: p for p in params[skip:] if p.name not in NOT_CONFIGURABLE}


def jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Kind:
    """A family of classes the config names by `type`: where they live and which leading arguments the CLI fills."""

    what: str
    namespace: Callable[[], dict[str, type]]
    skip: int = 0  # leading constructor arguments supplied by the trainer (an optimizer's params)
    extra: dict[str, Field] = field(default_factory=dict)  # keys that are not constructor arguments


CONTAINERS = ("Sequential", "ModuleList")  # the model is itself a Sequential; a config does not nest layers


def configurable(module: Any, base: type, exclude: Callable[[str], bool] = lambda name: False) -> dict[str, type]:
    """The classes of ``module`` a config may name by ``type``: public, defined in its package (not merely imported,
    like Tensor), strict subclasses of ``base`` (so never the do-nothing base itself), not abstract, and buildable
    from YAML values: no argument takes a function (Lambda, Compose). ``exclude`` drops others by name."""
    return {
        name: obj
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and not name.startswith("_")
        and obj.__module__.startswith(module.__name__)
        and issubclass(obj, base)
        and obj is not base
        and not inspect.isabstract(obj)
        and not any(takes_callable(hint_of(p)) for p in signature_params(obj, 0).values())
        and not exclude(name)
    }


def takes_callable(hint: Any) -> bool:
    """Whether a type hint names a function anywhere in it (``Callable``, ``Sequence[Callable]``, ``... | None``)."""
    if hint is Callable or typing.get_origin(hint) is Callable:
        return True
    return any(takes_callable(arg) for arg in typing.get_args(hint))


@functools.cache  # the library's classes do not change while the CLI runs
def _layers() -> dict[str, type]:
    import vinsgrad.nn as nn

    return configurable(nn, nn.Module, lambda name: name.endswith("Loss") or name in CONTAINERS)


@functools.cache
def _models() -> dict[str, type]:
    import vinsgrad.models as models
    import vinsgrad.nn as nn

    return configurable(models, nn.Module)


@functools.cache
def _losses() -> dict[str, type]:
    import vinsgrad.nn as nn

    return configurable(nn, nn.Module, lambda name: not name.endswith("Loss"))  # PyTorch names every loss *Loss


@functools.cache
def _optimizers() -> dict[str, type]:
    import vinsgrad.optim as optim

    return configurable(optim, optim.Optimizer)


@functools.cache
def _schedulers() -> dict[str, type]:
    from vinsgrad.optim import lr_scheduler

    return configurable(lr_scheduler, lr_scheduler.LRScheduler)


@functools.cache
def _transforms() -> dict[str, type]:
    from vinsgrad.vision import transforms

    return configurable(transforms, transforms.Transform)


INTERVAL = Field("epoch", lambda v: v in ("epoch", "step"), "'epoch' or 'step'")
LAYER = Kind("layer", _layers)
MODEL = Kind("model", _models, skip=1)  # the first argument (num_classes / vocab_size) comes from the dataset
LOSS = Kind("loss", _losses)
OPTIMIZER = Kind("optimizer", _optimizers, skip=1)
SCHEDULER = Kind("scheduler", _schedulers, skip=1, extra={"interval": INTERVAL})
TRANSFORM = Kind("transform", _transforms)


def resolve_spec(spec: Any, key: str, kind: Kind, source: str) -> dict[str, Any]:
    """Check ``{type: Name, arg: value, ...}`` against ``Name``'s signature; return it with defaults filled in."""
    if isinstance(spec, str):
        spec = {"type": spec}
    names = kind.namespace()
    if not isinstance(spec, dict) or "type" not in spec:
        example = next(iter(sorted(names)), "Name")
        raise ConfigError(source, key, f"expected a mapping like {{type: {example}, ...}}, got {shown(spec)}")
    name = spec["type"]
    if not isinstance(name, str) or name not in names:
        raise ConfigError(source, f"{key}.type", f"unknown {kind.what} {shown(name)}{did_you_mean(name, list(names))}")
    params = signature_params(names[name], kind.skip)
    resolved: dict[str, Any] = {"type": name}
    for arg, value in spec.items():
        if arg == "type":
            continue
        where = f"{key}.{arg}"
        if arg in kind.extra:
            resolved[arg] = check_field(kind.extra[arg], value, where, source)
            continue
        if arg not in params:
            raise ConfigError(source, where, f"{name} has no argument '{arg}'{did_you_mean(arg, list(params))}")
        hint = hint_of(params[arg])
        if not accepts(value, hint):
            raise ConfigError(source, where, f"expected {describe(hint)}, got {shown(value)}")
        resolved[arg] = value
    for arg, param in params.items():
        if arg in resolved:
            continue
        if param.default is inspect.Parameter.empty:
            raise ConfigError(source, key, f"{name} needs the argument '{arg}'")
        default = list(param.default) if isinstance(param.default, tuple) else param.default
        if default is not None and jsonable(default):  # None defaults stay implicit, to keep the config short
            resolved[arg] = default
    for arg, extra in kind.extra.items():
        resolved.setdefault(arg, extra.default)
    return resolved


def instantiate(spec: dict[str, Any], kind: Kind, *leading: Any) -> Any:
    """Build the object a resolved spec names (lists become tuples, or float32 Tensors where a Tensor is expected)."""
    cls = kind.namespace()[spec["type"]]
    params = signature_params(cls, kind.skip)
    kwargs = {}
    for arg, value in spec.items():
        if arg == "type" or arg in kind.extra:
            continue
        if isinstance(value, list):
            hints = typing.get_args(hint_of(params[arg])) or (hint_of(params[arg]),)
            wants_tensor = any(inspect.isclass(h) and issubclass(h, vinsgrad.Tensor) for h in hints)
            value = vinsgrad.tensor(value, dtype=vinsgrad.float32) if wants_tensor else tuple(value)
        kwargs[arg] = value
    return cls(*leading, **kwargs)


def check_field(spec: Field, value: Any, key: str, source: str) -> Any:
    if not spec.check(value):
        raise ConfigError(source, key, f"expected {spec.expected}, got {shown(value)}")
    return value
