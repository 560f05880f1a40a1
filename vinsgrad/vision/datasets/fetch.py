"""Get dataset files safely: from mirrors over HTTP(S) or ``file://``, or from a local folder or archive.

Every file is written to a temporary name in the target folder and renamed to its final name only after its
content checksum matches, so an interrupted or failed fetch never leaves a file under the final name and never
replaces a good one. Transient network errors (timeouts, 5xx, truncated bodies) are retried with exponential
backoff; a 404, a refused connection or a checksum mismatch moves on to the next mirror.
"""

from __future__ import annotations

import http.client
import os
import shutil
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from vinsgrad.vision.datasets.errors import DatasetError, DownloadError
from vinsgrad.vision.datasets.integrity import CHUNK, check_sha256, record_verified, temporary_next_to, verify

MIRROR_ENV = "VINSGRAD_MIRROR"
TIMEOUT = (10.0, 60.0)  # seconds: (to connect, without data while reading)
RETRIES = 3  # extra attempts per mirror after a transient error
BACKOFF = 1.0  # seconds before the first retry, doubled for each further one
USER_AGENT = "vinsgrad"

Resource = tuple[str, str]  # (file name, SHA-256 of the decompressed content)


class _Transient(Exception):
    """A failure worth retrying on the same mirror."""


class _MirrorFailed(Exception):
    """A failure that makes this mirror useless for this file."""


# **** mirrors ****


def mirror_list(user: str | Sequence[str] | None, defaults: Sequence[str]) -> list[str]:
    """The mirrors to try, in order: ``user`` ones, then those in ``$VINSGRAD_MIRROR``, then ``defaults``.

    Several mirrors may be given in one string, separated by spaces or commas.
    """
    given = [user] if isinstance(user, str) else list(user or [])
    given.append(os.environ.get(MIRROR_ENV, ""))
    found = [m for entry in given for m in entry.replace(",", " ").split()]
    for m in found:
        if not m.startswith(("http://", "https://", "file://")):
            raise ValueError(
                f"mirror {m!r} must start with http://, https:// or file:// (for a local folder use "
                f"file:///absolute/path/ or from_dir=)"
            )
    return [m if m.endswith("/") else m + "/" for m in [*found, *defaults]]


# **** downloading ****


def verified_download(
    filename: str,
    sha256: str | None,
    folder: Path,
    mirrors: Sequence[str],
    *,
    progress: bool = True,
    timeout: tuple[float, float] | None = None,
    retries: int | None = None,
    backoff: float | None = None,
) -> Path:
    """Download ``filename`` from the first mirror that delivers it with the right checksum into ``folder``.

    ``sha256`` None skips the content check (a file nothing is known about); the download stays atomic.
    ``timeout``, ``retries`` and ``backoff`` default to the module's ``TIMEOUT``, ``RETRIES`` and ``BACKOFF``.

    Raises:
        DownloadError: listing every mirror and why it failed.
    """
    policy = (timeout or TIMEOUT, RETRIES if retries is None else retries, BACKOFF if backoff is None else backoff)
    folder.mkdir(parents=True, exist_ok=True)
    failures = []
    for base in mirrors:
        url = base + filename
        try:
            return _download_from(url, folder / filename, sha256, progress, *policy)
        except _MirrorFailed as e:
            failures.append(f"{url} ({e})")
    raise DownloadError(
        f"could not download {filename} into {folder}; every mirror failed: "
        + "; ".join(failures)
        + f". To use a copy you already have, pass from_dir=<folder or archive with the files> (CLI: --from), "
        f"or set {MIRROR_ENV} to a mirror URL (file:///path/ for a local folder). "
        "Datasets that are generated rather than downloaded work offline."
    )


def _download_from(
    url: str, dest: Path, sha256: str | None, progress: bool, timeout: tuple[float, float], retries: int, backoff: float
) -> Path:
    attempt = 0
    while True:
        try:
            return _publish(_stream_to_temp(url, dest, progress, timeout), dest, sha256, _MirrorFailed)
        except _Transient as e:
            if attempt >= retries:
                raise _MirrorFailed(f"{e} (gave up after {attempt + 1} attempts)") from None
            time.sleep(backoff * 2**attempt)
            attempt += 1


