"""`python -m vinsgrad_cli ...` runs the `vinsgrad` command."""

from __future__ import annotations

from .main import app

app(prog_name="vinsgrad")
