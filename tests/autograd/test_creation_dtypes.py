"""Creation functions and dtypes against hand-derived values (shapes, dtypes and contents)."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn.functional as F


def test_dtype_names_are_pytorchs():
    pairs = [
        (vg.int8, "int8"),
        (vg.int16, "int16"),
        (vg.short, "int16"),
        (vg.int32, "int32"),
        (vg.int, "int32"),
        (vg.int64, "int64"),
        (vg.long, "int64"),
        (vg.uint8, "uint8"),
        (vg.float16, "float16"),
        (vg.half, "float16"),
        (vg.float, "float32"),
        (vg.double, "float64"),
        (vg.bool, "bool"),
    ]
    for dtype, name in pairs:
        assert np.dtype(dtype) == np.dtype(name)


def test_casts_floating_point_and_element_size():
    x = vg.tensor([1.7, -2.7, 0.0])
    assert x.is_floating_point() and vg.is_floating_point(x)
    assert x.element_size() == 4 and x.double().element_size() == 8
    assert x.half().dtype == np.float16 and x.half().element_size() == 2
    assert x.int().dtype == np.int32 and x.int().tolist() == [1, -2, 0]  # truncation toward zero
    assert x.long().dtype == np.int64 and x.long().element_size() == 8
    assert x.short().dtype == np.int16 and x.short().element_size() == 2
    assert x.bool().tolist() == [True, True, False] and x.bool().element_size() == 1
    assert vg.tensor([1.0, 200.0]).byte().dtype == np.uint8
    assert vg.tensor([1.0, 200.0]).byte().tolist() == [1, 200]
    assert not x.long().is_floating_point() and not x.bool().is_floating_point()
    assert x.half().is_floating_point()


def test_zeros_ones_full_accept_pytorchs_forms():
    assert vg.zeros(2, 3).shape == (2, 3) and vg.zeros((2, 3)).shape == (2, 3) and vg.zeros([2, 3]).shape == (2, 3)
    assert vg.zeros(2, dtype=None).dtype == np.float32 and vg.ones(2, dtype=None).dtype == np.float32
    assert vg.ones(2, dtype=vg.long).tolist() == [1, 1] and vg.ones(2, dtype=vg.long).dtype == np.int64
    assert vg.zeros(2, requires_grad=True).requires_grad
    assert vg.full((2,), 1.5).dtype == np.float32 and vg.full((2,), 7).dtype == np.int64
    assert vg.full((2,), True).dtype == np.bool_ and vg.full([2, 1], 3, dtype=vg.double).tolist() == [[3.0], [3.0]]
    assert vg.full(3, 2.0, requires_grad=True).requires_grad


def test_empty_and_like_functions():
    e = vg.empty(2, 3)
    assert e.shape == (2, 3) and e.dtype == np.float32
    assert vg.empty((4,), dtype=vg.int32).dtype == np.int32
    t = vg.ones(2, 3, dtype=vg.double)
    assert vg.empty_like(t).shape == (2, 3) and vg.empty_like(t).dtype == np.float64
    assert vg.empty_like(t, dtype=vg.int8).dtype == np.int8
    vg.manual_seed(0)
    r = vg.rand_like(t)
    assert r.shape == (2, 3) and r.dtype == np.float64 and ((r._data >= 0) & (r._data < 1)).all()
    n = vg.randn_like(vg.zeros(1000), dtype=vg.float16)
    assert n.dtype == np.float16 and abs(float(n._data.astype(np.float64).mean())) < 0.2
    assert vg.rand_like(t, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        vg.rand_like(vg.zeros(2, dtype=vg.long))
    with pytest.raises(RuntimeError, match="floating point"):
        vg.randn_like(vg.zeros(2, dtype=vg.long))
    ri = vg.randint_like(vg.zeros(200, dtype=vg.long), 3)
    assert ri.dtype == np.int64 and set(ri.tolist()) == {0, 1, 2}
    rf = vg.randint_like(vg.zeros(200), 5, 7)
    assert rf.dtype == np.float32 and set(rf.tolist()) == {5.0, 6.0}


def test_new_methods_follow_the_tensors_dtype():
    x = vg.tensor([1, 2], dtype=vg.int32)
    assert x.new_tensor([1.9, -1.9]).dtype == np.int32 and x.new_tensor([1.9, -1.9]).tolist() == [1, -1]
    assert x.new_tensor([1.5], dtype=vg.float).tolist() == [1.5]
    assert x.new_zeros(2, 3).shape == (2, 3) and x.new_zeros((2, 3)).dtype == np.int32
    assert x.new_ones([2]).tolist() == [1, 1] and x.new_ones(2, dtype=vg.double).dtype == np.float64
    assert x.new_full((2, 2), 7).tolist() == [[7, 7], [7, 7]] and x.new_full((2,), 7).dtype == np.int32
    assert x.new_empty(3).shape == (3,) and x.new_empty(3).dtype == np.int32
    f = vg.zeros(1, dtype=vg.double)
    assert f.new_zeros(2, requires_grad=True).requires_grad and f.new_full(2, 0.5).tolist() == [0.5, 0.5]
    src = np.array([1.0, 2.0])
    copy = f.new_tensor(src)
    src[0] = 9.0
    assert copy.tolist() == [1.0, 2.0]  # a copy, not a view


def test_linspace_integer_dtype_truncates_toward_zero():
    # step = -10/19; first half 5 + i*step, second half -5 + (19-i)*(10/19); then truncation toward zero
    expected = [5, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, -1, -1, -2, -2, -3, -3, -4, -5]
    out = vg.linspace(5, -5, 20, dtype=vg.int64)
    assert out.dtype == np.int64 and out.tolist() == expected
    assert vg.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert vg.linspace(0, 1, 5, dtype=None).dtype == np.float32
    assert vg.linspace(-1, 2, 4, dtype=vg.int32).tolist() == [-1, 0, 1, 2]
    assert vg.linspace(3, 7, 1, dtype=vg.long).tolist() == [3]
    assert vg.linspace(-2.5, 2.5, 3, dtype=vg.long).tolist() == [-2, 0, 2]


def test_arange_dtypes():
    assert vg.arange(5).dtype == np.int64 and vg.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert vg.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75] and vg.arange(0, 1, 0.25).dtype == np.float32
    assert vg.arange(1, 7, 2, dtype=vg.int32).tolist() == [1, 3, 5]
    assert vg.arange(3, dtype=vg.double).dtype == np.float64
    # integer dtypes truncate start, end and step toward zero before counting, as PyTorch does
    assert vg.arange(0.5, 3.7, 1, dtype=vg.long).tolist() == [0, 1, 2]  # NumPy alone would give [0, 1, 2, 3]
    assert vg.arange(-1.5, 2.7, 2, dtype=vg.long).tolist() == [-1, 1]
    assert vg.arange(2.9, -3.2, -1.5, dtype=vg.long).tolist() == [2, 1, 0, -1, -2]
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        vg.arange(0, 2.5, 0.5, dtype=vg.long)


def test_logspace():
    out = vg.logspace(0, 2, 3)
    assert out.dtype == np.float32 and out.tolist() == [1.0, 10.0, 100.0]
    assert vg.logspace(0, 3, 4, base=2).tolist() == [1.0, 2.0, 4.0, 8.0]
    assert vg.logspace(-1, 1, 3, dtype=vg.double).tolist() == pytest.approx([0.1, 1.0, 10.0])
    assert vg.logspace(0, 1, 3, dtype=vg.long).tolist() == [1, 3, 10]  # 10**0.5 = 3.16 truncates to 3


def test_eye():
    assert vg.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]] and vg.eye(2).dtype == np.float32
    assert vg.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert vg.eye(3, 2, dtype=vg.long).tolist() == [[1, 0], [0, 1], [0, 0]]


def test_tril_triu_indices():
    tril = vg.tril_indices(3, 3)
    assert tril.dtype == np.int64 and tril.tolist() == [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    assert vg.tril_indices(4, 3, 1).tolist() == [[0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], [0, 1, 0, 1, 2, 0, 1, 2, 0, 1, 2]]
    assert vg.tril_indices(3, 3, -1).tolist() == [[1, 2, 2], [0, 0, 1]]
    assert vg.triu_indices(3, 3).tolist() == [[0, 0, 0, 1, 1, 2], [0, 1, 2, 1, 2, 2]]
    assert vg.triu_indices(3, 4, 1).tolist() == [[0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3]]
    assert vg.triu_indices(4, 3, -1).tolist() == [[0, 0, 0, 1, 1, 1, 2, 2, 3], [0, 1, 2, 0, 1, 2, 1, 2, 2]]
    assert vg.tril_indices(0, 3).shape == (2, 0)
    with pytest.raises(RuntimeError, match="non-negative"):
        vg.tril_indices(-1, 3)


def test_meshgrid_values_and_shapes():
    a = vg.tensor([1.0, 2.0, 3.0])
    b = vg.tensor([4.0, 5.0])
    ga, gb = vg.meshgrid(a, b, indexing="ij")
    assert ga.tolist() == [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    assert gb.tolist() == [[4.0, 5.0], [4.0, 5.0], [4.0, 5.0]]
    xa, xb = vg.meshgrid([a, b], indexing="xy")
    assert xa.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]] and xb.tolist() == [[4.0, 4.0, 4.0], [5.0, 5.0, 5.0]]
    shapes = [g.shape for g in vg.meshgrid(a, b, vg.tensor([0.0, 1.0, 2.0, 3.0]), indexing="xy")]
    assert shapes == [(2, 3, 4)] * 3
    assert vg.meshgrid(a)[0].tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="indexing"):
        vg.meshgrid(a, b, indexing="ab")


def test_meshgrid_gradients():
    a = vg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = vg.tensor([4.0, 5.0], requires_grad=True)
    ga, gb = vg.meshgrid(a, b)
    (ga * gb).sum().backward()
    assert a.grad is not None and b.grad is not None
    assert a.grad.tolist() == [9.0, 9.0, 9.0]  # d/da_i sum_j a_i b_j = b_0 + b_1
    assert b.grad.tolist() == [6.0, 6.0]  # a_0 + a_1 + a_2
    x = vg.randn(3, dtype=vg.double, requires_grad=True)
    y = vg.randn(2, dtype=vg.double, requires_grad=True)
    assert vg.gradcheck(lambda s, t: (vg.meshgrid(s, t, indexing="xy")[0] * vg.meshgrid(s, t)[1].T).sum(), (x, y))


def test_one_hot():
    out = F.one_hot(vg.tensor([0, 2, 1]))
    assert out.dtype == np.int64 and out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    out = F.one_hot(vg.tensor([[1], [0]]), num_classes=4)
    assert out.shape == (2, 1, 4) and out.tolist() == [[[0, 1, 0, 0]], [[1, 0, 0, 0]]]
    with pytest.raises(RuntimeError, match="int64"):
        F.one_hot(vg.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(vg.tensor([-1, 0]))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(vg.tensor([3]), 3)
