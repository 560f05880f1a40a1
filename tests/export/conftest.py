"""Fixtures for the export tests: every shipped config trained for one epoch on generated data (never the real
data, never the network), so each can be exported to both formats."""

from __future__ import annotations

import gzip
import hashlib
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))  # the generated MNIST the CLI tests use
from generated_digits import FILES, N_TEST, N_TRAIN, idx_bytes, make_digits

ROOT = Path(__file__).parents[2]
SHIPPED = sorted((ROOT / "configs").glob("*.yaml"))
# The sequence models of vinsgrad.models, small, on generated text (as well as any shipped text config).
TEXT_MODELS = {
    "tiny_gpt": "{type: GPT, n_layer: 2, n_head: 2, n_embd: 16, block_size: 16}",
    "tiny_lstm": "{type: CharLSTM, embedding_dim: 8, hidden_size: 16, num_layers: 2}",
}
TEXT_CONFIG = """\
model: MODEL
optimizer: {type: AdamW, lr: 0.003}
data: {dataset: text, path: PATH, block_size: 16, batch_size: 8}
train: {epochs: 1, seed: 0}
"""
NAMES = [p.stem for p in SHIPPED] + list(TEXT_MODELS)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The last.npz of each shipped config (and of TEXT_MODELS) after one epoch on generated data (text configs:
    three steps), by file stem."""
    from vinsgrad_cli.main import app

    from vinsgrad.vision import datasets

    rng = np.random.default_rng(0)
    arrays = dict(zip(FILES, (*make_digits(N_TRAIN, rng), *make_digits(N_TEST, rng))))
    mirror = tmp_path_factory.mktemp("mirror")
    for name, array in arrays.items():
        (mirror / f"{name}.gz").write_bytes(gzip.compress(idx_bytes(array), mtime=0))
    resources = tuple((f"{name}.gz", hashlib.sha256(idx_bytes(array)).hexdigest()) for name, array in arrays.items())
    data, runs = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("runs")
    words = np.array(["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "\n"])
    text = data / "text.txt"
    text.write_text(" ".join(words[rng.integers(0, len(words), 2000)]), encoding="utf-8")
    configs = list(SHIPPED)
    for name, model in TEXT_MODELS.items():
        configs.append(data / f"{name}.yaml")
        configs[-1].write_text(TEXT_CONFIG.replace("MODEL", model).replace("PATH", str(text)))
    checkpoints = {}
    with pytest.MonkeyPatch.context() as patch:  # only while the data is fetched and the runs train
        patch.setattr(datasets.MNIST, "resources", resources)
        patch.setattr(datasets.FashionMNIST, "resources", resources)
        for name in ("mnist", "fashion-mnist"):
            datasets.download(name, data, mirrors=[mirror.as_uri() + "/"], progress=False)
        for config in configs:
            out = runs / config.stem
            args = ["train", str(config), "--out", str(out), "-q", "--set", "train.epochs=1"]
            args += ["--set", f"data.root={data}"] if "mnist" in config.read_text() else []
            if "dataset: text" in config.read_text():  # a few steps on the generated text, in short windows
                args += ["--set", f"data.path={text}", "--set", "train.max_steps=3", "--set", "data.block_size=16"]
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.output
            checkpoints[config.stem] = out / "last.npz"
    return checkpoints
