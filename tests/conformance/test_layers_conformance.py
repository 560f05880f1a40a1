"""The layers, activations and losses of issue 14 against torch, through the same differential runner.

Kept apart from the issue-13 table so the two grow without conflicts; skipped when torch is not installed.
"""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")

from conformance_runner import F32, F64, I64, Case, Input, run  # noqa: E402

import vinsgrad  # noqa: E402

LAYER_CASES: list[Case] = []


def case(name: str, fn: Any, inputs: list[Input], raises: type[BaseException] | None = None) -> None:
    LAYER_CASES.append(Case(name, fn, tuple(inputs), raises))


X = (2, 3, 5)
IMG = (2, 4, 5, 6)

# **** activations ****

for _name in ["SiLU", "ELU", "SELU", "CELU", "Softplus", "Softsign", "Hardtanh", "ReLU6", "Hardswish",
              "Hardsigmoid", "Mish", "LogSigmoid", "Tanhshrink"]:  # fmt: skip
    case(_name, lambda T, x, n=_name: getattr(T.nn, n)()(x), [F32(X, -5, 5)])
    case(f"{_name}_f64", lambda T, x, n=_name: getattr(T.nn, n)()(x), [F64(X, -7, 7)])
case("ELU_alpha", lambda T, x: T.nn.functional.elu(x, 0.3), [F32(X, -3, 3)])
case("CELU_alpha", lambda T, x: T.nn.CELU(2.5)(x), [F32(X, -3, 3)])
case("Softplus_beta_threshold", lambda T, x: T.nn.Softplus(2.0, 3.0)(x), [F32(X, -3, 3)])
case("Hardtanh_range", lambda T, x: T.nn.functional.hardtanh(x, -0.5, 2.0), [F32(X, -3, 3)])
case("prelu_channels", lambda T, x, w: T.nn.functional.prelu(x, w), [F32(X), F32((3,))])
case("prelu_shared", lambda T, x, w: T.nn.functional.prelu(x, w), [F32(IMG), F32((1,))])
case("Softmin", lambda T, x: T.nn.Softmin(dim=1)(x), [F32(X)])
for _p in (1.0, 2.0, 3.0):
    case(f"normalize_p{_p}", lambda T, x, p=_p: T.nn.functional.normalize(x, p=p, dim=1), [F32(X)])
case("normalize_last_dim", lambda T, x: T.nn.functional.normalize(x, dim=-1), [F64(X)])

case("Hardshrink", lambda T, x: T.nn.Hardshrink(0.7)(x), [F32(X)])
case("Softshrink", lambda T, x: T.nn.Softshrink(0.7)(x), [F32(X)])
case("Threshold", lambda T, x: T.nn.Threshold(0.3, -1.5)(x), [F32(X)])
case("GLU", lambda T, x: T.nn.GLU(dim=1)(x), [F32((2, 6, 3))])
case("Softmax2d", lambda T, x: T.nn.Softmax2d()(x), [F32(IMG)])
case("cosine_similarity", lambda T, a, b: T.nn.functional.cosine_similarity(a, b, dim=1), [F32((4, 5)), F32((1, 5))])
case("PairwiseDistance", lambda T, a, b: T.nn.PairwiseDistance(p=3.0)(a, b), [F64((4, 5)), F64((4, 5))])

# **** losses ****

for _red in ("mean", "sum", "none"):
    case(f"smooth_l1_{_red}", lambda T, a, b, r=_red: T.nn.functional.smooth_l1_loss(a, b, reduction=r, beta=0.5),
         [F32(X), F32(X)])  # fmt: skip
    case(f"huber_{_red}", lambda T, a, b, r=_red: T.nn.functional.huber_loss(a, b, reduction=r, delta=0.7),
         [F32(X), F32(X)])  # fmt: skip
    case(f"cosine_embedding_{_red}", lambda T, a, b, y, r=_red: T.nn.functional.cosine_embedding_loss(
        a, b, y * 2 - 1, margin=0.2, reduction=r), [F32((4, 6)), F32((4, 6)), I64((4,), 0, 2)])  # fmt: skip
    case(f"margin_ranking_{_red}", lambda T, a, b, y, r=_red: T.nn.functional.margin_ranking_loss(
        a, b, (y * 2 - 1).float(), margin=0.1, reduction=r), [F32((6,)), F32((6,)), I64((6,), 0, 2)])  # fmt: skip
    case(f"triplet_{_red}", lambda T, a, p, n, r=_red: T.nn.functional.triplet_margin_loss(
        a, p, n, margin=0.5, p=1.5, swap=True, reduction=r), [F32((4, 5)), F32((4, 5)), F32((4, 5))])  # fmt: skip
    case(f"poisson_nll_{_red}", lambda T, x, t, r=_red: T.nn.functional.poisson_nll_loss(x, t, reduction=r),
         [F32(X), F32(X, 0, 5, grad=False)])  # fmt: skip
    case(f"poisson_nll_full_{_red}", lambda T, x, t, r=_red: T.nn.functional.poisson_nll_loss(
        x, t, log_input=False, full=True, reduction=r), [F64(X, 0.1, 3), F64(X, 0, 6)])  # fmt: skip
    case(f"gaussian_nll_{_red}", lambda T, x, t, v, r=_red: T.nn.functional.gaussian_nll_loss(x, t, v, reduction=r),
         [F32(X), F32(X), F32(X, 0.1, 2)])  # fmt: skip
    case(f"gaussian_nll_full_{_red}", lambda T, x, t, v, r=_red: T.nn.GaussianNLLLoss(full=True, reduction=r)(
        x, t, v), [F64((4, 3)), F64((4, 3)), F64((4, 1), 0.1, 2)])  # fmt: skip
