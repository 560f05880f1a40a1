"""Loss layers: each holds its settings (class weights as buffers, as in PyTorch) and calls ``nn.functional``."""

from __future__ import annotations

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn._utils import check_reduction
from vinsgrad.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction


class CrossEntropyLoss(_Loss):
    """Cross entropy between logits and class indices (or class probabilities): log_softmax + NLL, fused.

    Args:
        weight: a rescaling weight per class, shape (C,).
        ignore_index: targets equal to it contribute nothing (class-index targets only).
        reduction: 'mean' (weighted mean over non-ignored targets), 'sum' or 'none'.
        label_smoothing: in [0, 1]; mixes the target with the uniform distribution.

    Shape: input (N, C), (C,) or (N, C, d1, ...); target (N,), () or (N, d1, ...) int64, or probabilities of the
    input's shape.

    Example::

        loss_fn = nn.CrossEntropyLoss()
        loss = loss_fn(model(x), y)  # y: int64 class indices
        loss.backward()
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}")
        self.register_buffer("weight", weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, label_smoothing=self.label_smoothing
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of class indices given log-probabilities (e.g. from ``LogSoftmax``).

    Example::

        loss_fn = nn.NLLLoss()
        loss = loss_fn(nn.LogSoftmax(dim=1)(logits), y)
    """

    def __init__(self, weight: Tensor | None = None, *, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class MSELoss(_Loss):
    """Squared error ``(input - target)**2``, averaged (or summed, or kept per element).

    Example::

        loss_fn = nn.MSELoss()
        loss = loss_fn(prediction, target)
    """

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Absolute error ``|input - target|``, averaged (or summed, or kept per element).

    Example::

        loss_fn = nn.L1Loss(reduction="sum")
        loss = loss_fn(prediction, target)
    """

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross entropy between probabilities in [0, 1] and targets; ``weight`` rescales each element.

    Example::

        loss_fn = nn.BCELoss()
        loss = loss_fn(nn.Sigmoid()(scores), labels.float())
    """

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross entropy in one numerically stable op; ``pos_weight`` scales positives per class.

    Example::

        loss_fn = nn.BCEWithLogitsLoss(pos_weight=vinsgrad.tensor([3.0]))
        loss = loss_fn(scores, labels.float())
    """

    def __init__(
        self, weight: Tensor | None = None, *, reduction: str = "mean", pos_weight: Tensor | None = None
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)
