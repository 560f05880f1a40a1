"""Datasets: the map-style ``Dataset`` protocol, ``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``,
``ChainDataset`` and ``random_split``.

A dataset may also define ``__getitems__(indices)`` returning a whole collated batch (what ``default_collate``
makes of ``[dataset[i] for i in indices]``); ``DataLoader`` then fetches a batch with one call, so a batch of
images is one NumPy fancy-index instead of one Python call per sample.

NOTE: in PyTorch ``__getitems__`` returns a *list of samples* that ``collate_fn`` then stacks; here it returns
the stacked batch, which is the point of having it. ``DataLoader`` only uses it with the default collate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Any, Generic, TypeVar

import numpy as np

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.random import Generator, rng
from vinsgrad.utils.data.collate import default_collate

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    Example::

        class Squares(Dataset):
            def __len__(self): return 10
            def __getitem__(self, i): return i, i * i
    """

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __add__(self, other: Dataset[Any]) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """Base class of datasets that are a stream of samples: subclasses define ``__iter__``.

    With ``DataLoader(num_workers=N)`` every worker iterates its own copy of the dataset, so without care each
    sample comes N times. Give each worker its share in ``__iter__`` using ``get_worker_info()`` (None in the
    main process), as PyTorch documents::

        class Range(IterableDataset):
            def __init__(self, start, end): self.start, self.end = start, end
            def __iter__(self):
                info = get_worker_info()
                if info is None:
                    return iter(range(self.start, self.end))
                return iter(range(self.start + info.id, self.end, info.num_workers))
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Dataset[Any]) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are ``tuple(t[i] for t in tensors)``; every tensor's first dimension is the sample axis.

    Example::

        data = TensorDataset(vinsgrad.randn(100, 2), vinsgrad.randint(0, 2, (100,)))
        x, y = data[0]
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset expected at least one tensor, got none")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset expected Tensors, argument {i} is a {type(t).__name__}")
            if t.ndim == 0 or t.shape[0] != tensors[0].shape[0]:
                sizes = [t.shape[0] if t.ndim else "scalar" for t in tensors]
                raise ValueError(f"Size mismatch between tensors: first dimensions are {sizes}, expected all equal")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices: Sequence[int]) -> list[Tensor]:
        index = np.asarray(indices, dtype=np.int64)
        return [t[index] for t in self.tensors]

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order.

    Example::

        first_hundred = Subset(train, range(100))
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._index = np.asarray(indices._data if isinstance(indices, Tensor) else indices, dtype=np.int64)

    def __getitem__(self, index: Any) -> T_co:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]  # type: ignore[index]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: Sequence[int]) -> Any:
        inner = self._index[np.asarray(indices, dtype=np.int64)]
        if hasattr(self.dataset, "__getitems__"):
            return self.dataset.__getitems__(inner)
        return default_collate([self.dataset[i] for i in inner.tolist()])

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[Any]):
    """Several datasets one after the other.

    Example::

        both = ConcatDataset([train, extra])  # or train + extra
    """

    def __init__(self, datasets: Sequence[Dataset[Any]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset expected a non-empty list of datasets")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset; use ChainDataset to join streams")
        self.cumulative_sizes = list(accumulate(len(d) for d in self.datasets))  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for a ConcatDataset of length {n}")
        index %= n
        which = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]


class ChainDataset(IterableDataset[Any]):
    """Several iterable datasets one after the other, chained lazily.

    Example::

        both = ChainDataset([stream_a, stream_b])  # or stream_a + stream_b
    """

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got {type(d).__name__}")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got {type(d).__name__}")
            total += len(d)  # type: ignore[arg-type]
        return total


def random_split(
    dataset: Dataset[T_co], lengths: Sequence[int | float], generator: Generator | None = None
) -> list[Subset[T_co]]:
    """Split ``dataset`` at random into non-overlapping subsets of the given lengths (or fractions summing to 1).

    Fractions are turned into lengths with ``floor``, and the samples left over go one each to the first
    subsets, as in PyTorch.

    Example::

        train, val = random_split(data, [0.9, 0.1], generator=vinsgrad.Generator().manual_seed(0))
    """
    n = len(dataset)  # type: ignore[arg-type]
    sizes = _split_sizes(n, lengths)
    perm = rng(generator).permutation(sum(sizes)).tolist()
    return [Subset(dataset, perm[end - size : end]) for end, size in zip(accumulate(sizes), sizes)]


def _split_sizes(n: int, lengths: Sequence[int | float]) -> list[int]:
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1 and all(0 <= f <= 1 for f in lengths):
        sizes = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        return sizes
    if any(isinstance(x, float) and not x.is_integer() for x in lengths) or any(x < 0 for x in lengths):
        raise ValueError(f"random_split expected non-negative lengths or fractions summing to 1, got {list(lengths)}")
    if sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths ({sum(lengths)}) does not equal the length of the input dataset ({n}); "
            "pass lengths that add up to it, or fractions that sum to 1"
        )
    return [int(x) for x in lengths]
