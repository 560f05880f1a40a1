"""Fixtures for the vision tests: small generated MNIST-like IDX files and a loopback HTTP server.

Nothing here touches the real data or the network: the dataset classes' hashes and mirrors are replaced by the
generated files' hashes and no mirrors at all, and ``$VINSGRAD_MIRROR`` is cleared.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vinsgrad.vision.datasets import MNIST, FashionMNIST

NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz")  # fmt: skip
N_TRAIN, N_TEST = 12, 5


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    """An IDX file: two zero bytes, type code, ndim, big-endian uint32 sizes, big-endian data."""
    big = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=big).tobytes()


class Small:
    """Generated train/test images and labels, their IDX content by official file name, and their hashes."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.train_images = rng.integers(0, 256, size=(N_TRAIN, 6, 5), dtype=np.uint8)
        self.train_labels = rng.integers(0, 10, size=N_TRAIN).astype(np.uint8)
        self.test_images = rng.integers(0, 256, size=(N_TEST, 6, 5), dtype=np.uint8)
        self.test_labels = rng.integers(0, 10, size=N_TEST).astype(np.uint8)
        arrays = (self.train_images, self.train_labels, self.test_images, self.test_labels)
        self.content = {name: idx_bytes(a) for name, a in zip(NAMES, arrays, strict=True)}
        self.resources = tuple((name, hashlib.sha256(c).hexdigest()) for name, c in self.content.items())

    def gz(self, name: str) -> bytes:
        return gzip.compress(self.content[name], mtime=0)

    def write(self, folder: Path, gzipped: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in self.content.items():
            if gzipped:
                (folder / name).write_bytes(self.gz(name))
            else:
                (folder / name.removesuffix(".gz")).write_bytes(content)
        return folder


@pytest.fixture
def make_idx() -> Any:
    """The ``idx_bytes`` writer, for tests that build their own files."""
    return idx_bytes


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> Small:
    """Generated files whose hashes MNIST and FashionMNIST expect; no official mirrors, no $VINSGRAD_MIRROR."""
    data = Small()
    for cls in (MNIST, FashionMNIST):
        monkeypatch.setattr(cls, "resources", data.resources)
        monkeypatch.setattr(cls, "mirrors", ())
    monkeypatch.delenv("VINSGRAD_MIRROR", raising=False)
    return data


class Server:
    """A loopback HTTP server. ``files`` maps a URL path to its body; ``plan`` maps a path to the behaviours of its
    next requests, consumed one per request ('ok' when empty): 'ok', an int status, 'truncate', 'stall'."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.plan: dict[str, list[Any]] = {}
        self.log: list[str] = []
        self.release = threading.Event()  # set at teardown so a stalled handler ends
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 5  # no connection outlives a test for long

            def do_GET(self) -> None:
                outer.log.append(self.path)
                steps = outer.plan.get(self.path, [])
                step = steps.pop(0) if steps else "ok"
                body = outer.files.get(self.path)
                if isinstance(step, int) or body is None:
                    self.send_error(step if isinstance(step, int) else 404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if step == "stall":
                    self.wfile.write(body[:10])
                    self.wfile.flush()
                    outer.release.wait(5)
                elif step == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                else:
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def requests(self, name: str) -> int:
        return self.log.count("/" + name)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    s.thread.start()
    try:
        yield s
    finally:
        s.release.set()
        s.httpd.shutdown()
        s.httpd.server_close()
        s.thread.join(timeout=5)
