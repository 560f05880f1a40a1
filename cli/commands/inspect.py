"""`vinsgrad inspect`: what a checkpoint holds: the architecture, its parameter count, the config it was trained
with and its per-epoch metrics. Like ``eval``, it needs nothing but the checkpoint.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..console import number, percent, print_report
from ..options import CheckpointArgument

if TYPE_CHECKING:
    from rich.console import Console

    from vinsgrad import nn


def inspect_command(
    checkpoint: CheckpointArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
) -> None:
    """Show a checkpoint's architecture, parameter count, training config and metrics.

    [bold]Examples[/bold]

      [cyan]vinsgrad inspect runs/mlp/best.npz[/cyan]

      [cyan]vinsgrad inspect runs/mlp/last.npz --json | jq .metrics[/cyan]
    """
    from ..checkpoint import load_checkpoint, restore_model

    ckpt = load_checkpoint(checkpoint)
    model = restore_model(ckpt, checkpoint)
    meta = ckpt.meta
    report = {
        "checkpoint": str(checkpoint),
        "format_version": meta["format_version"],
        "vinsgrad_version": meta.get("vinsgrad_version"),
        "epoch": meta.get("epoch"),
        "step": meta.get("step"),
        "classes": meta.get("classes"),
        "input_shape": meta.get("input_shape"),
        "architecture": repr(model),
        "parameters": count_parameters(model),
        "optimizer_state": ckpt.optimizer_state is not None,
        "scheduler_state": ckpt.scheduler_state is not None,
        "config": ckpt.config,
        "metrics": meta.get("metrics") or [],
        "best": best_entry(meta),
    }
    print_report(report, as_json=as_json, rich=render_rich, plain=render_plain)


def best_entry(meta: dict[str, Any]) -> dict[str, Any] | None:
    """The run's best validation so far and what picks best.npz (``Best``), or None without a validation."""
    from ..checkpoint import Best

    try:
        found = Best.from_meta(meta)
    except TypeError:  # not written by `vinsgrad train`: nothing to say
        return None
    return None if found.value is None else asdict(found)


def count_parameters(model: nn.Module) -> dict[str, Any]:
    """Total and trainable parameter counts, and the count of each top-level layer."""
    params = list(model.parameters())
    layers = [
        {"name": name, "type": type(child).__name__, "parameters": sum(p._data.size for p in child.parameters())}
        for name, child in model.named_children()
    ]
    return {
        "total": sum(p._data.size for p in params),
        "trainable": sum(p._data.size for p in params if p.requires_grad),
        "layers": layers,
    }


# **** output ****


def _value(v: Any) -> str:
    return number(v) if isinstance(v, float) else "-" if v is None else str(v)


def _metric(key: str, v: Any) -> str:
    """A metric as the training display shows it: accuracies in percent, the learning rate in 3 digits."""
    if not isinstance(v, float):
        return _value(v)
    if key.endswith(("_acc", "accuracy")):
        return percent(v)
    return f"{v:.3g}" if key == "lr" else f"{v:,.1f}" if key in ("seconds", "samples_per_s") else number(v)


def _summary(report: dict[str, Any]) -> list[tuple[str, str]]:
    params = report["parameters"]
    stored = [name for name in ("optimizer", "scheduler") if report[f"{name}_state"]]
    return [
        ("checkpoint", report["checkpoint"]),
        ("saved by", f"vinsgrad {report['vinsgrad_version']} (checkpoint format {report['format_version']})"),
        ("epoch", _value(report["epoch"])),
        ("step", _value(report["step"])),
        ("dataset", str(report["config"].get("data", {}).get("dataset", "-"))),
        ("input shape", _value(report["input_shape"] and tuple(report["input_shape"]))),
        ("classes", _classes(report)),
        ("parameters", f"{params['total']:,} ({params['trainable']:,} trainable)"),
        ("best", _best(report["best"])),
        ("resumable", f"yes ({' and '.join(stored)} state stored)" if stored else "no (weights only)"),
    ]


def _best(best: dict[str, Any] | None) -> str:
    from ..checkpoint import Best

    return "-" if best is None else f"{Best(**best).describe()}, what best.npz keeps"


def _classes(report: dict[str, Any]) -> str:
    classes = report["classes"]
    if not classes:
        return "-"
    if report["config"].get("data", {}).get("dataset") == "text":  # a vocabulary: show its characters, visibly
        return f"{len(classes)} characters: {''.join(classes)!r}"
    return ", ".join(map(str, classes))


def _metric_columns(metrics: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in metrics for key in row))  # first-seen order, no duplicates


def _config_yaml(config: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(config, sort_keys=False, default_flow_style=None, width=100).rstrip()


def render_plain(report: dict[str, Any]) -> str:
    """Plain text for pipes and logs."""
    lines = [f"{key}: {value}" for key, value in _summary(report)]
    lines += ["", "architecture:", *(f"  {line}" for line in report["architecture"].splitlines())]
    lines += ["", "parameters by layer:"]
    layers = [[row["name"], row["type"], f"{row['parameters']:,}"] for row in report["parameters"]["layers"]]
    lines += _aligned(["layer", "type", "parameters"], layers)
    lines += ["", "config:", *(f"  {line}" for line in _config_yaml(report["config"]).splitlines())]
    metrics = report["metrics"]
    lines += ["", "metrics:" if metrics else "metrics: none recorded"]
    columns = _metric_columns(metrics)
    if metrics:
        lines += _aligned(columns, [[_metric(c, row.get(c)) for c in columns] for row in metrics])
    return "\n".join(lines)


def _aligned(header: list[str], rows: list[list[str]]) -> list[str]:
    """A plain table: each column right-aligned to its widest cell, two spaces apart, indented by two."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    return ["  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in [header, *rows]]


def render_rich(report: dict[str, Any], console: Console) -> None:
    """A summary grid, the layers with their parameter counts, the config as YAML, and a metrics table."""
    from rich.syntax import Syntax
    from rich.table import Table

    summary = Table.grid(padding=(0, 2))
    for key, value in _summary(report):
        summary.add_row(f"[bold]{key}[/bold]", value)
    console.print(summary)
    console.print("[bold]Architecture[/bold]")
    console.print(report["architecture"], markup=False)
    layers = Table(title="Parameters by layer", title_justify="left", header_style="bold")
    for column in ("layer", "type", "parameters"):
        layers.add_column(column, justify="right" if column == "parameters" else "left")
    for row in report["parameters"]["layers"]:
        layers.add_row(row["name"], row["type"], f"{row['parameters']:,}")
    console.print(layers)
    console.print("[bold]Config[/bold]")
    config = _config_yaml(report["config"])
    console.print(Syntax(config, "yaml", theme="ansi_dark", background_color="default", word_wrap=True))
    metrics = report["metrics"]
    if not metrics:
        console.print("[dim]no metrics recorded[/dim]")
        return
    table = Table(title="Metrics", title_justify="left", header_style="bold")
    columns = _metric_columns(metrics)
    for column in columns:
        table.add_column(column, justify="right")
    for row in metrics:
        table.add_row(*(_metric(c, row.get(c)) for c in columns))
    console.print(table)
