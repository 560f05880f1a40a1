"""Activation layers: each holds its settings and calls ``nn.functional``."""

from __future__ import annotations

from typing import Any

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn.module import Module, Parameter, factory_dtype


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


# **** more activations (issue 14): each a thin Module over its nn.functional function ****


class _Inplace(Module):
    """An activation whose only setting is ``inplace`` (accepted for PyTorch compatibility; the output is new)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SiLU(_Inplace):
    """``x * sigmoid(x)`` elementwise (swish).

    Example::

        nn.SiLU()(vinsgrad.tensor([0.0, 1.0]))  # tensor([0.0000, 0.7311])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input)


class ELU(Module):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    Example::

        nn.ELU()(vinsgrad.tensor([-1.0, 2.0]))  # tensor([-0.6321, 2.0000])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(_Inplace):
    """``1.0507 * elu(x, alpha=1.6733)``: the self-normalising activation.

    Example::

        nn.SELU()(vinsgrad.tensor([1.0]))  # tensor([1.0507])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input)


class CELU(Module):
    """``x`` where positive, ``alpha * (exp(x / alpha) - 1)`` elsewhere.

    Example::

        nn.CELU(alpha=2.0)(vinsgrad.tensor([-2.0]))  # tensor([-1.2642])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta``, the identity where ``beta * x > threshold``.

    Example::

        nn.Softplus()(vinsgrad.tensor([0.0]))  # tensor([0.6931])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """``x / (1 + |x|)`` elementwise.

    Example::

        nn.Softsign()(vinsgrad.tensor([1.0]))  # tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Hardtanh(Module):
    """``x`` clamped to [min_val, max_val].

    Example::

        nn.Hardtanh()(vinsgrad.tensor([-2.0, 0.5]))  # tensor([-1.0000, 0.5000])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(_Inplace):
    """``min(max(x, 0), 6)`` elementwise.

    Example::

        nn.ReLU6()(vinsgrad.tensor([-1.0, 7.0]))  # tensor([0., 6.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.relu6(input)


class Hardsigmoid(_Inplace):
    """``relu6(x + 3) / 6``: a piecewise-linear sigmoid.

    Example::

        nn.Hardsigmoid()(vinsgrad.tensor([0.0]))  # tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input)


class Hardswish(_Inplace):
    """``x * relu6(x + 3) / 6``: a piecewise swish.

    Example::

        nn.Hardswish()(vinsgrad.tensor([1.0]))  # tensor([0.6667])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input)


class Mish(_Inplace):
    """``x * tanh(softplus(x))`` elementwise.

    Example::

        nn.Mish()(vinsgrad.tensor([1.0]))  # tensor([0.8651])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input)


class LogSigmoid(Module):
    """``log(sigmoid(x))``, finite for large ``|x|``.

    Example::

        nn.LogSigmoid()(vinsgrad.tensor([0.0]))  # tensor([-0.6931])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class PReLU(Module):
    """``x`` where positive, ``weight * x`` elsewhere, with a learnt slope (one, or one per channel of dim 1).

    Example::

        act = nn.PReLU(num_parameters=8)  # weight (8,), starts at 0.25
        act(vinsgrad.randn(4, 8, 5, 5)).shape  # (4, 8, 5, 5)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        dtype = factory_dtype("PReLU", device, dtype)
        if not isinstance(num_parameters, int) or isinstance(num_parameters, bool) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got {num_parameters!r}")
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(xp.full(num_parameters, init, dtype=dtype))

    def reset_parameters(self) -> None:
        self.weight._data.fill(self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmin(Module):
    """``softmax(-x)`` along ``dim``: each slice becomes a distribution favouring small values.

    Example::

        nn.Softmin(dim=1)(vinsgrad.tensor([[0.0, 0.0]]))  # tensor([[0.5000, 0.5000]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Tanhshrink(Module):
    """``x - tanh(x)`` elementwise.

    Example::

        nn.Tanhshrink()(vinsgrad.tensor([0.0]))  # tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class Hardshrink(Module):
    """``x`` where ``|x| > lambd``, else 0.

    Example::

        nn.Hardshrink()(vinsgrad.tensor([-1.0, 0.2]))  # tensor([-1., 0.])
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """``x`` moved ``lambd`` towards 0, and 0 within [-lambd, lambd].

    Example::

        nn.Softshrink()(vinsgrad.tensor([-1.0, 0.2]))  # tensor([-0.5, 0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``.

    Example::

        nn.Threshold(0.1, 20.0)(vinsgrad.tensor([0.0, 1.0]))  # tensor([20., 1.])
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class GLU(Module):
    """The gated linear unit: ``a * sigmoid(b)`` for the two halves a, b of the input along ``dim``.

    Example::

        nn.GLU()(vinsgrad.randn(4, 10)).shape  # (4, 5)
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels of each pixel of an (N, C, H, W) or (C, H, W) input.

    Example::

        nn.Softmax2d()(vinsgrad.randn(2, 3, 4, 4)).sum(1)  # all ones
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-D or 4-D input, got shape {tuple(input.shape)}")
        return F.softmax(input, -3)


class CosineSimilarity(Module):
    """The cosine similarity of two inputs along ``dim`` (``F.cosine_similarity``).

    Example::

        nn.CosineSimilarity(dim=1)(a, b)  # (N,) for a, b of shape (N, D)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The ``p``-norm distance ``||x1 - x2 + eps||_p`` over the last dim (``F.pairwise_distance``).

    Example::

        nn.PairwiseDistance()(a, b)  # (N,) for a, b of shape (N, D)
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
