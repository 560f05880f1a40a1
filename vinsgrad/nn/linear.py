"""``Linear``: ``y = x @ W.T + b``, the layer of an MLP."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn import init
from vinsgrad.nn.module import Module, Parameter, factory_dtype


class Linear(Module):
    """Apply ``x @ weight.T + bias``, with PyTorch's initialisation (uniform in +-1/sqrt(in_features)).

    Args:
        in_features: size of each input's last dim.
        out_features: size of each output's last dim.
        bias: learn an additive bias.
        dtype: the parameters' dtype (float32 by default).

    Shape: input (*, in_features) -> output (*, out_features); weight (out_features, in_features).

    Example::

        layer = nn.Linear(784, 128)
        y = layer(vinsgrad.randn(64, 784))  # shape (64, 128)
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {value!r}")
        dtype = factory_dtype("Linear", device, dtype)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(xp.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(xp.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """kaiming_uniform_(weight, a=sqrt(5)) and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as PyTorch does."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
