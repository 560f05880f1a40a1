"""`vinsgrad configs`: the configs that ship with vinsgrad (package data), listed, shown, or copied out for editing.

A shipped config's name also works wherever a config path does, when no such file exists: `vinsgrad train mlp`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import CLIError, UsageError

ACTIONS = ("list", "show", "copy")


def configs_command(
    action: Annotated[str, typer.Argument(help="list (the default), show NAME, or copy NAME [DIR].")] = "list",
    name: Annotated[str | None, typer.Argument(help="A shipped config's name, e.g. mlp.", show_default=False)] = None,
    folder: Annotated[Path, typer.Argument(help="Where copy writes NAME.yaml.")] = Path("."),
) -> None:
    """List the shipped configs, print one, or copy one out to edit.

    [bold]Examples[/bold]

      [cyan]vinsgrad configs[/cyan]

      [cyan]vinsgrad configs show moons[/cyan]

      [cyan]vinsgrad configs copy mlp my-configs/[/cyan]   then [cyan]vinsgrad train my-configs/mlp.yaml[/cyan]
    """
    from ..config import did_you_mean, shipped_configs

    shipped = shipped_configs()
    if action not in ACTIONS:
        raise UsageError(f"unknown action '{action}'{did_you_mean(action, ACTIONS)}")
    if action == "list":
        width = max(len(n) for n in shipped)
        for config, path in shipped.items():
            typer.echo(f"{config:<{width}}  {summary(path.read_text(encoding='utf-8'))}")
        return
    if name is None:
        raise UsageError(f"configs {action}: say which config, e.g. `vinsgrad configs {action} mlp`")
    if name not in shipped:
        raise UsageError(f"configs {action}: no shipped config '{name}'{did_you_mean(name, list(shipped))}")
    text = shipped[name].read_text(encoding="utf-8")
    if action == "show":
        typer.echo(text, nl=False)
        return
    target = folder / f"{name}.yaml"
    if target.exists():
        raise UsageError(f"configs copy: {target} exists already; remove it or copy to another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except (FileExistsError, NotADirectoryError):
        raise UsageError(f"configs copy: {folder} is not a folder") from None
    except OSError as error:
        raise CLIError(f"configs copy: cannot write {target}: {error.strerror or error}") from None
    typer.echo(f"wrote {target}; train it with: vinsgrad train {target}")


def summary(text: str) -> str:
    """A config's first comment sentence (its opening comment says what it trains and how well)."""
    lines = text.splitlines()
    comment = " ".join(
        line.lstrip("# ").strip()
        for line in lines[: next((i for i, x in enumerate(lines) if not x.startswith("#")), len(lines))]
    )
    sentence, dot, _ = comment.partition(". ")
    return sentence + ("." if dot else "")
