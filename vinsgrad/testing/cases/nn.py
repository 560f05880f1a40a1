"""Gradient checks of ``nn.functional`` and every layer and loss, through the Modules' own wiring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
from vinsgrad.autograd import ops
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.testing.registry import (
    call_layer,
    case,
    classes,
    constant,
    fmt,
    inputs,
    layer_inputs,
    module_inputs,
    probs,
    randn,
    randn_inputs,
    same_mask,
    uniform,
)

# **** nn: linear, activations, losses ****


_W3 = [0.5, 2.0, 1.25]  # class weights for three-class cases
_W4 = [0.5, 2.0, 1.25, 0.75]  # element weights along a last dim of 4
_F64 = vinsgrad.float64

case("Linear (4,3)->(4,2)", (F.LinearFn, nn.Linear), module_inputs(lambda: nn.Linear(3, 2), randn(4, 3)))(
    lambda m, x, *p: m(x)
)
case(
    "Linear (2,3,3)->(2,3,2) no bias",
    (F.LinearFn, nn.Linear),
    module_inputs(lambda: nn.Linear(3, 2, bias=False), randn(2, 3, 3)),
)(lambda m, x, *p: m(x))
case("Linear (3,)->(2,)", (F.LinearFn, nn.Linear), module_inputs(lambda: nn.Linear(3, 2), randn(3)))(
    lambda m, x, *p: m(x)
)
case(
    "Sequential Linear-ReLU-Linear",
    (F.LinearFn, nn.Linear, ops.ReLUFn, nn.ReLU),
    module_inputs(
        lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)),
        randn(5, 3),
    ),
)(lambda m, x, *p: m(x))

case("ReLU (3,4)", (ops.ReLUFn, nn.ReLU), module_inputs(nn.ReLU, randn(3, 4, away_from_zero=True)))(lambda m, x: m(x))
case(
    "LeakyReLU (3,4) slope 0.2",
    (F.LeakyReLUFn, nn.LeakyReLU),
    module_inputs(lambda: nn.LeakyReLU(0.2), randn(3, 4, away_from_zero=True)),
)(lambda m, x: m(x))
case("Sigmoid (3,4)", (ops.SigmoidFn, nn.Sigmoid), module_inputs(nn.Sigmoid, randn(3, 4)))(lambda m, x: m(x))
case("Tanh (3,4)", (ops.TanhFn, nn.Tanh), module_inputs(nn.Tanh, randn(3, 4)))(lambda m, x: m(x))
case(
    "GELU (3,4)",
    (F.GELUFn, nn.GELU),
    module_inputs(nn.GELU, lambda rng: vinsgrad.tensor(rng.uniform(-4, 4, (3, 4)), dtype=_F64, requires_grad=True)),
)(lambda m, x: m(x))
case("GELU tanh (3,4)", (F.GELUFn, nn.GELU), module_inputs(lambda: nn.GELU(approximate="tanh"), randn(3, 4)))(
    lambda m, x: m(x)
)
case("Softmax dim=1 (3,4)", (ops.SoftmaxFn, nn.Softmax), module_inputs(lambda: nn.Softmax(dim=1), randn(3, 4)))(
    lambda m, x: m(x)
)
case(
    "LogSoftmax dim=0 (3,4)",
    (ops.LogSoftmaxFn, nn.LogSoftmax),
    module_inputs(lambda: nn.LogSoftmax(dim=0), randn(3, 4)),
)(lambda m, x: m(x))

case(
    "CrossEntropyLoss (4,3)",
    (nn.CrossEntropyLoss, F.CrossEntropyFn),
    module_inputs(nn.CrossEntropyLoss, randn(4, 3), classes(3, 4)),
)(lambda m, x, y: m(x, y))
case(
    "CrossEntropyLoss weight ignore_index smoothing",
    (nn.CrossEntropyLoss, F.CrossEntropyFn),
    module_inputs(
        lambda: nn.CrossEntropyLoss(vinsgrad.tensor(_W3), ignore_index=1, label_smoothing=0.2),
        randn(5, 3),
        classes(3, 5, ignore=1),
    ),
)(lambda m, x, y: m(x, y))
case(
    "CrossEntropyLoss sum (2,3,2,2)",
    (nn.CrossEntropyLoss, F.CrossEntropyFn),
    module_inputs(lambda: nn.CrossEntropyLoss(reduction="sum"), randn(2, 3, 2, 2), classes(3, 2, 2, 2)),
)(lambda m, x, y: m(x, y))
case(
    "CrossEntropyLoss none weight (4,3)",
    (nn.CrossEntropyLoss, F.CrossEntropyFn),
    module_inputs(lambda: nn.CrossEntropyLoss(vinsgrad.tensor(_W3), reduction="none"), randn(4, 3), classes(3, 4)),
)(lambda m, x, y: m(x, y))
case(
    "CrossEntropyLoss probabilities weight smoothing",
    (nn.CrossEntropyLoss, F.CrossEntropyFn),
    module_inputs(lambda: nn.CrossEntropyLoss(vinsgrad.tensor(_W3), label_smoothing=0.1), randn(4, 3), probs(4, 3)),
)(lambda m, x, p: m(x, p))
case(
    "NLLLoss weight ignore_index (4,3)",
    (F.NLLLossFn, nn.NLLLoss),
    module_inputs(lambda: nn.NLLLoss(vinsgrad.tensor(_W3), ignore_index=0), randn(4, 3), classes(3, 4, ignore=0)),
)(lambda m, x, y: m(x, y))
case(
    "NLLLoss none (2,3,2)",
    (F.NLLLossFn, nn.NLLLoss),
    module_inputs(lambda: nn.NLLLoss(reduction="none"), randn(2, 3, 2), classes(3, 2, 2)),
)(lambda m, x, y: m(x, y))
case("MSELoss (3,4)", (nn.MSELoss,), module_inputs(nn.MSELoss, randn(3, 4), randn(3, 4)))(lambda m, x, t: m(x, t))
case("L1Loss sum (3,4)", (nn.L1Loss,), module_inputs(lambda: nn.L1Loss(reduction="sum"), randn(3, 4), randn(3, 4)))(
    lambda m, x, t: m(x, t)
)
case(
    "BCELoss weight (3,4)",
    (nn.BCELoss, F.BinaryCrossEntropyFn),
    module_inputs(lambda: nn.BCELoss(vinsgrad.tensor(_W4)), uniform(3, 4, lo=0.1, hi=0.9), uniform(3, 4)),
)(lambda m, x, t: m(x, t))
case(
    "BCEWithLogitsLoss weight pos_weight (3,4)",
    (nn.BCEWithLogitsLoss, F.BCEWithLogitsFn),
    module_inputs(
        lambda: nn.BCEWithLogitsLoss(vinsgrad.tensor(_W4), pos_weight=vinsgrad.tensor([3.0, 0.5, 1.0, 2.0])),
        randn(3, 4),
        uniform(3, 4),
    ),
)(lambda m, x, t: m(x, t))
case(
    "BCEWithLogitsLoss none (5,)",
    (nn.BCEWithLogitsLoss, F.BCEWithLogitsFn),
    module_inputs(lambda: nn.BCEWithLogitsLoss(reduction="none"), randn(5), uniform(5)),
)(lambda m, x, t: m(x, t))


# **** nn: convolution, pooling, normalisation, embedding, dropout ****


CONV2D_ARGS: dict[str, tuple[tuple[int, ...], tuple[int, ...], dict[str, Any]]] = {
    "pad=1": ((2, 2, 4, 4), (3, 2, 3, 3), {"padding": 1}),
    "stride=2 dilation=(1,2) pad=(1,2)": (
        (1, 2, 5, 6),
        (2, 2, 2, 3),
        {"stride": 2, "dilation": (1, 2), "padding": (1, 2)},
    ),
    "groups=2 pad=same": ((1, 4, 4, 3), (4, 2, 2, 2), {"groups": 2, "padding": "same"}),
    "unbatched stride=(1,2)": ((2, 4, 5), (2, 2, 3, 2), {"stride": (1, 2)}),
}
for _name, (_sx, _sw, _kw) in CONV2D_ARGS.items():
    case(f"conv2d {fmt(_sx)}*{fmt(_sw)} {_name}", (F.Conv2dFn,), randn_inputs(_sx, _sw, (_sw[0],)))(
        lambda x, w, b, kw=_kw: F.conv2d(x, w, b, **kw)
    )
case("conv2d no bias", (F.Conv2dFn,), randn_inputs((1, 1, 4, 4), (2, 1, 3, 3)))(lambda x, w: F.conv2d(x, w))

POOL_ARGS: dict[str, dict[str, Any]] = {
    "k=2": {"kernel_size": 2},
    "k=3 s=2 p=1 ceil": {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    "k=(2,3) s=1": {"kernel_size": (2, 3), "stride": 1},
}
for _name, _kw in POOL_ARGS.items():
    _x = randn_inputs((2, 2, 5, 6))
    case(f"max_pool2d (2,2,5,6) {_name}", (F.MaxPool2dFn,), _x)(lambda x, kw=_kw: F.max_pool2d(x, **kw))
    case(f"avg_pool2d (2,2,5,6) {_name}", (F.AvgPool2dFn,), _x)(lambda x, kw=_kw: F.avg_pool2d(x, **kw))
case("max_pool2d (1,2,6,6) dilation=2", (F.MaxPool2dFn,), randn_inputs((1, 2, 6, 6)))(
    lambda x: F.max_pool2d(x, 2, stride=1, dilation=2)
)
case("avg_pool2d (2,5,6) p=1 exclude pad", (F.AvgPool2dFn,), randn_inputs((2, 5, 6)))(
    lambda x: F.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True, count_include_pad=False)
)
case("avg_pool2d (1,1,4,5) divisor_override", (F.AvgPool2dFn,), randn_inputs((1, 1, 4, 5)))(
    lambda x: F.avg_pool2d(x, 2, divisor_override=3)
)

for _s in [(4, 3), (3, 3, 4), (2, 3, 2, 2)]:
    case(f"batch_norm {fmt(_s)} training", (F.NormalizeFn,), randn_inputs(_s, (3,), (3,)))(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)
    )
case("batch_norm (2,3,2,2) no affine", (F.NormalizeFn,), randn_inputs((2, 3, 2, 2)))(
    lambda x: F.batch_norm(x, None, None, training=True)
)
case(
    "batch_norm (4,3) running stats",
    (F.NormalizeFn,),
    inputs(randn(4, 3), randn(3), randn(3), constant(3), constant(3, positive=True)),
)(lambda x, w, b, m, v: F.batch_norm(x, m, v, w, b, training=False))
case("layer_norm (2,3,4) (3,4)", (F.NormalizeFn,), randn_inputs((2, 3, 4), (3, 4), (3, 4)))(
    lambda x, w, b: F.layer_norm(x, (3, 4), w, b)
)
case("layer_norm (3,5) no affine", (F.NormalizeFn,), randn_inputs((3, 5)))(lambda x: F.layer_norm(x, 5))
case(
    "embedding (5,3) repeats padding_idx",
    (F.EmbeddingFn,),
    inputs(randn(5, 3), lambda rng: vinsgrad.tensor([[1, 3, 1], [0, 3, 2]])),
)(lambda w, i: F.embedding(i, w, padding_idx=4))  # the padding row's zero gradient is not a derivative: unit-tested
case("dropout (4,5) p=0.3", (ops.MulFn,), randn_inputs((4, 5)))(same_mask(lambda x: F.dropout(x, 0.3)))

LAYERS: dict[str, tuple[Callable[[], Any], tuple[int, ...]]] = {
    "Conv2d(2,3,3,pad=1)": (lambda: nn.Conv2d(2, 3, 3, padding=1), (2, 2, 4, 4)),
    "Conv2d(2,2,2,stride=2,bias=False)": (lambda: nn.Conv2d(2, 2, 2, stride=2, bias=False), (1, 2, 4, 4)),
    "MaxPool2d(2)": (lambda: nn.MaxPool2d(2), (2, 2, 4, 4)),
    "AvgPool2d(3,2,1)": (lambda: nn.AvgPool2d(3, 2, 1), (2, 2, 5, 5)),
    "BatchNorm1d(3) train": (lambda: nn.BatchNorm1d(3), (4, 3, 2)),
    "BatchNorm2d(2) train": (lambda: nn.BatchNorm2d(2), (2, 2, 2, 3)),
    "BatchNorm2d(2) eval": (lambda: nn.BatchNorm2d(2).eval(), (2, 2, 2, 3)),
    "LayerNorm((2,3))": (lambda: nn.LayerNorm((2, 3)), (2, 2, 3)),
    "Dropout(0.4)": (lambda: nn.Dropout(0.4), (3, 4)),
}
for _name, (_make, _s) in LAYERS.items():
    _call: Callable[..., Tensor] = same_mask(call_layer) if _name.startswith("Dropout") else call_layer
    case(f"layer {_name} {fmt(_s)}", (type(_make()),), layer_inputs(_make, *_s))(_call)


def _embedding_layer(rng: np.random.Generator) -> tuple:
    layer = nn.Embedding(6, 2, padding_idx=0).double()
    layer.weight._data[1:] = rng.standard_normal((5, 2))
    return (layer, vinsgrad.tensor([[2, 3, 3], [5, 1, 4]]), layer.weight)


case("layer Embedding(6,2,padding_idx=0)", (F.EmbeddingFn, nn.Embedding), _embedding_layer)(call_layer)
