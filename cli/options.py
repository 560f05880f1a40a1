"""Command-line parameters several commands share, defined once so they are spelled and explained alike.

Each is an ``Annotated`` type for a command's signature (``checkpoint: CheckpointArgument``); a command module
imports it at the top, so this module imports nothing but typer.
"""

from __future__ import annotations

from collections.abc import MutableMapping
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
ThreadsOption = Annotated[
    str | None,
    typer.Option(
        "--threads",
        metavar="N|auto",
        help="NumPy's BLAS threads: a number, or auto (1 for small models, else the idle cores; vinsgrad/threads.py).",
    ),
]

MIRROR_ENV = "VINSGRAD_MIRROR"  # read by vinsgrad.vision.datasets.fetch


def mirror_url(entry: str) -> str:
    """A mirror as the library takes it: a URL as given, a plain folder path as its ``file://`` URL."""
    if "://" in entry:
        return entry
    return Path(entry).expanduser().absolute().as_uri() + "/"


def mirror_env_as_urls(environ: MutableMapping[str, str]) -> None:
    """Let ``$VINSGRAD_MIRROR`` name plain folders too (``/data/mnist``), by rewriting them as ``file://`` URLs
    before the library reads it (it takes URLs only)."""
    value = environ.get(MIRROR_ENV)
    if value:
        environ[MIRROR_ENV] = " ".join(mirror_url(m) for m in value.replace(",", " ").split())
