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


# **** language models: the real vocabulary when the text is here, a named stand-in when it is not ****

GPT = """\
model: {type: GPT, n_layer: 1, n_head: 2, n_embd: 16, block_size: 16}
optimizer: {type: AdamW, lr: 0.01}
data: {dataset: text, path: PATH, root: ROOT, block_size: 16}
"""
TEXT = "the cat sat on the mat\nROMEO: the dog ran far\n" * 30


def gpt_config(tmp_path: Path, path: str, root: Path) -> Path:
    config = tmp_path / "gpt.yaml"
    config.write_text(GPT.replace("PATH", path).replace("ROOT", str(root)))
    return config


def training_vocabulary(text: str) -> int:
    """The characters of the training part: all but the last 10% (at least block_size + 1 = 17 characters)."""
    return len(set(text[: -max(17, round(len(text) * 0.1))]))


def gpt_parameters(vocabulary: int) -> int:
    """Tied token embedding and head (V x 16), positions (16 x 16), one block, the final LayerNorm."""
    block = 2 * 32 + (16 * 48 + 48) + (16 * 16 + 16) + (16 * 64 + 64) + (64 * 16 + 16)
    return vocabulary * 16 + 16 * 16 + block + 32


def test_gpt_graph_uses_the_vocabulary_of_a_local_text(tmp_path: Path, no_dot) -> None:
    text = tmp_path / "words.txt"
    text.write_text("xyz" * 10 + TEXT + "q" * 20, encoding="utf-8")  # "q" only in the held-out end
    v = training_vocabulary(text.read_text())
    assert v == len(set(TEXT + "xyz"))  # the held-out end's 'q' is not in the vocabulary, as in training
    out = tmp_path / "gpt.dot"
    result = runner.invoke(app, ["graph", str(gpt_config(tmp_path, str(text), tmp_path / "data")), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"vocabulary: {v} characters, from the training part of {text}"
    assert lines[1] == f"gpt: GPT  {gpt_parameters(v):,} parameters"
    for line in (  # the parameter tree by block
        f"  wte: Embedding({v}, 16)  {v * 16} params",
        "  h: ModuleList()  3,280 params",
        "    0: Block()  3,280 params",
        "      attn: CausalSelfAttention()  1,088 params",
        "        c_attn: Linear(in_features=16, out_features=48, bias=True)  816 params",
        f"  lm_head: Linear(in_features=16, out_features={v}, bias=False)  {v * 16} params",
    ):
        assert line in lines
    found = labels(out.read_text())
    # the attention's shapes: (batch 2, 2 heads, 16 positions, 8 per head), and the head's (2, 16, vocabulary)
    assert "ScaledDotProductAttention (2, 2, 16, 8) float32" in found and "Reshape (2, 16, 3, 2, 8) float32" in found
    assert f"Linear (2, 16, {v}) float32" in found and f"wte.weight ({v}, 16) float32" in found
    assert not (tmp_path / "data").exists()  # nothing was downloaded or written under data.root


def test_gpt_graph_uses_a_downloaded_tiny_shakespeare(tmp_path: Path, no_dot, monkeypatch) -> None:
    import hashlib

    from vinsgrad.utils.data.text import TinyShakespeare

    monkeypatch.setattr(TinyShakespeare, "sha256", hashlib.sha256(TEXT.encode()).hexdigest())
    (tmp_path / "data" / "tiny-shakespeare").mkdir(parents=True)
    (tmp_path / "data" / "tiny-shakespeare" / "input.txt").write_text(TEXT, encoding="utf-8")  # as download puts it
    config = gpt_config(tmp_path, "tiny-shakespeare", tmp_path / "data")
    result = runner.invoke(app, ["graph", str(config), "--out", str(tmp_path / "g.dot")])
    assert result.exit_code == 0, result.output
    v = training_vocabulary(TEXT)
    assert result.stdout.splitlines()[:2] == [
        f"vocabulary: {v} characters, from the training part of tiny-shakespeare",
        f"gpt: GPT  {gpt_parameters(v):,} parameters",
    ]


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("tiny-shakespeare", "run `vinsgrad download tiny-shakespeare --root ROOT`"),
        ("http://127.0.0.1:9/words.txt", "train once (it downloads the text into ROOT/text)"),
        ("missing.txt", "point data.path at an existing file"),
    ],
)
def test_gpt_graph_names_the_stand_in_when_the_text_is_not_here(tmp_path: Path, no_dot, path: str, hint: str) -> None:
    root = tmp_path / "data"
    result = runner.invoke(app, ["graph", str(gpt_config(tmp_path, path, root)), "--out", str(tmp_path / "g.dot")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        f"vocabulary: 2 characters stand in, as {path} is not on this machine yet; {hint.replace('ROOT', str(root))} "
        "for the real head and parameter counts",
        f"gpt: GPT  {gpt_parameters(2):,} parameters",
        "  wte: Embedding(2, 16)  32 params",
    ]
    assert not root.exists()  # no download was tried


def test_gpt_graph_uses_a_url_text_downloaded_before(tmp_path: Path, no_dot) -> None:
    (tmp_path / "data" / "text").mkdir(parents=True)
    (tmp_path / "data" / "text" / "words.txt").write_text(TEXT, encoding="utf-8")  # where download_text put it
    config = gpt_config(tmp_path, "http://127.0.0.1:9/words.txt", tmp_path / "data")
    result = runner.invoke(app, ["graph", str(config), "--out", str(tmp_path / "g.dot")])
    assert result.exit_code == 0, result.output
    assert f"wte: Embedding({training_vocabulary(TEXT)}, 16)" in result.stdout


def test_lstm_graph_sizes_its_embedding_and_head_by_the_vocabulary(tmp_path: Path, no_dot) -> None:
    text = tmp_path / "words.txt"
    text.write_text(TEXT, encoding="utf-8")
    config = tmp_path / "lstm.yaml"
    config.write_text(
        GPT.replace(GPT.splitlines()[0], "model: {type: CharLSTM, embedding_dim: 8, hidden_size: 16}")
        .replace("PATH", str(text))
        .replace("ROOT", str(tmp_path / "data"))
    )
    result = runner.invoke(app, ["graph", str(config), "--out", str(tmp_path / "g.dot")])
    assert result.exit_code == 0, result.output
    v = training_vocabulary(TEXT)
    assert f"Embedding({v}, 8)" in result.stdout and f"out_features={v}" in result.stdout


def test_gpt_graph_of_a_text_too_short_is_the_training_error(tmp_path: Path) -> None:
    text = tmp_path / "short.txt"
    text.write_text("abcdefghij", encoding="utf-8")
    config = gpt_config(tmp_path, str(text), tmp_path / "data")
    result = runner.invoke(app, ["graph", str(config), "--out", str(tmp_path / "g.dot")])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: data.path: the text has 10 characters, too few for a training and a held-out"
    )
