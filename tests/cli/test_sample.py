"""`vinsgrad sample`: streams text from a language model checkpoint, reproducibly with --seed; a prompt outside the
vocabulary, or a checkpoint that is no language model, is a one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_text import app, gpt_config, gpt_run, text_file  # noqa: F401 (fixtures)
from typer.testing import CliRunner

from vinsgrad.utils.data.text import build_vocab

runner = CliRunner()


def sample(run: Path, *args: str) -> object:
    return runner.invoke(app(), ["sample", str(run / "last.npz"), *args])


def test_the_same_seed_gives_the_same_text(gpt_run: Path) -> None:  # noqa: F811
    a, b, c = (sample(gpt_run, "--prompt", "the ", "--tokens", "60", "--seed", s) for s in ("1", "1", "2"))
    assert a.exit_code == 0, a.output  # type: ignore[attr-defined]
    assert a.stdout == b.stdout != c.stdout  # type: ignore[attr-defined]
    out = a.stdout  # type: ignore[attr-defined]
    assert out.startswith("the ") and len(out) == len("the ") + 60 + 1  # the prompt, 60 characters, a newline


def test_generated_characters_come_from_the_vocabulary(gpt_run: Path, text_file: Path) -> None:  # noqa: F811
    result = sample(gpt_run, "--tokens", "200", "--seed", "0", "--temperature", "1.5", "--top-k", "5")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert set(result.stdout) <= set(build_vocab(text_file.read_text()))  # type: ignore[attr-defined]


def test_greedy_sampling_needs_no_seed(gpt_run: Path) -> None:  # noqa: F811
    a, b = (sample(gpt_run, "--prompt", "ROMEO:", "--tokens", "30", "--temperature", "0") for _ in range(2))
    assert a.exit_code == 0 and a.stdout == b.stdout  # type: ignore[attr-defined]


def test_unknown_prompt_characters_are_named_in_one_line(gpt_run: Path) -> None:  # noqa: F811
    result = sample(gpt_run, "--prompt", "Thé quiz")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        "Error: --prompt: 'T', 'i', 'q', 'u', 'z', 'é' are not in the model's vocabulary of 20 characters; use only "
        "characters of its training text\n"
    )


def test_a_classifier_checkpoint_is_refused(tmp_path: Path) -> None:
    moons = Path(__file__).parents[2] / "configs" / "moons.yaml"
    trained = runner.invoke(app(), ["train", str(moons), "--out", str(tmp_path / "m"), "-q", "--set", "train.epochs=1"])
    assert trained.exit_code == 0, trained.output
    result = runner.invoke(app(), ["sample", str(tmp_path / "m" / "last.npz")])
    assert result.exit_code == 2
    assert "not a language model (trained on 'moons')" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"), [(["--tokens", "0"], "--tokens"), (["--temperature", "-1"], "--temperature")]
)
def test_bad_options_are_usage_errors(gpt_run: Path, args: list[str], message: str) -> None:  # noqa: F811
    result = sample(gpt_run, *args)
    assert result.exit_code == 2 and message in result.output  # type: ignore[attr-defined]


def test_on_a_terminal_the_prompt_is_styled_and_the_rest_is_not(gpt_run: Path) -> None:  # noqa: F811
    plain = sample(gpt_run, "--prompt", "the ", "--tokens", "20", "--seed", "4")
    styled = runner.invoke(
        app(), ["sample", str(gpt_run / "last.npz"), "--prompt", "the ", "--tokens", "20", "--seed", "4"],
        env={"FORCE_COLOR": "1", "TERM": "xterm-256color"},
    )  # fmt: skip
    assert styled.exit_code == 0, styled.output
    assert styled.stdout.startswith("\x1b[1;36mthe \x1b[0m")
    assert styled.stdout.removeprefix("\x1b[1;36mthe \x1b[0m") == plain.stdout.removeprefix("the ")  # type: ignore[attr-defined]
