"""``save``/``load``: state_dicts and other nested containers in a pickle-free ``.npz`` file.

The file is an ordinary NumPy ``.npz`` archive. Every array is a member under a readable key built from its
path in the object (``model/fc1.weight``, ``optimizer/state/0/exp_avg``); the member ``__meta__.json`` holds
the structure as JSON with each array replaced by a reference to its key, tagged ``tensor`` or ``array`` so a
Tensor comes back as a Tensor (as ``torch.load`` gives) and a NumPy array as an array. JSON keeps Python ints,
floats, strings, bools and None exactly; dicts are stored as lists of ``[key, value]`` pairs so int keys (an
optimizer's ``state``) come back as ints, and tuples come back as tuples.

Loading always passes ``allow_pickle=False``: a file can hold arrays and JSON only, never code.

Example::

    vinsgrad.save(model.state_dict(), "model.npz")
    model.load_state_dict(vinsgrad.load("model.npz"))
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

from vinsgrad.autograd.device import check_device
from vinsgrad.autograd.device import device as Device
from vinsgrad.autograd.tensor import Tensor

FORMAT = "vinsgrad"
FORMAT_VERSION = 2  # 2: Tensors tagged "tensor" (version 1 saved them as "array"; such files still load)
META_KEY = "__meta__.json"

PathLike = str | os.PathLike[str]


class SerializationError(ValueError):
    """A file that is not a readable vinsgrad file, or an object that cannot be saved in one."""


# **** save ****


def save(obj: Any, f: PathLike | IO[bytes]) -> None:
    """Save ``obj`` (nested dicts/lists/tuples of arrays, Tensors, numbers, strings, bools and None) to ``f``.

    Tensors are saved without autograd history and load as Tensors. ``f`` is a path or a binary file object
    (``io.BytesIO``, an open file), as in ``torch.save``. A path is written atomically: to a
    temporary file in the same folder, then renamed, so a crash never leaves a half-written file under
    the final name. The name is used exactly as given (no ``.npz`` is appended).
    """
    from vinsgrad import __version__  # here, not at the top: vinsgrad/__init__.py imports this module

    arrays: dict[str, np.ndarray] = {}
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "vinsgrad_version": __version__}
    meta["root"] = _encode(obj, (), arrays)
    members = {**arrays, META_KEY: np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)}
    if hasattr(f, "write"):
        _write_npz(f, members)  # type: ignore[arg-type]
        return
    with _atomic_file(Path(f)) as out:
        _write_npz(out, members)


def _write_npz(out: IO[bytes], members: dict[str, np.ndarray]) -> None:
    # What np.savez does, minus its keyword arguments: a state_dict key named "file" or "allow_pickle" is fine.
    with zipfile.ZipFile(out, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, array in members.items():
            with archive.open(f"{key}.npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


@contextmanager
def _atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only once it is completely written and flushed to disk."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _encode(obj: Any, path: tuple[str, ...], arrays: dict[str, np.ndarray]) -> Any:
    """The JSON node for ``obj``; arrays go into ``arrays`` under a key made from ``path``."""
    if isinstance(obj, Tensor):
        key = _unique_key("/".join(path) or "tensor", arrays)
        arrays[key] = obj._data
        return {"tensor": key}
    # NumPy scalars before Python ones: np.float64 is a float subclass but must come back as np.float64.
    if isinstance(obj, (np.ndarray, np.generic)):
        if obj.dtype.hasobject:
            raise SerializationError(f"cannot save {_where(path)}: arrays of dtype object are not supported")
        key = _unique_key("/".join(path) or "array", arrays)
        arrays[key] = np.asarray(obj)
        return {"scalar" if isinstance(obj, np.generic) else "array": key}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        pairs = []
        for k, v in obj.items():
            if k is not None and not isinstance(k, (bool, int, float, str)):
                raise SerializationError(
                    f"cannot save {_where(path)}: dict keys must be str, int, float, bool or None, "
                    f"got {type(k).__name__} {k!r}"
                )
            pairs.append([k, _encode(v, (*path, str(k)), arrays)])
        return {"dict": pairs}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, (*path, str(i)), arrays) for i, v in enumerate(obj)]
        return items if isinstance(obj, list) else {"tuple": items}
    raise SerializationError(
        f"cannot save {_where(path)}: expected arrays, Tensors, numbers, strings, bools, None, "
        f"dicts, lists or tuples, got {type(obj).__name__}"
    )


def _unique_key(key: str, taken: dict[str, np.ndarray]) -> str:
    # Dict keys may contain "/" themselves, so two paths can join to the same string; the JSON keeps the
    # structure, the member name only has to be unique.
    candidate, n = key, 1
    while candidate in taken or candidate == META_KEY:
        candidate, n = f"{key}~{n}", n + 1
    return candidate


def _where(path: tuple[str, ...]) -> str:
    return "/".join(path) if path else "the object"


# **** load ****


def load(f: PathLike | IO[bytes], map_location: Any = None, *, weights_only: bool = True, **kwargs: Any) -> Any:
    """Load an object saved by ``save`` from a path or a binary file object. Saved Tensors come back as Tensors
    (NumPy arrays as arrays), so ``model.load_state_dict(vinsgrad.load(path))`` works. Raises
    ``FileNotFoundError`` for a missing file and ``SerializationError`` for anything that is not an intact
    vinsgrad file. A path ending in ``.safetensors`` is read as a safetensors file instead (a dict of Tensors;
    see ``vinsgrad.safetensors``).

    ``map_location`` is PyTorch's: None, ``"cpu"``, ``device("cpu")``, a dict whose targets are the CPU, or a
    function ``(tensor, "cpu") -> tensor`` applied to each loaded Tensor; any other device is an error, as vinsgrad
    runs on the CPU only. ``weights_only`` is accepted either way: vinsgrad files hold arrays and plain data only,
    never pickled objects, so both load the same thing. Other keywords of ``torch.load`` (``mmap``) are ignored.
    """
    unknown = set(kwargs) - {"mmap", "pickle_module"}
    if unknown:
        raise TypeError(f"load() got unexpected keyword arguments {sorted(unknown)}")
    remap = _map_location(map_location)
    if not hasattr(f, "read") and os.fspath(f).endswith(".safetensors"):  # weights from PyTorch & co: their format
        from vinsgrad.safetensors import load_file

        tensors = load_file(f)
        return tensors if remap is None else _remap(tensors, remap)
    name = getattr(f, "name", "<file>") if hasattr(f, "read") else os.fspath(f)
    if not hasattr(f, "read"):
        _check_file(name)
    try:
        obj = _unpack(_read_members(f))
    except SerializationError as e:
        raise SerializationError(f"{name}: {e}") from None
    return obj if remap is None else _remap(obj, remap)


def _check_file(path: PathLike) -> None:
    """Raise FileNotFoundError or IsADirectoryError, naming ``path``, unless it is a file."""
    if not Path(path).exists():
        raise FileNotFoundError(f"{os.fspath(path)}: no such file")
    if Path(path).is_dir():
        raise IsADirectoryError(f"{os.fspath(path)}: is a folder, expected a file")


def _first_line(error: Exception) -> str:
    """A library's error as one line (its first), for a message of our own."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _map_location(map_location: Any) -> Callable[[Tensor, str], Any] | None:
    """The function to apply to each loaded Tensor (None: keep them), after checking every target is the CPU."""
    if callable(map_location) and not isinstance(map_location, (str, Device)):
        return map_location
    targets = list(map_location.values()) if isinstance(map_location, dict) else [map_location]
    for target in targets:
        check_device(target, "load(map_location=...)")
    return None


