"""Reading image files into tensors, as ``torchvision.io.read_image`` does. Decoding is Pillow's (the ``image`` extra:
``pip install 'vinsgrad[image]'``); vinsgrad never decodes PNG or JPEG itself."""

from __future__ import annotations

import enum
import os
from typing import Any

import numpy as np

from vinsgrad.autograd.tensor import Tensor


class ImageReadMode(enum.Enum):
    """The channels ``read_image`` returns: as stored, or converted to gray / RGB, with or without alpha."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = 4


_PIL_MODES = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB"}


def read_image(path: str | os.PathLike[str], mode: ImageReadMode = ImageReadMode.UNCHANGED) -> Tensor:
    """The image at ``path`` as a uint8 tensor of shape (C, H, W), C the channels of ``mode``."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("read_image needs Pillow to decode images: pip install 'vinsgrad[image]'") from None
    with Image.open(os.fspath(path)) as image:
        converted: Any = image
        if mode is ImageReadMode.RGB_ALPHA:
            converted = image.convert("RGBA")
        elif mode in _PIL_MODES:
            converted = image.convert(_PIL_MODES[mode])
        elif image.mode not in ("L", "LA", "RGB", "RGBA"):
            converted = image.convert("RGBA" if "A" in image.getbands() else "RGB")  # palette, CMYK, ...: as torch
        pixels = np.asarray(converted, dtype=np.uint8)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    return Tensor(np.ascontiguousarray(pixels.transpose(2, 0, 1)))


__all__ = ["ImageReadMode", "read_image"]
