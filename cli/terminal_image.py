"""Pictures made of text: images as Unicode half blocks, sparklines, and probability bars.

An image takes two pixel rows per line: ``▀`` shows the upper pixel in the foreground and the lower one in the
background. On a terminal both are shades of grey (``image_text``, a rich Text); in plain output (pipes, logs,
tests) each pixel is on or off (``image_lines``: `` ``, ``▀``, ``▄`` or ``█``), so the digit is still readable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

UPPER, LOWER, FULL = "▀", "▄", "█"
SPARKS = "▁▂▃▄▅▆▇█"
EIGHTHS = " ▏▎▍▌▋▊▉█"


def unit_image(image: Any) -> np.ndarray:
    """``image`` as a 2-D float array in [0, 1]: uint8 divided by 255, anything else scaled by its min and max.

    A leading axis of 1 (one channel) is dropped; an odd number of rows gets a blank row at the bottom.
    """
    a = np.asarray(getattr(image, "data", image))
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D image (height, width), got shape {a.shape}")
    out: np.ndarray
    if a.dtype == np.uint8:
        out = a.astype(np.float32) / 255
    else:
        lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
        out = (a.astype(np.float32) - lo) / (hi - lo) if hi > lo else np.zeros(a.shape, np.float32)
    if out.shape[0] % 2:
        out = np.vstack([out, np.zeros((1, out.shape[1]), np.float32)])
    return np.nan_to_num(out)


def image_lines(image: Any, threshold: float = 0.5) -> list[str]:
    """Plain text: one line per two pixel rows, each pixel on (brighter than ``threshold``) or off."""
    on = unit_image(image) > threshold
    glyphs = np.array([" ", LOWER, UPPER, FULL])
    codes = on[0::2].astype(np.int8) * 2 + on[1::2]
    return ["".join(row) for row in glyphs[codes]]


def image_text(image: Any) -> Any:
    """A rich Text: one line per two pixel rows, each pixel a shade of grey."""
    from rich.text import Text

    levels = np.rint(unit_image(image) * 255).astype(int)
    text = Text()
    for i in range(0, len(levels), 2):
        for top, bottom in zip(levels[i], levels[i + 1]):
            text.append(UPPER, style=f"rgb({top},{top},{top}) on rgb({bottom},{bottom},{bottom})")
        if i + 2 < len(levels):
            text.append("\n")
    return text


def sparkline(values: Iterable[float | None]) -> str:
    """One character per value, its height scaled between the smallest and largest (missing values: a space)."""
    vals = [v if v is not None and math.isfinite(v) else None for v in values]
    finite = [v for v in vals if v is not None]
    if not finite:
        return " " * len(vals)
    lo, hi = min(finite), max(finite)
    top = len(SPARKS) - 1
    return "".join(
        " " if v is None else SPARKS[round((v - lo) / (hi - lo) * top) if hi > lo else top // 2] for v in vals
    )


def bar(fraction: float, width: int) -> str:
    """A horizontal bar ``fraction`` (clipped to [0, 1]) of ``width`` characters long, in eighths of a character."""
    eighths = round(min(max(fraction, 0.0), 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return (FULL * full + (EIGHTHS[part] if part else "")).ljust(width)
