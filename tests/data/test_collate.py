"""default_collate follows PyTorch's rules for every kind of sample."""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import numpy as np
import pytest

import vinsgrad
from vinsgrad.utils.data import default_collate


def test_tensors_and_arrays_are_stacked_along_a_new_first_dim() -> None:
    out = default_collate([vinsgrad.tensor([1.0, 2.0]), vinsgrad.tensor([3.0, 4.0])])
    assert out.shape == (2, 2) and out.tolist() == [[1.0, 2.0], [3.0, 4.0]] and out.dtype == vinsgrad.float32
    arr = default_collate([np.zeros((2, 3), dtype=np.uint8), np.ones((2, 3), dtype=np.uint8)])
    assert isinstance(arr, vinsgrad.Tensor) and arr.shape == (2, 2, 3) and arr.dtype == np.uint8


def test_numbers_become_tensors_with_pytorchs_dtypes() -> None:
    assert default_collate([1, 2]).dtype == vinsgrad.int64
    assert default_collate([1.0, 2.5]).dtype == vinsgrad.float64  # PyTorch collates Python floats to float64
    assert default_collate([True, False]).dtype == vinsgrad.bool
    assert default_collate([np.float32(1), np.float32(2)]).dtype == vinsgrad.float32


def test_tuples_dicts_and_namedtuples_are_collated_field_by_field() -> None:
    class Pair(NamedTuple):
        x: float
        y: int

    images, labels, names = default_collate([(vinsgrad.zeros(2), 0, "a"), (vinsgrad.ones(2), 1, "b")])
    assert images.shape == (2, 2) and labels.tolist() == [0, 1] and names == ["a", "b"]
    batch = default_collate([{"x": 1.0, "y": 2}, {"x": 3.0, "y": 4}])
    assert batch["x"].tolist() == [1.0, 3.0] and batch["y"].tolist() == [2, 4]
    pair = default_collate([Pair(1.0, 2), Pair(3.0, 4)])
    assert isinstance(pair, Pair) and pair.y.tolist() == [2, 4]


def test_bad_batches_say_what_was_found() -> None:
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="dtype <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(ValueError, match="non-empty batch"):
        default_collate([])


def test_nested_structures_collate_at_every_level() -> None:
    samples = [
        {"img": np.full((2,), i, dtype=np.float32), "meta": (i, [float(i), np.int32(i)]), "t": vinsgrad.tensor(i)}
        for i in range(3)
    ]
    out = default_collate(samples)
    assert out["img"].tolist() == [[0, 0], [1, 1], [2, 2]] and out["img"].dtype == vinsgrad.float32
    labels, (floats, ints) = out["meta"]
    assert labels.dtype == vinsgrad.int64 and labels.tolist() == [0, 1, 2]
    assert floats.dtype == vinsgrad.float64 and ints.dtype == np.int32 and ints.tolist() == [0, 1, 2]
    assert out["t"].tolist() == [0, 1, 2]
    ordered = default_collate([OrderedDict(a=1), OrderedDict(a=2)])
    assert type(ordered) is OrderedDict and ordered["a"].tolist() == [1, 2]
