"""Language models from YAML: text data, `model: {type: ...}`, max_steps and its resume, clipping, warm-up + cosine,
`eval` in nats/bits per character, `inspect`, and config errors as one line naming the key. Generated text only."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from test_train import assert_same_state
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import load_checkpoint
from vinsgrad_cli.config import load_config
from vinsgrad_cli.spec import ConfigError

import vinsgrad

runner = CliRunner()
WORDS = ["the", "cat", "sat", "on", "mat", "dog", "ran", "far", "ROMEO:"]


def generated_text(n_words: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    lines = [" ".join(WORDS[i] for i in rng.integers(0, len(WORDS), 6)) for _ in range(n_words // 6)]
    return "\n".join(lines) + "\n"


TINY_GPT = """\
model: {type: GPT, n_layer: 1, n_head: 2, n_embd: 16, block_size: 16}
optimizer: {type: AdamW, lr: 0.01}
scheduler:
  type: SequentialLR
  schedulers:
    - {type: LinearLR, start_factor: 0.1, total_iters: 5}
    - {type: CosineAnnealingLR, T_max: 25}
  milestones: [5]
  interval: step
data: {dataset: text, path: TEXT, block_size: 16, batch_size: 8, eval_batch_size: 32}
train: {epochs: 50, max_steps: 30, clip_grad_norm: 1.0}
"""


@pytest.fixture(scope="module")
def text_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("text") / "words.txt"
    path.write_text(generated_text(600), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def gpt_config(text_file: Path) -> Path:
    path = text_file.parent / "gpt.yaml"
    path.write_text(TINY_GPT.replace("TEXT", str(text_file)))
    return path


@pytest.fixture(scope="module")
def gpt_run(gpt_config: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "gpt"
    result = runner.invoke(app(), ["train", str(gpt_config), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def app() -> Any:
    from vinsgrad_cli.main import app

    return app


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def test_text_run_stops_at_max_steps_and_stores_the_vocabulary(gpt_run: Path, text_file: Path) -> None:
    ckpt = load_checkpoint(gpt_run / "last.npz")
    text = text_file.read_text()
    n_train = len(text) - round(len(text) * 0.1)
    steps_per_epoch = math.ceil(((n_train - 1) // 16) / 8)  # an epoch: (characters - 1) // block_size windows
    assert ckpt.meta["step"] == 30
    assert ckpt.meta["classes"] == sorted(set(text[:n_train]))  # the vocabulary travels in the checkpoint
    rows = records(gpt_run)
    assert [r["step"] for r in rows] == [min(steps_per_epoch * (i + 1), 30) for i in range(len(rows))]
    assert rows[-1].get("partial") is (30 % steps_per_epoch != 0 or None)
    assert rows[-1]["lr"] == pytest.approx(0.0, abs=1e-12)  # the cosine reached its end at step 30
    assert rows[-1]["val_loss"] < rows[0]["val_loss"]


def test_resume_with_more_max_steps_equals_an_uninterrupted_run(gpt_config: Path, tmp_path: Path) -> None:
    short, full = tmp_path / "short", tmp_path / "full"
    ok = [runner.invoke(app(), ["train", str(gpt_config), "--out", str(short), "-q", "--set", "train.max_steps=13"])]
    ok.append(runner.invoke(app(), ["train", "--resume", str(short / "last.npz"), "-q", "--set", "train.max_steps=30"]))
    ok.append(runner.invoke(app(), ["train", str(gpt_config), "--out", str(full), "-q"]))
    assert all(r.exit_code == 0 for r in ok), [r.output for r in ok]
    assert load_checkpoint(short / "last.npz").meta["step"] == 30
    assert_same_state(short / "last.npz", full / "last.npz")
    again = runner.invoke(app(), ["train", "--resume", str(full / "last.npz"), "--set", "train.max_steps=30"])
    assert again.exit_code == 0 and again.stdout.startswith("nothing to do: ") and "max_steps=60" in again.stdout


def test_eval_reports_nats_bits_and_perplexity(gpt_run: Path) -> None:
    result = runner.invoke(app(), ["eval", str(gpt_run / "last.npz"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["loss"] == pytest.approx(records(gpt_run)[-1]["val_loss"], rel=1e-6)
    assert report["bits_per_char"] == pytest.approx(report["loss"] / math.log(2))
    assert report["perplexity"] == pytest.approx(math.exp(report["loss"]))
    assert report["characters"] % 16 == 0 and report["unknown_chars"] == 0
    plain = runner.invoke(app(), ["eval", str(gpt_run / "last.npz")])
    assert "nats/char" in plain.stdout and "bits/char" in plain.stdout and "perplexity" in plain.stdout


def test_eval_of_a_language_model_takes_threads(gpt_run: Path) -> None:
    before = vinsgrad.get_num_threads()
    try:
        vinsgrad.set_num_threads(2)
        result = runner.invoke(app(), ["eval", str(gpt_run / "last.npz"), "--threads", "1", "--json"])
        assert result.exit_code == 0, result.output
        assert vinsgrad.get_num_threads() == 1
    finally:
        vinsgrad.set_num_threads(before)


def test_eval_data_path_skips_and_counts_unknown_characters(gpt_run: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text(generated_text(120, seed=3).replace("cat", "çat"), encoding="utf-8")  # ç is not in the vocab
    result = runner.invoke(app(), ["eval", str(gpt_run / "last.npz"), "--data-path", str(other), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["unknown_chars"] == other.read_text().count("ç") > 0
    assert report["characters"] == (len(other.read_text()) - report["unknown_chars"] - 1) // 16 * 16


def test_inspect_shows_the_vocabulary_and_the_blocks(gpt_run: Path) -> None:
    result = runner.invoke(app(), ["inspect", str(gpt_run / "last.npz")])
    assert result.exit_code == 0, result.output
    assert "classes: 20 characters: '\\n :EMORacdefghmnorst'" in result.stdout
    assert "(attn): CausalSelfAttention(" in result.stdout


def test_lstm_config_trains(text_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "lstm.yaml"
    config.write_text(
        TINY_GPT.replace(TINY_GPT.splitlines()[0], "model: {type: CharLSTM, embedding_dim: 8, hidden_size: 16}")
        .replace("TEXT", str(text_file))
        .replace("max_steps: 30", "max_steps: 10")
    )
    result = runner.invoke(app(), ["train", str(config), "--out", str(tmp_path / "run"), "-q"])
    assert result.exit_code == 0, result.output
    assert "held-out text: loss" in result.stdout and "nats/char" in result.stdout


def test_shipped_configs_are_valid_and_default_to_tiny_shakespeare() -> None:
    for name in ("shakespeare_gpt", "shakespeare_lstm"):
        config = load_config(Path(__file__).parents[2] / "configs" / f"{name}.yaml")
        assert config["data"]["path"] == "tiny-shakespeare" and config["train"]["clip_grad_norm"] == 1.0
    gpt = load_config(Path(__file__).parents[2] / "configs" / "shakespeare_gpt.yaml")
    assert gpt["model"] == {"type": "GPT", "n_layer": 4, "n_head": 4, "n_embd": 128, "block_size": 128,
                            "dropout": 0.0, "bias": True}  # fmt: skip


def error_of(config_text: str, tmp_path: Path, *overrides: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(config_text)
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["model.vocab_size=65"], "model.vocab_size: is set from the dataset; remove it"),
        (["model.n_layers=2"], "model.n_layers: GPT has no argument 'n_layers'; did you mean 'n_layer'?"),
        (["model.n_head=3"], "model.n_head: GPT: n_embd (16) must be divisible by n_head (3)"),
        (["model.n_head=two"], "model.n_head: expected an integer, got 'two' (a string)"),
        (["model.type=Gpt"], "model.type: unknown model 'Gpt' (a string); did you mean 'GPT'?"),
        (["data.block_size=32"], "data.block_size: 32 is longer than model.block_size 16"),
        (["data.val_split=0.1"], "data.val_split: text holds out its last part instead; set data.val_fraction"),
        (["data.val_fraction=1"], "data.val_fraction: expected a number in (0, 1), got 1"),
        (["train.max_steps=0"], "train.max_steps: expected an integer >= 1 or null, got 0"),
        (["train.clip_grad_norm=-1"], "train.clip_grad_norm: expected a number > 0 or null, got -1"),
        (["scheduler.schedulers.1.T_maxx=3"], "scheduler.schedulers.1.T_maxx: CosineAnnealingLR has no argument"),
        (["scheduler.milestones=[5, 9]"], "scheduler: Sequential Schedulers expects number of schedulers"),
    ],
)
def test_config_errors_are_one_line_naming_the_key(overrides: list[str], expected: str, tmp_path: Path) -> None:
    config = TINY_GPT.replace("TEXT", str(tmp_path / "t.txt"))
    assert error_of(config, tmp_path, *overrides).startswith(expected)


def test_a_missing_text_file_is_one_line_exit_2(gpt_config: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = runner.invoke(
        app(), ["train", str(gpt_config), "--out", str(tmp_path / "r"), "--set", f"data.path={missing}"]
    )
    assert result.exit_code == 2
    expected = "No such file or directory; expected a UTF-8 text file, a URL or tiny-shakespeare"
    assert result.stderr == f"Error: data.path: {missing}: {expected}\n"


def test_the_stored_config_is_resolved_and_absolute(gpt_run: Path, text_file: Path) -> None:
    stored = yaml.safe_load((gpt_run / "config.yaml").read_text())
    assert stored["data"]["path"] == str(text_file) and stored["data"]["val_fraction"] == 0.1
