"""Gradient checks of the layers, activations and losses of issue 14, through the Modules' own wiring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
from vinsgrad.autograd import ops
from vinsgrad.testing.registry import (
    call_layer,
    case,
    constant,
    fmt,
    inputs,
    layer_inputs,
    module_inputs,
    randn,
    randn_inputs,
    same_mask,
    uniform,
)

_F64 = vinsgrad.float64

# **** activations ****


def _spread(*shape: int, scale: float = 3.0) -> Callable[[np.random.Generator], Any]:
    """Values over [-scale, scale] that stay 0.05 away from the kinks at 0, +-1, +-3 and 6 (finite differences
    straddling a kink would measure neither side's slope)."""

    def make(rng: np.random.Generator) -> vinsgrad.Tensor:
        a = rng.uniform(-scale, scale, shape)
        for kink in (-3.0, -1.0, 0.0, 1.0, 3.0, 6.0):
            near = np.abs(a - kink) < 0.05
            a[near] = kink + np.where(a[near] >= kink, 0.05, -0.05)
        return vinsgrad.tensor(a, dtype=_F64, requires_grad=True)

    return make


ACTIVATIONS: dict[str, tuple[Callable[[], nn.Module], tuple[type, ...]]] = {
    "SiLU": (nn.SiLU, (F.SiLUFn,)),
    "ELU": (nn.ELU, (F.ELUFn,)),
    "ELU(alpha=0.5)": (lambda: nn.ELU(0.5), (F.ELUFn,)),
    "SELU": (nn.SELU, (F.ELUFn,)),
    "CELU(alpha=2)": (lambda: nn.CELU(2.0), (F.ELUFn,)),
    "Softplus": (nn.Softplus, (F.SoftplusFn,)),
    "Softplus(beta=2,threshold=3)": (lambda: nn.Softplus(2.0, 3.0), (F.SoftplusFn,)),
    "Softsign": (nn.Softsign, ()),
    "Hardtanh": (nn.Hardtanh, (F.HardtanhFn,)),
    "Hardtanh(-2,0.5)": (lambda: nn.Hardtanh(-2.0, 0.5), (F.HardtanhFn,)),
    "ReLU6": (nn.ReLU6, (F.HardtanhFn,)),
    "Hardsigmoid": (nn.Hardsigmoid, (F.HardsigmoidFn,)),
    "Hardswish": (nn.Hardswish, (F.HardswishFn,)),
    "Mish": (nn.Mish, (F.MishFn,)),
    "LogSigmoid": (nn.LogSigmoid, (F.LogSigmoidFn,)),
    "Softmin(dim=1)": (lambda: nn.Softmin(dim=1), (ops.SoftmaxFn,)),
    "Tanhshrink": (nn.Tanhshrink, (ops.TanhFn,)),
    "PReLU": (nn.PReLU, (ops.WhereFn,)),
    "PReLU(3)": (lambda: nn.PReLU(3), (ops.WhereFn,)),
    "Hardshrink": (nn.Hardshrink, (ops.WhereFn,)),
    "Softshrink(lambd=1)": (lambda: nn.Softshrink(1.0), (ops.ClampFn,)),
    "Threshold(0.5, -2)": (lambda: nn.Threshold(0.5, -2.0), (ops.WhereFn,)),
    "GLU(dim=-1)": (nn.GLU, (ops.SigmoidFn,)),
    "Softmax2d": (nn.Softmax2d, (ops.SoftmaxFn,)),
}
for _name, (_make, _fns) in ACTIVATIONS.items():
    _x = _spread(2, 3, 4, scale=7.0 if "6" in _name else 4.0)
    case(f"{_name} (2,3,4)", (type(_make()), *_fns), module_inputs(_make, _x))(lambda m, x, *p: m(x))

for _p in (1.0, 2.0, 3.0, float("inf")):
    case(f"normalize (3,4) p={_p} dim=1", (ops.DivFn,), inputs(randn(3, 4)))(lambda x, p=_p: F.normalize(x, p, dim=1))
case(
    "normalize (2,3) eps=1 clamps one row",
    (ops.DivFn, ops.ClampFn),
    inputs(lambda rng: vinsgrad.tensor([[0.1, -0.2, 0.3], [1.0, -2.0, 0.5]], dtype=_F64, requires_grad=True)),
)(lambda x: F.normalize(x, dim=1, eps=1.0))


# **** losses ****


def _signs(*shape: int) -> Callable[[np.random.Generator], Any]:
    return lambda rng: vinsgrad.tensor(rng.choice([-1.0, 1.0], shape), dtype=_F64)


def _log_probs(*shape: int) -> Callable[[np.random.Generator], Any]:
    def make(rng: np.random.Generator) -> vinsgrad.Tensor:
        p = rng.uniform(0.1, 1.0, shape)
        return vinsgrad.tensor(np.log(p / p.sum(-1, keepdims=True)), dtype=_F64, requires_grad=True)

    return make


def _away(delta: float, *shape: int) -> Callable[[np.random.Generator], Any]:
    """Input-target differences kept 0.05 away from +-delta (the seam of SmoothL1 and Huber)."""

    def make(rng: np.random.Generator) -> vinsgrad.Tensor:
        a = rng.uniform(-2.5, 2.5, shape)
        a[np.abs(np.abs(a) - delta) < 0.05] += 0.1
        return vinsgrad.tensor(a, dtype=_F64, requires_grad=True)

    return make


LOSSES: dict[str, tuple[Callable[[], nn.Module], tuple[Callable, ...]]] = {
    "SmoothL1Loss": (nn.SmoothL1Loss, (_away(1.0, 3, 4), constant(3, 4))),
    "SmoothL1Loss(beta=0.5, sum)": (
        lambda: nn.SmoothL1Loss(reduction="sum", beta=0.5),
        (_away(0.5, 3, 4), constant(3, 4)),
    ),
    "HuberLoss(delta=0.7, none)": (lambda: nn.HuberLoss("none", 0.7), (_away(0.7, 3, 4), constant(3, 4))),
    "KLDivLoss(batchmean)": (lambda: nn.KLDivLoss(reduction="batchmean"), (_log_probs(3, 4), uniform(3, 4, lo=0.1))),
    "KLDivLoss(log_target)": (lambda: nn.KLDivLoss(log_target=True), (_log_probs(3, 4), _log_probs(3, 4))),
    "CosineEmbeddingLoss(margin=0.2)": (lambda: nn.CosineEmbeddingLoss(0.2), (randn(5, 4), randn(5, 4), _signs(5))),
    "MarginRankingLoss(margin=0.1)": (lambda: nn.MarginRankingLoss(0.1), (randn(6), randn(6), _signs(6))),
    "TripletMarginLoss(margin=3)": (lambda: nn.TripletMarginLoss(3.0), (randn(4, 3), randn(4, 3), randn(4, 3))),
    "TripletMarginLoss(p=1, swap)": (
        lambda: nn.TripletMarginLoss(3.0, p=1.0, swap=True),
        (randn(4, 3), randn(4, 3), randn(4, 3)),
    ),
    "PoissonNLLLoss": (nn.PoissonNLLLoss, (randn(3, 4), uniform(3, 4, hi=4.0))),
    "PoissonNLLLoss(rate, full, sum)": (
        lambda: nn.PoissonNLLLoss(log_input=False, full=True, reduction="sum"),
        (uniform(3, 4, lo=0.5, hi=2.0), uniform(3, 4, hi=4.0)),
    ),
    "GaussianNLLLoss": (nn.GaussianNLLLoss, (randn(3, 4), randn(3, 4), uniform(3, 4, lo=0.5, hi=2.0))),
    "GaussianNLLLoss(full) var (3,1)": (
        lambda: nn.GaussianNLLLoss(full=True),
        (randn(3, 4), randn(3, 4), uniform(3, 1, lo=0.5, hi=2.0)),
    ),
}
case(
    "CosineSimilarity(dim=1) broadcast",
    (nn.CosineSimilarity,),
    module_inputs(nn.CosineSimilarity, randn(3, 4, 2), randn(1, 4, 2)),
)(lambda m, a, b: m(a, b))
case(
    "PairwiseDistance(p=3)",
    (nn.PairwiseDistance,),
    module_inputs(lambda: nn.PairwiseDistance(3.0), randn(3, 4), randn(3, 4)),
)(lambda m, a, b: m(a, b))
for _name, (_make, _makers) in LOSSES.items():
    case(_name, (type(_make()),), module_inputs(_make, *_makers))(lambda m, *args: m(*args))


# **** convolution, pooling, resampling, padding, normalisation, dropout ****

CONV_TRANSPOSE_ARGS: dict[str, tuple[tuple[int, ...], tuple[int, ...], dict[str, Any]]] = {
    "stride=2 pad=1 out_pad=1": ((2, 2, 3, 3), (2, 3, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    "stride=(1,2) groups=2 dilation=2": ((1, 4, 3, 2), (4, 1, 2, 3), {"stride": (1, 2), "groups": 2, "dilation": 2}),
    "unbatched": ((2, 3, 3), (2, 2, 2, 2), {"stride": 2}),
}
for _name, (_sx, _sw, _kw) in CONV_TRANSPOSE_ARGS.items():
    _bias = (_sw[1] * _kw.get("groups", 1),)
    case(f"conv_transpose2d {fmt(_sx)}*{fmt(_sw)} {_name}", (F.ConvTranspose2dFn,), randn_inputs(_sx, _sw, _bias))(
        lambda x, w, b, kw=_kw: F.conv_transpose2d(x, w, b, **kw)
    )
case("conv1d (2,4,7)*(6,2,3) stride=2 pad=1 groups=2", (F.Conv2dFn,), randn_inputs((2, 4, 7), (6, 2, 3), (6,)))(
    lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, groups=2)
)

for _mode in ("reflect", "replicate", "circular"):
    case(f"pad {_mode} (2,3,4,5) (1,2,3,0)", (F.ResampleAxisFn,), randn_inputs((2, 3, 4, 5)))(
        lambda x, m=_mode: F.pad(x, (1, 2, 3, 0), mode=m)
    )

INTERPOLATE_ARGS: dict[str, tuple[tuple[int, ...], dict[str, Any]]] = {
    "nearest x2": ((1, 2, 3, 4), {"scale_factor": 2}),
    "nearest size=(5,3)": ((1, 2, 3, 4), {"size": (5, 3)}),
    "nearest-exact x1.5": ((1, 1, 4, 4), {"scale_factor": 1.5, "mode": "nearest-exact"}),
    "bilinear x2": ((1, 2, 3, 4), {"scale_factor": 2, "mode": "bilinear"}),
    "bilinear size=(5,2) align_corners": ((1, 2, 3, 4), {"size": (5, 2), "mode": "bilinear", "align_corners": True}),
    "linear x0.6": ((2, 2, 5), {"scale_factor": 0.6, "mode": "linear"}),
    "trilinear": ((1, 1, 2, 3, 2), {"size": (3, 2, 4), "mode": "trilinear"}),
    "area size=(2,3)": ((1, 2, 5, 4), {"size": (2, 3), "mode": "area"}),
}
for _name, (_s, _kw) in INTERPOLATE_ARGS.items():
    case(f"interpolate {fmt(_s)} {_name}", (F.ResampleAxisFn, ops.MatMulFn), randn_inputs(_s))(
        lambda x, kw=_kw: F.interpolate(x, **kw)
    )

case("adaptive_max_pool2d (2,2,5,7)->(3,4)", (F.AdaptiveMaxPool2dFn,), randn_inputs((2, 2, 5, 7)))(
    lambda x: F.adaptive_max_pool2d(x, (3, 4))
)
case("adaptive_avg_pool2d (2,5,7)->(3,None)", (ops.MatMulFn,), randn_inputs((2, 5, 7)))(
    lambda x: F.adaptive_avg_pool2d(x, (3, None))
)
case("group_norm (2,6,3) 3 groups", (F.NormalizeFn,), randn_inputs((2, 6, 3), (6,), (6,)))(
    lambda x, w, b: F.group_norm(x, 3, w, b)
)
case("instance_norm (2,3,2,3)", (F.NormalizeFn,), randn_inputs((2, 3, 2, 3), (3,), (3,)))(
    lambda x, w, b: F.instance_norm(x, weight=w, bias=b)
)
case("dropout2d (3,4,2,2) p=0.5", (ops.MulFn,), randn_inputs((3, 4, 2, 2)))(same_mask(lambda x: F.dropout2d(x, 0.5)))

LAYERS: dict[str, tuple[Callable[[], Any], tuple[int, ...]]] = {
    "Conv1d(2,3,3,padding=1)": (lambda: nn.Conv1d(2, 3, 3, padding=1), (2, 2, 5)),
    "Conv1d(2,2,2,padding=same,reflect)": (
        lambda: nn.Conv1d(2, 2, 2, padding="same", padding_mode="reflect"),
        (1, 2, 5),
    ),
    "Conv2d(2,2,3,padding=1,circular)": (lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode="circular"), (1, 2, 3, 4)),
    "ConvTranspose2d(2,3,3,stride=2,padding=1)": (
        lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
        (2, 2, 3, 3),
    ),
    "MaxPool1d(3,2,1)": (lambda: nn.MaxPool1d(3, 2, 1), (2, 2, 7)),
    "AvgPool1d(3,2,count_include_pad=False)": (lambda: nn.AvgPool1d(3, 2, 1, count_include_pad=False), (2, 2, 7)),
    "AdaptiveAvgPool2d((2,3))": (lambda: nn.AdaptiveAvgPool2d((2, 3)), (2, 2, 5, 7)),
    "AdaptiveMaxPool2d(2)": (lambda: nn.AdaptiveMaxPool2d(2), (2, 2, 5, 5)),
    "Upsample(x2, nearest)": (lambda: nn.Upsample(scale_factor=2), (1, 2, 2, 3)),
    "UpsamplingNearest2d(size=3)": (lambda: nn.UpsamplingNearest2d(size=3), (1, 2, 2, 2)),
    "UpsamplingBilinear2d(x2)": (lambda: nn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 2, 3)),
    "GroupNorm(2,4)": (lambda: nn.GroupNorm(2, 4), (2, 4, 3)),
    "InstanceNorm1d(3,affine)": (lambda: nn.InstanceNorm1d(3, affine=True), (2, 3, 4)),
    "InstanceNorm2d(2)": (lambda: nn.InstanceNorm2d(2), (2, 2, 2, 3)),
    "InstanceNorm2d(2,track) eval": (lambda: nn.InstanceNorm2d(2, track_running_stats=True).eval(), (2, 2, 2, 3)),
    "Dropout2d(0.4)": (lambda: nn.Dropout2d(0.4), (3, 4, 2, 2)),
    "Dropout1d(0.4)": (lambda: nn.Dropout1d(0.4), (3, 4, 2)),
    "AdaptiveAvgPool1d(3)": (lambda: nn.AdaptiveAvgPool1d(3), (2, 2, 7)),
    "AdaptiveMaxPool1d(3)": (lambda: nn.AdaptiveMaxPool1d(3), (2, 2, 7)),
    "PixelShuffle(2)": (lambda: nn.PixelShuffle(2), (1, 8, 2, 3)),
    "PixelUnshuffle(2)": (lambda: nn.PixelUnshuffle(2), (1, 2, 4, 2)),
    "ZeroPad1d((1,2))": (lambda: nn.ZeroPad1d((1, 2)), (2, 3)),
    "ZeroPad2d((1,0,2,1))": (lambda: nn.ZeroPad2d((1, 0, 2, 1)), (1, 2, 3, 3)),
    "ConstantPad1d(2,0.5)": (lambda: nn.ConstantPad1d(2, 0.5), (2, 3)),
    "ConstantPad2d(1,-1)": (lambda: nn.ConstantPad2d(1, -1.0), (2, 3, 2)),
    "ReflectionPad1d(2)": (lambda: nn.ReflectionPad1d(2), (2, 2, 4)),
    "ReflectionPad2d((1,2,2,1))": (lambda: nn.ReflectionPad2d((1, 2, 2, 1)), (1, 2, 3, 4)),
    "ReplicationPad1d((2,1))": (lambda: nn.ReplicationPad1d((2, 1)), (2, 3)),
    "ReplicationPad2d(2)": (lambda: nn.ReplicationPad2d(2), (1, 2, 3, 3)),
    "CircularPad1d(1)": (lambda: nn.CircularPad1d(1), (2, 2, 3)),
    "CircularPad2d((2,1,1,0))": (lambda: nn.CircularPad2d((2, 1, 1, 0)), (1, 2, 3, 3)),
}
for _name, (_make, _s) in LAYERS.items():
    _call: Callable[..., vinsgrad.Tensor] = same_mask(call_layer) if _name.startswith("Dropout") else call_layer
    case(f"layer {_name} {fmt(_s)}", (type(_make()),), layer_inputs(_make, *_s))(_call)


# **** whole graphs: the new layers chained as a decoder and a classifier would chain them ****


def _decoder() -> nn.Module:
    return nn.Sequential(
        nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
        nn.GroupNorm(2, 4),
        nn.Mish(),
        nn.Upsample(scale_factor=1.5, mode="bilinear"),
        nn.ReflectionPad2d(1),
        nn.Conv2d(4, 2, 3),
        nn.InstanceNorm2d(2, affine=True),
        nn.AdaptiveAvgPool2d((2, 3)),
        nn.Flatten(),
        nn.Linear(12, 3),
    )


case(
    "graph decoder ConvTranspose2d-GroupNorm-Mish-Upsample-ReflectionPad2d-Conv2d-InstanceNorm2d-pool-Linear",
    (nn.ConvTranspose2d, nn.GroupNorm, nn.Mish, nn.Upsample, nn.ReflectionPad2d, nn.AdaptiveAvgPool2d),
    module_inputs(_decoder, randn(2, 3, 2, 2)),
)(lambda m, x, *p: nn.functional.smooth_l1_loss(m(x), x.flatten(1)[:, :3], beta=0.5))
