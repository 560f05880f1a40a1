"""Reductions, scans and selections (issue 13) against hand-derived values: dtypes, gradients through zeros,
tie rules and the p-norms."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad as vg


def t64(data, requires_grad: bool = True) -> vg.Tensor:  # type: ignore[no-untyped-def]
    return vg.tensor(data, dtype=vg.float64, requires_grad=requires_grad)


def grad_of(fn, data) -> np.ndarray:  # type: ignore[no-untyped-def]
    x = t64(data)
    fn(x).sum().backward()
    assert x.grad is not None
    return x.grad._data


def test_min_and_max_of_bool_tensors() -> None:  # min() raised TypeError (it negated the bools)
    b = vg.tensor([[True, False], [True, True]])
    assert b.min().dtype == vg.bool and not b.min().item() and b.max().item()
    values, indices = b.min(dim=1)
    np.testing.assert_array_equal(values._data, [False, True])
    np.testing.assert_array_equal(indices._data, [1, 0])
    np.testing.assert_array_equal(vg.amin(b, 0)._data, [True, False])


def test_integer_sums_and_products_accumulate_in_int64_unless_told() -> None:
    i32 = vg.tensor([[1, 2], [3, 4]], dtype=vg.int32)
    assert i32.sum().dtype == vg.int64 and i32.prod().item() == 24 and i32.prod().dtype == vg.int64
    assert i32.sum(dtype=vg.int32).dtype == vg.int32 and i32.cumsum(0).dtype == vg.int64
    assert vg.tensor([True, True]).sum().item() == 2
    x = vg.tensor([1.5, 2.5])
    assert x.sum(dtype=vg.float64).dtype == vg.float64
    np.testing.assert_array_equal(i32.sum(axis=0)._data, [4, 6])  # axis= is dim=
    with pytest.raises(RuntimeError, match="could not infer output dtype"):
        i32.mean()


def test_prod_and_cumprod_gradients_through_zeros() -> None:
    # prod([2, 0, 3]) = 0: d/dx_i is the product of the others, [0, 6, 0]; with two zeros every one is 0.
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(), [2.0, 0.0, 3.0]), [0.0, 6.0, 0.0])
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(), [0.0, 5.0, 0.0]), [0.0, 0.0, 0.0])
    # cumprod [x0, x0 x1, x0 x1 x2]: d/dx0 = 1 + x1 + x1 x2 = 1, d/dx1 = x0 + x0 x2 = 8, d/dx2 = x0 x1 = 0.
    np.testing.assert_array_equal(grad_of(lambda x: x.cumprod(0), [2.0, 0.0, 3.0]), [1.0, 8.0, 0.0])
    np.testing.assert_allclose(grad_of(lambda x: x.cumprod(0), [2.0, 4.0, 3.0]), [17.0, 8.0, 8.0])


def test_cumsum_and_logcumsumexp_values() -> None:
    x = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]])
    np.testing.assert_allclose(vg.cumsum(t64(x), 1)._data, np.cumsum(x, 1))
    np.testing.assert_allclose(vg.logcumsumexp(t64(x), 1)._data, np.log(np.cumsum(np.exp(x), 1)), rtol=1e-14)
    np.testing.assert_array_equal(vg.tensor([-np.inf, 0.0]).logcumsumexp(0)._data, [-np.inf, 0.0])
    # d/dx_i sum_j logcumsumexp_j = sum_{j >= i} softmax(x[:j+1])_i
    e = np.exp(x[0])
    want = [
        e[0] / e[:1].sum() + e[0] / e[:2].sum() + e[0] / e.sum(),
        e[1] / e[:2].sum() + e[1] / e.sum(),
        e[2] / e.sum(),
    ]
    np.testing.assert_allclose(grad_of(lambda t: t.logcumsumexp(0), x[0]), want, rtol=1e-12)


def test_sorting_and_selection_follow_pytorch_tie_rules() -> None:
    x = vg.tensor([1, 3, 1, 3])
    values, indices = x.sort(descending=True, stable=True)
    np.testing.assert_array_equal(values._data, [3, 3, 1, 1])
    np.testing.assert_array_equal(indices._data, [1, 3, 0, 2])  # equal elements keep their order
    np.testing.assert_array_equal(vg.argsort(x)._data, [0, 2, 1, 3])
    np.testing.assert_array_equal(vg.tensor([1, 1, 0, 1]).cummax(0).indices._data, [0, 1, 1, 3])  # latest on ties
    np.testing.assert_array_equal(vg.tensor([1, 1, 0, 1]).cummin(0).indices._data, [0, 1, 2, 2])
    y = vg.tensor([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
    assert y.median().item() == 3.0  # the lower of the two middle values, not their mean
    np.testing.assert_array_equal(y.topk(2).values._data, [9.0, 5.0])
    np.testing.assert_array_equal(y.topk(2, largest=False).indices._data, [1, 3])
    assert y.kthvalue(3).values.item() == 3.0 and y.kthvalue(3).indices.item() == 0
    mode = vg.tensor([[1, 2, 2, 3, 2], [4, 4, 5, 5, 1]]).mode(1)
    np.testing.assert_array_equal(mode.values._data, [2, 4])  # the smallest of the most frequent
    np.testing.assert_array_equal(mode.indices._data, [4, 1])  # where it last occurs
    with pytest.raises(RuntimeError, match="out of range"):
        y.topk(7)
    # the gradient reaches the chosen elements only
    np.testing.assert_array_equal(grad_of(lambda t: t.topk(2).values, [3.0, 1.0, 4.0]), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad_of(lambda t: t.median(), [3.0, 1.0, 4.0, 2.0]), [0.0, 0.0, 0.0, 1.0])


def test_p_norms() -> None:
    x = [3.0, -4.0, 0.0]
    assert vg.norm(t64(x)).item() == 5.0
    for p, want in [(1, 7.0), (float("inf"), 4.0), (float("-inf"), 0.0), (0, 2.0), (3, (27 + 64) ** (1 / 3))]:
        assert math.isclose(t64(x).norm(p).item(), want, rel_tol=1e-14), p
    np.testing.assert_allclose(grad_of(lambda t: t.norm(), x), [0.6, -0.8, 0.0])
    np.testing.assert_array_equal(grad_of(lambda t: t.norm(float("inf")), [4.0, -4.0, 1.0]), [0.5, -0.5, 0.0])
    np.testing.assert_array_equal(grad_of(lambda t: t.norm(), [0.0, 0.0]), [0.0, 0.0])  # not nan at 0
    np.testing.assert_allclose(t64([[3.0, 4.0], [6.0, 8.0]]).norm(dim=1)._data, [5.0, 10.0])


def test_std_mean_var_mean_and_counts() -> None:
    x = t64([[1.0, 2.0, 3.0, 6.0]], requires_grad=False)
    std, mean = vg.std_mean(x, 1)
    np.testing.assert_allclose(std._data, [math.sqrt(14 / 3)])
    np.testing.assert_allclose(mean._data, [3.0])
    var, _ = vg.var_mean(x, 1, correction=0)
    np.testing.assert_allclose(var._data, [3.5])
    counts = vg.count_nonzero(vg.tensor([[0, 1, 2], [0, 0, 3]]), dim=0)
    assert counts.dtype == vg.int64
    np.testing.assert_array_equal(counts._data, [0, 1, 2])
    np.testing.assert_array_equal(vg.tensor([[1, 0], [1, 1]]).all(1)._data, [False, True])
    np.testing.assert_array_equal(vg.any(vg.tensor([[0.0, 0.5], [0.0, 0.0]]), dim=1)._data, [True, False])
