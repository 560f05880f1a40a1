"""`vinsgrad configs`: list, show and copy the shipped configs; a shipped name trains where no such file exists."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner
from vinsgrad_cli.main import app

runner = CliRunner()
SHIPPED = Path(__file__).resolve().parents[2] / "cli" / "configs"


def test_list_shows_every_shipped_config_with_one_line() -> None:
    result = runner.invoke(app, ["configs"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == sorted(p.stem for p in SHIPPED.glob("*.yaml"))
    assert next(line for line in lines if line.startswith("moons")).endswith(".")


def test_show_prints_the_file_and_copy_writes_it_once(tmp_path: Path) -> None:
    shown = runner.invoke(app, ["configs", "show", "moons"])
    assert shown.exit_code == 0 and shown.stdout == (SHIPPED / "moons.yaml").read_text()
    copied = runner.invoke(app, ["configs", "copy", "moons", str(tmp_path / "mine")])
    assert copied.exit_code == 0 and (tmp_path / "mine" / "moons.yaml").read_text() == shown.stdout
    again = runner.invoke(app, ["configs", "copy", "moons", str(tmp_path / "mine")])
    assert again.exit_code == 2 and "exists already" in again.stderr


def test_an_unknown_name_suggests_the_closest() -> None:
    result = runner.invoke(app, ["configs", "show", "mosn"])
    assert result.exit_code == 2 and "did you mean 'moons'?" in result.stderr
