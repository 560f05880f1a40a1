"""Op numerics against hand-derived values, tie and edge-case gradients, indexing, and dtype preservation.

Gradients on smooth inputs are gradchecked op by op in tests/test_selftest.py (the registry); here are the
values and the points finite differences cannot judge (ties, kinks, limits).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import vinsgrad as vg
from vinsgrad.autograd import ops


def t64(data, requires_grad: bool = True) -> vg.Tensor:  # type: ignore[no-untyped-def]
    return vg.tensor(data, dtype=vg.float64, requires_grad=requires_grad)


def grad_of(fn: Callable[[vg.Tensor], vg.Tensor], data) -> np.ndarray:  # type: ignore[no-untyped-def]
    x = t64(data)
    fn(x).sum().backward()
    assert x.grad is not None
    return x.grad._data


# **** forward values ****


def test_softmax_and_log_softmax_values() -> None:
    x = vg.tensor([[0.0, np.log(3.0)], [1000.0, 1000.0]], dtype=vg.float64)
    np.testing.assert_allclose(x.softmax(1)._data, [[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_allclose(x.log_softmax(-1)._data, np.log([[0.25, 0.75], [0.5, 0.5]]))
    np.testing.assert_allclose(x.softmax(0)._data.sum(0), [1.0, 1.0])


def test_logsumexp_is_stable() -> None:
    x = vg.tensor([[1000.0, 1000.0], [-1000.0, -np.inf]], dtype=vg.float64)
    np.testing.assert_allclose(x.logsumexp(1)._data, [1000 + np.log(2), -1000.0])
    assert x.logsumexp(dim=(0, 1)).shape == () and x.logsumexp(1, keepdim=True).shape == (2, 1)
    np.testing.assert_allclose(vg.tensor([-np.inf, -np.inf]).logsumexp(0).item(), -np.inf)


def test_sigmoid_never_overflows() -> None:
    with np.errstate(over="raise", invalid="raise"):
        y = vg.tensor([-1000.0, 0.0, 1000.0]).sigmoid()
    np.testing.assert_allclose(y._data, [0.0, 0.5, 1.0])
    assert y.dtype == vg.float32


def test_var_std_values_and_corrections() -> None:
    x = vg.tensor([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]], dtype=vg.float64)
    np.testing.assert_allclose(x.var(1)._data, [5 / 3, 0.0])
    np.testing.assert_allclose(x.var(1, correction=0)._data, [1.25, 0.0])
    np.testing.assert_allclose(x.var(1, unbiased=False)._data, [1.25, 0.0])
    np.testing.assert_allclose(x.std().item(), np.std(x._data, ddof=1))
    assert x.var(0, keepdim=True).shape == (1, 4)
    assert np.isnan(vg.tensor([3.0]).var().item())  # one element, correction 1: nan, as in PyTorch


def test_mean_sum_over_tuples_and_negative_dims() -> None:
    x = vg.arange(24).reshape(2, 3, 4).double()
    np.testing.assert_array_equal(x.sum((0, -1))._data, x._data.sum(axis=(0, 2)))
    np.testing.assert_array_equal(x.mean(-2, keepdim=True)._data, x._data.mean(axis=1, keepdims=True))
    assert x.sum().item() == 276 and x.sum(dim=None, keepdim=True).shape == (1, 1, 1)
    assert vg.tensor(3.0).sum(0).item() == 3.0 and vg.tensor(3.0).mean(-1).item() == 3.0


def test_max_min_with_dim_return_values_and_indices() -> None:
    x = vg.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 3.0]])
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    out = x.min(dim=0, keepdim=True)
    assert out.values.tolist() == [[1.0, 0.0, 3.0]] and out.indices.tolist() == [[0, 1, 1]]
    assert x.max().item() == 7.0 and x.min().item() == 0.0
    assert x.amax((0, 1)).item() == 7.0 and x.amin(1).tolist() == [1.0, 0.0]
    assert vg.max(x, vg.tensor(4.0)).tolist() == [[4.0, 5.0, 5.0], [7.0, 4.0, 4.0]]


def test_matmul_shapes_follow_numpy() -> None:
    cases = [((3,), (3,), ()), ((3,), (3, 2), (2,)), ((2, 3), (3,), (2,)), ((5, 2, 3), (3, 4), (5, 2, 4))]
    for sx, sy, so in cases:
        a, b = np.ones(sx), np.ones(sy)
        out = vg.tensor(a) @ vg.tensor(b)
        assert out.shape == so
        np.testing.assert_array_equal(out._data, a @ b)
    assert (np.ones((2, 3)) @ vg.ones(3, dtype=vg.float64)).shape == (2,)  # ndarray @ Tensor defers to Tensor


def test_pad_values_follow_pytorch_order() -> None:
    x = vg.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = ops.PadFn.apply(x, pad=(1, 0, 0, 2), value=9.0)  # last dim: 1 before 0 after; first dim: 0 before 2 after
    assert y.tolist() == [[9, 1, 2], [9, 3, 4], [9, 9, 9], [9, 9, 9]]
    with pytest.raises(ValueError, match="even number of pads"):
        ops.PadFn.apply(x, pad=(1,))
    with pytest.raises(ValueError, match="negative padding"):
        ops.PadFn.apply(x, pad=(-1, 0))


def test_cat_stack_and_where_values() -> None:
    a, b = vg.tensor([[1.0, 2.0]]), vg.tensor([[3.0, 4.0]])
    assert vg.cat([a, b]).tolist() == [[1, 2], [3, 4]] and vg.cat([a, b], dim=1).tolist() == [[1, 2, 3, 4]]
    assert vg.stack([a, b], dim=-1).shape == (1, 2, 2)
    c = vg.tensor([[True, False]])
    assert vg.where(c, a, b).tolist() == [[1, 4]] and a.where(c, 0.0).tolist() == [[1, 0]]


# **** indexing: forward like NumPy, backward scatter-adds ****

INDEXES = {
    "int": 1,
    "slice": slice(0, 2),
    "tuple": (1, slice(None, None, 2)),
    "none ellipsis": (None, Ellipsis, -1),
    "repeats": np.array([0, 0, 2, 0]),
    "list": [2, 2],
    "two arrays": (np.array([0, 2, 0]), np.array([1, 1, 1])),
    "mask": np.array([[True, False, True, True], [False, False, False, True], [True, True, False, False]]),
    "row mask": np.array([False, True, True]),
}


@pytest.mark.parametrize("index", list(INDEXES.values()), ids=list(INDEXES))
def test_indexing_matches_numpy_and_scatter_adds(index) -> None:  # type: ignore[no-untyped-def]
    base = np.arange(12.0).reshape(3, 4)
    x = t64(base)
    y = x[index]
    np.testing.assert_array_equal(y._data, base[index])
    w = np.arange(1.0, 1.0 + y._data.size).reshape(y.shape)
    (y * vg.tensor(w)).sum().backward()
    expected = np.zeros_like(base)
    np.add.at(expected, index if not isinstance(index, list) else np.array(index), w)
    np.testing.assert_array_equal(x.grad._data, expected)


def test_indexing_with_tensors() -> None:
    x = vg.tensor([10.0, 20.0, 30.0])
    assert x[vg.tensor([2, 0])].tolist() == [30.0, 10.0]
    assert x[x > 15].tolist() == [20.0, 30.0]


def test_gather_scatter_adds_repeated_indices() -> None:
    x = t64([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    idx = vg.tensor([[0, 0], [2, 1]])
    y = x.gather(1, idx)
    assert y.tolist() == [[1.0, 1.0], [6.0, 5.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0, 0.0], [0.0, 1.0, 1.0]]


# **** gradients at ties, kinks and limits (PyTorch's conventions) ****


def test_maximum_minimum_split_ties_evenly() -> None:
    x, y = t64([1.0, 2.0, 3.0]), t64([1.0, 5.0, 0.0])
    vg.maximum(x, y).sum().backward()
    assert x.grad.tolist() == [0.5, 0.0, 1.0] and y.grad.tolist() == [0.5, 1.0, 0.0]
    np.testing.assert_array_equal(grad_of(lambda t: t.minimum(2.0), [1.0, 2.0, 3.0]), [1.0, 0.5, 0.0])


def test_amax_amin_split_ties_evenly_but_max_dim_picks_one() -> None:
    np.testing.assert_array_equal(grad_of(lambda t: t.amax(), [1.0, 3.0, 3.0]), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(grad_of(lambda t: t.max(), [3.0, 3.0, 3.0]), [1 / 3] * 3)
    np.testing.assert_array_equal(grad_of(lambda t: t.amin(1), [[2.0, 2.0], [1.0, 4.0]]), [[0.5, 0.5], [1, 0]])
    np.testing.assert_array_equal(grad_of(lambda t: t.max(0)[0], [3.0, 3.0, 1.0]), [1.0, 0.0, 0.0])


def test_relu_abs_clamp_at_their_kinks() -> None:
    np.testing.assert_array_equal(grad_of(lambda t: t.relu(), [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad_of(lambda t: t.abs(), [-1.0, 0.0, 2.0]), [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad_of(lambda t: t.clamp(0.0, 1.0), [-1.0, 0.0, 0.5, 1.0, 2.0]), [0, 1, 1, 1, 0])


def test_pow_gradients_at_zero() -> None:
    np.testing.assert_array_equal(grad_of(lambda t: t**0, [0.0, 2.0]), [0.0, 0.0])
    np.testing.assert_array_equal(grad_of(lambda t: t**2, [0.0, 3.0]), [0.0, 6.0])
    # d(x**y)/dy at x == 0 is taken as 0 (the limit for y > 0)
    np.testing.assert_array_equal(
        grad_of(lambda t: vg.tensor([0.0, 2.0], dtype=vg.float64) ** t, [1.0, 1.0]), [0.0, 2 * np.log(2)]
    )


def test_sqrt_log_at_zero_follow_ieee() -> None:
    with np.errstate(divide="ignore"):
        assert grad_of(lambda t: t.sqrt(), [0.0])[0] == np.inf
        assert grad_of(lambda t: t.log(), [0.0])[0] == np.inf


# **** float32 stays float32, forward and backward ****

FLOAT32_OPS: dict[str, Callable[[vg.Tensor, vg.Tensor], vg.Tensor]] = {
    "add": lambda a, b: a + b,
    "sub scalar": lambda a, b: 1.5 - a,
    "mul int tensor": lambda a, b: a * vg.tensor([1, 2, 3, 4]),
    "div": lambda a, b: a / b,
    "rdiv": lambda a, b: 2 / a,
    "pow": lambda a, b: a.abs() ** b,
    "pow scalar": lambda a, b: a**2,
    "rpow": lambda a, b: 2.0**a,
    "matmul": lambda a, b: a @ b.T,
    "maximum": lambda a, b: vg.maximum(a, b),
    "minimum scalar": lambda a, b: a.minimum(0.5),
    "where": lambda a, b: vg.where(a > 0, a, b),
    "unary chain": lambda a, b: (a.exp() + a.abs().log() + a.abs().sqrt() + a.sin() + a.cos()).tanh(),
    "sigmoid relu clamp": lambda a, b: a.sigmoid() + a.relu() + a.clamp(-0.1, 0.1),
    "reductions": lambda a, b: a.sum(0) + a.mean(1, keepdim=True) + a.var() + a.std(0) + a.amax(1, keepdim=True),
    "amin max min": lambda a, b: a.amin(0) + a.max(0)[0] + a.min(),
    "logsumexp softmax": lambda a, b: a.logsumexp(1, keepdim=True) + a.softmax(0) + a.log_softmax(1),
    "movement": lambda a, b: a.reshape(4, 3).T.flatten().unsqueeze(0).squeeze(0).expand(2, 12).permute(1, 0),
    "index gather": lambda a, b: a[1:, np.array([0, 0, 1])].sum() + a[a > 0].sum() + a.gather(1, vg.tensor([[0]] * 3)),
    "cat": lambda a, b: vg.cat([a, b], dim=1),
    "stack": lambda a, b: vg.stack([a, b], dim=1),
    "pad": lambda a, b: ops.PadFn.apply(a, pad=(1, 1)),
}


@pytest.mark.parametrize("fn", list(FLOAT32_OPS.values()), ids=list(FLOAT32_OPS))
def test_float32_stays_float32(fn: Callable[[vg.Tensor, vg.Tensor], vg.Tensor]) -> None:
    rng = np.random.default_rng(0)
    a = vg.tensor(rng.standard_normal((3, 4), dtype=np.float32), requires_grad=True)
    b = vg.tensor(rng.uniform(0.5, 1.5, (3, 4)).astype(np.float32), requires_grad=True)
    out = fn(a, b)
    assert out.dtype == vg.float32
    # Every backward along the way must return float32 (the engine would cast, but silently and slowly).
    dtypes = []
    stack, seen = [(out.grad_fn, out.shape)], set()
    while stack:
        node, shape = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        grads = type(node).backward(node, np.ones(shape, dtype=np.float32))
        dtypes += [g.dtype for g in (grads if isinstance(grads, tuple) else (grads,)) if g is not None]
        stack += [(i.grad_fn, i.shape) for i in node.inputs if isinstance(i, vg.Tensor)]
    assert dtypes and all(d == np.float32 for d in dtypes), dtypes
    out.sum().backward()
    assert a.grad.dtype == vg.float32


def test_type_promotion_follows_pytorch() -> None:
    f32, i64 = vg.tensor([1.0, 2.0]), vg.tensor([1, 2])
    f64_0d, i32_0d = vg.tensor(2.0, dtype=vg.float64), vg.tensor(np.int32(2))
    cases = [
        (f32 * i64, vg.float32),  # NumPy would give float64
        (f32**i64, vg.float32),
        (i64 / 2, vg.float32),  # true division of integers: the default float dtype
        (i64 / i64, vg.float32),
        (i64 * 2.5, vg.float32),
        (f32 + f64_0d, vg.float32),  # a tensor with dims beats a 0-d one of the same category
        (i64 + f64_0d, vg.float64),  # ... but a higher category wins
        (i64 + i32_0d, vg.int64),
        (vg.tensor([True]) + 1, vg.int64),
        (vg.tensor([True]) * 1.5, vg.float32),
        (f32 + np.float64(1.0), vg.float32),  # NumPy scalars count as Python numbers
        (vg.where(vg.tensor([True, False]), f32, i64), vg.float32),
        (vg.maximum(f32, i64), vg.float32),
    ]
    for i, (result, dtype) in enumerate(cases):
        assert result.dtype == dtype, f"case {i}: {result.dtype} != {dtype}"
    np.testing.assert_array_equal((i64 / 2)._data, [0.5, 1.0])
