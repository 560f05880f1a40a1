"""`vinsgrad predict`: one image drawn in the terminal and the model's class probabilities as bars."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import UsageError, one_line
from ..options import CheckpointArgument, CheckpointRootOption, Split

if TYPE_CHECKING:
    import numpy as np

IMAGE_SUFFIXES = (".npy", ".idx", ".gz", "-ubyte")


def predict_command(
    checkpoint: CheckpointArgument,
    index: Annotated[
        int | None, typer.Option("--index", "-i", min=0, help="Which sample of the split (or of --file) to show.")
    ] = None,
    split: Annotated[Split, typer.Option("--split", help="The dataset split --index refers to.")] = Split.test,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="An image to classify instead: .npy (HxW, or NxHxW with --index) or IDX (.gz ok)."),
    ] = None,
    root: CheckpointRootOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the picture.")] = False,
) -> None:
    """Classify one image: draw it in the terminal and show the probability of every class.

    The image is a sample of the checkpoint's dataset (--index, --split) or a file (--file: uint8, or floats in
    [0, 1]), and goes through the same transform as in training.

    [bold]Examples[/bold]

      [cyan]vinsgrad predict runs/mlp/best.npz --index 0[/cyan]

      [cyan]vinsgrad predict runs/mlp/best.npz --index 42 --split train[/cyan]

      [cyan]vinsgrad predict runs/mlp/best.npz --file digit.npy[/cyan]
    """
    import json

    import numpy as np

    from ..checkpoint import class_names, load_checkpoint, restore_model
    from ..rendering import show_prediction

    if file is None and index is None:
        raise UsageError("say which image: --index I (a sample of the --split) or --file image.npy")
    ckpt = load_checkpoint(checkpoint)
    if ckpt.config["data"]["dataset"] == "text":
        raise UsageError(f"{checkpoint} is a language model; generate text with: vinsgrad sample {checkpoint}")
    model = restore_model(ckpt, checkpoint)
    if file is not None:
        raw, label, where = read_image_file(file, index or 0, ckpt.config), None, str(file)
    else:
        raw, label = dataset_sample(ckpt.config, split.value, index or 0, root)
        where = f"{split.value} sample {index}"
    probs = probabilities(model, ckpt.config, raw[None])[0]
    classes = class_names(ckpt.meta, len(probs))
    predicted = int(np.argmax(probs))
    if as_json:
        result = {"input": where, "label": label, "predicted": predicted, "probabilities": probs.tolist()}
        typer.echo(json.dumps({**result, "classes": classes}))
        return
    show_prediction(raw, where, label, predicted, probs, classes)


# **** samples and probabilities ****


def dataset_sample(config: dict[str, Any], split: str, index: int, root: Path | None) -> tuple[np.ndarray, int]:
    """The raw (untransformed) sample ``index`` of ``split`` and its label."""
    from ..data import load_split, raw_sample

    dataset = load_split(config, split, root)
    if index >= len(dataset):
        raise UsageError(f"--index {index}: the {split} split has {len(dataset)} samples (0..{len(dataset) - 1})")
    return raw_sample(dataset, index), int(dataset[index][1])


def read_image_file(path: Path, index: int, config: dict[str, Any]) -> np.ndarray:
    """Image ``index`` of a .npy or IDX file, as the dataset stores its samples (uint8 for MNIST-like data)."""
    import numpy as np

    from vinsgrad.vision.datasets import DatasetError
    from vinsgrad.vision.datasets.idx import read_idx

    from ..config import DATASETS, sample_shape

    spec = DATASETS[config["data"]["dataset"]]
    shape = sample_shape(config)
    if path.is_dir():
        raise UsageError(f"--file {path}: is a folder, expected a .npy or IDX image file")
    try:
        array = np.load(path, allow_pickle=False) if path.suffix == ".npy" else read_idx(path)
    except FileNotFoundError:
        raise UsageError(f"--file {path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"--file {path}: is a folder, expected a .npy or IDX image file") from None
    except ValueError as error:
        if "allow_pickle" in str(error):  # NumPy's advice to unpickle; vinsgrad never loads pickled data
            raise UsageError(
                f"--file {path}: not a .npy or IDX image file (no NumPy header, or pickled objects)"
            ) from None
        raise UsageError(f"--file {path}: not a .npy or IDX image file ({one_line(str(error))})") from None
    except (OSError, DatasetError) as error:
        raise UsageError(f"--file {path}: not a .npy or IDX image file ({one_line(str(error))})") from None
    if array.shape == shape:
        image = array
    elif array.shape[1:] == shape:
        if index >= len(array):
            raise UsageError(f"--index {index}: {path} holds {len(array)} images (0..{len(array) - 1})")
        image = array[index]
    else:
        raise UsageError(
            f"--file {path}: expected an image of shape {shape} (or a stack of them) like the "
            f"model's training data, got shape {array.shape}"
        )
    if spec.sample_dtype == "uint8" and image.dtype != np.uint8:  # floats in [0, 1] as the pixels they stand for
        scale = 255 if np.nanmax(image) <= 1 else 1
        image = np.clip(np.rint(np.nan_to_num(image.astype(np.float64)) * scale), 0, 255).astype(np.uint8)
    return image.astype(spec.sample_dtype, copy=False)


def probabilities(model: Any, config: dict[str, Any], raw_batch: np.ndarray) -> np.ndarray:
    """Softmax of the model's outputs for a batch of raw samples, through the config's transform."""
    import numpy as np

    import vinsgrad
    from vinsgrad.vision.transforms import apply_batch

    from ..config import build_transform

    transform = build_transform(config["data"].get("transform", []))
    x = apply_batch(transform, raw_batch) if transform is not None else raw_batch
    x = x if isinstance(x, vinsgrad.Tensor) else vinsgrad.tensor(np.asarray(x))
    with vinsgrad.no_grad():
        return model.eval()(x).softmax(-1)._data
