"""``MLP``: flatten, then Linear-ReLU pairs, then a Linear classifier (the seed example of configs/mlp.yaml)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import Dropout, Flatten, Linear, Module, ReLU, Sequential


class MLP(Module):
    """A multi-layer perceptron on flattened inputs: ``in_features`` -> each of ``hidden_sizes`` -> ``num_classes``.

    Shape: (N, *) with ``in_features`` values per sample -> (N, num_classes).

    Example::

        model = MLP(10, in_features=784, hidden_sizes=[128, 64])  # configs/mlp.yaml's 784-128-64-10
        model(vinsgrad.randn(2, 1, 28, 28)).shape  # (2, 10)
    """

    def __init__(
        self, num_classes: int, in_features: int = 784, hidden_sizes: Sequence[int] = (128, 64), dropout: float = 0.0
    ) -> None:
        super().__init__()
        sizes = [in_features, *hidden_sizes]
        layers: list[Module] = [Flatten()]
        for n_in, n_out in itertools.pairwise(sizes):
            layers += [Linear(n_in, n_out), ReLU()] + ([Dropout(dropout)] if dropout else [])
        self.layers = Sequential(*layers, Linear(sizes[-1], num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)
