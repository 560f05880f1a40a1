"""How the CLI writes to stdout: rich output on a terminal, plain text otherwise (pipes, CI logs, --quiet), and
for training a live display or one line per epoch. The trainer talks to a ``Reporter``; it never prints itself.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID


def terminal_console(*, plain: bool = False) -> Console | None:
    """A rich Console for stdout when it is a terminal (as rich judges it, so FORCE_COLOR counts) and ``plain``
    (``--quiet``) is not asked for; None when the caller should print plain text."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal and not plain else None


def print_report(
    report: dict[str, Any],
    *,
    as_json: bool,
    rich: Callable[[dict[str, Any], Console], None],
    plain: Callable[[dict[str, Any]], str],
) -> None:
    """A command's report: one JSON object with ``--json``, else ``rich`` on a terminal and ``plain`` text otherwise."""
    if as_json:
        typer.echo(json.dumps(report))
        return
    console = terminal_console()
    if console is None:
        typer.echo(plain(report))
    else:
        rich(report, console)


class Reporter(Protocol):
    def epoch_start(self, epoch: int, epochs: int, batches: int, done: int) -> None: ...
    def batch(self, loss: float, accuracy: float, samples: int) -> None: ...
    def epoch_end(self, record: dict[str, Any]) -> None: ...
    def line(self, text: str) -> None: ...
    def close(self) -> None: ...


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


class PlainReporter:
    """One line per epoch on stdout, e.g. ``epoch 1/5  train loss 0.4321 acc 88.12%  val ...  3.2s``."""

    epochs = 0

    def epoch_start(self, epoch: int, epochs: int, batches: int, done: int) -> None:
        self.epochs = epochs

    def batch(self, loss: float, accuracy: float, samples: int) -> None:
        pass

    def epoch_end(self, record: dict[str, Any]) -> None:
        val = record.get("val_loss")
        parts = [
            f"epoch {record['epoch']}/{self.epochs}",
            f"train loss {number(record['train_loss'])} acc {percent(record['train_acc'])}",
            *([f"val loss {number(val)} acc {percent(record['val_acc'])}"] if val is not None else []),
            f"lr {record['lr']:.3g}",
            f"{record['seconds']:.1f}s ({record['samples_per_s']:.0f} samples/s)",
        ]
        typer.echo("  ".join(parts))

    def line(self, text: str) -> None:
        typer.echo(text)

    def close(self) -> None:
        pass


class RichReporter:
    """A live display: the table of finished epochs above a progress bar for the running one."""

    def __init__(self, console: Console | None = None) -> None:
        from rich.console import Console, Group
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        from rich.table import Table

        self.console = console or Console()
        self.table = Table(title=None, header_style="bold", box=None, pad_edge=False)
        for name in ("epoch", "train loss", "train acc", "val loss", "val acc", "lr", "seconds"):
            self.table.add_column(name, justify="right")
        self.progress = Progress(
            TextColumn("[bold blue]epoch {task.fields[epoch]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss [cyan]{task.fields[loss]}[/] acc [green]{task.fields[acc]}[/]"),
            TextColumn("{task.fields[rate]} samples/s"),
            TimeRemainingColumn(),
            console=self.console,
        )
        self.live = Live(Group(self.table, self.progress), console=self.console, refresh_per_second=8)
        self.live.start()
        self.task: TaskID | None = None
        self.epochs = 0
        self.started = 0.0
        self.samples = 0

    def epoch_start(self, epoch: int, epochs: int, batches: int, done: int) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.epochs = epochs
        self.task = self.progress.add_task(
            "train", total=batches, completed=done, epoch=f"{epoch}/{epochs}", loss="-", acc="-", rate="-"
        )
        self.started, self.samples = time.perf_counter(), 0

    def batch(self, loss: float, accuracy: float, samples: int) -> None:
        self.samples += samples
        if self.task is None:  # epoch_start comes first
            return
        rate = self.samples / max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, advance=1, loss=number(loss), acc=percent(accuracy), rate=f"{rate:.0f}")

    def epoch_end(self, record: dict[str, Any]) -> None:
        self.table.add_row(
            f"{record['epoch']}/{self.epochs}",
            number(record["train_loss"]),
            percent(record["train_acc"]),
            number(record.get("val_loss")),
            percent(record.get("val_acc")),
            f"{record['lr']:.3g}",
            f"{record['seconds']:.1f}",
        )

    def line(self, text: str) -> None:
        self.console.print(text, highlight=False, markup=False)

    def close(self) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None
        self.live.stop()


def make_reporter(quiet: bool) -> Reporter:
    """The live display when stdout is a real terminal and not ``quiet``; plain lines otherwise. Unlike
    ``terminal_console`` this asks the stream itself: FORCE_COLOR may colour a log, but redrawing lines needs a TTY."""
    return PlainReporter() if quiet or not sys.stdout.isatty() else RichReporter()
