"""Activation layers: each holds its settings and calls ``nn.functional``."""

from __future__ import annotations

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn.module import Module


class ReLU(Module):
    """``max(x, 0)`` elementwise. ``inplace`` is accepted for PyTorch compatibility; the output is a new tensor.

    Example::

        act = nn.ReLU()
        act(vinsgrad.tensor([-1.0, 2.0]))  # tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """``x`` where positive, ``negative_slope * x`` elsewhere.

    Example::

        act = nn.LeakyReLU(0.1)
        act(vinsgrad.tensor([-1.0, 2.0]))  # tensor([-0.1, 2.])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise, stable for large ``|x|``.

    Example::

        nn.Sigmoid()(vinsgrad.tensor([0.0]))  # tensor([0.5])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """``tanh(x)`` elementwise.

    Example::

        nn.Tanh()(vinsgrad.tensor([0.0]))  # tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class GELU(Module):
    """``x * Phi(x)`` with Phi the standard normal CDF; ``approximate='tanh'`` uses the tanh approximation.

    Example::

        act = nn.GELU()
        act(vinsgrad.tensor([1.0]))  # tensor([0.8413])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """``exp(x) / exp(x).sum(dim)``: each slice along ``dim`` becomes a probability distribution.

    Example::

        probs = nn.Softmax(dim=1)(logits)  # rows sum to 1
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``log(softmax(x))`` along ``dim``, computed stably (pair with ``NLLLoss``).

    Example::

        log_probs = nn.LogSoftmax(dim=1)(logits)
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
