"""Version counters: how often each block of memory has been modified in place, so backward can refuse stale arrays.

A Function that saves an array for backward records the array's version; an in-place op (``x += 1``,
``x.add_(1)``, ``x[0] = 2``) bumps the version of the memory it writes. If the two differ when backward runs, the
saved array no longer holds what forward saw and backward raises PyTorch's error instead of returning a silently
wrong gradient. Views share their base array's counter, because the counter belongs to the memory, not the Tensor.
"""

from __future__ import annotations

import weakref

from vinsgrad.autograd.backend import ndarray

_versions: dict[int, int] = {}  # id(memory owner) -> times written in place; empty until the first in-place op


def owner(a: ndarray) -> ndarray:
    """The array that owns ``a``'s memory (``a`` itself unless it is a view)."""
    while isinstance(a.base, ndarray):
        a = a.base
    return a


def version(a: ndarray) -> int:
    """How often ``a``'s memory has been modified in place (0 if never)."""
    return _versions.get(id(owner(a)), 0) if _versions else 0


def bump(a: ndarray) -> None:
    """Record one in-place modification of ``a``'s memory."""
    base = owner(a)
    key = id(base)
    if key not in _versions:
        weakref.finalize(base, _versions.pop, key, None)  # forget the counter with the memory
        _versions[key] = 0
    _versions[key] += 1


def any_modified() -> bool:
    """Whether any memory has ever been modified in place (if not, no saved array can be stale)."""
    return bool(_versions)
