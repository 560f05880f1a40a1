"""Training output: the rich live display on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from rich.console import Console
from vinsgrad_cli.console import PlainReporter, RichReporter, make_reporter

RECORD = {
    "epoch": 1,
    "step": 10,
    "lr": 0.01,
    "train_loss": 0.5,
    "train_acc": 0.9,
    "seconds": 2.0,
    "samples_per_s": 320.0,
}


def test_plain_reporter_prints_one_line_per_epoch(capsys) -> None:  # type: ignore[no-untyped-def]
    reporter = PlainReporter()
    reporter.epoch_start(1, 3, 10, 0)
    for _ in range(10):
        reporter.batch(0.5, 0.9, 32)
    reporter.epoch_end({**RECORD, "val_loss": 0.25, "val_acc": 0.875})
    reporter.line("test: done")
    expected = "epoch 1/3  train loss 0.5000 acc 90.00%  val loss 0.2500 acc 87.50%  lr 0.01  2.0s (320 samples/s)\n"
    assert capsys.readouterr().out == expected + "test: done\n"


def test_quiet_or_no_terminal_means_plain() -> None:
    assert isinstance(make_reporter(quiet=True), PlainReporter)
    assert isinstance(make_reporter(quiet=False), PlainReporter)  # pytest's stdout is not a terminal


def test_rich_reporter_shows_a_progress_bar_and_a_table_of_epochs() -> None:
    buffer = io.StringIO()
    reporter = RichReporter(Console(file=buffer, force_terminal=True, width=140, color_system=None))
    reporter.epoch_start(1, 2, 4, 0)
    for _ in range(4):
        reporter.batch(0.75, 0.5, 32)
    reporter.live.refresh()
    live = buffer.getvalue()
    assert "epoch 1/2" in live and "4/4" in live and "loss 0.7500 acc 50.00%" in live and "samples/s" in live
    reporter.epoch_end(RECORD)
    reporter.close()
    final = [line for line in buffer.getvalue().splitlines() if line.strip()]
    header = max(i for i, line in enumerate(final) if "train loss" in line)
    assert "val acc" in final[header] and "seconds" in final[header]
    assert final[header + 1].split() == ["1/2", "0.5000", "90.00%", "-", "-", "0.01", "2.0"]
