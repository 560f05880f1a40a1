"""Getting a checkpoint's data: a split of its dataset, one raw sample, and dataset errors as one CLI line."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from vinsgrad.vision.datasets import DatasetError, DownloadError

from .config import build_data
from .errors import CLIError, UsageError, one_line

# Said after a failed download, so a machine without network still gets a first success.
OFFLINE_HINT = "No network? The offline demo needs no download: vinsgrad train moons"


@contextmanager
def dataset_errors() -> Iterator[None]:
    """Getting data failed: no mirror delivered (exit 1, a runtime failure; the offline demo is suggested), or a
    file or option is bad (exit 2). Either way one line, which names every mirror tried."""
    try:
        yield
    except DownloadError as e:
        message = cli_advice(one_line(str(e)))
        damaged = DAMAGED.search(message)
        folder, file = (Path(damaged["folder"]), damaged["file"]) if damaged else (None, "")
        name = "DATASET" if folder is None else CLI_NAMES.get(folder.parent.name, CLI_NAMES.get(folder.name, "DATASET"))
        if folder is not None and (folder / file).exists():  # there, yet it failed verification
            local = folder / file
            raise UsageError(
                f"{local} is damaged (truncated, or not the expected file) and no mirror could replace it: delete "
                f"it, or run `vinsgrad download {name} --from <folder or archive>`"
            ) from None
        if name == "tiny-shakespeare":  # one file, and any text will do
            message = message.replace("DATASET --from <folder or archive with the files>", f"{name} --from <file>")
            message += " Or train on any text file: --set data.path=FILE."
        raise CLIError(f"{message.replace('DATASET', name)} {OFFLINE_HINT}", exit_code=1) from None
    except (DatasetError, ValueError) as e:
        raise UsageError(cli_advice(one_line(str(e)))) from None


# A dataset's folder (root/MNIST/raw, root/tiny-shakespeare) -> its `download` name.
CLI_NAMES = {"MNIST": "mnist", "FashionMNIST": "fashion-mnist", "tiny-shakespeare": "tiny-shakespeare"}
# The library's message when a file could not be fetched (fetch.py); the CLI checks whether a local copy was there.
DAMAGED = re.compile(r"could not download (?P<file>[^ ]+) into (?P<folder>.+?); every mirror failed")


def cli_advice(message: str) -> str:
    """The library's advice in CLI words: its ``from_dir=`` argument is the ``--from`` option here."""
    message = re.sub(
        r"pass from_dir=<([^>]*)> \(CLI: --from\)", r"run `vinsgrad download DATASET --from <\1>`", message
    )
    return message.replace("from_dir=", "--from")


def load_split(config: dict[str, Any], split: str, root: Path | None) -> Any:  # a sized Dataset
    """The ``split`` ('train' or 'test') of the dataset a checkpoint's ``config`` names, read from ``root`` (default:
    its ``data.root``) and fetched first if missing (with a progress bar when stderr is a terminal)."""
    with dataset_errors():
        train, _, test = build_data(config, root=root, progress=sys.stderr.isatty())
    return test if split == "test" else train


def raw_sample(dataset: Any, index: int) -> np.ndarray:
    """Sample ``index`` before any transform: the stored image of MNIST-like datasets, else the input itself."""
    while hasattr(dataset, "indices") and hasattr(dataset, "dataset"):  # Subset (random_split): map the index
        index, dataset = int(dataset.indices[index]), dataset.dataset
    data = getattr(dataset, "data", None)
    if data is not None:
        return np.asarray(getattr(data, "data", data)[index])
    x = dataset[index][0]
    return np.asarray(getattr(x, "data", x))
