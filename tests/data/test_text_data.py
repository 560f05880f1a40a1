"""Character text: vocabulary, encode/decode, CharDataset windows (one fancy index per batch), TinyShakespeare."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vinsgrad.utils.data import DataLoader
from vinsgrad.utils.data.text import (
    CharDataset,
    TinyShakespeare,
    build_vocab,
    decode,
    downloaded_text,
    encode,
    unknown_chars,
)
from vinsgrad.vision.datasets import DatasetError


def test_vocab_encode_decode_round_trip_with_unicode() -> None:
    text = "héllo wörld\n→ end"
    chars = build_vocab(text)
    assert chars == sorted(set(text)) and len(chars) == len(set(text))
    ids = encode(text, chars)
    assert ids.dtype == np.int64
    assert ids.tolist() == [chars.index(c) for c in text]  # independent: one lookup per character
    assert decode(ids, chars) == text


def test_unknown_characters_are_named_or_skipped_and_counted() -> None:
    chars = build_vocab("abc")
    with pytest.raises(ValueError, match=r"characters not in the vocabulary: 'z', '\\t'"):
        encode("azz\tb", chars)
    assert encode("azz\tb", chars, skip_unknown=True).tolist() == [0, 1]
    assert unknown_chars("azz\tb", chars) == {"z": 2, "\t": 1}


def test_windows_are_next_character_pairs() -> None:
    text = "abcdefghij"
    ds = CharDataset(text, 4)
    assert len(ds) == 6  # starts 0..5: each needs 5 characters
    x, y = ds[2]
    assert decode(x._data, ds.chars) == "cdef" and decode(y._data, ds.chars) == "defg"
    assert ds.samples_per_epoch == 2  # (10 - 1) // 4 windows predict about as many characters as the text has
    tiled = CharDataset(text, 4, stride=4)
    assert len(tiled) == 2 and decode(tiled[1][0]._data, ds.chars) == "efgh"


def test_a_batch_is_one_fancy_index_equal_to_the_single_samples() -> None:
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(list("abcde\n "), 500))
    ds = CharDataset(text, 8)
    indices = [5, 0, 491, 17, 5]
    xb, yb = ds.__getitems__(indices)
    assert xb.shape == (5, 8) and yb.shape == (5, 8) and xb.dtype == yb.dtype == np.int64
    for row, i in enumerate(indices):
        np.testing.assert_array_equal(xb._data[row], encode(text[i : i + 8], ds.chars))
        np.testing.assert_array_equal(yb._data[row], encode(text[i + 1 : i + 9], ds.chars))
    batches = list(DataLoader(ds, batch_size=64))
    assert len(batches) == -(-len(ds) // 64) and batches[0][0].shape == (64, 8)
    with pytest.raises(IndexError):
        ds.__getitems__([len(ds)])


def test_too_short_text_and_bad_sizes_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="the text has 4 characters, too few for one window of block_size 4"):
        CharDataset("abcd", 4)
    with pytest.raises(ValueError, match="block_size must be a positive integer, got 0"):
        CharDataset("abcd", 0)


def test_tiny_shakespeare_from_a_local_file_checks_the_known_facts(tmp_path: Path) -> None:
    wrong = tmp_path / "input.txt"
    wrong.write_text("To be, or not to be\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"not tiny-shakespeare: it has 20 characters \(10 distinct\), expected "
                       r"1,115,394 \(65 distinct\)"):  # fmt: skip
        TinyShakespeare.fetch(tmp_path / "data", from_file=wrong)
    assert not (tmp_path / "data" / "tiny-shakespeare" / "input.txt").exists()


def test_find_and_downloaded_text_look_without_downloading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    text = "To be, or not to be\n"
    assert TinyShakespeare.find(tmp_path) is None and downloaded_text("http://127.0.0.1:9/a/b.txt", tmp_path) is None
    assert not any(tmp_path.iterdir())  # nothing fetched, no folder made
    folder = tmp_path / "tiny-shakespeare"
    folder.mkdir()
    (folder / "input.txt").write_text(text, encoding="utf-8")
    assert TinyShakespeare.find(tmp_path) is None  # there, but not the verified file
    monkeypatch.setattr(TinyShakespeare, "sha256", hashlib.sha256(text.encode()).hexdigest())
    assert TinyShakespeare.find(tmp_path) == folder / "input.txt"
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "b.txt").write_text(text, encoding="utf-8")
    assert downloaded_text("http://127.0.0.1:9/a/b.txt", tmp_path) == tmp_path / "text" / "b.txt"
