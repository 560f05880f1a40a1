"""The IDX reader: every type code, gzipped or not, and a clear error naming the file for each kind of damage."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vinsgrad.vision.datasets import DatasetError
from vinsgrad.vision.datasets.idx import read_idx


@pytest.mark.parametrize(
    ("code", "dtype"), [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16), (0x0C, np.int32), (0x0D, np.float32),
                        (0x0E, np.float64)]
)  # fmt: skip
@pytest.mark.parametrize("gzipped", [False, True])
def test_reads_every_type_code_in_native_byte_order(
    tmp_path: Path, make_idx: Any, code: int, dtype: type, gzipped: bool
) -> None:
    expected = (np.arange(24).reshape(2, 3, 4) * (-1 if code != 0x08 else 1)).astype(dtype)
    content = make_idx(expected, code)
    path = tmp_path / "x.idx"
    path.write_bytes(gzip.compress(content) if gzipped else content)
    out = read_idx(path)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative and out.flags.writeable
    np.testing.assert_array_equal(out, expected)


def test_known_bytes_decode_by_hand(tmp_path: Path) -> None:
    # A 1-d int32 IDX with two values, written byte by byte: 258 = 0x00000102 and -1 = 0xffffffff.
    (tmp_path / "x").write_bytes(bytes([0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 1, 2, 255, 255, 255, 255]))
    assert read_idx(tmp_path / "x").tolist() == [258, -1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x1f\x8b\x08\x00", "cannot read"),  # gzip magic, then no gzip stream
        (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), "not an IDX file"),  # unknown type code
        (bytes([0, 0, 0x08, 0]), "not an IDX file"),  # zero dimensions
        (b"\0\0", "not an IDX file"),
        (bytes([0, 0, 0x08, 2, 0, 0, 0, 2]), "truncated IDX header"),
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 4, 1, 2]), "truncated: shape (4,) of uint8 needs 4 data bytes, the file has 2"),
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 1, 1, 2]), "more data than shape (1,)"),
        (bytes([0, 0, 0x08, 2, 255, 255, 255, 255, 255, 255, 255, 255]), "too large to load"),
    ],
)
def test_damaged_files_name_the_file_and_the_problem(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=re.escape(message)) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_cut_off_gzip_is_reported_as_corrupt(tmp_path: Path, make_idx: Any) -> None:
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(make_idx(np.zeros((50, 50), dtype=np.uint8)))[:30])
    with pytest.raises(DatasetError, match=r"x\.gz: cannot read .*corrupt"):
        read_idx(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="file not found"):
        read_idx(tmp_path / "nope")
