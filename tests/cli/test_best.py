"""What picks best.npz: a language model's lowest validation loss, a classifier's highest validation accuracy; the
rule travels in the checkpoint, so a resume keeps it, and a checkpoint from before it still resumes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_text import TINY_GPT, generated_text
from typer.testing import CliRunner
from vinsgrad_cli import trainer
from vinsgrad_cli.checkpoint import Best, CheckpointError, RunMeta, load_checkpoint
from vinsgrad_cli.config import DATASETS
from vinsgrad_cli.evaluation import Evaluation
from vinsgrad_cli.main import app

import vinsgrad

runner = CliRunner()
MOONS = """\
model:
  layers:
    - {type: Linear, in_features: 2, out_features: 8}
    - {type: ReLU}
    - {type: Linear, in_features: 8, out_features: 2}
optimizer: {type: Adam, lr: 0.02}
data: {dataset: moons, n: 200, batch_size: 32, val_split: 0.2}
train: {epochs: 3, seed: 0}
"""


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture
def text_config(tmp_path: Path) -> Path:
    """The tiny GPT of test_text on generated words, whole epochs only (no max_steps): about 19 steps each."""
    text = tmp_path / "words.txt"
    text.write_text(generated_text(450), encoding="utf-8")
    config = tmp_path / "gpt.yaml"
    config.write_text(TINY_GPT.replace("TEXT", str(text)).replace("epochs: 50, max_steps: 30", "epochs: 4"))
    return config


def test_the_rule_is_lowest_loss_for_sequence_datasets_and_highest_accuracy_otherwise() -> None:
    rules = {name: Best.for_config({"data": {"dataset": name}}) for name in DATASETS}
    assert rules == {
        "mnist": Best("val_acc", "max"),
        "fashion-mnist": Best("val_acc", "max"),
        "moons": Best("val_acc", "max"),
        "spirals": Best("val_acc", "max"),
        "text": Best("val_loss", "min"),
        "blobs": Best("val_acc", "max"),
    }


def test_improves_compares_the_rules_metric_in_its_direction() -> None:
    lowest = Best("val_loss", "min", 1.0, 2)
    assert lowest.improves({"val_loss": 0.9, "val_acc": 0.1})
    assert not lowest.improves({"val_loss": 1.0}) and not lowest.improves({"val_loss": 1.1, "val_acc": 0.99})
    highest = Best("val_acc", "max", 0.5, 1)
    assert highest.improves({"val_acc": 0.6, "val_loss": 9.0})
    assert not highest.improves({"val_acc": 0.5}) and not highest.improves({"val_acc": 0.4, "val_loss": 0.01})
    for rule in (Best("val_loss", "min"), Best("val_acc", "max")):
        assert rule.improves({"val_loss": 3.0, "val_acc": 0.0})  # the first validation is the best so far
        assert not rule.improves({"train_loss": 1.0})  # no validation split: nothing to pick
    assert not Best("val_loss", "min").improves({"val_loss": math.nan})


def test_describe_says_the_rule_the_value_and_the_epoch() -> None:
    assert Best("val_loss", "min", 1.64843, 8).describe() == "lowest val loss 1.6484 (epoch 8)"
    assert Best("val_acc", "max", 0.9375, 2).describe() == "highest val acc 93.75% (epoch 2)"
    assert Best("val_acc", "max").describe() == "highest val acc"


def test_from_meta_reads_the_entry_and_a_checkpoint_from_before_it() -> None:
    stored = {"best": {"metric": "val_loss", "mode": "min", "value": 0.7, "epoch": 3}}
    assert Best.from_meta(stored) == Best("val_loss", "min", 0.7, 3)
    old = {"best_val_acc": 0.6, "metrics": [{"epoch": 1, "val_acc": 0.5}, {"epoch": 2, "val_acc": 0.6}]}
    assert Best.from_meta(old) == Best("val_acc", "max", 0.6, 2)  # what the old trainer picked best.npz by
    assert Best.from_meta({}) == Best("val_acc", "max")
    with pytest.raises(TypeError, match="best: expected"):
        Best.from_meta({"best": {"metric": "val_loss", "mode": "max"}})


def test_a_checkpoint_with_a_bad_best_entry_is_a_checkpoint_error() -> None:
    meta = {"config": {}, "epoch": 1, "step": 1, "metrics": [], "rng_state": {"default": {}, "loader": {}}}
    with pytest.raises(CheckpointError, match=r"cannot resume from c.npz: .*best: expected"):
        RunMeta.parse({**meta, "best": {"metric": "train_loss", "mode": "min"}}, "c.npz")


def scripted_validation(monkeypatch: pytest.MonkeyPatch, script: list[tuple[float, float]]) -> None:
    """The trainer's first ``len(script)`` evaluations (one validation per epoch) return these (loss, accuracy)
    pairs, so loss and accuracy disagree on the best epoch; later ones (the final test line) are real."""
    real, calls = trainer.evaluate, iter(script)

    def evaluate(*args: Any, **kwargs: Any) -> Evaluation:
        step = next(calls, None)
        if step is None:
            return real(*args, **kwargs)
        loss, accuracy = step
        return Evaluation(loss, np.array([[round(100 * accuracy), 100 - round(100 * accuracy)], [0, 0]]))

    monkeypatch.setattr(trainer, "evaluate", evaluate)


SCRIPT = [(1.0, 0.50), (0.8, 0.40), (0.9, 0.60), (1.1, 0.55)]  # lowest loss: epoch 2; highest accuracy: epoch 3


def test_a_text_run_keeps_the_epoch_of_lowest_loss(
    text_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted_validation(monkeypatch, SCRIPT)
    out = tmp_path / "run"
    result = runner.invoke(app, ["train", str(text_config), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    best = load_checkpoint(out / "best.npz").meta
    assert best["epoch"] == 2 and best["best"] == {"metric": "val_loss", "mode": "min", "value": 0.8, "epoch": 2}
    assert load_checkpoint(out / "last.npz").meta["best"] == best["best"]
    assert result.stdout.splitlines()[-1] == f"best        {out / 'best.npz'}: lowest val loss 0.8000 (epoch 2)"


def test_a_classifier_keeps_the_epoch_of_highest_accuracy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_validation(monkeypatch, SCRIPT)
    config, out = tmp_path / "moons.yaml", tmp_path / "run"
    config.write_text(MOONS)
    result = runner.invoke(app, ["train", str(config), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    best = load_checkpoint(out / "best.npz").meta
    assert best["epoch"] == 3 and best["best"] == {"metric": "val_acc", "mode": "max", "value": 0.6, "epoch": 3}
    assert result.stdout.splitlines()[-1] == f"best        {out / 'best.npz'}: highest val acc 60.00% (epoch 3)"


def test_best_npz_of_a_real_text_run_is_the_epoch_of_lowest_val_loss(text_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(app, ["train", str(text_config), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rows = records(out)
    lowest = min(rows, key=lambda r: r["val_loss"])
    best = load_checkpoint(out / "best.npz")
    assert best.meta["epoch"] == lowest["epoch"] and best.meta["best"]["value"] == lowest["val_loss"]
    shown = runner.invoke(app, ["inspect", str(out / "last.npz")])
    assert f"best: lowest val loss {lowest['val_loss']:.4f} (epoch {lowest['epoch']}), what best.npz keeps" in (
        shown.stdout
    )
    assert (
        json.loads(runner.invoke(app, ["inspect", str(out / "best.npz"), "--json"]).stdout)["best"]
        == (best.meta["best"])
    )


def test_a_resume_keeps_the_checkpoints_rule(
    text_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    scripted_validation(monkeypatch, SCRIPT[:2])
    first = runner.invoke(app, ["train", str(text_config), "--out", str(out), "-q", "--set", "train.epochs=2"])
    assert first.exit_code == 0, first.output
    scripted_validation(monkeypatch, SCRIPT[2:])
    again = runner.invoke(app, ["train", "--resume", str(out / "last.npz"), "-q", "--set", "train.epochs=4"])
    assert again.exit_code == 0, again.output
    assert load_checkpoint(out / "best.npz").meta["best"] == {
        "metric": "val_loss",
        "mode": "min",
        "value": 0.8,
        "epoch": 2,
    }


def test_a_checkpoint_from_before_the_rule_resumes_by_accuracy(
    text_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    scripted_validation(monkeypatch, SCRIPT[:2])
    first = runner.invoke(app, ["train", str(text_config), "--out", str(out), "-q", "--set", "train.epochs=2"])
    assert first.exit_code == 0, first.output
    for name in ("last.npz", "best.npz"):  # as the trainer wrote them before: best_val_acc, no best entry
        payload = vinsgrad.load(out / name)
        del payload["meta"]["best"]
        payload["meta"]["best_val_acc"] = 0.5
        vinsgrad.save(payload, out / name)
    scripted_validation(monkeypatch, SCRIPT[2:])
    again = runner.invoke(app, ["train", "--resume", str(out / "last.npz"), "-q", "--set", "train.epochs=4"])
    assert again.exit_code == 0, again.output
    best = load_checkpoint(out / "best.npz").meta
    assert best["epoch"] == 3 and best["best"] == {"metric": "val_acc", "mode": "max", "value": 0.6, "epoch": 3}
