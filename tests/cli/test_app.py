"""The app itself: help, version, start-up cost, and how errors become one stderr line and an exit code."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner
from vinsgrad_cli.errors import CLIError, UsageError
from vinsgrad_cli.main import app, exit_code_for, guarded

import vinsgrad

runner = CliRunner()
VENV_BIN = Path(sys.executable).parent
CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"vinsgrad {vinsgrad.__version__}"


def test_help_lists_commands_and_train_help_has_examples() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "train" in result.output and "--version" in result.output
    result = runner.invoke(app, ["train", "--help"])
    assert result.exit_code == 0
    for text in ("Examples", "vinsgrad train configs/mlp.yaml", "--set", "--resume", "--out", "--quiet"):
        assert text in result.output


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output and "train" in result.output


def test_unknown_option_is_a_usage_error() -> None:
    result = runner.invoke(app, ["train", "x.yaml", "--bogus"])
    assert result.exit_code == 2


def test_config_error_is_one_stderr_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "model: {layers: [{type: Linear, in_features: 2, out_features: 2}]}\noptimizer: {type: SGD}\n"
        "data: {dataset: moons}\n"
    )
    result = runner.invoke(app, ["train", str(path), "--set", "optimizer.lr=-0.1"])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: optimizer.lr: Invalid learning rate: -0.1 (expected lr >= 0)\n"
    assert result.stdout == ""


def test_missing_config_file_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "missing.yaml: no such file" in result.stderr


def test_bad_set_syntax_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("model: {layers: [{type: ReLU}]}\n")
    result = runner.invoke(app, ["train", str(path), "--set", "optimizer.lr"])
    assert result.exit_code == 2 and "--set expects KEY=VALUE" in result.stderr


@pytest.mark.parametrize(
    ("error", "code"),
    [(CLIError("boom"), 1), (UsageError("bad"), 2), (CLIError("x", exit_code=3), 3), (KeyboardInterrupt(), 130),
     (RuntimeError("library failure"), 1)],
)  # fmt: skip
def test_guarded_maps_exceptions_to_exit_codes(error: BaseException, code: int) -> None:
    def command() -> None:
        raise error

    assert exit_code_for(error) == code
    with pytest.raises(typer.Exit) as info:
        guarded(command)()
    assert info.value.exit_code == code


def test_dataset_errors_are_bad_input() -> None:
    from vinsgrad.vision.datasets import DatasetError, DownloadError

    assert exit_code_for(DatasetError("x: truncated")) == 2
    assert exit_code_for(DownloadError("every mirror failed")) == 1


def test_unexpected_errors_are_their_message_without_a_class_name(capsys: pytest.CaptureFixture[str]) -> None:
    def command() -> None:
        raise RuntimeError("shapes (2, 3) and (4, 5) do not match")

    with pytest.raises(typer.Exit):
        guarded(command)()
    assert capsys.readouterr().err == "Error: shapes (2, 3) and (4, 5) do not match\n"


@pytest.mark.parametrize(
    ("error", "line", "code"),
    [
        (NotADirectoryError(20, "Not a directory", "data/x"), "Error: data/x: Not a directory\n", 2),
        (OSError(30, "Read-only file system", "runs/x"), "Error: runs/x: Read-only file system\n", 1),
    ],
)
def test_os_errors_name_the_file_and_reason_with_exit_2_for_bad_paths(
    capsys: pytest.CaptureFixture[str], error: OSError, line: str, code: int
) -> None:
    def command() -> None:
        raise error

    with pytest.raises(typer.Exit) as exit_info:
        guarded(command)()
    assert capsys.readouterr().err == line and exit_info.value.exit_code == code


def test_a_multi_line_library_error_is_printed_as_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def command() -> None:
        raise RuntimeError(
            'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias"\n\t'
            "size mismatch for 0.weight: copying a param with shape (3, 2) from checkpoint\n"
        )

    with pytest.raises(typer.Exit):
        guarded(command)()
    assert capsys.readouterr().err == (
        'Error: Error(s) in loading state_dict for Sequential: Missing key(s) in state_dict: "0.bias"; '
        "size mismatch for 0.weight: copying a param with shape (3, 2) from checkpoint\n"
    )


def test_a_warning_is_one_stderr_line_without_python_s_file_and_source_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def command() -> str:
        warnings.warn("target size (2,) differs from input size (2, 3)\nthey will be broadcast", stacklevel=1)
        return "done"

    assert guarded(command)() == "done"
    assert capsys.readouterr().err == (
        "Warning: target size (2,) differs from input size (2, 3); they will be broadcast\n"
    )


def test_a_closed_stdout_ends_the_command_quietly_with_141(capsys: pytest.CaptureFixture[str]) -> None:
    def command() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(typer.Exit) as info:
        guarded(command)()
    assert info.value.exit_code == 141 and capsys.readouterr().err == ""


# **** the installed command, in a real process ****


def test_console_script_runs(tmp_path: Path) -> None:
    # Start-up time is measured by `make bench` (startup), never asserted here: timings flake on a busy machine.
    script = VENV_BIN / "vinsgrad"
    if not script.exists():
        pytest.skip("the vinsgrad console script is not installed next to this Python")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "train" in result.stdout
    result = subprocess.run([script, "train", str(tmp_path / "none.yaml")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and result.stderr.startswith("Error: ") and "no such file" in result.stderr


def test_help_imports_no_heavy_modules() -> None:
    heavy = "('numpy', 'rich', 'yaml', 'vinsgrad')"
    code = f"import sys, vinsgrad_cli.main; print(sorted(m for m in {heavy} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["selftest", "--op", "matmul"],
        ["train", str(CONFIGS / "moons.yaml"), "--set", "train.epochs=2", "--quiet"],
    ],
    ids=["version", "selftest", "train"],
)
def test_a_reader_that_goes_away_ends_the_process_quietly_with_141(args: list[str], tmp_path: Path) -> None:
    # Like `vinsgrad selftest | head -0`: the pipe's only reader closes it before the first line is written, so the
    # first write fails with EPIPE every time (a reader that takes a few lines first may or may not see it).
    process = subprocess.Popen(
        [sys.executable, "-m", "vinsgrad_cli", *args, *(["--out", str(tmp_path / "run")] if "train" in args else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141, stderr
    assert stderr == ""
