"""`vinsgrad download`: fetch and verify a dataset's files (MNIST, Fashion-MNIST, tiny-shakespeare) before
training, e.g. on a machine with network access, from a mirror, or from a local copy (``--from``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..options import mirror_url


def download_command(
    dataset: Annotated[str, typer.Argument(help="mnist, fashion-mnist or tiny-shakespeare.", show_default=False)],
    root: Annotated[Path | None, typer.Option("--root", help="Dataset folder (default: ./data, as data.root).")] = None,
    mirror: Annotated[
        list[str] | None,
        typer.Option("--mirror", help="Mirror tried before the official ones: a URL or a local folder; repeatable."),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from", help="Import the files from this local folder or .zip/.tar archive (tiny-shakespeare: a file)."
        ),
    ] = None,
) -> None:
    """Download a dataset and verify every file's SHA-256, so training can run offline.

    Mirrors are tried in order: --mirror ones, then $VINSGRAD_MIRROR, then the official ones.

    [bold]Examples[/bold]

      [cyan]vinsgrad download mnist[/cyan]

      [cyan]vinsgrad download fashion-mnist --root /data --mirror https://example.org/fashion/[/cyan]

      [cyan]vinsgrad download mnist --from ~/Downloads/mnist.zip[/cyan]

      [cyan]vinsgrad download tiny-shakespeare --from ~/Downloads/input.txt[/cyan]
    """
    from vinsgrad.utils.data.text import TinyShakespeare
    from vinsgrad.vision import datasets
    from vinsgrad.vision.datasets.mnist import DATASETS as DOWNLOADABLE

    from ..config import DATA_FIELDS, DATASETS, did_you_mean
    from ..data import dataset_errors

    downloadable = [*DOWNLOADABLE, TinyShakespeare.name]
    name = dataset.lower()
    if name == TinyShakespeare.name:
        with dataset_errors():
            file = TinyShakespeare.fetch(
                root if root is not None else DATA_FIELDS["root"].default,
                mirrors=None if mirror is None else [mirror_url(m) for m in mirror],
                from_file=from_dir,
                progress=sys.stderr.isatty(),
            )
        typer.echo(f"{name}: {file} verified ({TinyShakespeare.characters:,} characters)")
        return
    if name not in downloadable:
        if name == "text":
            raise UsageError(
                "text reads any file or URL named by data.path; `vinsgrad download tiny-shakespeare` "
                "fetches the default one"
            )
        if name in DATASETS:
            typer.echo(f"{name} is generated on the fly; there is nothing to download")
            return
        raise UsageError(f"unknown dataset '{dataset}'{did_you_mean(name, downloadable)}")
    with dataset_errors():
        folder = datasets.download(
            name,
            root if root is not None else DATA_FIELDS["root"].default,
            mirrors=None if mirror is None else [mirror_url(m) for m in mirror],
            from_dir=from_dir,
            progress=sys.stderr.isatty(),
        )
    files = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    typer.echo(f"{name}: {len(files)} files verified in {folder}")
