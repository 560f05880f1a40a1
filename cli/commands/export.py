"""`vinsgrad export`: a checkpoint's model for the world outside vinsgrad.

``--format safetensors`` writes the weights under PyTorch's state_dict names (PyTorch, JAX and Hugging Face read
them), with the config, class names and any vocabulary in the file's metadata. ``--format onnx`` traces the model
into an ONNX file, then runs that file in ONNX Runtime on a fresh batch and compares it with vinsgrad's output.
Both need the optional extra ``vinsgrad[export]``.
"""

from __future__ import annotations

import importlib.util
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import CLIError, UsageError, one_line
from ..options import CheckpointArgument

if TYPE_CHECKING:
    import numpy as np

    from vinsgrad import nn

TOLERANCE = 1e-4  # the largest difference from vinsgrad's output an exported ONNX file may show
SAMPLE_BATCH = 5  # a batch size other than the traced one, so the check exercises the dynamic batch dimension
RUN_STATE = ("rng_state", "partial", "metrics", "format_version")  # metadata of the run, not of the model


class ExportFormat(StrEnum):
    """The formats `vinsgrad export` writes."""

    safetensors = "safetensors"
    onnx = "onnx"


NEEDS = {ExportFormat.safetensors: ("safetensors",), ExportFormat.onnx: ("onnx", "onnxruntime")}


def export_command(
    checkpoint: CheckpointArgument,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="What to write.", show_default=False)],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The file to write (default: the checkpoint's name, new suffix).")
    ] = None,
    opset: Annotated[int, typer.Option("--opset", min=17, max=21, help="The ONNX opset (--format onnx).")] = 17,
) -> None:
    """Export a checkpoint's model: its weights as safetensors, or the whole model as ONNX.

    The safetensors file loads in PyTorch with [cyan]model.load_state_dict(safetensors.torch.load_file(FILE))[/cyan]
    for the same architecture, and back into vinsgrad with [cyan]vinsgrad.load(FILE)[/cyan] or
    [cyan]vinsgrad train CONFIG --init-from FILE[/cyan]. The ONNX file takes a batch of any size; it is checked in
    ONNX Runtime against vinsgrad on a fresh batch (largest difference at most 1e-4).

    [bold]Examples[/bold]

      [cyan]vinsgrad export runs/cnn/best.npz --format safetensors[/cyan]

      [cyan]vinsgrad export runs/cnn/best.npz --format onnx --out cnn.onnx[/cyan]
    """
    missing = [name for name in NEEDS[format] if importlib.util.find_spec(name) is None]
    if missing:
        raise CLIError(
            f"--format {format.value} needs {' and '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: "
            "pip install 'vinsgrad[export]'"
        )
    from ..checkpoint import load_checkpoint, restore_model

    ckpt = load_checkpoint(checkpoint)
    model = restore_model(ckpt, checkpoint)
    target = out if out is not None else checkpoint.with_suffix(f".{format.value}")
    if target.resolve() == checkpoint.resolve():
        raise UsageError(f"--out {target} is the checkpoint itself; name another file")
    if format is ExportFormat.safetensors:
        write_safetensors(model, ckpt.meta, target)
    else:
        write_onnx(model, ckpt.config, target, opset)


def write_safetensors(model: nn.Module, meta: dict[str, Any], target: Path) -> None:
    """The state_dict under its (PyTorch) names; the model's metadata as JSON strings beside it."""
    from vinsgrad.safetensors import save_file

    state = model.state_dict()
    metadata = {"format": "pt"}  # what Hugging Face's loaders look for in a PyTorch-layout file
    metadata.update({key: json.dumps(value) for key, value in meta.items() if key not in RUN_STATE})
    _make_parent(target)
    save_file(state, target, metadata=metadata)
    count = sum(v._data.size for v in state.values())
    typer.echo(f"wrote {target} ({len(state)} tensors, {count:,} values, {_size(target)})")
    typer.echo(f"in PyTorch: model.load_state_dict(safetensors.torch.load_file({str(target)!r}))")


def write_onnx(model: nn.Module, config: dict[str, Any], target: Path, opset: int) -> None:
    """Trace the model on a batch like the config's, write it, and check it in ONNX Runtime on another batch."""
    import numpy as np
    import onnx
    import onnxruntime

    import vinsgrad
    import vinsgrad.onnx
    from vinsgrad.onnx import ExportError

    from ..config import dummy_batch

    rng = np.random.default_rng(0)
    example = dummy_batch(config)[0]
    _make_parent(target)
    traced = vinsgrad.tensor(_sample(model, example, len(example), rng))
    try:
        vinsgrad.onnx.export(model, traced, target, opset_version=opset)
    except ExportError as error:
        raise UsageError(f"cannot export this model to ONNX: {one_line(str(error)).removeprefix('export: ')}") from None
    sample = _sample(model, example, SAMPLE_BATCH, rng)
    with vinsgrad.no_grad():
        expected = model(vinsgrad.tensor(sample))._data
    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": sample})
    if got.shape != expected.shape:
        target.unlink(missing_ok=True)
        raise CLIError(
            f"ONNX Runtime's output has shape {got.shape}, vinsgrad's {expected.shape}; {target} was removed"
        )
    difference = float(np.max(np.abs(got.astype(np.float64) - expected))) if expected.size else 0.0
    if not difference <= TOLERANCE:  # NOTE: not `>`, so NaN fails too
        target.unlink(missing_ok=True)
        raise CLIError(
            f"ONNX Runtime's output differs from vinsgrad's by {difference:.3g}, more than {TOLERANCE:g}; "
            f"{target} was removed"
        )
    nodes = len(onnx.load(str(target)).graph.node)
    typer.echo(f"wrote {target} (opset {opset}, {nodes} nodes, input {_shape_text(example)}, batch dimension dynamic)")
    typer.echo(f"ONNX Runtime vs vinsgrad on a batch of {SAMPLE_BATCH}: largest difference {difference:.2g}")


def _sample(model: nn.Module, example: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random inputs of the example's per-sample shape and dtype: token ids below the smallest
    vocabulary of the model's embeddings for an integer input, standard normal values otherwise."""
    shape, dtype = (n, *example.shape[1:]), example._data.dtype
    if dtype.kind in "iu":
        sizes = [int(m.num_embeddings) for m in model.modules() if hasattr(m, "num_embeddings")]
        return rng.integers(0, min(sizes, default=2), size=shape).astype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    return rng.standard_normal(shape).astype(dtype)


def _shape_text(example: Any) -> str:
    return "(batch, " + ", ".join(str(d) for d in example.shape[1:]) + f") {example._data.dtype}"


def _make_parent(target: Path) -> None:
    if target.is_dir():
        raise UsageError(f"--out {target} is a folder; name the file to write")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CLIError(f"cannot create {target.parent}: {error.strerror or error}") from None


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"
