"""Accelerators, as ``torch.accelerator``: vinsgrad has none, it computes on the CPU."""

from __future__ import annotations

from vinsgrad.autograd.device import device


def is_available() -> bool:
    """False: no accelerator (CUDA, MPS, ...) is available to vinsgrad."""
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """None: there is no accelerator (PyTorch returns None too when it finds none)."""
    return None


def device_count() -> int:
    """0: vinsgrad sees no accelerator devices."""
    return 0


__all__ = ["current_accelerator", "device_count", "is_available"]
