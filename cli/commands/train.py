"""The `vinsgrad train` command (its signature only needs typer; the work is in run.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..options import OverridesOption, ThreadsOption


def train(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="The YAML config (configs/mlp.yaml), or a shipped config's name (mlp; see `vinsgrad configs`). "
            "Optional with --resume: the checkpoint holds its config.",
            show_default=False,
        ),
    ] = None,
    overrides: OverridesOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Run folder (default: train.out, else the first free runs/<config name>[-N])."),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Replace the run in --out (its files go once the new run has a checkpoint)."),
    ] = False,
    resume: Annotated[
        Path | None,
        typer.Option("--resume", help="Continue a run exactly from its checkpoint (only train.epochs may change)."),
    ] = None,
    init_from: Annotated[
        Path | None,
        typer.Option("--init-from", help="Start a new run from a checkpoint's weights (fresh optimizer state)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Plain one-line-per-epoch output.")] = False,
    check_determinism: Annotated[
        bool,
        typer.Option(
            "--check-determinism",
            help="First run the first --determinism-steps steps twice from the seed; stop if the parameters differ.",
        ),
    ] = False,
    determinism_steps: Annotated[
        int, typer.Option("--determinism-steps", min=1, help="How many steps --check-determinism compares.")
    ] = 10,
    threads: ThreadsOption = None,
) -> None:
    """Train a model described by a YAML config, writing a run folder (config, metrics, checkpoints).

    The config is validated (and the model shape-checked) before any data is loaded.
    Ctrl-C or SIGTERM saves last.npz and prints the command that resumes the run exactly.

    [bold]Examples[/bold]

      [cyan]vinsgrad train configs/mlp.yaml[/cyan]

      [cyan]vinsgrad train configs/cnn.yaml --set optimizer.lr=0.0005 --set train.epochs=2[/cyan]

      [cyan]vinsgrad train mlp[/cyan]

      [cyan]vinsgrad train --resume runs/mlp/last.npz --set train.epochs=8[/cyan]

      [cyan]vinsgrad train configs/mlp_adam.yaml --init-from runs/mlp/best.npz --out runs/finetune[/cyan]

      [cyan]vinsgrad train configs/moons.yaml --check-determinism --determinism-steps 20[/cyan]

      [cyan]vinsgrad train configs/cnn.yaml --threads 2[/cyan]
    """
    from ..run import train as run
    from ..threads import parse_threads

    if parse_threads(threads) is not None:  # the same as --set train.threads=N, checked with the config
        overrides = [*(overrides or []), f"train.threads={threads}"]

    check_steps = determinism_steps if check_determinism else 0
    run(
        config,
        overrides=overrides or [],
        out=out,
        resume=resume,
        init_from=init_from,
        overwrite=overwrite,
        quiet=quiet,
        check_steps=check_steps,
    )