def _stream_to_temp(url: str, dest: Path, progress: bool, timeout: tuple[float, float]) -> Path:
    with temporary_next_to(dest) as (tmp, out), _translate_errors():
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=timeout[0]) as response:
            _set_read_timeout(response, timeout[1])
            length = response.headers.get("Content-Length")  # file:// responses have one too
            total = int(length) if length and length.isdigit() else None
            received = 0
            with _progress_bar(total, dest.name, progress) as bar:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            if total is not None and received < total:
                raise _Transient(f"truncated body: got {received} bytes, the server announced {total}")
    return tmp


@contextmanager
def _translate_errors() -> Iterator[None]:
    """Sort network errors into transient ones (retry) and mirror failures (next mirror)."""
    try:
        yield
    except urllib.error.HTTPError as e:
        if e.code >= 500 or e.code in (408, 429):
            raise _Transient(f"HTTP {e.code} {e.reason}") from None
        raise _MirrorFailed(f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            raise _Transient("timed out connecting") from None
        raise _MirrorFailed(str(e.reason)) from None
    except TimeoutError:
        raise _Transient("timed out waiting for data") from None
    except (ConnectionResetError, ConnectionAbortedError, http.client.IncompleteRead) as e:
        raise _Transient(f"connection lost ({e!r})") from None
    except (OSError, http.client.HTTPException) as e:
        raise _MirrorFailed(repr(e)) from None


def _set_read_timeout(response: Any, seconds: float) -> None:
    # urllib has one timeout for connecting and reading; once connected, give reads their own.
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        sock.settimeout(seconds)


def _progress_bar(total: int | None, name: str, enabled: bool) -> Any:
    return tqdm(
        total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, disable=not enabled
    )


# **** local copies ****


def import_file(filename: str, sha256: str, folder: Path, source: Path, subdirs: Sequence[str] = ("",)) -> Path:
    """Copy ``filename`` (gzipped or not) from the folder or archive ``source`` into ``folder``, verified.

    In a folder, the file is looked for in each of ``subdirs``; in a ``.zip`` or ``.tar[.gz]`` archive, any
    member with the right base name is taken.
    """
    names = [filename, filename.removesuffix(".gz")] if filename.endswith(".gz") else [filename]
    folder.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        for sub in subdirs:
            for name in names:
                if (source / sub / name).is_file():
                    with open(source / sub / name, "rb") as file:
                        return _copy_verified(file, folder / name, sha256, f"{source / sub / name}")
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for name in names:
                for member in archive.namelist():
                    if Path(member).name == name:
                        with archive.open(member) as zipped:
                            return _copy_verified(zipped, folder / name, sha256, f"{source}:{member}")
    elif source.is_file() and tarfile.is_tarfile(source):
        with tarfile.open(source) as archive:
            for name in names:
                for info in archive.getmembers():
                    if info.isfile() and Path(info.name).name == name and (f := archive.extractfile(info)):
                        return _copy_verified(f, folder / name, sha256, f"{source}:{info.name}")
    elif not source.exists():
        raise DatasetError(f"{source}: no such folder or archive to import {filename} from")
    else:
        raise DatasetError(f"{source}: not a folder, .zip or .tar archive; cannot import {filename} from it")
    where = ", ".join(str(source / sub) for sub in subdirs) if source.is_dir() else str(source)
    raise DatasetError(f"{filename} (or {names[-1]}) not found in {where}")


def _copy_verified(src: IO[bytes], dest: Path, sha256: str, label: str) -> Path:
    with temporary_next_to(dest) as (tmp, out):
        shutil.copyfileobj(src, out, CHUNK)
    try:
        return _publish(tmp, dest, sha256, DatasetError)
    except DatasetError as e:
        raise DatasetError(f"{label}: cannot import: {e}") from None


# **** publishing ****


def _publish(tmp: Path, dest: Path, sha256: str | None, error: Callable[[str], Exception]) -> Path:
    """Give ``tmp`` the name ``dest`` if its checksum matches (None: unchecked); otherwise delete it and raise
    ``error``."""
    if sha256 is None:
        os.replace(tmp, dest)
        return dest
    try:
        check_sha256(tmp, sha256)
    except DatasetError as e:
        tmp.unlink(missing_ok=True)
        raise error(str(e).replace(str(tmp), "the downloaded file")) from None
    os.replace(tmp, dest)
    record_verified(dest, sha256)
    return dest


def find_verified(folder: Path, filename: str, sha256: str) -> Path | None:
    """The copy of ``filename`` in ``folder`` (gzipped or not) whose content checks out, or None."""
    for name in (filename, filename.removesuffix(".gz")):
        path = folder / name
        if path.is_file():
            try:
                verify(path, sha256)
                return path
            except DatasetError:
                continue
    return None
