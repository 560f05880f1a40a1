"""The offline quickstart: toy datasets by name in a config, trained in seconds, and the model's decision boundary
drawn after `train` and `eval`, checked pixel by pixel against the trained model's own predictions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import load_checkpoint, restore_model
from vinsgrad_cli.config import build_data
from vinsgrad_cli.data import OFFLINE_HINT
from vinsgrad_cli.main import app
from vinsgrad_cli.rendering import HALF_BLOCK, POINT_CHARS, POINT_COLORS, REGION_CHARS, REGION_COLORS

import vinsgrad

runner = CliRunner()
CONFIGS = Path(__file__).resolve().parents[2] / "configs"
MARGIN = 0.1  # the picture's box: the points' range padded by 10% of it on each side


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def reported_accuracy(output: str) -> float:
    match = re.search(r"^test: loss [\d.]+, accuracy ([\d.]+)% \((\d+) samples\)$", output, re.MULTILINE)
    assert match, output
    return float(match.group(1))


def picture(output: str, split: str = "test", n: int = 200) -> tuple[list[str], str]:
    """The ASCII picture's rows and its legend line, found after the title."""
    lines = output.splitlines()
    start = lines.index(f"decision boundary on the {split} set ({n} points)") + 1
    rows = []
    while lines[start + len(rows)] and not lines[start + len(rows)].startswith("0: area"):
        rows.append(lines[start + len(rows)])
    return rows, lines[start + len(rows)]


def expected_picture(checkpoint: Path, width: int, height: int, split: str = "test") -> list[str]:
    """What the picture must be: the checkpoint's model at each pixel centre, with the points' labels on top
    (computed here from the data and the model, independently of cli/boundary.py)."""
    ckpt = load_checkpoint(checkpoint)
    model = restore_model(ckpt, checkpoint).eval()
    train, _, test = build_data(ckpt.config)
    x, y = (test if split == "test" else train).tensors
    points, labels = x.numpy().astype(np.float64), y.numpy()
    lo, hi = points.min(0), points.max(0)
    lo, hi = lo - MARGIN * (hi - lo), hi + MARGIN * (hi - lo)
    xs = lo[0] + (np.arange(width) + 0.5) * (hi[0] - lo[0]) / width
    ys = hi[1] - (np.arange(height) + 0.5) * (hi[1] - lo[1]) / height
    grid = np.array([[gx, gy] for gy in ys for gx in xs], dtype=np.float32)
    with vinsgrad.no_grad():
        predicted = model(vinsgrad.tensor(grid)).numpy().argmax(1).reshape(height, width)
    rows = [[REGION_CHARS[c] for c in row] for row in predicted]
    cols = np.clip(((points[:, 0] - lo[0]) / (hi[0] - lo[0]) * width).astype(int), 0, width - 1)
    lines = np.clip(((hi[1] - points[:, 1]) / (hi[1] - lo[1]) * height).astype(int), 0, height - 1)
    votes: dict[tuple[int, int], list[int]] = {}
    for r, c, label in zip(lines, cols, labels):
        votes.setdefault((r, c), []).append(int(label))
    for (r, c), found in votes.items():
        rows[r][c] = POINT_CHARS[max(set(found), key=lambda k: (found.count(k), -k))]
    return ["".join(row) for row in rows]


