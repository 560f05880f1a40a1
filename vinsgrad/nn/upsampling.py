"""``Upsample`` and its fixed-mode variants over ``functional.interpolate``; ``PixelShuffle``/``PixelUnshuffle``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn.module import Module


class Upsample(Module):
    """Resize the spatial dims to ``size`` or by ``scale_factor`` (modes as ``F.interpolate``: 'nearest',
    'nearest-exact', 'linear', 'bilinear', 'trilinear', 'area').

    Example::

        up = nn.Upsample(scale_factor=2, mode="bilinear")
        up(vinsgrad.randn(1, 3, 8, 8)).shape  # (1, 3, 16, 16)
    """

    def __init__(
        self,
        size: int | Sequence[int] | None = None,
        scale_factor: float | Sequence[float] | None = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.size = size
        self.scale_factor: Any = scale_factor  # stored as float(s), as PyTorch does
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(s) for s in scale_factor)
        elif isinstance(scale_factor, (int, float)):
            self.scale_factor = float(scale_factor)
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners, self.recompute_scale_factor
        )

    def extra_repr(self) -> str:
        where = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{where}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode='nearest')`` for (N, C, H, W) inputs.

    Example::

        nn.UpsamplingNearest2d(scale_factor=2)(vinsgrad.randn(1, 3, 4, 4)).shape  # (1, 3, 8, 8)
    """

    def __init__(self, size: int | Sequence[int] | None = None, scale_factor: float | None = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode='bilinear', align_corners=True)`` for (N, C, H, W) inputs.

    Example::

        nn.UpsamplingBilinear2d(scale_factor=2)(vinsgrad.randn(1, 3, 4, 4)).shape  # (1, 3, 8, 8)
    """

    def __init__(self, size: int | Sequence[int] | None = None, scale_factor: float | None = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C * r * r, H, W) -> (*, C, H * r, W * r): channels become r x r pixel blocks (sub-pixel upsampling).

    Example::

        nn.PixelShuffle(3)(vinsgrad.randn(1, 9, 4, 4)).shape  # (1, 1, 12, 12)
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H * r, W * r) -> (*, C * r * r, H, W): the inverse of ``PixelShuffle``.

    Example::

        nn.PixelUnshuffle(3)(vinsgrad.randn(1, 1, 12, 12)).shape  # (1, 9, 4, 4)
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
