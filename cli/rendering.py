"""Terminal drawing, in one place: images, decision boundaries, sparklines, confusion matrices, probability bars.

Images take two pixel rows per line: ``▀`` shows the upper pixel in the foreground and the lower one in the
background. On a terminal both are shades of grey (``image_text``, a rich Text); in plain output (pipes, logs,
tests) each pixel is on or off (``image_lines``: `` ``, ``▀``, ``▄`` or ``█``), so the digit is still readable.

A 2-D classifier's decision boundary is the predicted class on a grid with the data points on top. With ``color``
each character cell shows two grid pixels as a half block in 256-colour ANSI codes: dim colours for predicted
regions, bright ones for points. Without it, plain ASCII: a region character per class and a point character on top.

Every function here draws what it is given; none computes a metric or reads a dataset.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import typer

from .console import number, percent, terminal_console

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from vinsgrad import nn

    from .checkpoint import Best


UPPER, LOWER, FULL = "▀", "▄", "█"
BAR_WIDTH = 30
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


def image_text(image: Any) -> Text:
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


# **** decision boundaries ****

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


def print_boundary(model: nn.Module, dataset: Any, classes: Sequence[str], *, split: str, plain: bool = False) -> bool:
    """Print ``model``'s decision boundary over the points of ``dataset`` (at most ``MAX_POINTS``; ``split`` names
    it in the title), and a legend.

    Colour on a terminal that supports it, unless ``plain``; ASCII otherwise. Returns False, printing nothing,
    when the dataset's inputs are not 2-D points.
    """
    if len(dataset) == 0 or np.shape(dataset[0][0]) != (2,):  # images and the like: nothing to draw
        return False
    points, labels = dataset_arrays(dataset, MAX_POINTS)
    from rich.console import Console
    from rich.text import Text

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


def model_predictor(model: nn.Module) -> Predict:
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


# **** the training summary: sparklines ****

CURVES = (("train loss", "train_loss"), ("train acc", "train_acc"), ("val loss", "val_loss"), ("val acc", "val_acc"))


def summary_lines(
    metrics: list[dict[str, Any]], metrics_path: Path, best: tuple[Path, Best] | None = None
) -> list[str]:
    """One line per curve: name, a sparkline over the epochs, first and last value; then the metrics file, and
    ``best`` (best.npz's path and what picked it) once a validation has picked one."""
    lines = []
    for title, key in CURVES:
        values = [record.get(key) for record in metrics]
        if all(v is None for v in values):
            continue
        shown = [_value(key, v) for v in (values[0], values[-1])]
        lines.append(f"{title:<10}  {sparkline(values)}  {shown[0]} -> {shown[1]}")
    lines.append(f"metrics     {metrics_path}")
    if best is not None and best[1].value is not None:
        lines.append(f"best        {best[0]}: {best[1].describe()}")
    return lines


def _value(key: str, v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "-"
    return percent(v) if key.endswith("acc") else number(v)


def print_summary(
    metrics: list[dict[str, Any]], metrics_path: Path, best: tuple[Path, Best] | None = None, *, plain: bool
) -> None:
    """A rich panel on a terminal, plain lines when ``plain`` or not a terminal."""

    lines = summary_lines(metrics, metrics_path, best)
    console = terminal_console(plain=plain)
    if console is None:
        typer.echo("\n".join(lines))
        return
    from rich.panel import Panel

    epochs = f"{len(metrics)} epoch{'s' if len(metrics) != 1 else ''}"
    console.print(Panel("\n".join(lines), title=f"training summary ({epochs})", expand=False), highlight=False)


# **** evaluation reports: the confusion matrix ****


def label(index: int, name: str) -> str:
    """A class's row label: its name, led by its index unless the name already is (MNIST's ``0 - zero``)."""
    return name if name.split(" ")[0] == str(index) else f"{index} {name}"


def evaluation_plain(report: dict[str, Any]) -> str:
    """Plain text lines (no colour, no box drawing) for pipes and logs; matrix columns are class indices."""
    matrix = report["confusion_matrix"]
    epoch = f" (epoch {report['epoch']})" if report["epoch"] is not None else ""
    lines = [
        f"checkpoint: {report['checkpoint']}{epoch}",
        f"split: {report['split']} ({report['samples']} samples)",
        f"loss: {number(report['loss'])}",
        f"accuracy: {percent(report['accuracy'])}",
        "per-class accuracy:",
    ]
    labels = [label(i, row["class"]) for i, row in enumerate(report["per_class"])]
    width = max(len(text) for text in labels)
    for text, row in zip(labels, report["per_class"]):
        lines.append(f"  {text:<{width}}  {percent(row['accuracy']):>7}  ({row['correct']}/{row['samples']})")
    cell = max(len(str(len(matrix))), *(len(str(v)) for r in matrix for v in r))
    lines.append("confusion matrix (rows: true class, columns: predicted class):")
    lines.append("  " + " " * cell + "".join(f" {j:>{cell}}" for j in range(len(matrix))))
    for i, row in enumerate(matrix):
        lines.append(f"  {i:>{cell}}" + "".join(f" {v:>{cell}}" for v in row))
    return "\n".join(lines)


def evaluation_rich(report: dict[str, Any], console: Console) -> None:
    """A summary line and the confusion matrix as a table, each cell shaded by its share of the row."""
    from rich import box
    from rich.table import Table

    epoch = f"  epoch {report['epoch']}" if report["epoch"] is not None else ""
    split = f"{report['split']} split, {report['samples']:,} samples"
    console.print(f"[bold]{report['checkpoint']}[/bold]{epoch}  [dim]{split}[/dim]", highlight=False)
    accuracy = percent(report["accuracy"])
    console.print(f"loss [bold]{number(report['loss'])}[/bold]   accuracy [bold green]{accuracy}[/bold green]")
    table = Table(
        title="Confusion matrix (rows: true class, columns: predicted)",
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("class", justify="left", style="bold")
    for j in range(len(report["classes"])):
        table.add_column(str(j), justify="right")
    table.add_column("n", justify="right", style="dim")
    table.add_column("accuracy", justify="right")
    for i, (row, stats) in enumerate(zip(report["confusion_matrix"], report["per_class"])):
        total = max(stats["samples"], 1)
        cells = [_shaded(v, v / total, diagonal=i == j) for j, v in enumerate(row)]
        table.add_row(label(i, stats["class"]), *cells, str(stats["samples"]), percent(stats["accuracy"]))
    console.print(table)


def _shaded(count: int, share: float, *, diagonal: bool) -> Text:
    """``count`` on a background from dark grey (share 0) to green (diagonal) or red (a confusion)."""
    from rich.text import Text

    if count == 0:
        return Text("·", style="dim")
    base, full = (40, 40, 40), ((20, 150, 60) if diagonal else (190, 40, 40))
    r, g, b = (round(lo + (hi - lo) * min(max(share, 0.15), 1.0)) for lo, hi in zip(base, full))
    return Text(str(count), style=f"bold white on rgb({r},{g},{b})")


# **** predictions: probability bars and images ****


def point(raw: np.ndarray) -> str:
    """A non-image input (e.g. a 2-D point) as a short list."""
    return "[" + ", ".join(f"{v:.4g}" for v in raw.ravel().tolist()) + "]"


def is_image(raw: np.ndarray) -> bool:
    return raw.ndim == 2 or (raw.ndim == 3 and raw.shape[0] == 1)


def show_prediction(
    raw: np.ndarray, where: str, label: int | None, predicted: int, probs: np.ndarray, classes: list[str]
) -> None:
    """The input (an image, or a point as numbers), the predicted class, and one probability bar per class."""
    console = terminal_console()
    typer.echo(where)
    if is_image(raw):
        if console is not None:
            console.print(image_text(raw))
        else:
            typer.echo("\n".join(image_lines(raw)))
    else:
        typer.echo(f"input: {point(raw)}")
    truth = "" if label is None else f"   true: {classes[label]}" + ("" if label == predicted else "  (wrong)")
    typer.echo(f"predicted: {classes[predicted]} ({percent(float(probs[predicted]))}){truth}")
    width = max(len(c) for c in classes)
    for i, (name, p) in enumerate(zip(classes, probs)):
        line = f"{name:<{width}} {bar(float(p), BAR_WIDTH)} {100 * p:6.2f}%"
        if console is not None:
            style = "bold green" if i == predicted else "bold red" if i == label else "dim"
            console.print(line, style=style, highlight=False, markup=False)
        else:
            typer.echo(line + (" <" if i == predicted else ""))


def draw_errors(errors: list[dict[str, Any]], raws: list[np.ndarray], classes: list[str]) -> None:
    """Each error as its image (``raws``: the untransformed inputs) with ``#index true -> predicted p%`` above it,
    side by side as the width allows."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = terminal_console()
    typer.echo(f"{len(errors)} most confidently wrong (true label -> predicted, probability):")
    captions = [f"#{e['index']} {e['label']} -> {e['predicted']} {100 * e['probability']:.1f}%" for e in errors]
    if not all(is_image(r) for r in raws):
        for caption, raw in zip(captions, raws):
            typer.echo(f"{caption}  input {point(raw)}")
        return
    column = max(len(c) for c in [*captions, *(image_lines(r)[0] for r in raws)]) + 2
    per_row = max(1, (console or Console()).width // column)  # a pipe is as wide as rich thinks the terminal is
    for start in range(0, len(errors), per_row):
        chunk = range(start, min(start + per_row, len(errors)))
        if console is not None:
            grid = Table.grid(padding=(0, 2))
            cells = [Text(captions[i] + "\n", style="bold") + image_text(raws[i]) for i in chunk]
            grid.add_row(*cells)
            console.print(grid)
            continue
        blocks = [[captions[i], *image_lines(raws[i])] for i in chunk]
        for row in zip(*blocks):
            typer.echo("".join(cell.ljust(column) for cell in row).rstrip())
    names = ", ".join(f"{i}: {n}" for i, n in enumerate(classes) if n.split(" ")[0] != str(i))  # not "0 - zero"
    if names:
        typer.echo(f"classes: {names}")
