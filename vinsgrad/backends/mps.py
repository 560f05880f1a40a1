"""Apple's Metal (MPS) backend, honestly: vinsgrad does not have one."""

from __future__ import annotations


def is_available() -> bool:
    """False: vinsgrad runs on the CPU only."""
    return False


def is_built() -> bool:
    """False: vinsgrad is not built with MPS support."""
    return False


__all__ = ["is_available", "is_built"]
