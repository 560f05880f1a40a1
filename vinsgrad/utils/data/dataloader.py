"""``DataLoader``: iterate over a dataset in (shuffled) batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from vinsgrad.random import Generator
from vinsgrad.utils.data.collate import default_collate
from vinsgrad.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler


class DataLoader:
    """Batches of ``dataset``, reshuffled every epoch when ``shuffle`` is set.

    When ``collate_fn`` is the default and the dataset defines ``__getitems__(indices)``, a batch is fetched
    with that one call (the fast path: one NumPy fancy-index for a batch of images); otherwise the loader calls
    ``dataset[i]`` for each index and passes the list of samples to ``collate_fn``.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch.
        shuffle: visit the samples in a new random order each epoch.
        sampler: the order of indices (mutually exclusive with ``shuffle``).
        batch_sampler: yields whole lists of indices (mutually exclusive with the four arguments before it).
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        collate_fn: turns a list of samples into a batch (``default_collate`` when None).
        generator: where shuffling draws its randomness (the default generator when None, so
            ``vinsgrad.manual_seed`` makes the order reproducible).

    Example::

        loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        for xb, yb in loader: ...
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[Sequence[int]] | None = None,
        *,
        drop_last: bool = False,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        generator: Generator | None = None,
    ) -> None:
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DataLoader expected a map-style dataset (with __getitem__ and __len__), got {type(dataset).__name__}"
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle; shuffle in the sampler instead")
        self.dataset = dataset
        self.batch_size: int | None = batch_size
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            self.batch_size = None  # as in PyTorch: the batch sampler decides
        else:
            if sampler is None:
                sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.collate_fn = default_collate if collate_fn is None else collate_fn

    def __iter__(self) -> Iterator[Any]:
        if self.collate_fn is default_collate and hasattr(self.dataset, "__getitems__"):
            return (self.dataset.__getitems__(indices) for indices in self.batch_sampler)
        dataset, collate = self.dataset, self.collate_fn
        return (collate([dataset[i] for i in indices]) for indices in self.batch_sampler)

    def __len__(self) -> int:
        return len(self.batch_sampler)  # type: ignore[arg-type]
