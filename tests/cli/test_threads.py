"""The thread policy's plumbing: train.threads, --threads on train and eval, the run header and metrics.jsonl.
(No timings: what auto picks is decided by ``make bench``; here only that the choice reaches BLAS and the record.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner
from vinsgrad_cli.main import app

import vinsgrad
from vinsgrad import nn, threads

runner = CliRunner()
MOONS = Path(__file__).resolve().parents[2] / "configs" / "moons.yaml"
SMALL = ("--set", "data.n=200", "--set", "train.epochs=1", "--quiet")


@pytest.fixture(autouse=True)
def restore_threads():
    before = vinsgrad.get_num_threads()
    yield
    vinsgrad.set_num_threads(before)


def train(out: Path, *args: str) -> object:
    return runner.invoke(app, ["train", str(MOONS), "--out", str(out), *SMALL, *args])


def records(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def test_threads_option_sets_blas_and_is_printed_and_recorded(tmp_path: Path) -> None:
    result = train(tmp_path / "run", "--threads", "2")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "threads: 2\n" in result.stdout  # type: ignore[attr-defined]
    assert vinsgrad.get_num_threads() == 2
    assert [r["threads"] for r in records(tmp_path / "run")] == [2]


def test_auto_is_the_default_and_picks_one_thread_for_a_small_model(tmp_path: Path) -> None:
    vinsgrad.set_num_threads(2)
    result = train(tmp_path / "run")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "threads: 1 (auto)" in result.stdout  # type: ignore[attr-defined]
    assert vinsgrad.get_num_threads() == 1
    assert records(tmp_path / "run")[0]["threads"] == 1


def test_train_threads_in_the_config(tmp_path: Path) -> None:
    result = train(tmp_path / "run", "--set", "train.threads=1")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert records(tmp_path / "run")[0]["threads"] == 1


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_threads_option_is_a_one_line_usage_error(tmp_path: Path, value: str) -> None:
    result = train(tmp_path / "run", "--threads", value)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "--threads" in result.stderr and value in result.stderr  # type: ignore[attr-defined]


def test_a_bad_threads_key_names_the_key_and_what_it_expects(tmp_path: Path) -> None:
    result = train(tmp_path / "run", "--set", "train.threads=0")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "train.threads" in result.stderr and "an integer >= 1 or auto" in result.stderr  # type: ignore[attr-defined]


def test_resume_may_change_threads_and_auto_keeps_the_runs_count(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert train(run, "--threads", "2").exit_code == 0  # type: ignore[attr-defined]
    resumed = runner.invoke(app, ["train", "--resume", str(run / "last.npz"), "--set", "train.epochs=2", "--quiet"])
    assert resumed.exit_code == 0, resumed.output
    assert [r["threads"] for r in records(run)] == [2, 2]  # auto keeps the count the run's bits came from
    again = runner.invoke(
        app, ["train", "--resume", str(run / "last.npz"), "--set", "train.epochs=3", "--threads", "1", "--quiet"]
    )
    assert again.exit_code == 0, again.output
    assert [r["threads"] for r in records(run)] == [2, 2, 1]


def test_eval_takes_threads(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert train(run).exit_code == 0  # type: ignore[attr-defined]
    vinsgrad.set_num_threads(2)
    result = runner.invoke(app, ["eval", str(run / "last.npz"), "--threads", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert vinsgrad.get_num_threads() == 1
    assert runner.invoke(app, ["eval", str(run / "last.npz"), "--threads", "x"]).exit_code == 2


def test_set_num_threads_refuses_a_non_positive_count() -> None:
    with pytest.raises(ValueError, match="set_num_threads: expected a number of threads >= 1, got 0"):
        vinsgrad.set_num_threads(0)


def test_largest_gemm_counts_linear_and_conv_layers_at_the_batch_size() -> None:
    mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    assert threads.largest_gemm_macs(mlp, vinsgrad.zeros(2, 784), 64) == 64 * 784 * 128
    cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.Conv2d(16, 32, 3, padding=1, groups=2))
    # the second conv: 28*28 output pixels, each a (16/2 * 3 * 3)-long dot product for 32 channels
    assert threads.largest_gemm_macs(cnn, vinsgrad.zeros(2, 1, 28, 28), 8) == 8 * 28 * 28 * 32 * 8 * 9
    assert threads.auto_num_threads(threads.SMALL_GEMM_MACS - 1) == 1


def test_the_auto_probe_changes_nothing_a_run_computes(tmp_path: Path) -> None:
    # The probe's forward runs in eval mode with the generator put back: no dropout draw, no running statistics.
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.Linear(8, 2))
    model[1].eval()  # a mixed-mode model keeps each module's own mode
    before = vinsgrad.get_rng_state()
    stats = model[1].running_mean._data.copy()
    threads.largest_gemm_macs(model, vinsgrad.ones(2, 4), 16)
    assert vinsgrad.get_rng_state() == before
    np.testing.assert_array_equal(model[1].running_mean._data, stats)
    assert [m.training for m in model] == [True, False, True, True]
    # so a run with dropout and batch norm is the same run whether auto or a number picks its one thread
    config = tmp_path / "dropout.yaml"
    config.write_text(
        "model:\n  layers:\n    - {type: Linear, in_features: 2, out_features: 16}\n    - {type: BatchNorm1d, "
        "num_features: 16}\n    - {type: ReLU}\n    - {type: Dropout, p: 0.3}\n"
        "    - {type: Linear, in_features: 16, out_features: 2}\n"
        "optimizer: {type: SGD, lr: 0.1}\ndata: {dataset: moons, n: 200, batch_size: 32}\n"
        "train: {epochs: 2, seed: 0}\n",
        encoding="utf-8",
    )
    runs = []
    for setting in ("auto", "1"):
        out = tmp_path / setting
        result = runner.invoke(app, ["train", str(config), "--out", str(out), "--threads", setting, "-q"])
        assert result.exit_code == 0, result.output
        runs.append([json.loads(line)["train_loss"] for line in (out / "metrics.jsonl").read_text().splitlines()])
    assert runs[0] == runs[1]
