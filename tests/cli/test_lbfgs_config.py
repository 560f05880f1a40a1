"""LBFGS named in a config: the trainer hands it a closure that re-evaluates the batch, as PyTorch's LBFGS needs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner
from vinsgrad_cli.main import app

CONFIG = """\
model:
  layers:
    - {type: Linear, in_features: 2, out_features: 8}
    - {type: Tanh}
    - {type: Linear, in_features: 8, out_features: 2}
loss: {type: CrossEntropyLoss}
optimizer: {type: LBFGS, lr: 1, max_iter: 10, line_search_fn: strong_wolfe}
data: {dataset: moons, n: 200, noise: 0.1, test_split: 0.2, batch_size: 160}
train: {epochs: 3, seed: 0}
"""


def test_lbfgs_config_trains_full_batch(tmp_path: Path) -> None:
    config = tmp_path / "lbfgs.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    result = CliRunner().invoke(app, ["train", str(config), "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    losses = [json.loads(line)["train_loss"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    # One step per epoch (one batch), each up to 10 L-BFGS iterations: the loss falls far below ln 2 = 0.693.
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2] and losses[2] < 0.35
