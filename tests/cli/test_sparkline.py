"""Text pictures: sparklines, bars, half-block images, and the sparkline summary at the end of `vinsgrad train`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import Best, load_checkpoint
from vinsgrad_cli.main import app
from vinsgrad_cli.rendering import bar, image_lines, image_text, sparkline, summary_lines, unit_image

runner = CliRunner()


def test_sparkline_scales_between_min_and_max() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([3.0, 0.0, 1.0]) == "█▁▃"  # 1.0 is a third of the way up: level round(7 / 3) = 2 of 0..7
    assert sparkline([3.0, 3.0]) == "▄▄"  # flat: the middle
    assert sparkline([1.0, None, float("nan"), 0.0]) == "█  ▁"
    assert sparkline([]) == "" and sparkline([None, None]) == "  "


def test_bar_in_eighths() -> None:
    assert bar(1.0, 4) == "████" and bar(0.0, 4) == "    "
    assert bar(0.5, 3) == "█▌ "  # 1.5 characters
    assert bar(1 / 16, 2) == "▏ "  # one eighth of a character
    assert bar(2.0, 2) == "██" and bar(-1.0, 2) == "  "  # clipped


def test_image_lines_two_pixel_rows_per_line() -> None:
    image = np.array([[255, 0, 255, 0], [255, 255, 0, 0], [0, 0, 200, 10]], dtype=np.uint8)
    # rows 0 and 1, by column: both on, bottom only, top only, both off; row 2 pairs with a blank row.
    assert image_lines(image) == ["█▄▀ ", "  ▀ "]
    assert image_lines(image.astype(np.float32) / 255, threshold=0.5) == image_lines(image)


def test_unit_image_scales_and_checks_shape() -> None:
    assert unit_image(np.array([[-1.0, 1.0]])).tolist() == [[0.0, 1.0], [0.0, 0.0]]
    assert unit_image(np.zeros((1, 2, 2), np.uint8)).shape == (2, 2)  # one channel, dropped
    with pytest.raises(ValueError, match=r"expected a 2-D image \(height, width\), got shape \(2, 2, 2\)"):
        unit_image(np.zeros((2, 2, 2)))


def test_image_text_shades_foreground_top_and_background_bottom() -> None:
    text = image_text(np.array([[255, 0], [51, 102]], dtype=np.uint8))
    assert text.plain == "▀▀"
    assert [str(span.style) for span in text.spans] == [
        "rgb(255,255,255) on rgb(51,51,51)",
        "rgb(0,0,0) on rgb(102,102,102)",
    ]
    console = Console(record=True, color_system="truecolor", width=20, force_terminal=True)
    console.print(text)
    assert "\x1b[38;2;255;255;255;48;2;51;51;51m▀" in console.export_text(styles=True)


def test_summary_lines() -> None:
    metrics = [
        {"train_loss": 2.0, "train_acc": 0.1, "val_loss": 1.5, "val_acc": 0.2},
        {"train_loss": 1.0, "train_acc": 0.5, "val_loss": 1.0, "val_acc": 0.6},
        {"train_loss": 0.5, "train_acc": 0.9, "val_loss": 1.2, "val_acc": 0.55},
    ]
    assert summary_lines(metrics, Path("runs/x/metrics.jsonl")) == [
        "train loss  █▃▁  2.0000 -> 0.5000",
        "train acc   ▁▅█  10.00% -> 90.00%",
        "val loss    █▁▄  1.5000 -> 1.2000",
        "val acc     ▁█▇  20.00% -> 55.00%",
        "metrics     runs/x/metrics.jsonl",
    ]
    best = (Path("runs/x/best.npz"), Best("val_loss", "min", 1.0, 2))
    assert summary_lines(metrics, Path("runs/x/metrics.jsonl"), best)[-1] == (
        "best        runs/x/best.npz: lowest val loss 1.0000 (epoch 2)"
    )
    assert len(summary_lines(metrics, Path("m.jsonl"), (Path("b.npz"), Best("val_acc", "max")))) == 5  # no validation
    no_val = [{"train_loss": float("nan"), "train_acc": 0.5}]
    assert summary_lines(no_val, Path("m.jsonl"))[:2] == ["train loss     - -> -", "train acc   ▄  50.00% -> 50.00%"]


def test_train_ends_with_sparklines_of_its_metrics(tmp_path: Path) -> None:
    config = tmp_path / "moons.yaml"
    config.write_text(
        "model: {layers: [{type: Linear, in_features: 2, out_features: 8}, {type: ReLU},"
        " {type: Linear, in_features: 8, out_features: 2}]}\n"
        "optimizer: {type: Adam, lr: 0.02}\n"
        "data: {dataset: moons, n: 300, batch_size: 32, val_split: 0.1}\n"
        "train: {epochs: 6, seed: 0}\n"
    )
    out = tmp_path / "run"
    result = runner.invoke(app, ["train", str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    tail = result.stdout.splitlines()[-6:]
    best = max(metrics, key=lambda m: m["val_acc"])  # the first epoch of the highest accuracy: a moons classifier
    assert tail == summary_lines(metrics, out / "metrics.jsonl", (out / "best.npz", Best.from_meta(best_meta(out))))
    assert tail[0].startswith("train loss  " + sparkline([m["train_loss"] for m in metrics]))
    assert tail[0].split()[2][0] == "█"  # the loss fell from the first epoch
    assert tail[-2] == f"metrics     {out / 'metrics.jsonl'}"
    assert (
        tail[-1]
        == f"best        {out / 'best.npz'}: highest val acc {100 * best['val_acc']:.2f}% (epoch {best['epoch']})"
    )


def best_meta(out: Path) -> dict:
    return load_checkpoint(out / "best.npz").meta