def _remap(obj: Any, fn: Callable[[Tensor, str], Any]) -> Any:
    if isinstance(obj, Tensor):
        return fn(obj, "cpu")
    if isinstance(obj, dict):
        return {k: _remap(v, fn) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_remap(v, fn) for v in obj)
    return obj


def _unpack(members: dict[str, np.ndarray]) -> Any:
    """The object described by the JSON member, with its arrays put back in place."""
    if META_KEY not in members:
        raise SerializationError(f"not a vinsgrad file (an .npz archive without a {META_KEY} entry)")
    try:
        meta = json.loads(members.pop(META_KEY).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise SerializationError(f"corrupt vinsgrad file ({META_KEY}: {e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "root" not in meta:
        raise SerializationError(f"corrupt vinsgrad file (bad {META_KEY})")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise SerializationError(
            f"format version {version!r} is newer than this vinsgrad reads ({FORMAT_VERSION}); upgrade vinsgrad"
        )
    return _decode(meta["root"], members)


def _read_members(f: PathLike | IO[bytes]) -> dict[str, np.ndarray]:
    """Every member of the archive, read eagerly with pickles refused."""
    try:
        archive = np.load(f, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise SerializationError("not a vinsgrad file (a single .npy array, expected an .npz archive)")
        with archive:
            return {key: archive[key] for key in archive.files}
    except SerializationError:
        raise
    except ValueError as e:
        if "allow_pickle" in str(e):
            if "Object arrays" in str(e):
                raise SerializationError(
                    "refusing to load an array of Python objects (it would need pickle, which can run code); "
                    "vinsgrad files hold plain arrays only"
                ) from None
            raise SerializationError("not an .npz archive (pickle files and other formats are never loaded)") from None
        raise SerializationError(f"corrupt or truncated file ({e})") from None
    except PermissionError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise SerializationError(f"corrupt or truncated file ({type(e).__name__}: {e})") from None


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, arrays) for v in node]
    if isinstance(node, dict) and len(node) == 1:
        ((tag, value),) = node.items()
        if tag == "dict" and isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
            return {_key(k): _decode(v, arrays) for k, v in value}
        if tag == "tuple" and isinstance(value, list):
            return tuple(_decode(v, arrays) for v in value)
        if tag in ("array", "scalar", "tensor"):
            if not isinstance(value, str) or value not in arrays:
                raise SerializationError(f"corrupt vinsgrad file: array {value!r} is missing")
            if tag == "tensor":
                return Tensor(arrays[value])
            return arrays[value][()] if tag == "scalar" else arrays[value]
    raise SerializationError(f"corrupt vinsgrad file: unexpected entry {str(node)[:60]}")


def _key(k: Any) -> Any:
    if k is not None and not isinstance(k, (bool, int, float, str)):
        raise SerializationError(f"corrupt vinsgrad file: unexpected dict key {str(k)[:60]}")
    return k
