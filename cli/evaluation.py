"""The one evaluation loop: a model's loss and confusion matrix over a loader, and the report `eval` shows.

The trainer's validation and test lines use ``evaluate`` too, so ``vinsgrad eval`` on a checkpoint reproduces
them. The numbers are computed once into a plain report dict; rendering.py draws it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import vinsgrad

from .checkpoint import class_names
from .config import build_loss, per_position
from .errors import UsageError, one_line

if TYPE_CHECKING:
    from vinsgrad import nn
    from vinsgrad.utils.data import DataLoader

    from .checkpoint import Checkpoint


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


def summed_loss(loss_fn: nn.Module, value: float, n: int) -> float:
    """A batch's loss summed over its ``n`` samples, whatever the loss's ``reduction`` ('mean' or 'sum')."""
    return value * n if getattr(loss_fn, "reduction", "mean") == "mean" else value


def evaluate(
    model: nn.Module, loader: DataLoader, loss_fn: nn.Module, *, keep_probabilities: bool = False
) -> Evaluation:
    """Run ``model`` (in eval mode, without autograd) over ``loader``'s ``(inputs, targets)`` batches."""
    model.eval()
    loss_sum, confusion, probabilities, kept_labels = 0.0, None, [], []
    with vinsgrad.no_grad():
        for inputs, targets in loader:
            logits, targets = per_position(model(inputs), targets)
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


def evaluate_text(
    model: nn.Module,
    ckpt: Checkpoint,
    path: Path,
    split: str,
    root: Path | None,
    data_path: Path | None,
    batch_size: int | None,
) -> dict[str, Any]:
    """A language model's per-character loss on its held-out text (``split`` 'test'), its training text, or all of
    ``data_path``: non-overlapping windows of ``data.block_size``, each character predicted once from the ones
    before it in its window. Characters outside the vocabulary are skipped and counted."""
    from vinsgrad.utils.data import DataLoader
    from vinsgrad.utils.data.text import CharDataset

    from .checkpoint import vocabulary
    from .config import read_text, split_text
    from .data import dataset_errors

    chars, data = vocabulary(ckpt, path), ckpt.config["data"]
    with dataset_errors():
        if data_path is not None:
            text, source = read_text(str(data_path), Path(data["root"]), False), str(data_path)
        else:
            train, held_out = split_text(ckpt.config, Path(root or data["root"]), sys.stderr.isatty())
            text, source = (held_out if split == "test" else train), f"the {split} split of {data['path']}"
        try:
            dataset = CharDataset(text, data["block_size"], chars=chars, stride=data["block_size"], skip_unknown=True)
        except ValueError as e:
            raise UsageError(f"{source}: {one_line(str(e)).removeprefix('CharDataset: ')}") from None
    loader = DataLoader(dataset, batch_size=batch_size or data.get("eval_batch_size", 64))
    result = evaluate(model, loader, build_loss(ckpt.config))
    return {
        "checkpoint": str(path),
        "epoch": ckpt.meta.get("epoch"),
        "source": source,
        "split": None if data_path is not None else split,
        "loss": result.loss,
        "bits_per_char": result.loss / math.log(2),
        "perplexity": math.exp(result.loss),
        "accuracy": result.accuracy,
        "characters": result.samples,
        "unknown_chars": dataset.unknown,
    }


def make_report(result: Evaluation, *, checkpoint: str, split: str, meta: dict[str, Any]) -> dict[str, Any]:
    """Everything eval shows, as JSON-ready values (a non-finite loss becomes null)."""
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
