"""`vinsgrad eval`: numbers against a NumPy forward pass of the stored weights, the three output forms, bad files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import save_checkpoint
from vinsgrad_cli.config import build_data, build_model, load_config
from vinsgrad_cli.main import app
from vinsgrad_cli.rendering import evaluation_rich as render_rich

import vinsgrad
from vinsgrad.vision.datasets import MNIST

runner = CliRunner()
CLASSES = list(MNIST.classes)


def write_checkpoint(path: Path, config: dict[str, Any], model: Any = None) -> Any:
    model = model if model is not None else build_model(config)
    meta = {
        "config": config,
        "epoch": 3,
        "step": 30,
        "metrics": [{"epoch": e, "train_loss": 1.0 / e, "train_acc": 0.3 * e} for e in (1, 2, 3)],
        "rng_state": vinsgrad.get_rng_state(),
        "classes": CLASSES,
        "input_shape": [784],
    }
    save_checkpoint(path, model=model, meta=meta)
    return model


@pytest.fixture
def checkpoint(tmp_path: Path, mnist_root: Path, tiny_config: Path) -> tuple[Path, Any]:
    vinsgrad.manual_seed(7)
    path = tmp_path / "run" / "last.npz"
    model = write_checkpoint(path, load_config(tiny_config))
    return path, model


def expected(model: Any, images: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Loss, confusion matrix from the stored weights in float64 NumPy (ToTensor + Flatten + Linear-ReLU-Linear)."""
    w = {k: v.numpy().astype(np.float64) for k, v in model.state_dict().items()}
    x = images.reshape(len(images), -1) / 255.0
    logits = np.maximum(x @ w["0.weight"].T + w["0.bias"], 0) @ w["2.weight"].T + w["2.bias"]
    shifted = logits - logits.max(1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, logits.argmax(1)), 1)
    return {"loss": -log_probs[np.arange(len(labels)), labels].mean(), "confusion": confusion}


