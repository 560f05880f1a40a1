"""State dicts in the safetensors format, the weights file PyTorch, JAX and Hugging Face read and write.

Written and read through the ``safetensors`` library's NumPy API (the optional extra ``vinsgrad[export]``), never
by hand. Keys are the state_dict's own, which are PyTorch's, so a file written here loads in PyTorch with
``model.load_state_dict(safetensors.torch.load_file(path))`` and a file from ``safetensors.torch.save_file`` loads
here with ``model.load_state_dict(vinsgrad.load(path))``. The metadata is a flat str -> str mapping.

Example::

    vinsgrad.safetensors.save_file(model.state_dict(), "model.safetensors", metadata={"note": "epoch 5"})
    model.load_state_dict(vinsgrad.load("model.safetensors"))
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.serialization import SerializationError, _atomic_file, _check_file, _first_line

PathLike = str | os.PathLike[str]
SUFFIX = ".safetensors"


def _library() -> Any:
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "reading and writing .safetensors files needs the safetensors package: pip install 'vinsgrad[export]'"
        ) from None
    return safetensors


def save_file(state_dict: Mapping[str, Any], path: PathLike, *, metadata: Mapping[str, str] | None = None) -> None:
    """Write ``state_dict`` (names -> Tensors or arrays) to ``path`` atomically: a failure leaves no file there."""
    library = _library()
    arrays: dict[str, np.ndarray] = {}
    for key, value in state_dict.items():
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        if not isinstance(key, str) or array.dtype.kind not in "biuf":
            raise SerializationError(
                f"cannot save {key!r} to safetensors: expected str keys and numeric arrays, got {array.dtype}"
            )
        arrays[key] = np.ascontiguousarray(array)
    if metadata is not None and not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise SerializationError("safetensors metadata must map str to str")
    data = library.numpy.save(arrays, metadata=None if metadata is None else dict(metadata))
    with _atomic_file(Path(path)) as out:
        out.write(data)


def load_file(path: PathLike) -> dict[str, Tensor]:
    """The tensors of a safetensors file by name (``load_state_dict`` takes the dict as it is)."""
    library = _library()
    _check_file(path)
    try:
        arrays = library.numpy.load_file(os.fspath(path))
    except Exception as e:  # the library's SafetensorError and the deserializer's own errors
        raise SerializationError(f"{os.fspath(path)}: not a readable safetensors file ({_first_line(e)})") from None
    return {key: Tensor(array) for key, array in arrays.items()}


def read_metadata(path: PathLike) -> dict[str, str]:
    """The str -> str metadata stored in a safetensors file's header (empty if it has none)."""
    library = _library()
    _check_file(path)
    try:
        with library.safe_open(os.fspath(path), framework="numpy") as f:
            return dict(f.metadata() or {})
    except Exception as e:
        raise SerializationError(f"{os.fspath(path)}: not a readable safetensors file ({_first_line(e)})") from None
