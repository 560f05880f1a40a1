"""Optimizers and schedulers that need more than a name and numbers: LBFGS (the trainer hands it a closure that
re-evaluates the batch) and the schedulers made of schedulers (SequentialLR, ChainedScheduler: nested specs)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from test_text import TINY_GPT, generated_text
from typer.testing import CliRunner
from vinsgrad_cli.config import resolve
from vinsgrad_cli.main import app
from vinsgrad_cli.spec import ConfigError

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


def test_lbfgs_trains_a_language_model(tmp_path: Path) -> None:
    # The closure re-evaluates the batch as train_step does: (B, T, V) logits against (B, T) targets, per position.
    text = tmp_path / "words.txt"
    words = generated_text(300)
    text.write_text(words, encoding="utf-8")
    config = tmp_path / "gpt.yaml"
    gpt = TINY_GPT.replace("TEXT", str(text)).replace("epochs: 50, max_steps: 30", "epochs: 1, max_steps: 3")
    gpt = gpt.replace("{type: AdamW, lr: 0.01}", "{type: LBFGS, lr: 0.5, max_iter: 3}")
    config.write_text(gpt[: gpt.index("scheduler:")] + gpt[gpt.index("data:") :], encoding="utf-8")
    result = CliRunner().invoke(app, ["train", str(config), "--out", str(tmp_path / "run"), "-q"])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    # three L-BFGS steps already bring the held-out loss under the uniform guess's ln(vocabulary)
    assert record["step"] == 3 and record["val_loss"] < math.log(len(set(words)))


NESTED = """\
model:
  layers: [{type: Linear, in_features: 2, out_features: 2}]
loss: {type: CrossEntropyLoss}
optimizer: {type: SGD, lr: 1.0}
data: {dataset: moons, n: 100, batch_size: 100}
train: {epochs: 5, seed: 0}
"""


def lrs(tmp_path: Path, scheduler: str) -> list[float]:
    config = tmp_path / "nested.yaml"
    config.write_text(NESTED + f"scheduler: {scheduler}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["train", str(config), "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    return [json.loads(line)["lr"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]


def test_sequential_lr_from_nested_specs(tmp_path: Path) -> None:
    got = lrs(
        tmp_path,
        "{type: SequentialLR, milestones: [2], schedulers: "
        "[{type: ConstantLR, factor: 0.5, total_iters: 2}, {type: ExponentialLR, gamma: 0.5}]}",
    )
    # epochs 0-1: the constant factor 0.5; from epoch 2 the exponential one starts at its own epoch 0: 1, 0.5, 0.25
    assert got == [0.5, 0.5, 1.0, 0.5, 0.25]


def test_chained_scheduler_multiplies_its_schedulers(tmp_path: Path) -> None:
    got = lrs(
        tmp_path,
        "{type: ChainedScheduler, schedulers: [{type: ConstantLR, factor: 0.5, total_iters: 2}, "
        "{type: ExponentialLR, gamma: 0.5}]}",
    )
    # both at once: 0.5 * 0.5^epoch while the constant factor lasts (2 epochs), then 0.5^epoch
    assert got == [0.5, 0.25, 0.25, 0.125, 0.0625]


def test_a_bad_nested_scheduler_is_named_by_its_path() -> None:
    raw = {
        "model": {"layers": [{"type": "Linear", "in_features": 2, "out_features": 2}]},
        "data": {"dataset": "moons"},
        "optimizer": {"type": "SGD", "lr": 0.1},
        "scheduler": {"type": "ChainedScheduler", "schedulers": [{"type": "StepLR", "step_size": 1}, {"type": "Nope"}]},
    }
    with pytest.raises(ConfigError, match=r"cfg.yaml: scheduler.schedulers.1.type: unknown scheduler 'Nope'"):
        resolve(raw, "cfg.yaml")
