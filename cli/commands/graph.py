"""`vinsgrad graph`: the computational graph of a config's model and loss as a Graphviz file, and its parameters."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import CLIError
from ..options import ConfigArgument, OverridesOption

if TYPE_CHECKING:
    from rich.tree import Tree

    from vinsgrad import nn


def graph_command(
    config: ConfigArgument,
    overrides: OverridesOption = None,
    out: Annotated[Path, typer.Option("--out", help="Where to write the DOT file (an .svg is written beside it).")] = (
        Path("graph.dot")
    ),
) -> None:
    """Draw the graph autograd records for one batch: the model's ops, its parameters, the loss.

    Builds the config's model, runs a dummy batch through it and the loss, and writes the graph as Graphviz DOT.
    If Graphviz's `dot` program is installed, an SVG is rendered too. Parameter counts per layer are shown as a tree.
    A language model's head is sized by its text's vocabulary when the text is on this machine (a file, or
    downloaded before); otherwise 2 characters stand in, and it says so.

    [bold]Examples[/bold]

      [cyan]vinsgrad graph configs/mlp.yaml[/cyan]

      [cyan]vinsgrad graph configs/cnn.yaml --out cnn.dot[/cyan]
    """
    import vinsgrad
    from vinsgrad.utils.graph import to_dot

    from ..config import build_loss, build_model, dummy_batch, load_config, per_position

    resolved = load_config(config, overrides or [])
    vinsgrad.manual_seed(resolved["train"]["seed"])
    outputs = vocabulary_size(resolved)
    model = build_model(resolved, outputs).train()  # the graph training builds (dropout included)
    x, y = dummy_batch(resolved)
    loss = build_loss(resolved)(*per_position(model(x), y))
    dot = to_dot(loss, params=dict(model.named_parameters()))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(dot, encoding="utf-8")
    except OSError as error:
        raise CLIError(f"cannot write {out}: {error.strerror or error}") from None
    show_parameters(model, config.stem)
    ops = sum(1 for line in dot.splitlines() if "rounded,filled" in line)
    typer.echo(f"wrote {out} ({ops} ops for a batch of {len(y)}, input shape {tuple(x.shape[1:])})")
    typer.echo(render_svg(out))


def vocabulary_size(config: dict[str, Any]) -> int | None:
    """A text config's vocabulary size as training would build it, said in one line; None (the config's own class
    count) for other datasets, and for a text not on this machine yet (the stand-in is said too)."""
    from ..config import DATASETS, local_vocabulary, num_classes
    from ..data import dataset_errors

    data = config["data"]
    if not DATASETS[data["dataset"]].sequence:
        return None
    with dataset_errors():
        chars = local_vocabulary(config)
    if chars is None:
        typer.echo(
            f"vocabulary: {num_classes(config)} characters stand in, as {data['path']} is not on this machine yet; "
            f"{fetch_hint(data)} for the real head and parameter counts"
        )
        return None
    typer.echo(f"vocabulary: {len(chars)} characters, from the training part of {data['path']}")
    return len(chars)


def fetch_hint(data: dict[str, Any]) -> str:
    """How to get a text config's text onto this machine."""
    from ..config import DATA_FIELDS

    if data["path"] == "tiny-shakespeare":
        root = "" if data["root"] == DATA_FIELDS["root"].default else f" --root {data['root']}"
        return f"run `vinsgrad download tiny-shakespeare{root}`"
    if data["path"].startswith(("http://", "https://")):
        return f"train once (it downloads the text into {Path(data['root']) / 'text'})"
    return "point data.path at an existing file"


def render_svg(dot_file: Path) -> str:
    """Run Graphviz's ``dot`` to write ``<name>.svg`` beside ``dot_file``; say what happened, or how to do it."""
    import shutil
    import subprocess

    svg = dot_file.with_suffix(".svg")
    command = ["dot", "-Tsvg", str(dot_file), "-o", str(svg)]
    program = shutil.which("dot")
    if program is None:
        return (
            "Graphviz's `dot` is not installed, so no SVG was drawn; install Graphviz (e.g. `apt install graphviz` "
            f"or `brew install graphviz`) and run: {' '.join(command)}"
        )
    done = subprocess.run([program, *command[1:]], capture_output=True, text=True)
    if done.returncode != 0:
        raise CLIError(f"`{' '.join(command)}` failed: {done.stderr.strip() or f'exit code {done.returncode}'}")
    return f"wrote {svg}"


def count(module: nn.Module) -> int:
    return sum(p._data.size for p in module.parameters())


def describe(name: str, module: nn.Module) -> str:
    return f"{name + ': ' if name else ''}{type(module).__name__}({module.extra_repr()})  {count(module):,} params"


def show_parameters(model: nn.Module, title: str) -> None:
    """The model's layers as a tree, each with its parameter count and its own parameters' shapes."""
    from rich.tree import Tree

    from ..console import terminal_console

    console = terminal_console()
    if console is None:
        typer.echo(f"{title}: {type(model).__name__}  {count(model):,} parameters")
        for line in plain_lines(model, depth=1):
            typer.echo(line)
        return

    def add(tree: Tree, name: str, module: nn.Module) -> None:
        branch = tree.add(describe(name, module), highlight=False)
        for pname, p in module.named_parameters(recurse=False):
            branch.add(f"[dim]{pname} {tuple(p.shape)}  {p._data.size:,}[/dim]")
        for child_name, child in module.named_children():
            add(branch, child_name, child)

    root = Tree(f"[bold]{title}[/bold]: {type(model).__name__}  [bold]{count(model):,}[/bold] parameters")
    for name, child in model.named_children():
        add(root, name, child)
    console.print(root)


def plain_lines(module: nn.Module, depth: int) -> list[str]:
    lines = []
    for name, child in module.named_children():
        lines.append("  " * depth + describe(name, child))
        for pname, p in child.named_parameters(recurse=False):
            lines.append("  " * (depth + 1) + f"{pname} {tuple(p.shape)}  {p._data.size:,}")
        lines.extend(plain_lines(child, depth + 1))
    return lines
