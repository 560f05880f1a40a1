"""`vinsgrad eval`: a checkpoint's loss and accuracy on a dataset split, per class, and its confusion matrix.

``evaluate`` is the one evaluation loop: the trainer's validation and test lines use it too, so ``eval`` on a
checkpoint reproduces them. The numbers are computed once into a plain report dict; ``--json`` prints that dict,
a terminal gets rich tables (the confusion matrix colour-scaled by each row's share), and anything else gets plain
lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .console import number, percent, print_report
from .options import CheckpointArgument, CheckpointRootOption, Split

if TYPE_CHECKING:
    import numpy as np
    from rich.console import Console

    from vinsgrad import nn


def eval_command(
    checkpoint: CheckpointArgument,
    root: CheckpointRootOption = None,
    split: Annotated[Split, typer.Option("--split", help="Which split to evaluate.")] = Split.test,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="Samples per batch (default: data.eval_batch_size).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    show_errors: Annotated[
        int,
        typer.Option("--show-errors", metavar="N", min=0, help="Draw the N most confidently wrong images (0: none)."),
    ] = 0,
) -> None:
    """Evaluate a checkpoint: loss, accuracy, per-class accuracy and the confusion matrix.

    The model is rebuilt from the config stored in the checkpoint; nothing else is needed.

    [bold]Examples[/bold]

      [cyan]vinsgrad eval runs/mlp/best.npz[/cyan]

      [cyan]vinsgrad eval runs/mlp/last.npz --split train --batch-size 1024[/cyan]

      [cyan]vinsgrad eval runs/mlp/best.npz --json > metrics.json[/cyan]

      [cyan]vinsgrad eval runs/mlp/best.npz --show-errors 8[/cyan]
    """
    from vinsgrad.utils.data import DataLoader

    from .boundary import print_boundary
    from .checkpoint import load_checkpoint, restore_model
    from .config import build_loss
    from .download import load_split

    ckpt = load_checkpoint(checkpoint)
    model = restore_model(ckpt, checkpoint)
    dataset = load_split(ckpt.config, split.value, root)
    loader = DataLoader(dataset, batch_size=batch_size or ckpt.config["data"].get("eval_batch_size", 1000))
    result = evaluate(model, loader, build_loss(ckpt.config), keep_probabilities=show_errors > 0)
    report = make_report(result, checkpoint=str(checkpoint), split=split.value, meta=ckpt.meta)
    if show_errors:
        report["errors"] = confident_errors(result, show_errors)
    print_report(report, as_json=as_json, rich=render_rich, plain=render_plain)
    if as_json:
        return
    print_boundary(model, dataset, report["classes"], split=split.value)  # only for a model of 2-D points
    if show_errors:
        from .predict_cmd import draw_errors

        draw_errors(report["errors"], dataset, report["classes"])


# **** the numbers ****


@dataclass
class Evaluation:
    """The mean loss over all samples and the confusion matrix (rows: true class, columns: predicted class); with
    ``keep_probabilities``, every sample's class probabilities and label too."""

    loss: float
    confusion: np.ndarray
    probabilities: np.ndarray | None = None  # (samples, classes): the softmax of the model's outputs
    labels: np.ndarray | None = None

    @property
    def samples(self) -> int:
        return int(self.confusion.sum())

    @property
    def accuracy(self) -> float:
        return float(self.confusion.trace() / max(self.samples, 1))


def summed_loss(loss_fn: Any, value: float, n: int) -> float:
    """A batch's loss summed over its ``n`` samples, whatever the loss's ``reduction`` ('mean' or 'sum')."""
    return value * n if getattr(loss_fn, "reduction", "mean") == "mean" else value


