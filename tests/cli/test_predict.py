"""`vinsgrad predict`: probabilities against a NumPy forward pass, the drawn image, files, and one-line errors."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
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
from vinsgrad.vision.datasets import MNIST

runner = CliRunner()
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"


@pytest.fixture
def checkpoint(tmp_path: Path, mnist_root: Path, tiny_config: Path) -> tuple[Path, Any]:
    """An untrained tiny MLP's checkpoint on the generated MNIST (its guesses are near-uniform and often wrong)."""
    vinsgrad.manual_seed(7)
    config = load_config(tiny_config)
    model = build_model(config)
    meta = {"config": config, "epoch": 1, "step": 1, "metrics": [], "rng_state": {}, "classes": list(MNIST.classes)}
    path = tmp_path / "run" / "last.npz"
    save_checkpoint(path, model=model, meta=meta)
    return path, model


def numpy_probs(model: Any, images: np.ndarray) -> np.ndarray:
    """Softmax of the stored weights' Linear-ReLU-Linear on ToTensor+Flatten images, in float64 NumPy."""
    w = {k: v.numpy().astype(np.float64) for k, v in model.state_dict().items()}
    x = images.reshape(len(images), -1) / 255.0
    logits = np.maximum(x @ w["0.weight"].T + w["0.bias"], 0) @ w["2.weight"].T + w["2.bias"]
    e = np.exp(logits - logits.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_json_probabilities_match_numpy(checkpoint, mnist_arrays) -> None:
    path, model = checkpoint
    result = runner.invoke(app, ["predict", str(path), "--index", "3", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    want = numpy_probs(model, mnist_arrays[TEST_IMAGES][3:4])[0]
    np.testing.assert_allclose(out["probabilities"], want, rtol=1e-5, atol=1e-7)
    assert out["predicted"] == int(want.argmax()) and out["label"] == int(mnist_arrays[TEST_LABELS][3])
    assert out["classes"] == list(MNIST.classes) and out["input"] == "test sample 3"


def test_train_split_sample(checkpoint, mnist_arrays) -> None:
    path, model = checkpoint
    result = runner.invoke(app, ["predict", str(path), "--index", "5", "--split", "train", "--json"])
    assert result.exit_code == 0, result.output
    want = numpy_probs(model, mnist_arrays["train-images-idx3-ubyte"][5:6])[0]
    np.testing.assert_allclose(json.loads(result.stdout)["probabilities"], want, rtol=1e-5, atol=1e-7)


def test_plain_output_draws_the_image_and_a_bar_per_class(checkpoint, mnist_arrays) -> None:
    path, model = checkpoint
    result = runner.invoke(app, ["predict", str(path), "-i", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    image = mnist_arrays[TEST_IMAGES][3]
    assert lines[0] == "test sample 3"
    assert lines[1:15] == image_lines(image)  # 28 pixel rows, two per line
    assert any(ch in "".join(lines[1:15]) for ch in "▀▄█")
    probs = numpy_probs(model, image[None])[0]
    best, label = int(probs.argmax()), int(mnist_arrays[TEST_LABELS][3])
    assert lines[15].startswith(f"predicted: {MNIST.classes[best]} ({100 * probs[best]:.2f}%)")
    assert f"true: {MNIST.classes[label]}" in lines[15]
    bars = lines[16:26]
    assert len(bars) == 10 and len(lines) == 26
    for i, line in enumerate(bars):
        assert line.startswith(MNIST.classes[i]) and f"{100 * probs[i]:6.2f}%" in line
        assert line.endswith(" <") == (i == best)
        assert line.count("█") == round(probs[i] * 30 * 8) // 8  # the bar: whole characters, then eighths


def test_file_npy_idx_and_floats_give_the_same_answer(checkpoint, mnist_arrays, tmp_path: Path) -> None:
    path, model = checkpoint
    images = mnist_arrays[TEST_IMAGES]
    want = numpy_probs(model, images[3:4])[0]
    np.save(tmp_path / "one.npy", images[3])
    np.save(tmp_path / "floats.npy", images[3].astype(np.float32) / 255)
    np.save(tmp_path / "stack.npy", images[:5])
    header = bytes([0, 0, 8, 3]) + np.asarray(images[:5].shape, dtype=">i4").tobytes()
    (tmp_path / "stack.idx.gz").write_bytes(gzip.compress(header + images[:5].tobytes()))
    for args in (["one.npy"], ["floats.npy"], ["stack.npy", "--index", "3"], ["stack.idx.gz", "-i", "3"]):
        result = runner.invoke(app, ["predict", str(path), "--file", str(tmp_path / args[0]), *args[1:], "--json"])
        assert result.exit_code == 0, (args, result.output)
        out = json.loads(result.stdout)
        np.testing.assert_allclose(out["probabilities"], want, rtol=1e-5, atol=1e-7)
        assert out["label"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "say which image: --index I"),
        (["--index", "80"], "--index 80: the test split has 80 samples (0..79)"),
        (["--file", "missing.npy"], "--file missing.npy: no such file"),
        (["--file", "wrong.npy"], "expected an image of shape (28, 28) (or a stack of them)"),
        (["--file", "stack.npy", "--index", "9"], "--index 9: stack.npy holds 2 images (0..1)"),
        (["--file", "text.npy"], "not a .npy or IDX image file"),
    ],
)
def test_bad_requests_are_one_line_exit_2(checkpoint, tmp_path: Path, monkeypatch, args, message) -> None:
    path, _ = checkpoint
    monkeypatch.chdir(tmp_path)
    np.save("wrong.npy", np.zeros((3, 5)))
    np.save("stack.npy", np.zeros((2, 28, 28), np.uint8))
    Path("text.npy").write_text("not numpy")
    result = runner.invoke(app, ["predict", str(path), *args])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr and result.stderr.count("\n") == 1


def test_installed_command_predicts_a_file(checkpoint, mnist_arrays, tmp_path: Path) -> None:
    path, model = checkpoint
    np.save(tmp_path / "digit.npy", mnist_arrays[TEST_IMAGES][7])
    env = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-m", "vinsgrad_cli", "predict", str(path), "--file", str(tmp_path / "digit.npy")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    probs = numpy_probs(model, mnist_arrays[TEST_IMAGES][7:8])[0]
    assert done.stdout.splitlines()[1:15] == image_lines(mnist_arrays[TEST_IMAGES][7])
    assert f"predicted: {MNIST.classes[int(probs.argmax())]}" in done.stdout


def test_a_folder_or_a_text_file_as_file_is_named_for_what_it_is(checkpoint, tmp_path: Path) -> None:
    path, _ = checkpoint
    folder = runner.invoke(app, ["predict", str(path), "--file", str(tmp_path)])
    assert folder.exit_code == 2 and folder.stderr == (
        f"Error: --file {tmp_path}: is a folder, expected a .npy or IDX image file\n"
    )
    text = tmp_path / "notes.npy"
    text.write_text("just some text, not an array\n")
    result = runner.invoke(app, ["predict", str(path), "--file", str(text)])
    assert result.exit_code == 2 and "allow_pickle" not in result.stderr
    assert (
        result.stderr == f"Error: --file {text}: not a .npy or IDX image file (no NumPy header, or pickled objects)\n"
    )
