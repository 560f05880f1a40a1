"""Read IDX files (the MNIST format), gzipped or not, checking every header field against the file's size.

Layout: two zero bytes, a type code, the number of dimensions, then one big-endian uint32 per dimension and the
values in C order (big-endian for multi-byte types).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import BinaryIO

import numpy as np

from vinsgrad.vision.datasets.errors import DatasetError

IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
GZIP_MAGIC = b"\x1f\x8b"


def open_maybe_gzip(path: Path) -> BinaryIO:
    """``path`` opened for reading its content: decompressed on the fly when it is gzipped."""
    f = open(path, "rb")  # noqa: SIM115  (returned to the caller, who closes it)
    if f.read(2) == GZIP_MAGIC:
        f.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
    f.seek(0)
    return f


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (native byte order, writable).

    Raises:
        DatasetError: naming the file, when it is not IDX, is truncated, has trailing bytes or bad gzip data.
    """
    path = Path(path)
    try:
        with open_maybe_gzip(path) as f:
            return _read(f, path)
    except (OSError, EOFError) as e:  # gzip reports corrupt or cut-off data as BadGzipFile (OSError) / EOFError
        if isinstance(e, FileNotFoundError):
            raise DatasetError(f"{path}: file not found") from None
        raise DatasetError(f"{path}: cannot read ({e}); the file is corrupt, delete it and fetch it again") from None


def _read(f: BinaryIO, path: Path) -> np.ndarray:
    head = f.read(4)
    if len(head) < 4 or head[:2] != b"\0\0" or head[2] not in IDX_DTYPES or head[3] == 0:
        raise DatasetError(
            f"{path}: not an IDX file (header bytes {head.hex(' ') or 'missing'}, expected 00 00 <type code "
            f"{'/'.join(f'{c:02x}' for c in IDX_DTYPES)}> <number of dimensions>)"
        )
    dtype, ndim = np.dtype(IDX_DTYPES[head[2]]), head[3]
    dims_raw = f.read(4 * ndim)
    if len(dims_raw) < 4 * ndim:
        raise DatasetError(f"{path}: truncated IDX header: {ndim} dimensions announced, header ends early")
    shape = tuple(int(d) for d in np.frombuffer(dims_raw, dtype=">u4"))
    expected = math.prod(shape) * dtype.itemsize
    try:
        out = np.empty(shape, dtype=dtype)
    except (MemoryError, ValueError):
        raise DatasetError(f"{path}: corrupt: the header announces shape {shape}, too large to load") from None
    got = _read_into(f, out.reshape(-1).view(np.uint8).data)
    if got < expected:
        raise DatasetError(
            f"{path}: truncated: shape {shape} of {dtype.name} needs {expected} data bytes, the file has {got}"
        )
    if f.read(1):
        raise DatasetError(f"{path}: corrupt: more data than shape {shape} of {dtype.name} accounts for")
    return out if dtype.itemsize == 1 else out.astype(dtype.newbyteorder("="))


def _read_into(f: BinaryIO, buffer: memoryview) -> int:
    filled = 0
    while filled < len(buffer):
        n = f.readinto(buffer[filled:])  # type: ignore[attr-defined]
        if not n:
            break
        filled += n
    return filled
