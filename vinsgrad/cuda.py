"""CUDA, honestly: vinsgrad has no GPU backend, so no CUDA device is ever available."""

from __future__ import annotations


def is_available() -> bool:
    """False: vinsgrad runs on the CPU only."""
    return False


def device_count() -> int:
    """0: vinsgrad sees no CUDA devices."""
    return 0


__all__ = ["device_count", "is_available"]
