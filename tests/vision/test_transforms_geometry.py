"""Resize, CenterCrop, Pad, Grayscale, dtype conversions, flips, rotations and resized crops: hand-derived cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vinsgrad
from vinsgrad.vision import transforms as T


def grid(h: int, w: int, dtype: Any = np.float32) -> np.ndarray:
    """x[r, c] = 4 r + c for a 4-wide grid: a ramp whose averages are easy to work out by hand."""
    return (np.arange(h)[:, None] * 4 + np.arange(w)).astype(dtype)[None]


def test_resize_bilinear_4x4_to_2x2_with_and_without_antialias() -> None:
    x = grid(4, 4)
    # without antialias each output pixel sits at the centre of a 2x2 block: the block's mean
    np.testing.assert_allclose(T.Resize(2, antialias=False)(x), [[[2.5, 4.5], [10.5, 12.5]]], rtol=1e-6)
    # with antialias the triangle filter is 2 pixels wide: row weights (3, 3, 1, 0)/7 and (0, 1, 3, 3)/7,
    # so the weighted mean index is 5/7 or 16/7 on each axis and the value 4 * row + col
    expected = np.array([[[25, 36], [69, 80]]]) / 7
    out = T.Resize(2)(vinsgrad.tensor(x))
    assert isinstance(out, vinsgrad.Tensor) and out.dtype == vinsgrad.float32
    np.testing.assert_allclose(out._data, expected, rtol=1e-6)


def test_resize_bilinear_upsampling_clamps_at_the_borders() -> None:
    x = np.array([[[0.0, 4.0]]], dtype=np.float32)  # (1, 1, 2) -> width 4: sources -0.25 -> 0, 0.25, 0.75, 1.25 -> 1
    for antialias in (True, False):
        np.testing.assert_allclose(T.Resize((1, 4), antialias=antialias)(x), [[[0.0, 1.0, 3.0, 4.0]]])


def test_resize_nearest_and_nearest_exact() -> None:
    x = grid(1, 4)
    np.testing.assert_array_equal(T.Resize((1, 8), interpolation="nearest")(x), [[[0, 0, 1, 1, 2, 2, 3, 3]]])
    y = grid(1, 3)  # 3 -> 2: nearest takes floor(1.5 i) = 0, 1; nearest-exact floor(1.5 (i + 0.5)) = 0, 2
    np.testing.assert_array_equal(T.Resize((1, 2), interpolation=T.InterpolationMode.NEAREST)(y), [[[0, 1]]])
    np.testing.assert_array_equal(T.Resize((1, 2), interpolation="nearest-exact")(y), [[[0, 2]]])
    with pytest.raises(ValueError, match="interpolation should be one of"):
        T.Resize(2, interpolation="bicubic")


def test_resize_int_size_sets_the_shorter_edge_as_torchvision() -> None:
    def shape(size: Any, h: int, w: int, **kw: Any) -> tuple[int, ...]:
        return T.Resize(size, **kw)(np.zeros((1, h, w), dtype=np.float32)).shape[1:]

    assert shape(32, 28, 56) == (32, 64) and shape(32, 56, 28) == (64, 32) and shape([32], 28, 56) == (32, 64)
    assert shape(2, 3, 7) == (2, 4)  # int(2 * 7 / 3) = 4: truncated
    assert shape((5, 3), 3, 7) == (5, 3)
    assert shape(2, 3, 7, max_size=3) == (1, 3)  # the long edge capped at 3, the short one int(3 * 2 / 4) = 1
    with pytest.raises(ValueError, match="max_size = 2 must be strictly greater"):
        shape(2, 3, 7, max_size=2)
    with pytest.raises(ValueError, match="max_size should only be passed"):
        T.Resize((2, 3), max_size=5)


def test_resize_integer_images_are_rounded_back() -> None:
    img = np.array([[[0, 1], [0, 0]]], dtype=np.uint8)  # 2x2 -> 1x1 is the mean 0.25, rounded to 0
    assert T.Resize(1, antialias=False)(img).tolist() == [[[0]]]
    img = np.array([[[200, 255], [255, 255]]], dtype=np.uint8)  # mean 241.25 -> 241
    out = T.Resize(1)(img)
    assert out.dtype == np.uint8 and out.tolist() == [[[241]]]


def test_center_crop_offsets_and_padding() -> None:
    x = np.arange(25).reshape(5, 5)
    np.testing.assert_array_equal(T.CenterCrop(2)(x), x[2:4, 2:4])  # margin 3: round(1.5) = 2
    y = np.arange(16).reshape(4, 4)
    np.testing.assert_array_equal(T.CenterCrop((3, 2))(y), y[0:3, 1:3])  # round(0.5) = 0, round(1.0) = 1
    padded = T.CenterCrop(4)(np.ones((2, 3), dtype=np.uint8))  # pad top 1, bottom 1, left 0, right 1
    expected = np.zeros((4, 4), dtype=np.uint8)
    expected[1:3, 0:3] = 1
    np.testing.assert_array_equal(padded, expected)


def test_pad_forms_and_modes() -> None:
    x = np.array([[1, 2, 3]], dtype=np.uint8)
    assert T.Pad((1, 2))(x).shape == (5, 5)  # left/right 1, top/bottom 2
    np.testing.assert_array_equal(T.Pad([1, 0, 2, 0], padding_mode="reflect")(x), [[2, 1, 2, 3, 2, 1]])
    np.testing.assert_array_equal(T.Pad([2, 0, 0, 0], fill=9)(x), [[9, 9, 1, 2, 3]])
    out = T.Pad(1, padding_mode="edge")(vinsgrad.tensor(np.float32([[[5.0]]])))
    assert isinstance(out, vinsgrad.Tensor) and out.tolist() == [[[5.0] * 3] * 3]
    with pytest.raises(ValueError, match="padding_mode"):
        T.Pad(1, padding_mode="wrap")


def test_grayscale_weights_and_channels() -> None:
    rgb = np.array([100, 50, 200], dtype=np.uint8).reshape(3, 1, 1)
    # 0.2989 * 100 + 0.587 * 50 + 0.114 * 200 = 82.04, truncated to 82 for uint8
    assert T.Grayscale()(rgb).tolist() == [[[82]]]
    out = T.Grayscale(3)(vinsgrad.tensor(rgb.astype(np.float32) / 255))
    assert out.shape == (3, 1, 1) and out.dtype == vinsgrad.float32
    np.testing.assert_allclose(out._data.ravel(), [82.04 / 255] * 3, rtol=1e-6)
    assert T.Grayscale(3)(np.full((1, 2, 2), 7, dtype=np.uint8)).shape == (3, 2, 2)
    with pytest.raises(TypeError, match="permitted channel values are \\[1, 3\\], but found 2"):
        T.Grayscale()(np.zeros((2, 2, 2)))
    with pytest.raises(TypeError, match=r"CxHxW images, got shape \(2, 2\)"):
        T.Grayscale()(np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="either 1 or 3"):
        T.Grayscale(2)


def test_convert_image_dtype_rescales_between_ranges() -> None:
    u8 = np.array([[[0, 51, 255]]], dtype=np.uint8)
    to_float = T.ConvertImageDtype(vinsgrad.float32)(vinsgrad.tensor(u8))
    assert to_float.dtype == vinsgrad.float32 and to_float.tolist() == np.float32([[[0.0, 0.2, 1.0]]]).tolist()
    floats = np.array([[[0.0, 0.5, 1.0]]], dtype=np.float32)
    assert T.ConvertImageDtype(np.uint8)(floats).tolist() == [[[0, 127, 255]]]  # x * 255.999, truncated
    assert T.ConvertImageDtype(np.int16)(u8).tolist() == [[[0, 51 * 128, 255 * 128]]]
    assert T.ConvertImageDtype(np.uint8)(np.array([[[32767, 128]]], dtype=np.int16)).tolist() == [[[255, 1]]]
    assert T.ConvertImageDtype(np.float64)(floats).dtype == np.float64
    with pytest.raises(RuntimeError, match="The cast from float32 to int32 cannot be performed safely"):
        T.ConvertImageDtype(np.int32)(floats)


def test_to_dtype_casts_and_scales_by_the_reciprocal() -> None:
    u8 = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    assert T.ToDtype(vinsgrad.float32)(u8).max() == 255.0
    scaled = T.ToDtype(vinsgrad.float32, scale=True)(u8)
    np.testing.assert_array_equal(scaled, u8.astype(np.float32) * np.float32(1 / 255))
    np.testing.assert_allclose(scaled, u8 / 255, rtol=1e-6)
    assert T.ToDtype(np.uint8, scale=True)(np.float32([[[1.0]]])).tolist() == [[[255]]]


def test_random_horizontal_flip_probability_and_generator() -> None:
    x = np.arange(6).reshape(1, 2, 3)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x), x[..., ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(x), x)
    batch = np.repeat(x[None], 400, axis=0)
    out = T.RandomHorizontalFlip(generator=vinsgrad.Generator().manual_seed(0)).batch(batch)
    flipped = np.array([np.array_equal(o, x[..., ::-1]) for o in out])
    assert all(np.array_equal(o, x) for o in out[~flipped]) and 0.4 < flipped.mean() < 0.6


def test_random_rotation_by_hand() -> None:
    img = np.arange(9).reshape(3, 3)
    np.testing.assert_array_equal(T.RandomRotation((90, 90))(img), np.rot90(img, k=1))  # counter-clockwise
    np.testing.assert_array_equal(T.RandomRotation((-90, -90))(img), np.rot90(img, k=-1))
    square = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    np.testing.assert_array_equal(T.RandomRotation((180, 180))(vinsgrad.tensor(square))._data, square[:, ::-1, ::-1])
    # about the centre of pixel (0, 0): the column below it swings to the right, everything else leaves the image
    about_corner = T.RandomRotation((90, 90), center=(0.5, 0.5), fill=-1)(img)
    np.testing.assert_array_equal(about_corner, [[0, 3, 6], [-1, -1, -1], [-1, -1, -1]])
    big = np.arange(25).reshape(5, 5)
    angles = T.RandomRotation(45, generator=vinsgrad.Generator().manual_seed(0)).batch(np.repeat(big[None], 50, 0))
    assert len({o.tobytes() for o in angles}) > 1
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-5)
    with pytest.raises(ValueError, match="expand=False only"):
        T.RandomRotation(5, expand=True)
    with pytest.raises(ValueError, match="interpolation='nearest' only"):
        T.RandomRotation(5, interpolation="bilinear")


def test_random_resized_crop_params_and_output() -> None:
    full = T.RandomResizedCrop(3, scale=(1.0, 1.0), ratio=(1.0, 1.0), generator=vinsgrad.Generator())
    assert T.RandomResizedCrop.get_params(np.zeros((6, 6)), (1.0, 1.0), (1.0, 1.0)) == (0, 0, 6, 6)
    x = grid(6, 6)
    np.testing.assert_allclose(full(x), T.Resize((3, 3))(x))  # the whole image, resized
    # ratio 2 never fits in a 4x4 image at full area: the fallback is the central crop of width 4, height 2
    assert T.RandomResizedCrop.get_params(np.zeros((1, 4, 4)), scale=(1.0, 1.0), ratio=(2.0, 2.0)) == (1, 0, 2, 4)
    quarter = T.RandomResizedCrop(4, scale=(0.25, 0.25), ratio=(1.0, 1.0), generator=vinsgrad.Generator())
    img = grid(8, 8)
    out = quarter.batch(np.repeat(img[None], 20, axis=0))
    assert out.shape == (20, 1, 4, 4)
    windows = {
        (i, j) for o in out for i in range(5) for j in range(5) if np.array_equal(o, img[:, i : i + 4, j : j + 4])
    }
    assert len(windows) > 3  # each sample is an exact 4x4 window (no resizing needed), at its own place


BATCHABLE = [
    T.Resize(3),
    T.Resize((4, 7), interpolation="nearest"),
    T.CenterCrop(3),
    T.Pad((1, 2), padding_mode="symmetric"),
    T.ConvertImageDtype(vinsgrad.float32),
    T.ToDtype(vinsgrad.float32, scale=True),
    T.RandomHorizontalFlip(p=1.0),
    T.RandomRotation((90, 90)),
    T.Compose([T.ToTensor(), T.Resize(8), T.CenterCrop(5)]),
]


@pytest.mark.parametrize("transform", BATCHABLE, ids=[f"case{i}" for i in range(len(BATCHABLE))])
def test_batch_form_equals_the_per_sample_results_stacked(transform: Any) -> None:
    batch = np.random.default_rng(0).integers(0, 256, size=(4, 6, 5), dtype=np.uint8)
    stacked = np.stack([np.asarray(transform(img)) for img in batch])
    out = np.asarray(transform.batch(batch))
    assert out.dtype == stacked.dtype
    np.testing.assert_array_equal(out, stacked)


@pytest.mark.parametrize(
    "make",
    [
        lambda g: T.RandomHorizontalFlip(generator=g),
        lambda g: T.RandomRotation(30, generator=g),
        lambda g: T.RandomResizedCrop(4, generator=g),
    ],
    ids=["flip", "rotation", "resized_crop"],
)
def test_random_transforms_follow_the_generator_and_the_global_seed(make: Any) -> None:
    batch = np.random.default_rng(1).integers(0, 256, size=(16, 6, 6), dtype=np.uint8)
    a = make(vinsgrad.Generator().manual_seed(5)).batch(batch)
    np.testing.assert_array_equal(a, make(vinsgrad.Generator().manual_seed(5)).batch(batch))
    assert not np.array_equal(a, make(vinsgrad.Generator().manual_seed(6)).batch(batch))
    vinsgrad.manual_seed(1)
    d = make(None).batch(batch)
    vinsgrad.manual_seed(1)
    np.testing.assert_array_equal(d, make(None).batch(batch))
