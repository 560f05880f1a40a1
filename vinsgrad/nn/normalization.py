"""``BatchNorm1d``, ``BatchNorm2d`` and ``LayerNorm``: the math is ``functional.batch_norm``/``layer_norm``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vinsgrad.autograd.backend import int64, xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn.module import Module, Parameter, factory_dtype


def _reset_affine(norm: Module) -> None:
    """A norm layer's learnable scale back to 1 and shift to 0 (each may be absent)."""
    if norm.weight is not None:
        norm.weight._data.fill(1)
    if norm.bias is not None:
        norm.bias._data.fill(0)


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d, which differ only in the input dims they accept."""

    _accepted_dims: tuple[int, ...] = ()
    _dims_text = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        dtype = factory_dtype(type(self).__name__, device, dtype)
        if not isinstance(num_features, int) or isinstance(num_features, bool) or num_features < 1:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got {num_features!r}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.register_parameter("weight", Parameter(xp.ones(num_features, dtype=dtype)) if affine else None)
        self.register_parameter("bias", Parameter(xp.zeros(num_features, dtype=dtype)) if affine and bias else None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(xp.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.zeros((), dtype=int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data.fill(0)
            self.running_var._data.fill(1)
            self.num_batches_tracked._data.fill(0)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self._accepted_dims:
            raise ValueError(f"{type(self).__name__}: expected {self._dims_text} input (got {input.ndim}D input)")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:  # a cumulative moving average: every batch weighs the same
                factor = 1.0 / int(self.num_batches_tracked._data)
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        # In training without tracking, the buffers (if any) are left alone; in eval they are what we normalise by.
        keep = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if keep else None,
            self.running_var if keep else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs: per channel, over the batch (and length) dims.

    In training it normalises with the batch's statistics and updates ``running_mean``/``running_var`` with
    ``momentum`` (the unbiased batch variance, as PyTorch); in eval mode it uses the running statistics.

    Example::

        bn = nn.BatchNorm1d(16)
        bn(vinsgrad.randn(32, 16)).shape  # (32, 16)
    """

    _accepted_dims = (2, 3)
    _dims_text = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs: per channel, over the batch and spatial dims.

    In training it normalises with the batch's statistics and updates ``running_mean``/``running_var`` with
    ``momentum`` (the unbiased batch variance, as PyTorch); in eval mode it uses the running statistics.

    Example::

        bn = nn.BatchNorm2d(8)
        bn(vinsgrad.randn(4, 8, 5, 5)).shape  # (4, 8, 5, 5)
    """

    _accepted_dims = (4,)
    _dims_text = "4D"


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dims of each sample, with learnable weight and bias.

    Example::

        ln = nn.LayerNorm(8)
        ln(vinsgrad.randn(2, 5, 8)).shape  # (2, 5, 8)
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype("LayerNorm", device, dtype)
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not shape or not all(isinstance(s, int) and s >= 1 for s in shape):
            raise ValueError(
                f"LayerNorm: normalized_shape must be a positive int or tuple of them, got {normalized_shape!r}"
            )
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self.register_parameter("weight", Parameter(xp.ones(shape, dtype=dtype)) if elementwise_affine else None)
        self.register_parameter(
            "bias", Parameter(xp.zeros(shape, dtype=dtype)) if elementwise_affine and bias else None
        )

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Normalise the channels of each sample in ``num_groups`` groups (over each group's channels and all
    trailing dims), with a learnable scale and shift per channel. Independent of the batch size.

    Example::

        gn = nn.GroupNorm(num_groups=4, num_channels=16)
        gn(vinsgrad.randn(2, 16, 8, 8)).shape  # (2, 16, 8, 8)
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        dtype = factory_dtype("GroupNorm", device, dtype)
        for name, v in (("num_groups", num_groups), ("num_channels", num_channels)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"GroupNorm: {name} must be a positive int, got {v!r}")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self.register_parameter("weight", Parameter(xp.ones(num_channels, dtype=dtype)) if affine else None)
        self.register_parameter("bias", Parameter(xp.zeros(num_channels, dtype=dtype)) if affine and bias else None)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class _InstanceNorm(_BatchNorm):
    """Instance normalisation: BatchNorm's parameters and buffers, statistics per sample and channel."""

    _unbatched_dims = 0

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self._accepted_dims:
            raise ValueError(f"{type(self).__name__}: expected {self._dims_text} input (got {input.ndim}D input)")
        if input.ndim == self._unbatched_dims:
            return self.forward(input.unsqueeze(0)).squeeze(0)
        return F.instance_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )


class InstanceNorm1d(_InstanceNorm):
    """Normalise each channel of each sample of an (N, C, L) or (C, L) input over its length.

    Without ``affine`` (the default) there are no parameters; with ``track_running_stats`` the running
    statistics are kept in training and used in eval, as BatchNorm's.

    Example::

        norm = nn.InstanceNorm1d(4)
        norm(vinsgrad.randn(2, 4, 10)).shape  # (2, 4, 10)
    """

    _accepted_dims = (2, 3)
    _dims_text = "2D or 3D"
    _unbatched_dims = 2


class InstanceNorm2d(_InstanceNorm):
    """Normalise each channel of each sample of an (N, C, H, W) or (C, H, W) input over its pixels (as in style
    transfer). Without ``affine`` (the default) there are no parameters; with ``track_running_stats`` the
    running statistics are kept in training and used in eval, as BatchNorm's.

    Example::

        norm = nn.InstanceNorm2d(3, affine=True)
        norm(vinsgrad.randn(2, 3, 8, 8)).shape  # (2, 3, 8, 8)
    """

    _accepted_dims = (3, 4)
    _dims_text = "3D or 4D"
    _unbatched_dims = 3
