"""A 2-D classifier's decision boundary drawn as text: the predicted class on a grid, the data points on top.

With ``color`` each character cell shows two grid pixels as a half block (``▀``: foreground = upper pixel,
background = lower pixel) in 256-colour ANSI codes: dim colours for predicted regions, bright ones for points.
Without it, plain ASCII: one character per pixel, a region character per class and a point character on top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# Region colours are dim and point colours bright, so a point stands out on its own class's region;
# classes beyond the palette reuse it from the start.
REGION_COLORS = (24, 94, 22, 53, 23, 88, 58, 239)
POINT_COLORS = (45, 214, 82, 207, 51, 196, 226, 255)
REGION_CHARS = ".:-=~+',"
POINT_CHARS = "ox#@%*&$"
HALF_BLOCK = "▀"
RESET = "\x1b[0m"
WIDTH = 64  # characters; the picture is a third as many lines high
MAX_POINTS = 1000

Predict = Callable[[np.ndarray], Any]


def render_boundary(
    predict: Predict,
    points: Any,
    labels: Any,
    *,
    width: int = 64,
    height: int = 24,
    color: bool = True,
    margin: float = 0.1,
) -> str:
    """The decision regions of ``predict`` over the points' bounding box, with the points drawn on top.

    The box is the points' range along each axis widened by ``margin`` times that range on every side. It is
    cut into ``width`` columns and ``height`` text rows of pixels (twice as many pixel rows with ``color``,
    two per half-block cell); pixel centres are what ``predict`` classifies, top row = largest y. A pixel
    holding points shows the most frequent of their labels (the smallest on a tie).

    Args:
        predict: maps a float32 array of (k, 2) points to k class ids.
        points: (n, 2) coordinates.
        labels: (n,) class ids of ``points``.
        width, height: size of the picture in characters.
        color: ANSI colours and half blocks when True, plain ASCII when False.
        margin: padding around the points, as a fraction of their range.

    Returns:
        ``height`` lines joined by newlines (no trailing newline).
    """
    points, labels = _check_points(points, labels)
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"render_boundary: {name} must be an int >= 1, got {value!r}")
    rows = 2 * height if color else height
    lo, hi = _box(points, margin)
    xs = lo[0] + (np.arange(width) + 0.5) * (hi[0] - lo[0]) / width
    ys = hi[1] - (np.arange(rows) + 0.5) * (hi[1] - lo[1]) / rows
    grid = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2).astype(np.float32)
    regions = _check_predictions(predict(grid), len(grid)).reshape(rows, width)
    marks = _point_labels(points, labels, lo, hi, (rows, width))
    if color:
        palette = np.where(
            marks >= 0, np.take(POINT_COLORS, marks, mode="wrap"), np.take(REGION_COLORS, regions, mode="wrap")
        )
        return "\n".join(_half_block_row(palette[2 * r], palette[2 * r + 1]) for r in range(height))
    chars = np.where(marks >= 0, _take(POINT_CHARS, marks), _take(REGION_CHARS, regions))
    return "\n".join("".join(row) for row in chars)


def render_legend(classes: Sequence[str], *, color: bool = True) -> str:
    """One line naming each class's look as a predicted area and as a point, e.g. ``0: area . point o   1: ...``."""
    entries = []
    for k, name in enumerate(classes):
        if color:
            region = f"\x1b[38;5;{REGION_COLORS[k % len(REGION_COLORS)]}m██{RESET}"
            point = f"\x1b[38;5;{POINT_COLORS[k % len(POINT_COLORS)]}m██{RESET}"
            entries.append(f"{name}: area {region} point {point}")
        else:
            entries.append(
                f"{name}: area {REGION_CHARS[k % len(REGION_CHARS)]} point {POINT_CHARS[k % len(POINT_CHARS)]}"
            )
    return "   ".join(entries)


