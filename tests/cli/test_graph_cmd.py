"""`vinsgrad graph`: the DOT file of a config's model and loss, the parameter tree, and rendering with `dot`."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner
from vinsgrad_cli.main import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]


def labels(dot: str) -> list[str]:
    return [m.replace("\\n", " ") for m in re.findall(r'\[label="((?:[^"\\]|\\.)*)"', dot)]


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


def test_two_layer_mlp_names_both_linear_layers_and_the_loss(tiny_config: Path, tmp_path: Path, no_dot) -> None:
    out = tmp_path / "g" / "mlp.dot"
    result = runner.invoke(app, ["graph", str(tiny_config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    found = labels(out.read_text())
    assert sorted(found) == sorted(
        [
            "output () float32",
            "CrossEntropy () float32",
            "Linear (2, 10) float32",
            "ReLU (2, 32) float32",
            "Linear (2, 32) float32",
            "0.weight (32, 784) float32",
            "0.bias (32,) float32",
            "2.weight (10, 32) float32",
            "2.bias (10,) float32",
            "tensor (2, 784) float32",  # the dummy batch through ToTensor + Flatten
            "tensor (2,) int64",  # its targets
        ]
    )
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "tiny: Sequential  25,450 parameters",
        "  0: Linear(in_features=784, out_features=32, bias=True)  25,120 params",
        "    weight (32, 784)  25,088",
        "    bias (32,)  32",
        "  1: ReLU()  0 params",
        "  2: Linear(in_features=32, out_features=10, bias=True)  330 params",
    ]
    assert f"wrote {out} (4 ops for a batch of 2, input shape (784,))" in lines
    assert lines[-1] == (
        "Graphviz's `dot` is not installed, so no SVG was drawn; install Graphviz (e.g. `apt install graphviz` "
        f"or `brew install graphviz`) and run: dot -Tsvg {out} -o {out.with_suffix('.svg')}"
    )
    assert not out.with_suffix(".svg").exists()


def test_overrides_change_the_graph(tiny_config: Path, tmp_path: Path, no_dot) -> None:
    out = tmp_path / "g.dot"
    result = runner.invoke(app, ["graph", str(tiny_config), "--out", str(out), "--set", "model.layers.0.out_features=8",
                                 "--set", "model.layers.2.in_features=8"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0.weight (8, 784) float32" in labels(out.read_text())
    assert "tiny: Sequential  6,370 parameters" in result.stdout


def test_cnn_config_shows_convolution_and_pooling(tmp_path: Path, no_dot) -> None:
    out = tmp_path / "cnn.dot"
    result = runner.invoke(app, ["graph", str(REPO / "configs" / "cnn.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    found = labels(out.read_text())
    assert "Conv2d (2, 16, 28, 28) float32" in found and "MaxPool2d (2, 32, 7, 7) float32" in found
    assert "tensor (2, 1, 28, 28) float32" in found


def fake_dot(folder: Path, body: str) -> None:
    folder.mkdir()
    script = folder / "dot"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_svg_is_rendered_when_dot_is_installed(tiny_config: Path, tmp_path: Path, monkeypatch) -> None:
    # A stand-in `dot` that records its arguments and copies its input to the -o file.
    fake_dot(tmp_path / "bin", 'echo "$@" > "$(dirname "$4")/args.txt"\ncp "$2" "$4"\n')
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    out = tmp_path / "graph.dot"
    result = runner.invoke(app, ["graph", str(tiny_config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"wrote {tmp_path / 'graph.svg'}"
    assert (tmp_path / "args.txt").read_text().split() == ["-Tsvg", str(out), "-o", str(tmp_path / "graph.svg")]
    assert (tmp_path / "graph.svg").read_text() == out.read_text()


def test_failing_dot_is_exit_1(tiny_config: Path, tmp_path: Path, monkeypatch) -> None:
    fake_dot(tmp_path / "bin", 'echo "syntax error in line 3" >&2\nexit 1\n')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = runner.invoke(app, ["graph", str(tiny_config), "--out", str(tmp_path / "g.dot")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: `dot -Tsvg") and result.stderr.endswith("failed: syntax error in line 3\n")


def test_bad_config_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "model: {layers: [{type: Linear, in_features: 2, out_features: 2}]}\noptimizer: {type: SGD, lr: -1}\n"
        "data: {dataset: moons}\n"
    )
    result = runner.invoke(app, ["graph", str(bad), "--out", str(tmp_path / "g.dot")])
    assert result.exit_code == 2 and "optimizer.lr" in result.stderr
    assert not (tmp_path / "g.dot").exists()


def test_unwritable_output_is_exit_1(tiny_config: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = runner.invoke(app, ["graph", str(tiny_config), "--out", str(tmp_path / "file" / "g.dot")])
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: cannot write {tmp_path / 'file' / 'g.dot'}")
