"""`vinsgrad eval`: a checkpoint's loss and accuracy on a dataset split, per class, and its confusion matrix.

The numbers come from evaluation.py (the loop the trainer uses too); ``--json`` prints the report dict, a terminal
gets rich tables (the confusion matrix colour-scaled by each row's share), anything else plain lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import UsageError
from ..options import CheckpointArgument, CheckpointRootOption, Split, ThreadsOption

if TYPE_CHECKING:
    from rich.console import Console


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
    threads: ThreadsOption = None,
    data_path: Annotated[
        Path | None,
        typer.Option("--data-path", help="Language models: score the whole of this UTF-8 text file instead."),
    ] = None,
) -> None:
    """Evaluate a checkpoint: loss, accuracy, per-class accuracy and the confusion matrix.

    The model is rebuilt from the config stored in the checkpoint; nothing else is needed. A language model reports
    its loss in nats and bits per character and its perplexity, on the held-out end of its text (--split test) or
    on all of --data-path (characters outside its vocabulary are skipped and counted).

    [bold]Examples[/bold]

      [cyan]vinsgrad eval runs/mlp/best.npz[/cyan]

      [cyan]vinsgrad eval runs/mlp/last.npz --split train --batch-size 1024[/cyan]

      [cyan]vinsgrad eval runs/mlp/best.npz --json > metrics.json[/cyan]

      [cyan]vinsgrad eval runs/mlp/best.npz --show-errors 8[/cyan]

      [cyan]vinsgrad eval runs/shakespeare_gpt/best.npz --data-path other.txt --json[/cyan]
    """
    from vinsgrad.utils.data import DataLoader

    from ..checkpoint import load_checkpoint, restore_model
    from ..config import build_loss, dummy_batch
    from ..console import print_report
    from ..data import load_split, raw_sample
    from ..evaluation import confident_errors, evaluate, make_report
    from ..memory import keep_freed_memory
    from ..rendering import draw_errors, evaluation_plain, evaluation_rich, print_boundary
    from ..threads import parse_threads, use_threads

    setting = parse_threads(threads) or "auto"

    ckpt = load_checkpoint(checkpoint)
    model = restore_model(ckpt, checkpoint)
    eval_batch_size = batch_size or ckpt.config["data"].get("eval_batch_size", 1000)
    use_threads(setting, model, dummy_batch(ckpt.config)[0], eval_batch_size)
    keep_freed_memory()
    if ckpt.config["data"]["dataset"] == "text":
        from ..evaluation import evaluate_text

        report = evaluate_text(model, ckpt, checkpoint, split.value, root, data_path, batch_size)
        print_report(report, as_json=as_json, rich=lm_rich, plain=lm_plain)
        return
    if data_path is not None:
        raise UsageError("--data-path scores a text with a language model; this checkpoint is a classifier")
    dataset = load_split(ckpt.config, split.value, root)
    loader = DataLoader(dataset, batch_size=eval_batch_size)
    result = evaluate(model, loader, build_loss(ckpt.config), keep_probabilities=show_errors > 0)
    report = make_report(result, checkpoint=str(checkpoint), split=split.value, meta=ckpt.meta)
    if show_errors:
        report["errors"] = confident_errors(result, show_errors)
    print_report(report, as_json=as_json, rich=evaluation_rich, plain=evaluation_plain)
    if as_json:
        return
    print_boundary(model, dataset, report["classes"], split=split.value)  # only for a model of 2-D points
    if show_errors and not report["errors"]:
        typer.echo(f"no errors to show: the model classifies all {report['samples']} {split.value} samples right")
    elif show_errors:
        raws = [raw_sample(dataset, e["index"]) for e in report["errors"]]
        draw_errors(report["errors"], raws, report["classes"])


def lm_plain(report: dict[str, Any]) -> str:
    skipped = f" ({report['unknown_chars']} unknown characters skipped)" if report["unknown_chars"] else ""
    return (
        f"{report['source']}: {report['characters']:,} characters{skipped}\n"
        f"loss        {report['loss']:.4f} nats/char\n"
        f"            {report['bits_per_char']:.4f} bits/char\n"
        f"perplexity  {report['perplexity']:.3f}\n"
        f"accuracy    {100 * report['accuracy']:.2f}% (next character, most likely guess)"
    )


def lm_rich(report: dict[str, Any], console: Console) -> None:
    from rich.table import Table

    table = Table(title=f"{report['checkpoint']} on {report['source']}", show_header=False)
    skipped = f", {report['unknown_chars']:,} unknown skipped" if report["unknown_chars"] else ""
    table.add_row("characters", f"{report['characters']:,}{skipped}")
    table.add_row("loss", f"[bold]{report['loss']:.4f}[/bold] nats/char")
    table.add_row("", f"{report['bits_per_char']:.4f} bits/char")
    table.add_row("perplexity", f"{report['perplexity']:.3f}")
    table.add_row("accuracy", f"{100 * report['accuracy']:.2f}% (next character)")
    console.print(table)
