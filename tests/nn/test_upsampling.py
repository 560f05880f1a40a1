"""F.interpolate / Upsample against per-pixel loops of PyTorch's source-index rules; F.pad's modes against np.pad."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F

RNG = np.random.default_rng(11)


def _t(a: np.ndarray, grad: bool = False) -> vinsgrad.Tensor:
    return vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=grad)


def nearest_src(dst: int, n: int, m: int, scale: float | None) -> int:
    spacing = 1 / scale if scale else n / m
    return min(math.floor(dst * spacing), n - 1)


def linear_src(dst: int, n: int, m: int, scale: float | None, align: bool) -> tuple[int, int, float]:
    if align:
        src = dst * (n - 1) / (m - 1) if m > 1 else 0.0
    else:
        src = max((dst + 0.5) * (1 / scale if scale else n / m) - 0.5, 0.0)
    lo = min(int(src), n - 1)
    return lo, min(lo + 1, n - 1), src - lo


def bilinear_loop(x: np.ndarray, m: tuple[int, int], scale: tuple | None, align: bool) -> np.ndarray:
    h, w = x.shape[-2:]
    out = np.zeros((*x.shape[:-2], *m))
    for i in range(m[0]):
        r0, r1, fr = linear_src(i, h, m[0], scale and scale[0], align)
        for j in range(m[1]):
            c0, c1, fc = linear_src(j, w, m[1], scale and scale[1], align)
            top = x[..., r0, c0] * (1 - fc) + x[..., r0, c1] * fc
            bottom = x[..., r1, c0] * (1 - fc) + x[..., r1, c1] * fc
            out[..., i, j] = top * (1 - fr) + bottom * fr
    return out


@pytest.mark.parametrize(
    ("kw", "out_hw", "scale"),
    [
        ({"scale_factor": 2}, (8, 10), (2.0, 2.0)),
        ({"scale_factor": 1.5}, (6, 7), (1.5, 1.5)),  # the spacing is 1/1.5, not 4/6 and 5/7
        ({"size": (3, 9)}, (3, 9), None),
        ({"scale_factor": 1.5, "recompute_scale_factor": True}, (6, 7), None),
    ],
)
def test_nearest_and_bilinear_follow_pytorchs_source_rule(kw, out_hw, scale) -> None:  # type: ignore[no-untyped-def]
    x = RNG.standard_normal((2, 3, 4, 5))
    got = F.interpolate(_t(x), **kw).numpy()
    rows = [nearest_src(i, 4, out_hw[0], scale and scale[0]) for i in range(out_hw[0])]
    cols = [nearest_src(j, 5, out_hw[1], scale and scale[1]) for j in range(out_hw[1])]
    np.testing.assert_array_equal(got, x[:, :, rows][:, :, :, cols])
    for align in (False, True):
        got = F.interpolate(_t(x), mode="bilinear", align_corners=align, **kw).numpy()
        np.testing.assert_allclose(got, bilinear_loop(x, out_hw, None if align else scale, align), rtol=1e-13)


def test_interpolate_gradients_sum_back_to_the_sources() -> None:
    x = _t(RNG.standard_normal((1, 1, 3, 3)), grad=True)
    F.interpolate(x, scale_factor=2).sum().backward()
    assert x.grad.tolist() == [[[[4.0] * 3] * 3]]  # each pixel copied into a 2x2 block
    x.grad = None
    F.interpolate(x, size=(5, 5), mode="bilinear", align_corners=True).sum().backward()
    # align_corners maps 3 -> 5 as 0, 0.5, 1, 1.5, 2: the weights each source row receives are 1.5, 2, 1.5
    np.testing.assert_allclose(x.grad.numpy()[0, 0], np.outer([1.5, 2, 1.5], [1.5, 2, 1.5]), rtol=1e-14)


def test_linear_trilinear_and_area_modes() -> None:
    x = RNG.standard_normal((2, 3, 6))
    got = F.interpolate(_t(x), scale_factor=0.5, mode="linear").numpy()
    np.testing.assert_allclose(got, (x[..., 0::2] + x[..., 1::2]) / 2, rtol=1e-13)  # sources at 0.5, 2.5, 4.5
    cube = RNG.standard_normal((1, 1, 2, 2, 2))
    up = F.interpolate(_t(cube), size=(3, 3, 3), mode="trilinear", align_corners=True).numpy()
    assert up[0, 0, 1, 1, 1] == pytest.approx(cube.mean(), rel=1e-13)  # the centre averages all 8 corners
    img = RNG.standard_normal((1, 2, 5, 7))
    area = F.interpolate(_t(img), size=(2, 3), mode="area").numpy()
    assert area[0, 1, 1, 2] == pytest.approx(img[0, 1, 2:5, 4:7].mean(), rel=1e-13)  # rows [2, 5), cols [4, 7)


def test_interpolate_errors_and_the_upsample_layers() -> None:
    x = vinsgrad.randn(1, 2, 4, 4)
    with pytest.raises(ValueError, match="align_corners option can only be set with the interpolating modes"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D input"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="vinsgrad has no mode 'bicubic'"):
        F.interpolate(x, scale_factor=2, mode="bicubic")
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(size=(3, 4), mode="bilinear")) == "Upsample(size=(3, 4), mode='bilinear')"
    assert nn.Upsample(scale_factor=(2, 3))(x).shape == (1, 2, 8, 12)
    np.testing.assert_array_equal(
        nn.UpsamplingBilinear2d(scale_factor=2)(x).numpy(),
        F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True).numpy(),
    )


@pytest.mark.parametrize(("mode", "np_mode"), [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")])
def test_pad_modes_match_np_pad(mode: str, np_mode: str) -> None:
    x = RNG.standard_normal((2, 3, 4, 5))
    for pad in [(2, 1), (1, 3, 3, 0), (0, 2, 1, 1, 1, 0)]:
        k = len(pad) // 2
        inp = x[0] if k == 1 else x  # 1-D padding takes a 2-D or 3-D input
        widths = [(0, 0)] * (inp.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
        t = _t(inp, grad=True)
        out = F.pad(t, pad, mode=mode)
        np.testing.assert_array_equal(out.detach().numpy(), np.pad(inp, widths, mode=np_mode))
        # the gradient counts how often each element was copied
        out.sum().backward()
        copies = np.zeros(inp.shape)
        index = np.pad(np.arange(inp.size).reshape(inp.shape), widths, mode=np_mode)
        np.add.at(copies.reshape(-1), index.reshape(-1), 1.0)
        np.testing.assert_array_equal(t.grad.numpy(), copies)


def test_pad_mode_errors() -> None:
    x = vinsgrad.randn(1, 2, 3)
    with pytest.raises(RuntimeError, match=r"Padding size should be less than .* padding \(3, 3\) at dimension 2"):
        F.pad(x, (3, 3), mode="reflect")
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(x, (4, 0), mode="circular")
    with pytest.raises(NotImplementedError, match="pads the last 1, 2 or 3 dims"):
        F.pad(vinsgrad.randn(1, 2, 3, 4), (1, 1), mode="replicate")
    with pytest.raises(RuntimeError, match="doesn't take in value argument"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)


def test_pixel_shuffle_moves_channel_groups_into_pixel_blocks() -> None:
    x = np.arange(2 * 8 * 2 * 3, dtype=np.float64).reshape(2, 8, 2, 3)
    out = nn.PixelShuffle(2)(_t(x)).numpy()
    assert out.shape == (2, 2, 4, 6)
    for c in range(2):
        for i in range(2):
            for j in range(2):  # channel c * 4 + i * 2 + j fills offset (i, j) of every 2x2 block
                np.testing.assert_array_equal(out[:, c, i::2, j::2], x[:, c * 4 + i * 2 + j])
    np.testing.assert_array_equal(nn.PixelUnshuffle(2)(_t(out)).numpy(), x)
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
    with pytest.raises(ValueError, match=r"pixel_shuffle expects an input \(\*, C \* r \* r, H, W\)"):
        F.pixel_shuffle(vinsgrad.randn(1, 6, 2, 2), 2)


@pytest.mark.parametrize(
    ("layer", "np_mode", "kwargs"),
    [
        (nn.ZeroPad2d((1, 0, 2, 3)), "constant", {}),
        (nn.ConstantPad1d(2, 3.5), "constant", {"constant_values": 3.5}),
        (nn.ReflectionPad2d((1, 0, 2, 3)), "reflect", {}),
        (nn.ReplicationPad1d(2), "edge", {}),
        (nn.CircularPad2d((1, 0, 2, 3)), "wrap", {}),
    ],
)
def test_padding_layers_match_np_pad(layer: nn.Module, np_mode: str, kwargs: dict) -> None:
    two_d = len(layer.padding) == 4  # type: ignore[arg-type]
    x = RNG.standard_normal((2, 3, 4, 5) if two_d else (2, 3, 5))
    l, r, *tb = layer.padding  # type: ignore[misc]
    widths = [(0, 0), (0, 0)] + ([(tb[0], tb[1])] if two_d else []) + [(l, r)]
    np.testing.assert_array_equal(layer(_t(x)).numpy(), np.pad(x, widths, mode=np_mode, **kwargs))
    with pytest.raises(ValueError, match="padding must be an int or a tuple of"):
        type(layer)((1, 2, 3), **({"value": 0.0} if "Constant" in type(layer).__name__ else {}))


def test_integer_images_resize_by_nearest_only() -> None:
    img = vinsgrad.tensor(np.arange(6, dtype=np.uint8).reshape(1, 1, 2, 3))
    up = F.interpolate(img, scale_factor=2)
    assert up.dtype == vinsgrad.uint8 and up.tolist()[0][0][1] == [0, 0, 1, 1, 2, 2]
    with pytest.raises(RuntimeError, match=r"mode='bilinear' needs a floating-point input, got vinsgrad\.uint8"):
        F.interpolate(img, scale_factor=2, mode="bilinear")
    with pytest.raises(RuntimeError, match="adaptive_avg_pool2d needs a floating-point input"):
        F.adaptive_avg_pool2d(img, 1)
