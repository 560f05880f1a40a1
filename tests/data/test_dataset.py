"""TensorDataset, Subset, ConcatDataset, IterableDataset, ChainDataset and random_split."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import vinsgrad
from vinsgrad.utils.data import (
    ChainDataset,
    ConcatDataset,
    DataLoader,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)


def make_data(n: int = 10) -> TensorDataset:
    return TensorDataset(vinsgrad.arange(n * 2).reshape(n, 2).float(), vinsgrad.arange(n))


def test_tensor_dataset_indexes_every_tensor_along_the_first_dim() -> None:
    data = make_data()
    x, y = data[3]
    assert len(data) == 10
    assert x.tolist() == [6.0, 7.0] and y.item() == 3


def test_tensor_dataset_getitems_is_the_collated_batch() -> None:
    x, y = make_data().__getitems__([4, 1, 1])
    assert x.tolist() == [[8.0, 9.0], [2.0, 3.0], [2.0, 3.0]] and y.tolist() == [4, 1, 1]
    assert x.dtype == vinsgrad.float32 and y.dtype == vinsgrad.int64


def test_tensor_dataset_rejects_mismatched_sizes() -> None:
    with pytest.raises(ValueError, match=r"Size mismatch.*\[3, 4\]"):
        TensorDataset(vinsgrad.zeros(3), vinsgrad.zeros(4))
    with pytest.raises(TypeError, match="argument 1 is a ndarray"):
        TensorDataset(vinsgrad.zeros(3), np.zeros(3))


def test_subset_maps_indices_and_batches_through_the_inner_fast_path() -> None:
    sub = Subset(make_data(), [9, 0, 5])
    assert len(sub) == 3 and sub[0][1].item() == 9 and sub[-1][1].item() == 5
    x, y = sub.__getitems__([2, 0])
    assert y.tolist() == [5, 9] and x.tolist() == [[10.0, 11.0], [18.0, 19.0]]


def test_subset_of_a_plain_dataset_collates_samples() -> None:
    class Squares:
        def __getitem__(self, i: int) -> tuple[int, float]:
            return i, float(i * i)

        def __len__(self) -> int:
            return 5

    i, sq = Subset(Squares(), [4, 2]).__getitems__([0, 1])  # type: ignore[arg-type]
    assert i.tolist() == [4, 2] and sq.tolist() == [16.0, 4.0] and sq.dtype == vinsgrad.float64


def test_concat_dataset_walks_the_parts_in_order() -> None:
    both = make_data(3) + make_data(2)
    assert isinstance(both, ConcatDataset) and len(both) == 5
    assert [both[i][1].item() for i in range(5)] == [0, 1, 2, 0, 1]
    assert both[-1][1].item() == 1
    with pytest.raises(IndexError, match="index 5 is out of range"):
        both[5]


def test_random_split_lengths_cover_everything_once_and_follow_the_generator() -> None:
    data = make_data(10)
    a, b = random_split(data, [7, 3], generator=vinsgrad.Generator().manual_seed(3))
    assert (len(a), len(b)) == (7, 3)
    assert sorted(list(a.indices) + list(b.indices)) == list(range(10))
    again = random_split(data, [7, 3], generator=vinsgrad.Generator().manual_seed(3))
    assert list(again[0].indices) == list(a.indices)
    other = random_split(data, [7, 3], generator=vinsgrad.Generator().manual_seed(4))
    assert list(other[0].indices) != list(a.indices)


def test_random_split_uses_the_default_generator_when_none_is_given() -> None:
    vinsgrad.manual_seed(0)
    first = random_split(make_data(), [5, 5])[0].indices
    vinsgrad.manual_seed(0)
    assert random_split(make_data(), [5, 5])[0].indices == first


def test_random_split_fractions_floor_then_hand_out_the_remainder() -> None:
    # floor(10 * 0.45) = 4 twice and 1: the remaining 1 goes to the first subset, as in PyTorch.
    sizes = [len(s) for s in random_split(make_data(10), [0.45, 0.45, 0.1])]
    assert sizes == [5, 4, 1]


def test_random_split_rejects_lengths_that_do_not_add_up() -> None:
    with pytest.raises(ValueError, match=r"Sum of input lengths \(9\) does not equal.*\(10\)"):
        random_split(make_data(10), [5, 4])
    with pytest.raises(ValueError, match="non-negative lengths or fractions"):
        random_split(make_data(10), [0.5, 0.3])


class Count(IterableDataset[int]):
    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


def test_chain_dataset_and_iterable_plus_iterable() -> None:
    chained = Count(3) + Count(2)
    assert isinstance(chained, ChainDataset) and list(chained) == [0, 1, 2, 0, 1] and len(chained) == 5
    assert [b.tolist() for b in DataLoader(chained, batch_size=2)] == [[0, 1], [2, 0], [1]]
    assert len(DataLoader(chained, batch_size=2)) == 3 and len(DataLoader(chained, batch_size=2, drop_last=True)) == 2
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset, got TensorDataset"):
        list(ChainDataset([make_data(2)]))
    with pytest.raises(TypeError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Count(2)])
    with pytest.raises(NotImplementedError, match="must define __iter__"):
        iter(IterableDataset())
