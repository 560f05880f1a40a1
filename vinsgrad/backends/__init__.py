"""Backends, as ``torch.backends``: vinsgrad has only its NumPy CPU backend, so ``backends.mps`` reports none."""

from vinsgrad.backends import mps

__all__ = ["mps"]
