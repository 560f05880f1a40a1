"""`vinsgrad eval --show-errors N`: the N most confidently wrong test images, drawn, against a NumPy forward pass."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import save_checkpoint
from vinsgrad_cli.config import build_model, load_config
from vinsgrad_cli.main import app
from vinsgrad_cli.rendering import image_lines

import vinsgrad
from vinsgrad.vision.datasets import MNIST, FashionMNIST

runner = CliRunner()
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
CAPTION = re.compile(r"#(\d+) (\d) -> (\d) (\d+\.\d)%")


def make_checkpoint(path: Path, config_path: Path, classes: list[str]) -> Any:
    vinsgrad.manual_seed(7)
    config = load_config(config_path)
    model = build_model(config)
    meta = {"config": config, "epoch": 1, "step": 1, "metrics": [], "rng_state": {}, "classes": classes}
    save_checkpoint(path, model=model, meta=meta)
    return model


@pytest.fixture
def checkpoint(tmp_path: Path, mnist_root: Path, tiny_config: Path) -> tuple[Path, Any]:
    path = tmp_path / "run" / "last.npz"
    return path, make_checkpoint(path, tiny_config, list(MNIST.classes))


def confident_errors(model: Any, images: np.ndarray, labels: np.ndarray, n: int) -> list[dict[str, Any]]:
    """The expected answer from the stored weights in float64 NumPy: wrong predictions by descending probability."""
    w = {k: v.numpy().astype(np.float64) for k, v in model.state_dict().items()}
    x = images.reshape(len(images), -1) / 255.0
    logits = np.maximum(x @ w["0.weight"].T + w["0.bias"], 0) @ w["2.weight"].T + w["2.bias"]
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    wrong = [i for i in range(len(labels)) if p[i].argmax() != labels[i]]
    wrong.sort(key=lambda i: -p[i].max())
    return [
        {"index": i, "label": int(labels[i]), "predicted": int(p[i].argmax()), "probability": p[i].max()}
        for i in wrong[:n]
    ]


def test_three_images_whose_prediction_differs_from_the_label(checkpoint, mnist_arrays) -> None:
    path, model = checkpoint
    result = runner.invoke(app, ["eval", str(path), "--show-errors", "3"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("confusion matrix") < out.index("3 most confidently wrong")  # after the metrics
    captions = CAPTION.findall(out)
    assert len(captions) == 3
    images, labels = mnist_arrays[TEST_IMAGES], mnist_arrays[TEST_LABELS]
    want = confident_errors(model, images, labels, 3)
    for (index, label, predicted, percent), expected in zip(captions, want):
        assert int(label) != int(predicted)
        assert int(label) == labels[int(index)]
        assert (int(index), int(label), int(predicted)) == (expected["index"], expected["label"], expected["predicted"])
        assert float(percent) == pytest.approx(100 * expected["probability"], abs=0.051)
    # Each image is drawn under its caption: captions side by side on one line, then 14 lines of half blocks.
    lines = out.splitlines()
    drawn = "\n".join(lines)
    for e in want:
        for row in image_lines(images[e["index"]]):
            assert row.rstrip() in drawn
    first = next(i for i, line in enumerate(lines) if CAPTION.search(line))
    column = lines[first].index("#", 1) if lines[first].count("#") > 1 else None
    block = [line[:column].rstrip() for line in lines[first + 1 : first + 15]]
    assert block == [row.rstrip() for row in image_lines(images[want[0]["index"]])]


def test_json_lists_the_errors(checkpoint, mnist_arrays) -> None:
    path, model = checkpoint
    result = runner.invoke(app, ["eval", str(path), "--show-errors", "4", "--json"])
    assert result.exit_code == 0, result.output
    errors = json.loads(result.stdout)["errors"]
    want = confident_errors(model, mnist_arrays[TEST_IMAGES], mnist_arrays[TEST_LABELS], 4)
    assert [(e["index"], e["label"], e["predicted"]) for e in errors] == [
        (e["index"], e["label"], e["predicted"]) for e in want
    ]
    np.testing.assert_allclose([e["probability"] for e in errors], [e["probability"] for e in want], rtol=1e-5)


def test_without_the_option_nothing_is_drawn(checkpoint) -> None:
    path, _ = checkpoint
    result = runner.invoke(app, ["eval", str(path)])
    assert result.exit_code == 0 and "confidently wrong" not in result.stdout and not CAPTION.search(result.stdout)
    assert "errors" not in json.loads(runner.invoke(app, ["eval", str(path), "--json"]).stdout)


def test_more_than_there_are_errors_shows_them_all(checkpoint, mnist_arrays) -> None:
    path, model = checkpoint
    n_wrong = len(confident_errors(model, mnist_arrays[TEST_IMAGES], mnist_arrays[TEST_LABELS], 10_000))
    result = runner.invoke(app, ["eval", str(path), "--show-errors", "500"])
    assert result.exit_code == 0, result.output
    assert f"{n_wrong} most confidently wrong" in result.stdout and len(CAPTION.findall(result.stdout)) == n_wrong


def test_named_classes_are_listed(tmp_path: Path, mnist_root: Path, tiny_config: Path) -> None:
    path = tmp_path / "fashion.npz"
    make_checkpoint(path, tiny_config, list(FashionMNIST.classes))
    result = runner.invoke(app, ["eval", str(path), "--show-errors", "2"])
    assert result.exit_code == 0, result.output
    assert "classes: 0: T-shirt/top, 1: Trouser" in result.stdout


def test_negative_count_is_bad_usage(checkpoint) -> None:
    path, _ = checkpoint
    result = runner.invoke(app, ["eval", str(path), "--show-errors", "-1"])
    assert result.exit_code == 2 and "--show-errors" in result.output


def test_points_are_listed_not_drawn(tmp_path: Path) -> None:
    config = tmp_path / "moons.yaml"
    config.write_text(
        "model: {layers: [{type: Linear, in_features: 2, out_features: 2}]}\n"
        "optimizer: {type: SGD, lr: 0.001}\n"
        "data: {dataset: moons, n: 200}\n"
        "train: {epochs: 1, seed: 0}\n"
    )
    out = tmp_path / "run"
    assert runner.invoke(app, ["train", str(config), "--out", str(out), "-q"]).exit_code == 0
    report = json.loads(runner.invoke(app, ["eval", str(out / "last.npz"), "--show-errors", "3", "--json"]).stdout)
    assert len(report["errors"]) == 3
    result = runner.invoke(app, ["eval", str(out / "last.npz"), "--show-errors", "3"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if CAPTION.match(line)]
    assert len(lines) == 3
    for line, error in zip(lines, report["errors"]):
        index, label, predicted, _ = CAPTION.match(line).groups()  # type: ignore[union-attr]
        assert (int(index), int(label), int(predicted)) == (error["index"], error["label"], error["predicted"])
        assert label != predicted and re.search(r"input \[-?\d[^,]*, -?\d[^\]]*\]$", line)
    predicted = runner.invoke(app, ["predict", str(out / "last.npz"), "-i", str(report["errors"][0]["index"])])
    assert predicted.exit_code == 0 and predicted.stdout.splitlines()[1].startswith("input: [")
    assert "(wrong)" in predicted.stdout


def test_a_model_without_errors_says_so_and_exits_0(tmp_path: Path) -> None:
    config = tmp_path / "blobs.yaml"
    config.write_text(
        "model: {layers: [{type: Linear, in_features: 2, out_features: 2}]}\n"
        "optimizer: {type: SGD, lr: 0.1}\n"
        "data: {dataset: blobs, n: 200, centers: [[-10, -10], [10, 10]], std: 0.5}\n"
        "train: {epochs: 2, seed: 0}\n"
    )
    out = tmp_path / "run"
    assert runner.invoke(app, ["train", str(config), "--out", str(out), "-q"]).exit_code == 0
    result = runner.invoke(app, ["eval", str(out / "last.npz"), "--show-errors", "5"])
    assert result.exit_code == 0, result.output
    assert "no errors to show: the model classifies all 40 test samples right" in result.stdout