def test_json_report_matches_a_numpy_forward_pass(checkpoint, mnist_arrays) -> None:
    path, model = checkpoint
    result = runner.invoke(app, ["eval", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    want = expected(model, mnist_arrays["t10k-images-idx3-ubyte"], mnist_arrays["t10k-labels-idx1-ubyte"])
    assert report["split"] == "test" and report["samples"] == 80 and report["epoch"] == 3
    assert report["classes"] == CLASSES
    assert report["confusion_matrix"] == want["confusion"].tolist()
    assert report["loss"] == pytest.approx(want["loss"], rel=1e-5)
    assert report["accuracy"] == pytest.approx(np.trace(want["confusion"]) / 80)
    rows = want["confusion"].sum(1)
    for i, entry in enumerate(report["per_class"]):
        assert entry == {
            "class": CLASSES[i],
            "samples": int(rows[i]),
            "correct": int(want["confusion"][i, i]),
            "accuracy": pytest.approx(want["confusion"][i, i] / rows[i]),
        }


def test_train_split_in_odd_batches(checkpoint, mnist_arrays) -> None:
    path, model = checkpoint
    result = runner.invoke(app, ["eval", str(path), "--split", "train", "--batch-size", "7", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    want = expected(model, mnist_arrays["train-images-idx3-ubyte"], mnist_arrays["train-labels-idx1-ubyte"])
    assert report["samples"] == 320 and report["confusion_matrix"] == want["confusion"].tolist()
    assert report["loss"] == pytest.approx(want["loss"], rel=1e-5)


def test_generated_dataset_needs_no_files(tmp_path: Path) -> None:
    config = load_config(Path(__file__).parents[2] / "configs" / "moons.yaml", ["data.n=100", "data.test_split=0.3"])
    vinsgrad.manual_seed(3)
    model = write_checkpoint(tmp_path / "moons.npz", config)
    result = runner.invoke(app, ["eval", str(tmp_path / "moons.npz"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    x, y = (t.numpy() for t in build_data(config)[2].tensors)
    w = {k: v.numpy().astype(np.float64) for k, v in model.state_dict().items()}
    h = np.maximum(np.maximum(x @ w["0.weight"].T + w["0.bias"], 0) @ w["2.weight"].T + w["2.bias"], 0)
    pred = (h @ w["4.weight"].T + w["4.bias"]).argmax(1)
    assert report["samples"] == 30
    assert report["classes"] == ["0", "1"]  # the stored names are MNIST's ten: they do not fit two outputs
    assert report["confusion_matrix"] == [[int(((y == t) & (pred == p)).sum()) for p in (0, 1)] for t in (0, 1)]


def test_root_option_overrides_the_stored_data_root(tmp_path: Path, mnist_root: Path, tiny_config: Path) -> None:
    config = load_config(tiny_config)
    config["data"]["root"] = str(tmp_path / "moved-away")
    write_checkpoint(tmp_path / "c.npz", config)
    result = runner.invoke(app, ["eval", str(tmp_path / "c.npz"), "--root", str(mnist_root), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["samples"] == 80


def test_plain_output_when_not_a_terminal(checkpoint) -> None:
    path, _ = checkpoint
    report = json.loads(runner.invoke(app, ["eval", str(path), "--json"]).stdout)
    result = runner.invoke(app, ["eval", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"checkpoint: {path} (epoch 3)"
    assert lines[1] == "split: test (80 samples)"
    assert lines[2] == f"loss: {report['loss']:.4f}"
    assert lines[3] == f"accuracy: {100 * report['accuracy']:.2f}%"
    assert "\x1b[" not in result.stdout  # no colour codes in a pipe
    header = lines.index("confusion matrix (rows: true class, columns: predicted class):")
    matrix = [[int(v) for v in line.split()[-10:]] for line in lines[header + 2 : header + 12]]
    assert matrix == report["confusion_matrix"]


def test_rich_confusion_matrix_is_colour_scaled(checkpoint) -> None:
    path, _ = checkpoint
    report = json.loads(runner.invoke(app, ["eval", str(path), "--json"]).stdout)
    report["confusion_matrix"][0] = [8, 2, 0, 0, 0, 0, 0, 0, 0, 0]
    report["per_class"][0].update(samples=10, correct=8, accuracy=0.8)
    out = io.StringIO()
    render_rich(report, Console(file=out, force_terminal=True, color_system="truecolor", width=200))
    text = out.getvalue()
    # Row 0: the share 8/10 on the diagonal is 80% of the way from grey (40, 40, 40) to green (20, 150, 60);
    # the 2/10 confused with class 1 is 20% of the way to red (190, 40, 40); empty cells are a dim dot.
    assert "48;2;24;128;56m" in text and "48;2;70;40;40m" in text
    assert "·" in text and "80.00%" in text and "Confusion matrix" in text


@pytest.mark.parametrize("command", ["eval", "inspect"])
def test_bad_checkpoints_are_one_line_exit_2(command: str, tmp_path: Path, mnist_root: Path, tiny_config) -> None:
    config = load_config(tiny_config)
    good = tmp_path / "good.npz"
    write_checkpoint(good, config)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    text = tmp_path / "notes.npz"
    text.write_text("not a checkpoint\n")
    pickled = tmp_path / "pickled.npz"
    pickled.write_bytes(good.read_bytes())
    with zipfile.ZipFile(pickled, "a") as z, z.open("model/0.weight~1.npy", "w") as member:
        np.save(member, np.array([print], dtype=object), allow_pickle=True)
    wrong = tmp_path / "wrong.npz"  # weights of a 784-64-10 MLP under the config of a 784-32-10 one
    other = load_config(tiny_config, ["model.layers.0.out_features=64", "model.layers.2.in_features=64"])
    save_checkpoint(wrong, model=build_model(other), meta={"config": config})
    cases = {
        tmp_path / "missing.npz": "no such file",
        truncated: "corrupt or truncated",
        text: r"not an .npz archive",
        pickled: "refusing to load an array of Python objects",
        wrong: "weights do not fit the architecture in its config",
    }
    for path, message in cases.items():
        result = runner.invoke(app, [command, str(path)])
        assert result.exit_code == 2, (path, result.output)
        assert result.stderr.startswith(f"Error: checkpoint {path}: "), result.stderr
        assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert result.stdout == ""
    wrong_shape = runner.invoke(app, [command, str(wrong)]).stderr
    assert "0.weight" in wrong_shape and "(64, 784)" in wrong_shape and "(32, 784)" in wrong_shape


def test_missing_data_is_a_one_line_runtime_error(tmp_path: Path, tiny_config: Path, fake_mnist, monkeypatch) -> None:
    monkeypatch.setattr(MNIST, "mirrors", ())  # the data is not there and nothing may reach the network
    monkeypatch.setenv("VINSGRAD_MIRROR", (tmp_path / "no-mirror").as_uri())
    write_checkpoint(tmp_path / "c.npz", load_config(tiny_config))
    result = runner.invoke(app, ["eval", str(tmp_path / "c.npz"), "--root", str(tmp_path / "empty")])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: could not download train-images-idx3-ubyte.gz"), result.stderr
    assert "no-mirror/train-images-idx3-ubyte.gz" in result.stderr and result.stderr.count("\n") == 1


def test_a_config_that_no_longer_builds_is_exit_2(tmp_path: Path, tiny_config: Path) -> None:
    config = load_config(tiny_config)
    model = build_model(config)
    config["model"]["layers"][1]["type"] = "Swish"  # e.g. a layer from another version of vinsgrad
    write_checkpoint(tmp_path / "c.npz", config, model)
    for command in ("eval", "inspect"):
        result = runner.invoke(app, [command, str(tmp_path / "c.npz")])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(
            f"Error: checkpoint {tmp_path / 'c.npz'}: stored config: model.layers.1.type: unknown layer 'Swish'"
        ), result.stderr


def test_bad_options(checkpoint) -> None:
    path, _ = checkpoint
    for args in (["--split", "val"], ["--batch-size", "0"]):
        result = runner.invoke(app, ["eval", str(path), *args])
        assert result.exit_code == 2, result.output
    assert runner.invoke(app, ["eval"]).exit_code == 2


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["eval", "--help"])
    assert result.exit_code == 0
    assert "vinsgrad eval runs/mlp/best.npz" in result.stdout and "--json" in result.stdout