def _box(points: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = points.min(0), points.max(0)
    span = np.where(hi > lo, hi - lo, 1.0)  # a single point (or a flat line) still gets a box around it
    return lo - margin * span, hi + margin * span


def _point_labels(
    points: np.ndarray, labels: np.ndarray, lo: np.ndarray, hi: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """For each pixel the majority label of the points inside it (the smallest on a tie), -1 where there are none."""
    rows, cols = shape
    col = np.clip(np.floor((points[:, 0] - lo[0]) / (hi[0] - lo[0]) * cols), 0, cols - 1).astype(np.int64)
    row = np.clip(np.floor((hi[1] - points[:, 1]) / (hi[1] - lo[1]) * rows), 0, rows - 1).astype(np.int64)
    counts = np.zeros((rows * cols, int(labels.max()) + 1), dtype=np.int64)
    np.add.at(counts, (row * cols + col, labels), 1)
    return np.where(counts.any(1), counts.argmax(1), -1).reshape(rows, cols)


def _half_block_row(top: np.ndarray, bottom: np.ndarray) -> str:
    out, previous = [], None
    for fg, bg in zip(top.tolist(), bottom.tolist()):
        if (fg, bg) != previous:
            out.append(f"\x1b[38;5;{fg};48;5;{bg}m")
            previous = (fg, bg)
        out.append(HALF_BLOCK)
    return "".join(out) + RESET


def _take(chars: str, ids: np.ndarray) -> np.ndarray:
    return np.take(np.array(list(chars)), np.maximum(ids, 0), mode="wrap")


def _check_points(points: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    points, labels = np.asarray(points, dtype=np.float64), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"render_boundary: points must have shape (n, 2) with n >= 1, got {points.shape}")
    if labels.shape != (len(points),) or labels.dtype.kind not in "iu" or labels.min() < 0:
        raise ValueError(
            f"render_boundary: labels must be {len(points)} non-negative integer class ids (one per point), "
            f"got shape {labels.shape} and dtype {labels.dtype}"
        )
    return points, labels.astype(np.int64)


def _check_predictions(pred: Any, count: int) -> np.ndarray:
    pred = np.asarray(pred)
    if pred.shape != (count,) or pred.dtype.kind not in "iu" or (count and pred.min() < 0):
        raise ValueError(
            f"render_boundary: predict must return {count} non-negative integer class ids for {count} points, "
            f"got shape {pred.shape} and dtype {pred.dtype}"
        )
    return pred.astype(np.int64)


# **** drawing a model's boundary (the glue `train` and `eval` call) ****


def print_boundary(model: Any, dataset: Any, classes: Sequence[str], *, split: str, plain: bool = False) -> bool:
    """Print ``model``'s decision boundary over the points of ``dataset`` (at most ``MAX_POINTS``; ``split`` names
    it in the title), and a legend.

    Colour on a terminal that supports it, unless ``plain``; ASCII otherwise. Returns False, printing nothing,
    when the dataset's inputs are not 2-D points.
    """
    if len(dataset) == 0 or np.shape(dataset[0][0]) != (2,):  # images and the like: nothing to draw
        return False
    points, labels = dataset_arrays(dataset, MAX_POINTS)
    import typer
    from rich.console import Console
    from rich.text import Text

    from .console import terminal_console

    console = terminal_console(plain=plain)
    color = console is not None and not console.no_color and console.color_system is not None
    width = max(16, min(WIDTH, (console or Console()).width - 1))
    picture = render_boundary(model_predictor(model), points, labels, width=width, height=width // 3, color=color)
    title = f"decision boundary on the {split} set ({len(labels)} points)"
    text = f"{title}\n{picture}\n{render_legend(classes, color=color)}"
    if color and console is not None:
        console.print(Text.from_ansi(text), soft_wrap=True)
    else:
        typer.echo(text)
    return True


def model_predictor(model: Any) -> Predict:
    """``predict`` for ``render_boundary``: the model's argmax class for each point (eval mode, no graph)."""
    import vinsgrad

    def predict(grid: np.ndarray) -> np.ndarray:
        model.eval()
        with vinsgrad.no_grad():
            return model(vinsgrad.from_numpy(grid))._data.argmax(axis=1)

    return predict


def dataset_arrays(dataset: Any, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The inputs and labels of a dataset's first ``limit`` ``(input, label)`` samples, as two arrays."""
    n = min(len(dataset), limit)
    if hasattr(dataset, "tensors"):  # a TensorDataset: slice instead of a Python loop
        x, y = dataset.tensors[:2]
        return np.asarray(x[:n]), np.asarray(y[:n])
    samples = [dataset[i] for i in range(n)]
    return np.stack([np.asarray(x) for x, _ in samples]), np.array([int(y) for _, y in samples])
