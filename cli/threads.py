"""The thread count a run uses: ``train.threads`` / ``--threads``, a number or ``auto`` (vinsgrad.threads' rule)."""

from __future__ import annotations

from typing import Any

import vinsgrad
from vinsgrad import threads

from .errors import UsageError


def parse_threads(value: str | None) -> int | str | None:
    """``--threads`` as given on the command line: None, ``auto`` or a number >= 1."""
    if value is None or value == "auto":
        return value
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"--threads: expected a number of threads >= 1 or auto, got {value!r}")
    return int(value)


def use_threads(setting: int | str, model: vinsgrad.nn.Module, example: Any, batch_size: int) -> int:
    """Set NumPy's BLAS threads for ``model`` run at ``batch_size`` (``example``: a small batch of its input) and
    return the count: ``setting`` itself, or for ``auto`` what vinsgrad.threads.auto_num_threads picks."""
    n = setting if isinstance(setting, int) else None
    if n is None:
        n = threads.auto_num_threads(threads.largest_gemm_macs(model, example, batch_size))
    threads.set_num_threads(n)
    return n
