"""Command-line parameters several commands share, defined once so they are spelled and explained alike.

Each is an ``Annotated`` type for a command's signature (``checkpoint: CheckpointArgument``); a command module
imports it at the top, so this module imports nothing but typer.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Split(StrEnum):
    """Which split of a checkpoint's dataset a command reads."""

    test = "test"
    train = "train"


ConfigArgument = Annotated[Path, typer.Argument(help="The YAML config, e.g. configs/mlp.yaml.", show_default=False)]
OverridesOption = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="KEY=VALUE", help="Override a config key (VALUE is YAML); repeatable."),
]
CheckpointArgument = Annotated[Path, typer.Argument(help="A checkpoint written by `vinsgrad train` (.npz).")]
CheckpointRootOption = Annotated[
    Path | None, typer.Option("--root", help="Dataset folder (default: data.root from the checkpoint's config).")
]