@pytest.mark.parametrize(("config", "classes"), [("moons.yaml", 2), ("spirals.yaml", 3)])
def test_shipped_toy_config_trains_to_97_percent_and_draws_the_models_boundary(
    tmp_path: Path, config: str, classes: int
) -> None:
    out = tmp_path / "run"
    result = invoke("train", str(CONFIGS / config), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert reported_accuracy(result.output) >= 97.0
    rows, legend = picture(result.output)
    assert len(rows) >= 5 and len({len(row) for row in rows}) == 1
    assert rows == expected_picture(out / "last.npz", len(rows[0]), len(rows))
    drawn = set("".join(rows))
    assert {*REGION_CHARS[:classes], *POINT_CHARS[:classes]} <= drawn  # every class has its area and its points
    assert legend.startswith(f"0: area {REGION_CHARS[0]} point {POINT_CHARS[0]}")


def test_eval_of_a_toy_checkpoint_draws_the_same_boundary(tmp_path: Path) -> None:
    out = tmp_path / "run"
    trained = invoke("train", str(CONFIGS / "moons.yaml"), "--out", str(out), "--set", "train.epochs=3")
    assert trained.exit_code == 0, trained.output
    evaluated = invoke("eval", str(out / "last.npz"))
    assert evaluated.exit_code == 0, evaluated.output
    assert picture(evaluated.output) == picture(trained.output)
    on_train = invoke("eval", str(out / "last.npz"), "--split", "train")
    rows, _ = picture(on_train.output, "train", 800)
    assert rows == expected_picture(out / "last.npz", len(rows[0]), len(rows), split="train")
    as_json = invoke("eval", str(out / "last.npz"), "--json")
    assert as_json.exit_code == 0 and "decision boundary" not in as_json.output


def test_blobs_by_centres_give_one_class_per_centre(tmp_path: Path) -> None:
    config = yaml.safe_load((CONFIGS / "moons.yaml").read_text())
    config["model"]["layers"][-1]["out_features"] = 3
    config["data"] = {"dataset": "blobs", "n": 300, "centers": [[-4, 0], [4, 0], [0, 5]], "std": 0.5}
    config["train"]["epochs"] = 5
    path = tmp_path / "blobs.yaml"
    path.write_text(yaml.safe_dump(config))
    result = invoke("train", str(path), "--out", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    assert reported_accuracy(result.output) == 100.0
    rows, legend = picture(result.output, n=60)
    assert {*REGION_CHARS[:3], *POINT_CHARS[:3]} <= set("".join(rows)) and legend.startswith("0: area")


def test_toy_data_is_drawn_from_the_seed(tmp_path: Path) -> None:
    config = yaml.safe_load((CONFIGS / "moons.yaml").read_text())
    from vinsgrad_cli.config import resolve

    first, again, other = (
        build_data(resolve({**config, "train": {"seed": s}}, "x.yaml"))[2].tensors[0].numpy() for s in (0, 0, 1)
    )
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize(
    ("config", "override", "message"),
    [
        ("moons.yaml", "data.dataset=moon", "data.dataset: unknown dataset 'moon' (a string); did you mean 'moons'?"),
        ("moons.yaml", "data.noize=0.2", "data.noize: unknown key; did you mean 'noise'?"),
        ("moons.yaml", "data.noise=-0.1", "data.noise: expected a number >= 0, got -0.1"),
        ("moons.yaml", "data.n=1", "data.n: expected an integer >= 2, got 1"),
        ("moons.yaml", "data.test_split=1", "data.test_split: expected a number in (0, 1), got 1"),
        ("moons.yaml", "data.transform=[]", "data.transform: unknown key"),
        ("spirals.yaml", "data.classes=4", "expected (batch, 4) for 4 classes of 'spirals'"),
        ("spirals.yaml", "data.classes=1", "data.classes: expected an integer >= 2, got 1"),
    ],
)
def test_bad_toy_options_are_one_line_usage_errors(config: str, override: str, message: str) -> None:
    result = invoke("train", str(CONFIGS / config), "--set", override)
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_bad_blob_centres_are_named(tmp_path: Path) -> None:
    result = invoke("train", str(CONFIGS / "moons.yaml"), "--set", "data={dataset: blobs, centers: [[0, 0, 1]]}")
    assert result.exit_code == 2
    assert "data.centers: expected an integer >= 2 or a list of [x, y] pairs, got a list [[0, 0, 1]]" in result.stderr


def test_a_failed_download_suggests_the_offline_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VINSGRAD_MIRROR", (tmp_path / "empty").as_uri() + "/")
    monkeypatch.setattr("vinsgrad.vision.datasets.MNIST.mirrors", ())
    monkeypatch.chdir(tmp_path)  # the default run folder, runs/mlp, is under tmp_path, never in the checkout
    root = str(tmp_path / "data")
    for args in (
        ["train", str(CONFIGS / "mlp.yaml"), "--set", f"data.root={root}"],
        ["download", "mnist", "--root", root],
    ):
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert "every mirror failed" in result.stderr and result.stderr.rstrip().endswith(OFFLINE_HINT)
    assert OFFLINE_HINT.endswith("vinsgrad train moons")  # a shipped config's name works from any folder


def sgr_colours(text: str) -> set[int]:
    """Every 256-colour index (foreground or background) set by the escape codes in ``text``."""
    codes = ";".join(re.findall(r"\x1b\[([\d;]*)m", text))
    return {int(c) for c in re.findall(r"(?:^|;)[34]8;5;(\d+)", codes)}


def test_real_process_draws_colour_half_blocks_on_a_terminal_and_ascii_in_a_pipe(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "vinsgrad_cli", "train", str(CONFIGS / "moons.yaml"), "--set", "train.epochs=3"]
    env = {**os.environ, "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    coloured = subprocess.run([*command, "--out", str(tmp_path / "a")], env=env, capture_output=True, text=True)
    assert coloured.returncode == 0, coloured.stderr
    body = coloured.stdout.split("decision boundary on the test set (200 points)\n")[1]
    rows = body.splitlines()[:21]
    assert all(row.count(HALF_BLOCK) == 64 for row in rows)
    colours = sgr_colours("".join(rows))
    assert {REGION_COLORS[0], REGION_COLORS[1], POINT_COLORS[0], POINT_COLORS[1]} <= colours
    plain = subprocess.run([*command, "--out", str(tmp_path / "b"), "--quiet"], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    rows, _ = picture(plain.stdout)
    assert "\x1b" not in plain.stdout
    assert rows == expected_picture(tmp_path / "b" / "last.npz", len(rows[0]), len(rows))
