"""`vinsgrad train` end to end on tiny generated MNIST: the run folder, determinism, resume, Ctrl-C, NaN losses."""

from __future__ import annotations

import json
import math
import shlex
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import load_checkpoint
from vinsgrad_cli.main import app

import vinsgrad

runner = CliRunner()
TIMING = ("seconds", "samples_per_s")


def train(config: Path, out: Path, *args: str) -> Any:
    return runner.invoke(app, ["train", str(config), "--out", str(out), *args])


def metrics(out: Path) -> list[dict[str, Any]]:
    lines = (out / "metrics.jsonl").read_text().splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in TIMING} for line in lines]


def assert_same_state(a: Path, b: Path) -> None:
    """Two checkpoints hold bit-identical weights, optimizer and scheduler state, progress and metrics."""
    ca, cb = load_checkpoint(a), load_checkpoint(b)
    assert ca.model_state.keys() == cb.model_state.keys()
    for key in ca.model_state:
        np.testing.assert_array_equal(ca.model_state[key], cb.model_state[key], err_msg=key)
    assert_nested_equal(ca.optimizer_state, cb.optimizer_state)
    assert_nested_equal(ca.scheduler_state, cb.scheduler_state)
    for key in ("epoch", "step", "rng_state", "best"):
        assert ca.meta[key] == cb.meta[key], key
    strip = [{k: v for k, v in m.items() if k not in TIMING} for m in ca.meta["metrics"]]
    assert strip == [{k: v for k, v in m.items() if k not in TIMING} for m in cb.meta["metrics"]]


