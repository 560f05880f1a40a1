"""Embedding: lookups, gradient accumulation over repeated indices, the padding row, init and errors."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F


def test_lookup_picks_rows_in_the_input_shape() -> None:
    emb = nn.Embedding(5, 3)
    idx = vg.tensor([[4, 0, 4], [2, 2, 1]])
    out = emb(idx)
    assert out.shape == (2, 3, 3) and out.dtype == vg.float32
    np.testing.assert_array_equal(out._data, emb.weight._data[idx._data])


def test_gradient_adds_up_over_repeated_indices() -> None:
    emb = nn.Embedding(4, 2)
    out = emb(vg.tensor([1, 3, 1, 1]))
    out.backward(vg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]))
    np.testing.assert_array_equal(emb.weight.grad._data, [[0, 0], [13, 16], [0, 0], [3, 4]])


def test_padding_row_starts_at_zero_and_gets_no_gradient() -> None:
    emb = nn.Embedding(4, 2, padding_idx=-1)
    assert emb.padding_idx == 3 and emb.weight._data[3].tolist() == [0.0, 0.0]
    emb(vg.tensor([[3, 0], [3, 3]])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad._data, [[1, 1], [0, 0], [0, 0], [0, 0]])
    assert repr(emb) == "Embedding(4, 2, padding_idx=3)"


def test_init_is_standard_normal_and_seeded() -> None:
    vg.manual_seed(3)
    w = nn.Embedding(2000, 10).weight._data
    assert abs(w.mean()) < 0.03 and abs(w.std() - 1) < 0.03
    vg.manual_seed(3)
    np.testing.assert_array_equal(nn.Embedding(2000, 10).weight._data, w)


def test_state_dict_and_functional_form() -> None:
    emb = nn.Embedding(3, 2)
    assert list(emb.state_dict()) == ["weight"]
    w = vg.randn(3, 2, dtype=vg.float64)
    np.testing.assert_array_equal(F.embedding(vg.tensor([2, 0]), w)._data, w._data[[2, 0]])


def test_errors() -> None:
    emb = nn.Embedding(3, 2)
    with pytest.raises(IndexError, match=r"indices must be in \[0, 3\), got \[0, 3\]"):
        emb(vg.tensor([0, 3]))
    with pytest.raises(TypeError, match="integer indices, got dtype float32"):
        emb(vg.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"padding_idx must be within \[-3, 3\)"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(ValueError, match="embedding_dim must be a positive int"):
        nn.Embedding(3, 0)
