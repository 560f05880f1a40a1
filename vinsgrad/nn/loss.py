"""Loss layers: each holds its settings (class weights as buffers, as in PyTorch) and calls ``nn.functional``.

Constructors take PyTorch's arguments in PyTorch's order, including the deprecated ``size_average``/``reduce`` pair
(mapped to ``reduction`` with a warning, as PyTorch does)."""

from __future__ import annotations

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn._utils import check_reduction
from vinsgrad.nn.functional.loss import _check_kl_reduction, _legacy_reduction
from vinsgrad.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction


class _LegacyLoss(_Loss):
    """A loss whose PyTorch signature still has the deprecated ``size_average``/``reduce`` pair."""

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))


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
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}")
        self.register_buffer("weight", weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of class indices given log-probabilities (e.g. from ``LogSoftmax``).

    Example::

        loss_fn = nn.NLLLoss()
        loss = loss_fn(nn.LogSoftmax(dim=1)(logits), y)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class MSELoss(_LegacyLoss):
    """Squared error ``(input - target)**2``, averaged (or summed, or kept per element).

    Example::

        loss_fn = nn.MSELoss()
        loss = loss_fn(prediction, target)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_LegacyLoss):
    """Absolute error ``|input - target|``, averaged (or summed, or kept per element).

    Example::

        loss_fn = nn.L1Loss(reduction="sum")
        loss = loss_fn(prediction, target)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross entropy between probabilities in [0, 1] and targets; ``weight`` rescales each element.

    Example::

        loss_fn = nn.BCELoss()
        loss = loss_fn(nn.Sigmoid()(scores), labels.float())
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross entropy in one numerically stable op; ``pos_weight`` scales positives per class.

    Example::

        loss_fn = nn.BCEWithLogitsLoss(pos_weight=vinsgrad.tensor([3.0]))
        loss = loss_fn(scores, labels.float())
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


# **** more losses (issue 14) ****


class SmoothL1Loss(_LegacyLoss):
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta`` (d = input - target).

    Example::

        loss_fn = nn.SmoothL1Loss(beta=0.5)
        loss = loss_fn(prediction, target)
    """

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean", beta: float = 1.0
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be non-negative, got {beta}")
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)`` (d = input - target).

    Example::

        loss_fn = nn.HuberLoss(delta=2.0)
        loss = loss_fn(prediction, target)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        if delta <= 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)


class KLDivLoss(Module):
    """KL divergence of ``exp(input)`` from ``target``: ``target * (log(target) - input)`` pointwise.

    ``input`` holds log-probabilities; ``target`` probabilities, or log-probabilities with ``log_target``.
    Use ``reduction='batchmean'`` for the divergence per sample ('mean' averages over every element).

    Example::

        loss_fn = nn.KLDivLoss(reduction="batchmean")
        loss = loss_fn(F.log_softmax(logits, dim=1), target_probs)
    """

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        super().__init__()
        reduction = _legacy_reduction(size_average, reduce, reduction)
        _check_kl_reduction(reduction)
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CosineEmbeddingLoss(_LegacyLoss):
    """``1 - cos(x1, x2)`` for pairs labelled 1, ``max(0, cos(x1, x2) - margin)`` for pairs labelled -1.

    Example::

        loss_fn = nn.CosineEmbeddingLoss(margin=0.2)
        loss = loss_fn(emb1, emb2, labels)  # labels in {1, -1}
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, self.margin, reduction=self.reduction)


class MarginRankingLoss(_LegacyLoss):
    """``max(0, -y * (x1 - x2) + margin)``: y = 1 asks for x1 > x2, y = -1 for x1 < x2.

    Example::

        loss_fn = nn.MarginRankingLoss(margin=0.5)
        loss = loss_fn(scores_a, scores_b, labels)
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, self.margin, reduction=self.reduction)


class TripletMarginLoss(_LegacyLoss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with d the p-norm distance (``F.pairwise_distance``).

    Example::

        loss_fn = nn.TripletMarginLoss(margin=1.0)
        loss = loss_fn(anchor, positive, negative)
    """

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: margin must be greater than 0, got {margin}")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap, reduction=self.reduction
        )


class PoissonNLLLoss(_LegacyLoss):
    """Poisson negative log-likelihood: ``exp(input) - target * input`` for a log-rate input.

    Example::

        loss_fn = nn.PoissonNLLLoss()
        loss = loss_fn(log_rates, counts)
    """

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        size_average: bool | None = None,
        eps: float = 1e-8,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood: ``0.5 * (log(var) + (input - target)**2 / var)``, var clamped to eps.

    Example::

        loss_fn = nn.GaussianNLLLoss()
        loss = loss_fn(mean, target, var)  # var > 0, e.g. from a softplus head
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)