def assert_nested_equal(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys()
        for key in a:
            assert_nested_equal(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_nested_equal(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def test_one_epoch_writes_the_run_folder(mnist_root: Path, tiny_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = train(tiny_config, out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"run folder: {out}"
    assert lines[1] == "threads: 1 (auto)"  # a small MLP: one BLAS thread
    assert lines[2].startswith("epoch 1/1  train loss ") and "samples/s" in lines[2]
    assert lines[3].startswith("test: loss ") and "(80 samples)" in lines[3]
    assert sorted(p.name for p in out.iterdir()) == ["config.yaml", "last.npz", "metrics.jsonl"]
    [record] = metrics(out)
    assert record["epoch"] == 1 and record["step"] == 10 and record["lr"] == 0.1
    assert 0 <= record["train_acc"] <= 1 and math.isfinite(record["train_loss"])
    checkpoint = load_checkpoint(out / "last.npz")
    assert checkpoint.meta["epoch"] == 1 and checkpoint.meta["step"] == 10
    assert checkpoint.meta["input_shape"] == [784] and checkpoint.meta["classes"][0] == "0 - zero"
    assert checkpoint.config["optimizer"]["momentum"] == 0.9


def test_the_model_learns_the_generated_digits(mnist_root: Path, tiny_config: Path, tmp_path: Path) -> None:
    result = train(tiny_config, tmp_path / "run", "--set", "train.epochs=3")
    assert result.exit_code == 0, result.output
    accuracy = float(result.stdout.split("accuracy ")[1].split("%")[0])
    assert accuracy > 90  # ten well-separated blobs: chance is 10%


def test_validation_split_keeps_the_best_checkpoint(mnist_root: Path, tiny_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = train(tiny_config, out, "--set", "data.val_split=0.25", "--set", "train.epochs=3")
    assert result.exit_code == 0, result.output
    records = metrics(out)
    assert [r["step"] for r in records] == [8, 16, 24]  # 240 training images in batches of 32
    best = load_checkpoint(out / "best.npz").meta
    assert best["best"]["metric"] == "val_acc" and best["best"]["value"] == max(r["val_acc"] for r in records)
    assert records[best["epoch"] - 1]["val_acc"] == best["best"]["value"] and best["best"]["epoch"] == best["epoch"]
    assert "val loss " in result.stdout


def test_same_config_and_seed_give_identical_runs(mnist_root: Path, tiny_config: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert train(tiny_config, tmp_path / name, "--set", "train.epochs=2").exit_code == 0
    assert_same_state(tmp_path / "a" / "last.npz", tmp_path / "b" / "last.npz")
    assert metrics(tmp_path / "a") == metrics(tmp_path / "b")
    assert train(tiny_config, tmp_path / "c", "--set", "train.seed=1").exit_code == 0
    other = load_checkpoint(tmp_path / "c" / "last.npz").model_state["0.weight"]
    assert not np.array_equal(other, load_checkpoint(tmp_path / "a" / "last.npz").model_state["0.weight"])


STATEFUL = ("--set", "scheduler={type: StepLR, step_size: 1, gamma: 0.5}", "--set", "data.val_split=0.25")


def test_resume_two_plus_two_equals_four(mnist_root: Path, tiny_config: Path, tmp_path: Path) -> None:
    assert train(tiny_config, tmp_path / "full", *STATEFUL, "--set", "train.epochs=4").exit_code == 0
    assert train(tiny_config, tmp_path / "split", *STATEFUL, "--set", "train.epochs=2").exit_code == 0
    resumed = train(
        tiny_config,
        tmp_path / "split",
        *STATEFUL,
        "--set",
        "train.epochs=4",
        "--resume",
        str(tmp_path / "split" / "last.npz"),
    )
    assert resumed.exit_code == 0, resumed.output
    assert "resumed from" in resumed.stdout and "(epoch 2, step 16)" in resumed.stdout
    assert_same_state(tmp_path / "full" / "last.npz", tmp_path / "split" / "last.npz")
    assert_same_state(tmp_path / "full" / "best.npz", tmp_path / "split" / "best.npz")
    assert metrics(tmp_path / "full") == metrics(tmp_path / "split")


def interrupt_at(monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    """Make the optimizer's ``call``-th step raise KeyboardInterrupt before it updates anything (a Ctrl-C)."""
    original, calls = vinsgrad.optim.SGD.step, [0]

    def step(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == call:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(vinsgrad.optim.SGD, "step", step)


def test_ctrl_c_saves_prints_the_resume_command_and_resumes_exactly(
    mnist_root: Path, tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert train(tiny_config, tmp_path / "full", *STATEFUL, "--set", "train.epochs=3").exit_code == 0
    out = tmp_path / "stopped"
    with monkeypatch.context() as patch:
        interrupt_at(patch, 13)  # the 5th step of epoch 2
        result = train(tiny_config, out, *STATEFUL, "--set", "train.epochs=3")
    assert result.exit_code == 130
    message = result.stderr.strip()
    assert message.startswith("Interrupted: stopped in epoch 2 after step 12; saved ")
    checkpoint = load_checkpoint(out / "last.npz")
    assert (checkpoint.meta["epoch"], checkpoint.meta["step"]) == (1, 12)
    command = shlex.split(message.split("Resume with: ")[1])
    command = command[command.index("train") :]
    assert command == ["train", "--resume", str(out / "last.npz")]  # the checkpoint holds the config
    resumed = runner.invoke(app, command)
    assert resumed.exit_code == 0, resumed.output
    assert_same_state(tmp_path / "full" / "last.npz", out / "last.npz")
    assert metrics(tmp_path / "full") == metrics(out)


def test_nan_loss_stops_naming_epoch_and_step_and_keeps_the_last_checkpoint(
    mnist_root: Path, tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = [0]
    original_step, original_loss = vinsgrad.optim.SGD.step, vinsgrad.nn.CrossEntropyLoss.forward

    def step(self: Any, *args: Any, **kwargs: Any) -> Any:
        steps[0] += 1
        return original_step(self, *args, **kwargs)

    def loss(self: Any, *args: Any) -> Any:
        value = original_loss(self, *args)
        return value * float("nan") if steps[0] >= 12 else value

    monkeypatch.setattr(vinsgrad.optim.SGD, "step", step)
    monkeypatch.setattr(vinsgrad.nn.CrossEntropyLoss, "forward", loss)
    out = tmp_path / "run"
    result = train(tiny_config, out, "--set", "train.epochs=3")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the loss is nan at epoch 2, step 13; training stopped and the last good ")
    assert str(out / "last.npz") in result.stderr
    assert load_checkpoint(out / "last.npz").meta["epoch"] == 1
    assert len(metrics(out)) == 1


def test_default_run_folder_is_never_overwritten(
    mnist_root: Path, tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for expected in ("runs/tiny", "runs/tiny-2"):
        result = runner.invoke(app, ["train", str(tiny_config)])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == f"run folder: {expected}"
        assert (tmp_path / expected / "last.npz").is_file()


def test_resume_from_a_checkpoint_of_another_model_is_a_usage_error(
    mnist_root: Path, tiny_config: Path, tmp_path: Path
) -> None:
    assert train(tiny_config, tmp_path / "run").exit_code == 0
    result = train(
        tiny_config, tmp_path / "other", "--set", "model.layers.0.out_features=16", "--set",
        "model.layers.2.in_features=16", "--resume", str(tmp_path / "run" / "last.npz"),
    )  # fmt: skip
    assert result.exit_code == 2
    ckpt = tmp_path / "run" / "last.npz"
    assert result.stderr.startswith(f"Error: --resume {ckpt}: the run was trained with another config (")
    assert f"model.layers.0.out_features: checkpoint 32, {tiny_config} 16" in result.stderr
    assert f"use --init-from {ckpt}" in result.stderr and result.stderr.count("\n") == 1


def test_resume_from_a_missing_checkpoint(tiny_config: Path, tmp_path: Path) -> None:
    result = train(tiny_config, tmp_path / "run", "--resume", str(tmp_path / "nope.npz"))
    assert result.exit_code == 2 and "nope.npz" in result.stderr


def test_missing_data_without_a_mirror_is_a_runtime_error(
    tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_mnist: None
) -> None:
    monkeypatch.setenv("VINSGRAD_MIRROR", (tmp_path / "empty").as_uri() + "/")
    monkeypatch.setattr("vinsgrad.vision.datasets.MNIST.mirrors", ())
    result = train(tiny_config, tmp_path / "run")
    assert result.exit_code == 1 and "every mirror failed" in result.stderr


def test_a_real_sigint_stops_after_the_current_step(
    mnist_root: Path, tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first Ctrl-C only asks to stop: the running step completes, so the checkpoint is consistent."""
    assert train(tiny_config, tmp_path / "full", "--set", "train.epochs=2").exit_code == 0
    original, calls = vinsgrad.optim.SGD.step, [0]

    def step(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 7:
            signal.raise_signal(signal.SIGINT)  # arrives in the middle of the step
        return original(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(vinsgrad.optim.SGD, "step", step)
        result = train(tiny_config, tmp_path / "run", "--set", "train.epochs=2")
    assert result.exit_code == 130 and "stopped in epoch 1 after step 7" in result.stderr
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler was put back
    command = shlex.split(result.stderr.split("Resume with: ")[1])
    resumed = runner.invoke(app, command[command.index("train") :])
    assert resumed.exit_code == 0, resumed.output
    assert_same_state(tmp_path / "full" / "last.npz", tmp_path / "run" / "last.npz")
