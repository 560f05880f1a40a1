"""Computer vision: datasets and image transforms."""

from vinsgrad.vision import datasets, transforms

__all__ = ["datasets", "transforms"]