for _red in ("mean", "sum", "none", "batchmean"):
    case(f"kl_div_{_red}", lambda T, x, t, r=_red: T.nn.functional.kl_div(
        x.log_softmax(1), t.softmax(1), reduction=r), [F32((4, 5)), F32((4, 5))])  # fmt: skip
    case(f"kl_div_log_target_{_red}", lambda T, x, t, r=_red: T.nn.KLDivLoss(reduction=r, log_target=True)(
        x.log_softmax(1), t.log_softmax(1)), [F64((4, 5)), F64((4, 5))])  # fmt: skip
case("bce_with_logits_pos_weight", lambda T, x, t, w, pw: T.nn.functional.binary_cross_entropy_with_logits(
    x, t, weight=w, pos_weight=pw), [F32((4, 3)), F32((4, 3), 0, 1), F32((3,), 0, 2, grad=False),
                                      F32((3,), 0.5, 3, grad=False)])  # fmt: skip

# **** convolution, pooling, resampling, padding, normalisation ****

case("conv1d", lambda T, x, w, b: T.nn.functional.conv1d(x, w, b, stride=2, padding=1, groups=2),
     [F32((2, 4, 9)), F32((6, 2, 3)), F32((6,))])  # fmt: skip
case("conv1d_same_dilated", lambda T, x, w: T.nn.functional.conv1d(x, w, padding="same", dilation=2),
     [F32((2, 3, 9)), F32((4, 3, 3))])  # fmt: skip
case("conv_transpose2d", lambda T, x, w, b: T.nn.functional.conv_transpose2d(x, w, b, stride=2, padding=1,
     output_padding=1), [F32((2, 3, 4, 5)), F32((3, 2, 3, 3)), F32((2,))])  # fmt: skip
case("conv_transpose2d_groups_dilation", lambda T, x, w: T.nn.functional.conv_transpose2d(
    x, w, stride=(1, 2), groups=2, dilation=(2, 1)), [F32((1, 4, 3, 4)), F32((4, 3, 2, 3))])  # fmt: skip
case("conv_transpose2d_unbatched", lambda T, x, w: T.nn.functional.conv_transpose2d(x, w, stride=3),
     [F64((2, 3, 3)), F64((2, 1, 2, 2))])  # fmt: skip
for _mode in ("reflect", "replicate", "circular"):
    case(f"pad_{_mode}_2d", lambda T, x, m=_mode: T.nn.functional.pad(x, (1, 2, 2, 0), mode=m), [F32(IMG)])
    case(f"pad_{_mode}_1d", lambda T, x, m=_mode: T.nn.functional.pad(x, (2, 1), mode=m), [F32(X)])
    case(f"pad_{_mode}_3d", lambda T, x, m=_mode: T.nn.functional.pad(x, (1, 1, 0, 2, 1, 0), mode=m),
         [F32((1, 2, 3, 4, 3))])  # fmt: skip
case("err_pad_reflect_too_wide", lambda T, x: T.nn.functional.pad(x, (5, 5), mode="reflect"), [F32(X)],
     raises=RuntimeError)  # fmt: skip
for _kw in ({"scale_factor": 2}, {"scale_factor": 1.7}, {"size": (3, 11)}, {"scale_factor": (0.5, 1.5)}):
    _id = "_".join(f"{k}{v}" for k, v in _kw.items())
    case(f"interpolate_nearest_{_id}", lambda T, x, kw=_kw: T.nn.functional.interpolate(x, **kw), [F32(IMG)])
    for _ac in (False, True):
        case(f"interpolate_bilinear_{_id}_ac{_ac}", lambda T, x, kw=_kw, ac=_ac: T.nn.functional.interpolate(
            x, mode="bilinear", align_corners=ac, **kw), [F32(IMG)])  # fmt: skip
