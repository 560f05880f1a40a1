"""`vinsgrad inspect`: architecture, parameter counts, config and metrics from the checkpoint alone (no data)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import save_checkpoint
from vinsgrad_cli.commands.inspect import render_rich
from vinsgrad_cli.config import build_model, load_config
from vinsgrad_cli.main import app

runner = CliRunner()
METRICS = [
    {"epoch": 1, "train_loss": 0.5, "train_acc": 0.8, "val_loss": 0.45, "val_acc": 0.85},
    {"epoch": 2, "train_loss": 0.25, "train_acc": 0.9, "val_loss": 0.3, "val_acc": 0.875},
]
PARAMS = 784 * 32 + 32 + 32 * 10 + 10


@pytest.fixture
def checkpoint(tmp_path: Path, tiny_config: Path) -> tuple[Path, dict]:
    """A checkpoint of the tiny MLP; its data root does not exist, since inspect must not need the data."""
    config = load_config(tiny_config)
    path = tmp_path / "best.npz"
    meta = {"config": config, "epoch": 2, "step": 20, "metrics": METRICS, "classes": ["a", "b"], "input_shape": [784]}
    save_checkpoint(path, model=build_model(config), meta=meta)
    return path, config


def test_json(checkpoint) -> None:
    path, config = checkpoint
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["parameters"] == {
        "total": PARAMS,
        "trainable": PARAMS,
        "layers": [
            {"name": "0", "type": "Linear", "parameters": 784 * 32 + 32},
            {"name": "1", "type": "ReLU", "parameters": 0},
            {"name": "2", "type": "Linear", "parameters": 32 * 10 + 10},
        ],
    }
    assert report["config"] == config and report["metrics"] == METRICS
    assert (report["epoch"], report["step"], report["format_version"]) == (2, 20, 1)
    assert report["optimizer_state"] is False and report["scheduler_state"] is False
    assert "Linear(in_features=784, out_features=32, bias=True)" in report["architecture"]


def test_plain_output(checkpoint) -> None:
    path, _ = checkpoint
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"checkpoint: {path}\n" in out and "epoch: 2\n" in out and "dataset: mnist\n" in out
    assert f"parameters: {PARAMS:,} ({PARAMS:,} trainable)\n" in out
    assert "resumable: no (weights only)" in out
    assert "  (0): Linear(in_features=784, out_features=32, bias=True)" in out
    assert "\n  optimizer: {type: SGD, lr: 0.1, momentum: 0.9," in out  # the config as YAML
    assert "\n  layer    type  parameters\n      0  Linear      25,120\n      1    ReLU           0\n" in out
    assert (
        "\n  epoch  train_loss  train_acc  val_loss  val_acc\n      1      0.5000     80.00%    0.4500   85.00%\n"
        in out
    )
    assert "\x1b[" not in out


def test_rich_output(checkpoint) -> None:
    path, _ = checkpoint
    report = json.loads(runner.invoke(app, ["inspect", str(path), "--json"]).stdout)
    out = io.StringIO()
    render_rich(report, Console(file=out, force_terminal=True, width=120))
    text = out.getvalue()
    assert "Architecture" in text and "Parameters by layer" in text and "Metrics" in text
    assert f"{PARAMS:,}" in text and "87.50%" in text and "0.3000" in text and "\x1b[" in text


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["inspect", "--help"])
    assert result.exit_code == 0 and "vinsgrad inspect runs/mlp/best.npz" in result.stdout
