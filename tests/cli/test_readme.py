"""The README stays true: its Python blocks run verbatim, and the error it shows is the one the CLI prints."""

from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from generated_digits import FILES, idx_bytes, make_digits
from typer.testing import CliRunner
from vinsgrad_cli.main import app

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.fixture
def larger_mnist_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """2,000 generated training digits: enough SGD steps (lr 0.01, batch 64, 5 epochs) to show real learning."""
    from vinsgrad.vision import datasets

    rng = np.random.default_rng(0)
    arrays = dict(zip(FILES, (*make_digits(2000, rng), *make_digits(200, rng))))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name, array in arrays.items():
        (mirror / f"{name}.gz").write_bytes(gzip.compress(idx_bytes(array), mtime=0))
    sha = tuple((f"{name}.gz", hashlib.sha256(idx_bytes(a)).hexdigest()) for name, a in arrays.items())
    monkeypatch.setattr(datasets.MNIST, "resources", sha)
    return mirror


def test_readme_python_blocks_run_verbatim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], larger_mnist_mirror: Path
) -> None:
    blocks = python_blocks()
    assert len(blocks) >= 2, "the README should hold the seed example and the custom Function example"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the seed example downloads into ./data
    monkeypatch.setenv("VINSGRAD_MIRROR", larger_mnist_mirror.as_uri() + "/")
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    out = capsys.readouterr().out
    assert re.findall(r"^epoch (\d): loss [\d.]+$", out, flags=re.M) == ["1", "2", "3", "4", "5"]
    accuracy = float(re.search(r"^test accuracy ([\d.]+)%$", out, flags=re.M).group(1))  # type: ignore[union-attr]
    assert accuracy > 80  # generated digits are easy: a model that learned nothing would sit near 10%
    assert (work / "data" / "MNIST" / "raw").is_dir()


def test_readme_error_example_is_what_the_cli_prints() -> None:
    text = README.read_text()
    command, error = re.search(r"\$ vinsgrad (train .*?)\n(Error: .*?)\n", text).groups()  # type: ignore[union-attr]
    result = CliRunner().invoke(app, command.split())
    assert result.exit_code == 2
    assert result.stderr.strip() == error


def test_readme_run_examples_print_what_it_shows(tmp_path: Path) -> None:
    """Each `$ cat SCRIPT` in the README is written out, run with `vinsgrad run`, and must print the lines shown."""
    text = README.read_text()
    examples = re.findall(r"\$ cat (\w+\.py)\n(.*?)\$ vinsgrad run \1\n(.*?)(?=\$ |```)", text, flags=re.S)
    assert [name for name, _, _ in examples] == ["fit_line.py", "uses_fft.py"]
    for name, script, shown in examples:
        (tmp_path / name).write_text(script, encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "vinsgrad_cli", "run", name], capture_output=True, text=True, cwd=tmp_path
        )
        assert proc.stdout + proc.stderr == shown
        assert proc.returncode == (1 if shown.startswith("Error:") else 0)
