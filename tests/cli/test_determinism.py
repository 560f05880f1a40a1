"""`vinsgrad train --check-determinism`: identical runs pass, unseeded randomness is caught and located."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner
from vinsgrad_cli.config import load_config
from vinsgrad_cli.determinism import check_determinism, parameter_hashes, run_steps
from vinsgrad_cli.main import app

import vinsgrad
import vinsgrad.nn as nn

runner = CliRunner()
MOONS = """\
model:
  layers:
    - {type: Linear, in_features: 2, out_features: 8}
    - {type: ReLU}
    - {type: Dropout, p: 0.2}
    - {type: Linear, in_features: 8, out_features: 2}
optimizer: {type: SGD, lr: 0.1, momentum: 0.9}
data: {dataset: moons, n: 200, batch_size: 16}
train: {epochs: 2, seed: 3}
"""


@pytest.fixture
def moons(tmp_path: Path) -> Path:
    path = tmp_path / "moons.yaml"
    path.write_text(MOONS)
    return path


def test_seeded_runs_agree_and_training_goes_on(moons: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(app, ["train", str(moons), "--out", str(out), "--check-determinism", "-q"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("determinism check: 10 steps run twice from seed 3, parameters identical (sha256 ")
    assert any(line.startswith("epoch 2/2") for line in lines)  # then the real run
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 2


def test_hashes_change_every_step_and_repeat_exactly(moons: Path, tmp_path: Path) -> None:
    config = load_config(moons)
    first, second = run_steps(config, 5, tmp_path), run_steps(config, 5, tmp_path)
    assert len(first) == 6 and first == second  # initialisation + 5 steps
    assert all(a["0.weight"] != b["0.weight"] for a, b in itertools.pairwise(first))  # the check sees every step
    # A different seed gives a different start (the check compares runs, it does not just hash constants).
    other = load_config(moons, ["train.seed=4"])
    assert run_steps(other, 5, tmp_path)[0] != first[0]


def test_steps_beyond_the_run_stop_at_its_end(moons: Path, tmp_path: Path) -> None:
    # 200 points, 20% test -> 160 training points, 10 batches of 16 per epoch, 2 epochs.
    assert len(run_steps(load_config(moons), 1000, tmp_path)) == 21
    assert "20 steps run twice" in check_determinism(load_config(moons), 1000, tmp_path)


def test_unseeded_layer_is_caught_at_the_first_step(moons: Path, tmp_path: Path, monkeypatch) -> None:
    unseeded = np.random.default_rng()  # what a careless layer might use instead of vinsgrad's generators

    def noisy_relu(self: nn.ReLU, x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        return x.relu() * float(unseeded.uniform(0.5, 1.5))

    monkeypatch.setattr(nn.ReLU, "forward", noisy_relu)
    out = tmp_path / "run"
    result = runner.invoke(app, ["train", str(moons), "--out", str(out), "--check-determinism", "-q"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: not deterministic: two runs from seed 3 differ after step 1 in 0.weight")
    assert result.stderr.count("\n") == 1 and "manual_seed" in result.stderr
    assert not (out / "metrics.jsonl").exists()  # nothing was trained


def test_unseeded_initialisation_is_caught_before_any_step(moons: Path, tmp_path: Path, monkeypatch) -> None:
    reset = nn.Linear.reset_parameters
    unseeded = np.random.default_rng()

    def jittered(self: nn.Linear) -> None:
        reset(self)
        self.weight._data += unseeded.normal(0, 1e-3, self.weight.shape).astype(np.float32)

    monkeypatch.setattr(nn.Linear, "reset_parameters", jittered)
    result = runner.invoke(app, ["train", str(moons), "--out", str(tmp_path / "r"), "--check-determinism"])
    assert result.exit_code == 1
    assert "differ right after initialisation in 0.weight, 3.weight;" in result.stderr


def test_step_count_option(moons: Path, tmp_path: Path) -> None:
    args = ["train", str(moons), "--out", str(tmp_path / "r"), "-q", "--check-determinism", "--determinism-steps", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "determinism check: 3 steps" in result.stdout
    bad = runner.invoke(app, [*args[:-1], "0"])
    assert bad.exit_code == 2 and "--determinism-steps" in bad.output


def test_parameter_hash_sees_one_bit() -> None:
    layer = nn.Linear(3, 2)
    before = parameter_hashes(layer)
    layer.weight._data.view(np.uint32)[0, 0] ^= 1  # flip the lowest mantissa bit
    after = parameter_hashes(layer)
    assert before["weight"] != after["weight"] and before["bias"] == after["bias"]
