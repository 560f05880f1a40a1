"""Character-level text: a vocabulary, the encoding of text into token ids, ``CharDataset`` (next-character
windows served a batch at a time) and ``TinyShakespeare`` (Karpathy's char-rnn corpus, downloaded verified).

A window is ``block_size + 1`` consecutive ids: the input is its first ``block_size``, the target the last
``block_size`` (each input character's next one). A batch of windows is one NumPy fancy index into the id array,
so no Python object exists per sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.utils.data.dataset import Dataset


def build_vocab(text: str) -> list[str]:
    """The distinct characters of ``text``, sorted by code point: character ``chars[i]`` has id ``i``."""
    return sorted(set(text))


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def encode(text: str, chars: Sequence[str], *, skip_unknown: bool = False) -> np.ndarray:
    """``text`` as an int64 array of ids into ``chars`` (a sorted vocabulary, as ``build_vocab`` makes).

    A character outside ``chars`` is a ValueError naming it, or, with ``skip_unknown``, dropped (count them with
    ``unknown_chars``).
    """
    codes = _code_points(text)
    vocab = _code_points("".join(chars))
    if len(vocab) and np.any(vocab[1:] <= vocab[:-1]):
        raise ValueError("encode: chars must be distinct characters sorted by code point (see build_vocab)")
    ids = np.searchsorted(vocab, codes)
    known = (ids < len(vocab)) & (vocab[np.minimum(ids, len(vocab) - 1)] == codes) if len(vocab) else ids < 0
    if not known.all():
        if not skip_unknown:
            raise ValueError(f"characters not in the vocabulary: {describe_chars(unknown_chars(text, chars))}")
        ids = ids[known]
    return ids.astype(np.int64)


def unknown_chars(text: str, chars: Sequence[str]) -> dict[str, int]:
    """The characters of ``text`` that are not in ``chars``, each with how often it occurs (most frequent first)."""
    vocab = set(chars)
    counts: dict[str, int] = {}
    for c in set(text) - vocab:
        counts[c] = text.count(c)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def describe_chars(chars: Sequence[str] | dict[str, int]) -> str:
    """Characters as a reader can see them, including invisible ones: ``'x', '\\t', 'é'``."""
    return ", ".join(repr(c) for c in chars)


def decode(ids: Sequence[int] | np.ndarray, chars: Sequence[str]) -> str:
    """The text that ``ids`` stand for."""
    return "".join(chars[int(i)] for i in ids)


class CharDataset(Dataset[tuple[Tensor, Tensor]]):
    """Next-character windows of a text: sample ``i`` is ``(ids[s : s + block_size], ids[s + 1 : s + block_size + 1])``
    with ``s = i * stride``, both int64 tensors.

    Args:
        text: the text.
        block_size: characters per input (and per target).
        chars: the vocabulary (default: ``build_vocab(text)``).
        stride: distance between the starts of consecutive windows (1: every position; ``block_size``: windows
            that do not overlap, each character predicted once).
        skip_unknown: drop characters outside ``chars`` (counted in ``unknown``) instead of raising ValueError.

    ``samples_per_epoch`` is how many windows make one pass's worth of characters, ``(len(text) - 1) // block_size``:
    with ``stride=1``, a ``RandomSampler(dataset, num_samples=dataset.samples_per_epoch)`` epoch predicts as many
    characters as the text has, from random starting points.

    Example::

        ds = CharDataset("hello world", block_size=4)
        x, y = ds[0]  # ids of 'hell', ids of 'ello'
    """

    def __init__(
        self,
        text: str,
        block_size: int,
        *,
        chars: Sequence[str] | None = None,
        stride: int = 1,
        skip_unknown: bool = False,
    ) -> None:
        for name, value in (("block_size", block_size), ("stride", stride)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"CharDataset: {name} must be a positive integer, got {value!r}")
        self.chars = build_vocab(text) if chars is None else list(chars)
        self.unknown = sum(unknown_chars(text, self.chars).values()) if skip_unknown else 0
        self.data = encode(text, self.chars, skip_unknown=skip_unknown)
        if len(self.data) < block_size + 1:
            raise ValueError(
                f"CharDataset: the text has {len(self.data)} characters, too few for one window of block_size "
                f"{block_size} (needs {block_size + 1}); use more text or a smaller block_size"
            )
        self.block_size, self.stride = block_size, stride
        self.offsets = np.arange(block_size + 1)

    @property
    def classes(self) -> list[str]:
        """The vocabulary: the model's output ``i`` scores character ``classes[i]``."""
        return self.chars

    @property
    def samples_per_epoch(self) -> int:
        return max(1, (len(self.data) - 1) // self.block_size)

    def __len__(self) -> int:
        return (len(self.data) - self.block_size - 1) // self.stride + 1

    def _windows(self, index: np.ndarray) -> list[Tensor]:
        if index.size and (index.min() < -len(self) or index.max() >= len(self)):
            raise IndexError(f"CharDataset: index out of range for {len(self)} windows")
        windows = self.data[(index % len(self) * self.stride)[..., None] + self.offsets]
        return [Tensor(windows[..., :-1]), Tensor(windows[..., 1:])]

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        x, y = self._windows(np.asarray(index, dtype=np.int64))
        return x, y

    def __getitems__(self, indices: Sequence[int]) -> list[Tensor]:
        """The batch ``[inputs, targets]`` (each (len(indices), block_size)) at ``indices``: one fancy index."""
        return self._windows(np.asarray(indices, dtype=np.int64))


class TinyShakespeare:
    """Karpathy's tiny-shakespeare (char-rnn's ``input.txt``): 1,115,394 characters of plays, 65 distinct.

    ``fetch(root)`` puts it in ``root/tiny-shakespeare/input.txt``, downloaded from ``mirrors`` (after
    ``$VINSGRAD_MIRROR``) or imported from a local copy, and verified by its SHA-256 before it gets its name.

    Example::

        text = TinyShakespeare.read(TinyShakespeare.fetch("./data"))
    """

    name = "tiny-shakespeare"
    filename = "input.txt"
    sha256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
    characters, distinct = 1_115_394, 65  # the known facts, checked when a local copy is imported
    mirrors: Sequence[str] = ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/",)

    @classmethod
    def folder(cls, root: str | Path) -> Path:
        return Path(root).expanduser() / cls.name

    @classmethod
    def find(cls, root: str | Path) -> Path | None:
        """The verified ``input.txt`` under ``root`` if it is there already, else None (nothing is downloaded)."""
        from vinsgrad.vision.datasets.fetch import find_verified

        return find_verified(cls.folder(root), cls.filename, cls.sha256)

    @classmethod
    def fetch(
        cls,
        root: str | Path,
        *,
        mirrors: str | Sequence[str] | None = None,
        from_file: str | Path | None = None,
        progress: bool = True,
    ) -> Path:
        """The verified ``input.txt`` under ``root``: already there, imported ``from_file``, or downloaded."""
        from vinsgrad.vision.datasets.fetch import _copy_verified, mirror_list, verified_download

        folder = cls.folder(root)
        found = cls.find(root)
        if found is not None and from_file is None:
            return found
        if from_file is not None:
            source = Path(from_file).expanduser()
            cls.check_facts(source)
            folder.mkdir(parents=True, exist_ok=True)
            with open(source, "rb") as file:
                return _copy_verified(file, folder / cls.filename, cls.sha256, str(source))
        return verified_download(cls.filename, cls.sha256, folder, mirror_list(mirrors, cls.mirrors), progress=progress)

    @classmethod
    def check_facts(cls, path: Path) -> None:
        """DatasetError unless ``path`` has tiny-shakespeare's known number of characters and distinct ones."""
        from vinsgrad.vision.datasets.errors import DatasetError

        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise DatasetError(f"{path}: cannot read it as UTF-8 text ({e})") from None
        if (len(text), len(set(text))) != (cls.characters, cls.distinct):
            raise DatasetError(
                f"{path}: not tiny-shakespeare: it has {len(text):,} characters ({len(set(text))} distinct), "
                f"expected {cls.characters:,} ({cls.distinct} distinct)"
            )

    @staticmethod
    def read(path: Path) -> str:
        return path.read_text(encoding="utf-8")


def download_text(url: str, root: str | Path, *, progress: bool = True) -> Path:
    """A text file from ``url`` (http(s):// or file://) in ``root/text/``, downloaded once, atomically, with
    retries; its content is not verified (nothing is known about it): delete the file to fetch it again."""
    from vinsgrad.vision.datasets.fetch import verified_download

    found = downloaded_text(url, root)
    if found is not None:
        return found
    path = _text_path(url, root)
    return verified_download(path.name, None, path.parent, [url.rstrip("/").rpartition("/")[0] + "/"], progress=progress)


def downloaded_text(url: str, root: str | Path) -> Path | None:
    """The file ``download_text(url, root)`` fetched before, or None (nothing is downloaded)."""
    path = _text_path(url, root)
    return path if path.is_file() else None


def _text_path(url: str, root: str | Path) -> Path:
    """Where ``download_text`` keeps the text at ``url``: ``root/text/`` and the URL's last part."""
    return Path(root).expanduser() / "text" / url.rstrip("/").rpartition("/")[2]


__all__ = [
    "CharDataset",
    "TinyShakespeare",
    "build_vocab",
    "decode",
    "download_text",
    "downloaded_text",
    "encode",
    "unknown_chars",
]
