"""``CNN``: the small convolutional network of configs/cnn.yaml, for 28x28 images."""

from __future__ import annotations

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential


class CNN(Module):
    """(Conv2d 3x3 - ReLU - MaxPool2d 2) x 2 with 16 and 32 channels, then one Linear layer.

    Shape: (N, in_channels, 28, 28) -> (N, num_classes).

    Example::

        model = CNN(10)
        model(vinsgrad.randn(2, 1, 28, 28)).shape  # (2, 10)
    """

    def __init__(self, num_classes: int, in_channels: int = 1) -> None:
        super().__init__()
        self.features = Sequential(
            Conv2d(in_channels, 16, 3, padding=1), ReLU(), MaxPool2d(2),
            Conv2d(16, 32, 3, padding=1), ReLU(), MaxPool2d(2),
        )  # fmt: skip
        self.flatten = Flatten()
        self.classifier = Linear(32 * 7 * 7, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.flatten(self.features(x)))
