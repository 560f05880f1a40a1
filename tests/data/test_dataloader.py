"""Samplers and DataLoader: order, batching, reproducible shuffling, and the __getitems__ fast path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vinsgrad
from vinsgrad.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)


class Squares:
    """A plain map-style dataset without __getitems__ (the per-sample path)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        return np.full(3, i, dtype=np.float32), i * i

    def __len__(self) -> int:
        return self.n


class CountingBatches(Squares):
    """The same samples, plus a batch fast path that counts its calls."""

    def __init__(self, n: int) -> None:
        super().__init__(n)
        self.batch_calls = 0

    def __getitems__(self, indices: list[int]) -> list[Any]:
        self.batch_calls += 1
        idx = np.asarray(indices)
        return [vinsgrad.tensor(np.repeat(idx[:, None], 3, axis=1).astype(np.float32)), vinsgrad.tensor(idx * idx)]


def test_batch_sampler_groups_indices_and_counts_batches() -> None:
    assert list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=True)) == [[0, 1], [2, 3]]
    assert len(BatchSampler(range(5), 2, drop_last=False)) == 3 and len(BatchSampler(range(5), 2, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        BatchSampler(range(5), 0, False)


def test_random_sampler_is_a_permutation_and_follows_its_generator() -> None:
    a = list(RandomSampler(range(20), generator=vinsgrad.Generator().manual_seed(1)))
    b = list(RandomSampler(range(20), generator=vinsgrad.Generator().manual_seed(1)))
    assert sorted(a) == list(range(20)) and a == b and a != list(range(20))


def test_random_sampler_num_samples_and_replacement() -> None:
    g = vinsgrad.Generator().manual_seed(0)
    more = list(RandomSampler(range(4), num_samples=10, generator=g))
    assert len(more) == 10 and sorted(more[:4]) == sorted(more[4:8]) == [0, 1, 2, 3]
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=g))
    assert len(drawn) == 50 and set(drawn) == {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler(range(0))


def test_subset_random_sampler_permutes_only_its_indices() -> None:
    assert sorted(SubsetRandomSampler([5, 7, 9], generator=vinsgrad.Generator())) == [5, 7, 9]


def test_loader_batches_in_order_with_default_collate() -> None:
    loader = DataLoader(Squares(5), batch_size=2)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    x, y = batches[0]
    assert x.shape == (2, 3) and x.dtype == vinsgrad.float32 and y.tolist() == [0, 1] and y.dtype == vinsgrad.int64
    assert batches[-1][1].tolist() == [16]
    assert len(DataLoader(Squares(5), batch_size=2, drop_last=True)) == 2


def test_loader_uses_getitems_once_per_batch_and_matches_the_per_sample_path() -> None:
    fast = CountingBatches(7)
    fast_batches = list(DataLoader(fast, batch_size=3))
    slow_batches = list(DataLoader(Squares(7), batch_size=3))
    assert fast.batch_calls == 3
    for (xf, yf), (xs, ys) in zip(fast_batches, slow_batches, strict=True):
        assert xf.equal(xs) and yf.equal(ys) and xf.dtype == xs.dtype and yf.dtype == ys.dtype


def test_a_custom_collate_fn_gets_the_list_of_samples() -> None:
    data = CountingBatches(4)
    out = list(DataLoader(data, batch_size=2, collate_fn=lambda samples: [s[1] for s in samples]))
    assert out == [[0, 1], [4, 9]] and data.batch_calls == 0


def test_shuffle_is_reproducible_from_manual_seed_and_from_a_generator() -> None:
    data = TensorDataset(vinsgrad.arange(50))

    def epoch(loader: DataLoader) -> list[int]:
        return [i for (batch,) in loader for i in batch.tolist()]

    vinsgrad.manual_seed(7)
    loader = DataLoader(data, batch_size=8, shuffle=True)
    first, second = epoch(loader), epoch(loader)
    assert sorted(first) == list(range(50)) and first != list(range(50)) and second != first  # reshuffled
    vinsgrad.manual_seed(7)
    assert epoch(DataLoader(data, batch_size=8, shuffle=True)) == first
    g1, g2 = vinsgrad.Generator().manual_seed(3), vinsgrad.Generator().manual_seed(3)
    assert epoch(DataLoader(data, batch_size=8, shuffle=True, generator=g1)) == epoch(
        DataLoader(data, batch_size=8, shuffle=True, generator=g2)
    )


def test_sampler_and_batch_sampler_arguments() -> None:
    data = TensorDataset(vinsgrad.arange(6))
    (only,) = list(DataLoader(data, batch_size=3, sampler=[5, 0, 2]))
    assert only[0].tolist() == [5, 0, 2]
    loader = DataLoader(data, batch_sampler=[[1, 2], [3]])
    assert [b[0].tolist() for b in loader] == [[1, 2], [3]] and loader.batch_size is None


def test_conflicting_arguments_are_rejected() -> None:
    data = TensorDataset(vinsgrad.arange(6))
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(data, shuffle=True, sampler=[0, 1])
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(data, batch_size=2, batch_sampler=[[0]])
    with pytest.raises(TypeError, match="map-style dataset"):
        DataLoader(iter(range(3)))


def test_weighted_random_sampler_follows_the_weights() -> None:
    g = vinsgrad.Generator().manual_seed(0)
    drawn = np.array(list(WeightedRandomSampler([1.0, 0.0, 3.0], num_samples=4000, generator=g)))
    assert len(drawn) == 4000 and not (drawn == 1).any()
    assert abs((drawn == 2).mean() - 0.75) < 0.03  # 3 / (1 + 3)
    once = list(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False, generator=g))
    assert sorted(once) == [0, 1, 2]
    again = vinsgrad.Generator().manual_seed(0)
    assert list(WeightedRandomSampler([1.0, 0.0, 3.0], 4000, generator=again)) == drawn.tolist()
    with pytest.raises(ValueError, match="num_samples=0"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 1)
    with pytest.raises(RuntimeError, match="without replacement from 1 non-zero"):
        WeightedRandomSampler([1.0, 0.0], 2, replacement=False)
    loader = DataLoader(Squares(3), batch_size=2, sampler=WeightedRandomSampler([0, 0, 1], 4))
    assert [y.tolist() for _, y in loader] == [[4, 4], [4, 4]]
