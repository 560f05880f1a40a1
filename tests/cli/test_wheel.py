"""`vinsgrad` works after `pip install`: the wheel, installed into a fresh virtual environment outside the checkout,
lists its shipped configs and trains one by name, offline, from an unrelated folder.

The new environment gets the wheel alone (``--no-index --no-deps``); its dependencies (numpy, typer, PyYAML, rich)
are borrowed from this interpreter's site-packages through a ``.pth`` line, so nothing is downloaded but the build
backend pip needs to build the wheel (setuptools, from pip's cache or PyPI).
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(map(str, command)), capture_output=True, text=True, cwd=cwd, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_wheel_installed_in_a_fresh_venv_lists_and_trains_shipped_configs(tmp_path: Path) -> None:
    wheels, venv, elsewhere = tmp_path / "wheels", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, ROOT, cwd=tmp_path)
    (wheel,) = wheels.glob("vinsgrad-*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-index", "--no-deps", wheel, cwd=tmp_path
    )
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).stdout.strip()
    )
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = run(python, "-c", "import vinsgrad_cli; print(vinsgrad_cli.__file__)", cwd=elsewhere).stdout
    assert where.startswith(str(site)), where  # the installed copy, not the checkout
    listed = run(venv / "bin" / "vinsgrad", "configs", cwd=elsewhere).stdout
    assert {line.split()[0] for line in listed.splitlines()} >= {"mlp", "moons", "cnn"}
    trained = run(venv / "bin" / "vinsgrad", "train", "moons", "--set", "train.epochs=1", "--quiet", cwd=elsewhere)
    assert "test: loss" in trained.stdout
    assert (elsewhere / "runs" / "moons" / "last.npz").is_file()
