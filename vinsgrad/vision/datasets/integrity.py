"""Verify dataset files by the SHA-256 of their decompressed content, and remember files already verified.

Mirrors recompress the files, so the gzip bytes differ between mirrors while the content does not. Hashing
50 MB on every load would be wasteful, so a successful check is recorded in ``RECORD_NAME`` next to the file,
keyed by name, size and modification time: a file that changes is hashed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from vinsgrad.vision.datasets.errors import DatasetError
from vinsgrad.vision.datasets.idx import open_maybe_gzip

RECORD_NAME = ".verified.json"
CHUNK = 1 << 20


def content_sha256(path: Path) -> str:
    """SHA-256 (hex) of the file's content, decompressed first when it is gzipped."""
    digest = hashlib.sha256()
    try:
        with open_maybe_gzip(path) as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
    except (EOFError, zlib.error, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise DatasetError(f"{path}: file not found") from None
        raise DatasetError(f"{path}: corrupt or truncated gzip data ({e})") from None
    return digest.hexdigest()


def check_sha256(path: Path, sha256: str) -> None:
    """Raise ``DatasetError`` unless the content of ``path`` hashes to ``sha256``."""
    actual = content_sha256(path)
    if actual != sha256:
        raise DatasetError(f"{path}: checksum mismatch: content SHA-256 is {actual}, expected {sha256}")


def verify(path: Path, sha256: str) -> None:
    """Check ``path`` against ``sha256`` unless an earlier check of this very file is on record; record success."""
    if _stamp(path, sha256) == _load_record(path.parent).get(path.name):
        return
    check_sha256(path, sha256)
    record_verified(path, sha256)


def record_verified(path: Path, sha256: str) -> None:
    """Note that ``path``, as it is now, has content hash ``sha256`` (so ``verify`` need not hash it again)."""
    record = _load_record(path.parent)
    record[path.name] = _stamp(path, sha256)
    with suppress(OSError):  # a read-only data folder is still usable: its files are just hashed on every load
        _write_atomically(path.parent / RECORD_NAME, json.dumps(record, indent=1, sort_keys=True).encode())


def _stamp(path: Path, sha256: str) -> dict[str, object]:
    st = path.stat()
    return {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _load_record(folder: Path) -> dict[str, object]:
    try:
        record = json.loads((folder / RECORD_NAME).read_text())
    except (OSError, ValueError):  # no record yet, or a damaged one: everything gets hashed again
        return {}
    return record if isinstance(record, dict) else {}


def _write_atomically(path: Path, content: bytes) -> None:
    with temporary_next_to(path) as (tmp, f):
        f.write(content)
    os.replace(tmp, path)


@contextmanager
def temporary_next_to(dest: Path) -> Iterator[tuple[Path, IO[bytes]]]:
    """A new file next to ``dest`` (hidden, ``.part``), deleted again if anything, even Ctrl-C, interrupts the block.

    Created with ``os.open`` rather than ``mkstemp`` so it gets the usual permissions (umask), not 0600.
    """
    path = dest.parent / f".{dest.name}.{secrets.token_hex(4)}.part"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            yield path, f
    except BaseException:
        path.unlink(missing_ok=True)
        raise
