"""The end of `vinsgrad train`: how loss and accuracy moved, epoch by epoch, as sparklines; where the numbers are."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from .console import number, percent
from .terminal_image import sparkline

CURVES = (("train loss", "train_loss"), ("train acc", "train_acc"), ("val loss", "val_loss"), ("val acc", "val_acc"))


def summary_lines(metrics: list[dict[str, Any]], metrics_path: Path) -> list[str]:
    """One line per curve: name, a sparkline over the epochs, first and last value; then the metrics file."""
    lines = []
    for title, key in CURVES:
        values = [record.get(key) for record in metrics]
        if all(v is None for v in values):
            continue
        shown = [_value(key, v) for v in (values[0], values[-1])]
        lines.append(f"{title:<10}  {sparkline(values)}  {shown[0]} -> {shown[1]}")
    lines.append(f"metrics     {metrics_path}")
    return lines


def _value(key: str, v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "-"
    return percent(v) if key.endswith("acc") else number(v)


def print_summary(metrics: list[dict[str, Any]], metrics_path: Path, *, plain: bool) -> None:
    """A rich panel on a terminal, plain lines when ``plain`` or not a terminal."""
    from .console import terminal_console

    lines = summary_lines(metrics, metrics_path)
    console = terminal_console(plain=plain)
    if console is None:
        typer.echo("\n".join(lines))
        return
    from rich.panel import Panel

    epochs = f"{len(metrics)} epoch{'s' if len(metrics) != 1 else ''}"
    console.print(Panel("\n".join(lines), title=f"training summary ({epochs})", expand=False), highlight=False)
