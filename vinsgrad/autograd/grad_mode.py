"""Whether operations record the graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` and
``inference_mode``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_enabled = True


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _enabled


def _decorate(fn: F, mode: bool) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global _enabled
        prev, _enabled = _enabled, mode
        try:
            return fn(*args, **kwargs)
        finally:
            _enabled = prev

    return wrapper  # type: ignore[return-value]


class set_grad_enabled:
    """Turn graph recording on or off; usable as a function call, a context manager, or a decorator.

    Example::

        with vinsgrad.set_grad_enabled(is_training):
            loss = model(x)
    """

    def __init__(self, mode: bool) -> None:
        global _enabled
        self.prev, self.mode = _enabled, bool(mode)
        _enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        global _enabled
        _enabled = self.prev

    def __call__(self, fn: F) -> F:
        global _enabled
        _enabled = self.prev  # as a decorator it must not change the mode at decoration time
        return _decorate(fn, self.mode)


class _GradModeContext:
    """``with no_grad():``, ``@no_grad()`` and ``@no_grad`` (without parentheses) all work, as in PyTorch."""

    mode: bool

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        if not callable(orig_func):
            raise TypeError(f"{cls.__name__}() takes no arguments (got {orig_func!r}); use `with {cls.__name__}():`")
        return _decorate(orig_func, cls.mode)

    def __enter__(self) -> None:
        global _enabled
        self.prev = _enabled
        _enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global _enabled
        _enabled = self.prev

    def __call__(self, fn: F) -> F:
        return _decorate(fn, self.mode)


class no_grad(_GradModeContext):
    """Context manager and decorator: operations inside are not recorded (inference, parameter updates).

    Example::

        with vinsgrad.no_grad():
            logits = model(x)
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that turns recording back on inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeContext):
    """PyTorch's faster ``no_grad`` for inference; in vinsgrad it is ``no_grad`` (nothing is recorded inside).

    ``inference_mode(False)`` changes nothing. Works as ``with``, ``@inference_mode()`` and ``@inference_mode``.

    Example::

        with vinsgrad.inference_mode():
            logits = model(x)
    """

    mode = False
    active = True

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):
            return _decorate(mode, False)
        self = super().__new__(cls)
        self.active = bool(mode)
        return self

    def __enter__(self) -> None:
        global _enabled
        self.prev = _enabled
        if self.active:
            _enabled = False

    def __call__(self, fn: F) -> F:
        return _decorate(fn, False) if self.active else fn
