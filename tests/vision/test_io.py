"""read_image: a written PNG comes back as (C, H, W) uint8 with the channels the mode asks for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vinsgrad
from vinsgrad.vision.io import ImageReadMode, read_image

Image = pytest.importorskip("PIL.Image")


def test_rgb_png_reads_as_chw_uint8_and_converts(tmp_path: Path) -> None:
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 13
    Image.fromarray(pixels, "RGB").save(tmp_path / "x.png")
    image = read_image(tmp_path / "x.png")
    assert image.shape == (3, 2, 3) and image.dtype == vinsgrad.uint8
    np.testing.assert_array_equal(image.numpy(), pixels.transpose(2, 0, 1))
    gray = read_image(str(tmp_path / "x.png"), ImageReadMode.GRAY)
    expected = np.asarray(Image.fromarray(pixels, "RGB").convert("L"))  # Pillow's own luma rule
    np.testing.assert_array_equal(gray.numpy(), expected[None])
    assert read_image(tmp_path / "x.png", ImageReadMode.RGB_ALPHA).numpy()[3].tolist() == [[255] * 3] * 2


def test_gray_png_has_one_channel(tmp_path: Path) -> None:
    Image.fromarray(np.array([[0, 255]], dtype=np.uint8), "L").save(tmp_path / "g.png")
    assert read_image(tmp_path / "g.png").tolist() == [[[0, 255]]]


def test_torchvision_io_resolves_under_vinsgrad_run() -> None:
    from vinsgrad.run import torch_aliases

    with torch_aliases():
        from torchvision.io import read_image as aliased  # type: ignore[import-not-found]
    assert aliased is read_image
