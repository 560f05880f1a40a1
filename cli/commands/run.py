"""`vinsgrad run`: run a PyTorch script unchanged, with `import torch` resolving to vinsgrad for that run only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def run_command(
    script: Annotated[Path, typer.Argument(help="The PyTorch script to run.", show_default=False)],
    args: Annotated[
        list[str] | None, typer.Argument(help="Arguments passed to the script as sys.argv[1:].", show_default=False)
    ] = None,
) -> None:
    """Run a PyTorch script on vinsgrad, unchanged: [cyan]import torch[/cyan] gives vinsgrad inside it.

    torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data, torchvision.datasets and
    torchvision.transforms are vinsgrad's own modules under PyTorch's names, for this run only. The script sees
    sys.argv == [SCRIPT, *ARGS] and runs as __main__; every option after SCRIPT is the script's own (so
    [cyan]vinsgrad run train.py --help[/cyan] shows train.py's help). If it uses a PyTorch API vinsgrad does not
    have, the run stops with one line naming the API and the script's file:line (exit 1).

    [bold]Examples[/bold]

      [cyan]vinsgrad run train.py[/cyan]

      [cyan]vinsgrad run train.py --epochs 3[/cyan]
    """
    from vinsgrad.run import main

    code = main([str(script), *(args or [])])
    if code:
        raise typer.Exit(code=code)
