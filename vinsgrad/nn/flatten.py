"""``Unflatten``: the inverse of ``Flatten`` (which lives with the containers), one dim expanded into several."""

from __future__ import annotations

import math
from collections.abc import Sequence

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn.module import Module


class Unflatten(Module):
    """Expand dim ``dim`` into ``unflattened_size`` (one size may be -1, inferred), e.g. features back into images.

    Example::

        unflat = nn.Unflatten(1, (1, 28, 28))
        unflat(vinsgrad.zeros(64, 784)).shape  # (64, 1, 28, 28)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise TypeError(f"Unflatten: dim must be an int, got {dim!r}")
        sizes = tuple(unflattened_size) if isinstance(unflattened_size, (tuple, list)) else None
        if not sizes or not all(isinstance(s, int) and (s >= 0 or s == -1) for s in sizes) or sizes.count(-1) > 1:
            raise TypeError(
                "Unflatten: unflattened_size must be a tuple or list of ints (one -1 at most), got "
                f"{unflattened_size!r}"
            )
        self.dim, self.unflattened_size = dim, sizes

    def forward(self, input: Tensor) -> Tensor:
        if not -input.ndim <= self.dim < input.ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], but got "
                f"{self.dim})"
            )
        d = self.dim % input.ndim
        n, sizes = input.shape[d], self.unflattened_size
        known = math.prod(s for s in sizes if s != -1)
        if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
            raise RuntimeError(
                f"Unflatten: unflattened_size {sizes} does not multiply to the size {n} of dim {self.dim} of the "
                f"input {tuple(input.shape)}"
            )
        return input.reshape(*input.shape[:d], *sizes, *input.shape[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
