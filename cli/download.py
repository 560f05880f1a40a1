"""`vinsgrad download`: fetch and verify a dataset's files (MNIST, Fashion-MNIST) before training, e.g. on a
machine with network access, from a mirror, or from a local copy (``--from``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer


def download_command(
    dataset: Annotated[str, typer.Argument(help="mnist or fashion-mnist.", show_default=False)],
    root: Annotated[Path | None, typer.Option("--root", help="Dataset folder (default: ./data, as data.root).")] = None,
    mirror: Annotated[
        list[str] | None,
        typer.Option("--mirror", help="Mirror URL tried before the official ones (http(s):// or file://); repeatable."),
    ] = None,
    from_dir: Annotated[
        Path | None, typer.Option("--from", help="Import the files from this local folder or .zip/.tar archive.")
    ] = None,
) -> None:
    """Download a dataset and verify every file's SHA-256, so training can run offline.

    Mirrors are tried in order: --mirror ones, then $VINSGRAD_MIRROR, then the official ones.

    [bold]Examples[/bold]

      [cyan]vinsgrad download mnist[/cyan]

      [cyan]vinsgrad download fashion-mnist --root /data --mirror https://example.org/fashion/[/cyan]

      [cyan]vinsgrad download mnist --from ~/Downloads/mnist.zip[/cyan]
    """
    from vinsgrad.vision import datasets
    from vinsgrad.vision.datasets.mnist import DATASETS as DOWNLOADABLE

    from .config import DATA_FIELDS, DATASETS, did_you_mean
    from .errors import UsageError

    downloadable = list(DOWNLOADABLE)
    name = dataset.lower()
    if name not in downloadable:
        if name in DATASETS:
            typer.echo(f"{name} is generated on the fly; there is nothing to download")
            return
        raise UsageError(f"unknown dataset '{dataset}'{did_you_mean(name, downloadable)}")
    with dataset_errors():
        folder = datasets.download(
            name,
            root if root is not None else DATA_FIELDS["root"].default,
            mirrors=mirror,
            from_dir=from_dir,
            progress=sys.stderr.isatty(),
        )
    files = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    typer.echo(f"{name}: {len(files)} files verified in {folder}")


# Said after a failed download, so a machine without network still gets a first success.
OFFLINE_HINT = "No network? The offline demo needs no download: vinsgrad train configs/moons.yaml"


@contextmanager
def dataset_errors() -> Iterator[None]:
    """Getting data failed: no mirror delivered (exit 1, a runtime failure; the offline demo is suggested), or a
    file or option is bad (exit 2). Either way one line, which names every mirror tried."""
    from vinsgrad.vision.datasets import DatasetError, DownloadError

    from .errors import CLIError, UsageError, one_line

    try:
        yield
    except DownloadError as e:
        raise CLIError(f"{one_line(str(e))} {OFFLINE_HINT}", exit_code=1) from None
    except (DatasetError, ValueError) as e:
        raise UsageError(one_line(str(e))) from None


def load_split(config: dict[str, Any], split: str, root: Path | None) -> Any:
    """The ``split`` ('train' or 'test') of the dataset a checkpoint's ``config`` names, read from ``root`` (default:
    its ``data.root``) and fetched first if missing (with a progress bar when stderr is a terminal)."""
    from .config import build_data

    with dataset_errors():
        train, _, test = build_data(config, root=root, progress=sys.stderr.isatty())
    return test if split == "test" else train
