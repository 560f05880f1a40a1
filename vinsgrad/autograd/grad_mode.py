"""Whether operations record the graph: ``no_grad``, ``enable_grad`` and ``set_grad_enabled``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_enabled = True


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _enabled


class set_grad_enabled:
    """Turn graph recording on or off; usable as a function call, a context manager, or a decorator."""

    def __init__(self, mode: bool) -> None:
        global _enabled
        self.prev = _enabled
        self.mode = mode
        _enabled = mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        global _enabled
        _enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode: bool

    def __enter__(self) -> None:
        global _enabled
        self.prev = _enabled
        _enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global _enabled
        _enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


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