case("interpolate_nearest_exact", lambda T, x: T.nn.functional.interpolate(x, scale_factor=1.5,
     mode="nearest-exact"), [F32(IMG)])  # fmt: skip
case("interpolate_linear", lambda T, x: T.nn.functional.interpolate(x, size=8, mode="linear"), [F32(X)])
case("interpolate_area", lambda T, x: T.nn.functional.interpolate(x, size=(2, 4), mode="area"), [F32(IMG)])
case("Upsample", lambda T, x: T.nn.Upsample(scale_factor=2, mode="bilinear")(x), [F32(IMG)])
case("err_interpolate_linear_4d", lambda T, x: T.nn.functional.interpolate(x, scale_factor=2, mode="linear"),
     [F32(IMG)], raises=NotImplementedError)  # fmt: skip
for _out in (1, (2, 3), (3, None), (4, 4)):
    case(f"adaptive_avg_pool2d_{_out}", lambda T, x, o=_out: T.nn.functional.adaptive_avg_pool2d(x, o), [F32(IMG)])
    case(f"adaptive_max_pool2d_{_out}", lambda T, x, o=_out: T.nn.functional.adaptive_max_pool2d(x, o, True),
         [F32(IMG)])  # fmt: skip
case("adaptive_avg_pool1d", lambda T, x: T.nn.functional.adaptive_avg_pool1d(x, 3), [F32(X)])
case("adaptive_max_pool1d", lambda T, x: T.nn.functional.adaptive_max_pool1d(x, 2, True), [F32(X)])
case("max_pool1d", lambda T, x: T.nn.functional.max_pool1d(x, 3, 2, 1, return_indices=True), [F32((2, 3, 9))])
case("avg_pool1d", lambda T, x: T.nn.functional.avg_pool1d(x, 3, 2, 1, count_include_pad=False), [F32((2, 3, 9))])
case("max_pool2d_int_padding_nn", lambda T, x: T.nn.functional.max_pool2d(x, 3, 2, 1), [I64((1, 2, 5, 5), -9, -1)])
case("pixel_shuffle", lambda T, x: T.nn.functional.pixel_shuffle(x, 2), [F32((2, 8, 3, 2))])
case("pixel_unshuffle", lambda T, x: T.nn.functional.pixel_unshuffle(x, 2), [F32((2, 2, 4, 6))])
case("group_norm", lambda T, x, w, b: T.nn.functional.group_norm(x, 2, w, b), [F32(IMG), F32((4,)), F32((4,))])
case("instance_norm", lambda T, x, w, b: T.nn.functional.instance_norm(x, weight=w, bias=b),
     [F32(IMG), F32((4,)), F32((4,))])  # fmt: skip
case("InstanceNorm2d_unbatched", lambda T, x: T.nn.InstanceNorm2d(4)(x), [F32((4, 5, 6))])
case("InstanceNorm1d", lambda T, x: T.nn.InstanceNorm1d(3)(x), [F32(X)])
case("Unflatten", lambda T, x: T.nn.Unflatten(1, (2, -1))(x), [F32((3, 8))])
for _pad in ("ReflectionPad2d", "ReplicationPad2d", "ZeroPad2d", "CircularPad2d"):
    case(_pad, lambda T, x, p=_pad: getattr(T.nn, p)((1, 0, 2, 1))(x), [F32(IMG)])
case("ConstantPad1d", lambda T, x: T.nn.ConstantPad1d(2, 0.5)(x), [F32(X)])


@pytest.mark.parametrize("c", LAYER_CASES, ids=[c.name for c in LAYER_CASES])
def test_agrees_with_torch(c: Case, record_property: pytest.RecordProperty) -> None:
    outcome = run(c, torch, vinsgrad)
    record_property("conformance", (outcome.status, outcome.reason))
    if outcome.status != "agree":
        pytest.fail(f"{outcome.status}: {outcome.reason}", pytrace=False)


def test_decoder_script_prints_torchs_losses(capsys: pytest.CaptureFixture) -> None:
    """tests/nn/scripts/decoder_script.py (ConvTranspose2d, GroupNorm, bilinear Upsample, ReflectionPad2d,
    InstanceNorm2d, circular Conv1d, adaptive pools, PReLU, three losses, SGD) on torch, then on vinsgrad."""
    import runpy
    import sys
    from pathlib import Path

    from vinsgrad.run import run_script

    script = str(Path(__file__).parents[1] / "nn" / "scripts" / "decoder_script.py")
    argv = sys.argv
    sys.argv = [script, "0.05"]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        sys.argv = argv
    want = [float(line.split()[-1]) for line in capsys.readouterr().out.splitlines()]
    run_script(script, ["0.05"])
    got = [float(line.split()[-1]) for line in capsys.readouterr().out.splitlines()]
    assert len(want) == 5 and got == pytest.approx(want, rel=1e-5)
