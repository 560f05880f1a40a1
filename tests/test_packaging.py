"""The installed package list in pyproject.toml must cover every package folder in the tree."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapping = {v: k for k, v in config["package-dir"].items()}
    found = set()
    for init in [*ROOT.glob("vinsgrad/**/__init__.py"), *ROOT.glob("cli/**/__init__.py")]:
        parts = init.parent.relative_to(ROOT).parts
        found.add(".".join((mapping.get(parts[0], parts[0]), *parts[1:])))
    assert found == listed, f"pyproject.toml packages differ from the tree: {sorted(found ^ listed)}"


def test_library_does_not_import_cli_dependencies() -> None:
    for path in ROOT.glob("vinsgrad/**/*.py"):
        text = path.read_text()
        for name in ("typer", "yaml", "rich"):
            assert f"import {name}" not in text and f"from {name}" not in text, f"{path} imports {name}"
