"""Transforms: hand-checked values, batch forms equal to the per-sample results stacked, seeded randomness."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vinsgrad
from vinsgrad.vision import transforms as T


def images(n: int = 4, h: int = 6, w: int = 5, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, h, w), dtype=np.uint8)


def as_array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, vinsgrad.Tensor) else x


def test_to_tensor_scales_uint8_to_float32_chw() -> None:
    img = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    out = T.ToTensor()(img)
    assert isinstance(out, vinsgrad.Tensor) and out.shape == (1, 2, 2) and out.dtype == vinsgrad.float32
    np.testing.assert_array_equal(out._data, np.array([[[0.0, 1.0], [0.2, 0.4]]], dtype=np.float32))
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    chw = T.ToTensor()(hwc)
    assert chw.shape == (3, 2, 4) and chw._data[2, 1, 0] == np.float32(hwc[1, 0, 2]) / np.float32(255)


def test_to_tensor_keeps_other_dtypes_and_rejects_bad_input() -> None:
    out = T.ToTensor()(np.full((2, 2), 3.5))
    assert out.dtype == vinsgrad.float64 and out._data.max() == 3.5  # only uint8 is scaled, as in torchvision
    with pytest.raises(TypeError, match="ToTensor expected an image as a numpy array or Tensor, got list"):
        T.ToTensor()([[0, 1]])
    with pytest.raises(TypeError, match="numpy array image, got Tensor"):
        T.ToTensor()(vinsgrad.zeros(2, 2))
    with pytest.raises(ValueError, match=r"HxW or HxWxC images, got an array of shape \(3,\)"):
        T.ToTensor()(np.zeros(3, dtype=np.uint8))


def test_normalize_per_channel_by_hand() -> None:
    x = vinsgrad.tensor([[[1.0, 2.0]], [[3.0, 5.0]]])  # (C=2, H=1, W=2)
    out = T.Normalize(mean=(1.0, 3.0), std=(0.5, 2.0))(x)
    assert out.tolist() == [[[0.0, 2.0]], [[0.0, 1.0]]] and out.dtype == vinsgrad.float32
    assert x.tolist() == [[[1.0, 2.0]], [[3.0, 5.0]]]  # not modified
    same = T.Normalize(mean=(1.0, 3.0), std=(0.5, 2.0), inplace=True)(x)
    assert same.tolist() == out.tolist()


def test_normalize_rejects_zero_std_and_uint8_images() -> None:
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0.5,), (0.0,))
    with pytest.raises(TypeError, match="put ToTensor"):
        T.Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2), dtype=np.uint8))


def test_normalize_is_differentiable() -> None:
    x = vinsgrad.rand(2, 3, 3, dtype=vinsgrad.float64, requires_grad=True)
    assert vinsgrad.gradcheck(lambda t: T.Normalize((0.1, 0.2), (0.3, 0.4))(t), [x])


def test_flatten_and_lambda() -> None:
    x = vinsgrad.ones(1, 2, 3)
    assert T.Flatten()(x).shape == (6,)
    assert T.Flatten().batch(vinsgrad.ones(4, 1, 2, 3)).shape == (4, 6)
    double = T.Lambda(lambda v: v * 2)
    assert double(3) == 6 and double.batch(np.array([1, 2])).tolist() == [2, 4]
    assert T.Lambda(lambda v: v, batch_fn=lambda b: b[::-1]).batch(np.array([1, 2])).tolist() == [2, 1]
    with pytest.raises(TypeError, match="expected a callable"):
        T.Lambda(3)  # type: ignore[arg-type]


DETERMINISTIC = [
    T.ToTensor(),
    T.Compose([T.ToTensor(), T.Flatten()]),
    T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,)), T.Flatten()]),
    T.Compose([T.ToTensor(), T.Lambda(lambda v: v * 2 - 1)]),  # a Lambda without batch_fn: per sample, stacked
    T.Compose([T.Lambda(lambda a: a[::-1]), T.ToTensor()]),
    T.RandomCrop((6, 5)),  # a crop of the full size has one position
    T.RandomAffine(degrees=(30, 30), translate=None),
]


@pytest.mark.parametrize("transform", DETERMINISTIC, ids=[f"case{i}" for i in range(len(DETERMINISTIC))])
def test_batch_form_equals_the_per_sample_results_stacked(transform: Any) -> None:
    batch = images()
    stacked = np.stack([as_array(transform(img)) for img in batch])
    out = as_array(transform.batch(batch))
    assert out.dtype == stacked.dtype
    np.testing.assert_array_equal(out, stacked)


def test_random_crop_takes_windows_of_the_padded_image_with_independent_positions() -> None:
    batch = np.arange(64 * 16, dtype=np.uint8).reshape(64, 4, 4) % 200 + 1  # no zeros: padding is recognisable
    out = T.RandomCrop(4, padding=2, generator=vinsgrad.Generator().manual_seed(0)).batch(batch)
    assert out.shape == (64, 4, 4) and out.dtype == np.uint8
    padded = np.pad(batch, ((0, 0), (2, 2), (2, 2)))
    offsets = set()
    for n in range(64):
        matches = [(i, j) for i in range(5) for j in range(5) if (padded[n, i : i + 4, j : j + 4] == out[n]).all()]
        assert matches, f"sample {n} is not a window of its padded image"
        offsets.add(matches[0])
    assert len(offsets) > 10  # each sample draws its own position


def test_random_crop_on_tensors_with_channels_and_padding_forms() -> None:
    x = vinsgrad.tensor(np.arange(2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4))
    out = T.RandomCrop((2, 3), padding=(1, 0, 0, 0), generator=vinsgrad.Generator()).batch(x)
    assert isinstance(out, vinsgrad.Tensor) and out.shape == (2, 3, 2, 3)
    # the same window for every channel of a sample: channel c is channel 0 shifted by c * 16
    np.testing.assert_array_equal(out._data[:, 2] - out._data[:, 0], np.full((2, 2, 3), 32.0))
    edge = T.RandomCrop(6, padding=1, padding_mode="edge", generator=vinsgrad.Generator())(np.eye(4, dtype=np.uint8))
    np.testing.assert_array_equal(edge, np.pad(np.eye(4, dtype=np.uint8), 1, mode="edge"))


def test_random_crop_size_checks() -> None:
    with pytest.raises(ValueError, match=r"Required crop size \(5, 5\) is larger than input image size \(4, 4\)"):
        T.RandomCrop(5)(np.zeros((4, 4), dtype=np.uint8))
    assert T.RandomCrop(5, pad_if_needed=True)(np.ones((4, 4), dtype=np.uint8)).shape == (5, 5)
    with pytest.raises(ValueError, match="padding_mode"):
        T.RandomCrop(2, padding_mode="wrap")


def test_random_transforms_follow_the_generator_and_the_global_seed() -> None:
    batch = images(8)
    for make in (
        lambda g: T.RandomCrop(4, padding=1, generator=g),
        lambda g: T.RandomAffine(20, (0.2, 0.2), generator=g),
    ):
        a = make(vinsgrad.Generator().manual_seed(5)).batch(batch)
        b = make(vinsgrad.Generator().manual_seed(5)).batch(batch)
        c = make(vinsgrad.Generator().manual_seed(6)).batch(batch)
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)
        vinsgrad.manual_seed(1)
        d = make(None).batch(batch)
        vinsgrad.manual_seed(1)
        np.testing.assert_array_equal(d, make(None).batch(batch))


def test_random_affine_identity_rotation_and_translation_by_hand() -> None:
    img = np.arange(1, 26, dtype=np.uint8).reshape(5, 5)
    np.testing.assert_array_equal(T.RandomAffine(0)(img), img)
    # +90 degrees is clockwise (torchvision's convention): the top row becomes the right column.
    np.testing.assert_array_equal(T.RandomAffine((90, 90))(img), np.rot90(img, k=-1))
    square = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4)  # even size: the centre falls between pixels
    np.testing.assert_array_equal(T.RandomAffine((-90, -90))(square), np.rot90(square, k=1, axes=(1, 2)))
    # translate=(0.2, 0) on a width of 5 shifts by round(U(-1, 1)) pixels; every shift is an exact, zero-filled copy.
    shifted = T.RandomAffine(0, translate=(0.2, 0.0), generator=vinsgrad.Generator().manual_seed(0)).batch(
        np.repeat(img[None], 32, axis=0)
    )
    seen = set()
    for out in shifted:
        dx = next(d for d in (-1, 0, 1) if np.array_equal(out, _shift_x(img, d)))
        seen.add(dx)
    assert seen == {-1, 0, 1}


def _shift_x(img: np.ndarray, dx: int) -> np.ndarray:
    out = np.zeros_like(img)
    if dx >= 0:
        out[:, dx:] = img[:, : img.shape[1] - dx]
    else:
        out[:, :dx] = img[:, -dx:]
    return out


def test_random_affine_scale_and_fill() -> None:
    img = np.full((5, 5), 9, dtype=np.uint8)
    half = T.RandomAffine(0, scale=(0.5, 0.5), fill=7)(img)
    assert half[2, 2] == 9 and half[0, 0] == 7  # shrunk to the middle, the border filled
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomAffine(-1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        T.RandomAffine(0, translate=(2, 0))


def test_compose_runs_batch_forms_in_order_and_apply_batch_falls_back() -> None:
    calls: list[str] = []

    class Tracker(T.Transform):
        def __init__(self, name: str) -> None:
            self.name = name

        def batch(self, x: Any) -> Any:
            calls.append(self.name)
            return x + 1

    assert T.Compose([Tracker("a"), Tracker("b")]).batch(np.zeros(3)).tolist() == [2.0, 2.0, 2.0]
    assert calls == ["a", "b"]
    assert T.apply_batch(lambda v: v * 10, np.array([1, 2])).tolist() == [10, 20]


def test_random_crop_pad_if_needed_pads_both_sides_by_the_shortfall() -> None:
    # width 2 < 4: torchvision pads (4 - 2) on the left and on the right, so the row is 0 0 1 1 0 0
    out = T.RandomCrop((1, 4), pad_if_needed=True, generator=vinsgrad.Generator().manual_seed(0)).batch(
        np.ones((30, 1, 2), dtype=np.uint8)
    )
    row = np.array([0, 0, 1, 1, 0, 0], dtype=np.uint8)
    starts = {next(j for j in range(3) if np.array_equal(o[0], row[j : j + 4])) for o in out}
    assert starts == {0, 1, 2}


def test_lambda_is_usable_in_python_but_not_named_by_configs() -> None:
    from vinsgrad_cli.spec import TRANSFORM

    names = TRANSFORM.namespace()
    assert "Lambda" not in names and "Compose" not in names
    assert {"Resize", "CenterCrop", "RandomRotation", "RandomResizedCrop", "Grayscale", "ToDtype"} <= set(names)
    assert T.Compose([T.ToTensor(), T.Lambda(lambda v: v + 1)])(np.zeros((1, 1), dtype=np.uint8)).tolist() == [[[1.0]]]