def evaluate(model: nn.Module, loader: Any, loss_fn: Any, *, keep_probabilities: bool = False) -> Evaluation:
    """Run ``model`` (in eval mode, without autograd) over ``loader``'s ``(inputs, targets)`` batches."""
    import numpy as np

    import vinsgrad

    from .errors import UsageError

    model.eval()
    loss_sum, confusion, probabilities, kept_labels = 0.0, None, [], []
    with vinsgrad.no_grad():
        for inputs, targets in loader:
            logits = model(inputs)
            labels = np.asarray(targets._data if isinstance(targets, vinsgrad.Tensor) else targets, dtype=np.int64)
            classes = logits.shape[-1]
            if labels.size and (labels.min() < 0 or labels.max() >= classes):
                raise UsageError(
                    f"the dataset has labels {labels.min()}..{labels.max()}, the model has {classes} outputs"
                )
            loss_sum += summed_loss(loss_fn, float(loss_fn(logits, targets).item()), len(labels))
            pairs = labels * classes + logits._data.argmax(axis=-1)
            counts = np.bincount(pairs, minlength=classes * classes).reshape(classes, classes)
            confusion = counts if confusion is None else confusion + counts
            if keep_probabilities:
                probabilities.append(logits.softmax(-1)._data)
                kept_labels.append(labels)
    if confusion is None or not confusion.any():
        raise UsageError("the dataset split is empty: nothing to evaluate")
    result = Evaluation(loss_sum / int(confusion.sum()), confusion)
    if keep_probabilities:
        result.probabilities, result.labels = np.concatenate(probabilities), np.concatenate(kept_labels)
    return result


def confident_errors(result: Evaluation, n: int) -> list[dict[str, Any]]:
    """The ``n`` misclassified samples with the highest predicted probability, most confident first."""
    import numpy as np

    p, y = result.probabilities, result.labels
    if p is None or y is None:
        raise ValueError("confident_errors needs an Evaluation made with evaluate(..., keep_probabilities=True)")
    predicted = p.argmax(-1)
    wrong = np.flatnonzero(predicted != y)
    confidence = p[wrong, predicted[wrong]]
    chosen = wrong[np.argsort(-confidence, kind="stable")[:n]]
    return [
        {"index": int(i), "label": int(y[i]), "predicted": int(predicted[i]), "probability": float(p[i, predicted[i]])}
        for i in chosen
    ]


def make_report(result: Evaluation, *, checkpoint: str, split: str, meta: dict[str, Any]) -> dict[str, Any]:
    """Everything eval shows, as JSON-ready values (a non-finite loss becomes null)."""
    from .checkpoint import class_names

    classes = class_names(meta, len(result.confusion))
    per_class = []
    for i, name in enumerate(classes):
        total, correct = int(result.confusion[i].sum()), int(result.confusion[i, i])
        accuracy = correct / total if total else None  # a class absent from the split has no accuracy
        per_class.append({"class": name, "samples": total, "correct": correct, "accuracy": accuracy})
    return {
        "checkpoint": checkpoint,
        "epoch": meta.get("epoch"),
        "split": split,
        "samples": result.samples,
        "loss": result.loss if math.isfinite(result.loss) else None,
        "accuracy": result.accuracy,
        "classes": classes,
        "per_class": per_class,
        "confusion_matrix": result.confusion.tolist(),
    }


# **** output ****


def label(index: int, name: str) -> str:
    """A class's row label: its name, led by its index unless the name already is (MNIST's ``0 - zero``)."""
    return name if name.split(" ")[0] == str(index) else f"{index} {name}"


def render_plain(report: dict[str, Any]) -> str:
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


def render_rich(report: dict[str, Any], console: Console) -> None:
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


def _shaded(count: int, share: float, *, diagonal: bool) -> Any:
    """``count`` on a background from dark grey (share 0) to green (diagonal) or red (a confusion)."""
    from rich.text import Text

    if count == 0:
        return Text("·", style="dim")
    base, full = (40, 40, 40), ((20, 150, 60) if diagonal else (190, 40, 40))
    r, g, b = (round(lo + (hi - lo) * min(max(share, 0.15), 1.0)) for lo, hi in zip(base, full))
    return Text(str(count), style=f"bold white on rgb({r},{g},{b})")
