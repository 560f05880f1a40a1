"""Computer vision: datasets, image transforms and reading image files (io)."""

from vinsgrad.vision import datasets, io, transforms

__all__ = ["datasets", "io", "transforms"]
