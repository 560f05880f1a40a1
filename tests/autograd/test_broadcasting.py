"""Hypothesis drives random broadcasting shapes through the binary ops and random dims through the reductions.

Each example gradchecks against finite differences in float64 and compares the forward with NumPy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import vinsgrad as vg

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)


def leaf(array: np.ndarray) -> vg.Tensor:
    return vg.tensor(array.astype(np.float64), requires_grad=True)


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    a = rng.standard_normal(shape)
    return np.sign(a) * (np.abs(a) + 0.5)


BINARY: dict[str, tuple[Callable, Callable]] = {
    "add": (lambda x, y: x + y, np.add),
    "sub": (lambda x, y: x - y, np.subtract),
    "mul": (lambda x, y: x * y, np.multiply),
    "div": (lambda x, y: x / y, np.divide),
    "pow": (lambda x, y: x.abs() ** y, lambda x, y: np.abs(x) ** y),
    "maximum": (vg.maximum, np.maximum),
    "minimum": (vg.minimum, np.minimum),
    "where": (lambda x, y: vg.where(x > 0, x, y), lambda x, y: np.where(x > 0, x, y)),
}


@SETTINGS
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3),
    op=st.sampled_from(sorted(BINARY)),
    seed=st.integers(0, 2**16),
)
def test_binary_ops_broadcast_with_correct_gradients(shapes, op, seed) -> None:  # type: ignore[no-untyped-def]
    (sx, sy), result_shape = shapes.input_shapes, shapes.result_shape
    rng = np.random.default_rng(seed)
    a, b = away_from_zero(rng, sx), away_from_zero(rng, sy)
    fn, reference = BINARY[op]
    x, y = leaf(a), leaf(b)
    out = fn(x, y)
    assert out.shape == result_shape
    np.testing.assert_allclose(out._data, reference(a, b), rtol=1e-12)
    assert vg.gradcheck(fn, (x, y))
    out.sum().backward()
    assert x.grad.shape == sx and y.grad.shape == sy


@st.composite
def shape_and_dim(draw):  # type: ignore[no-untyped-def]
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    ndim = len(shape)
    dims = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim, unique_by=lambda d: d % ndim))
    dim = draw(st.sampled_from([None, dims[0], tuple(dims)]))
    return shape, dim, draw(st.booleans())


REDUCTIONS: dict[str, tuple[Callable, Callable]] = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), lambda a, ax, k: a.sum(axis=ax, keepdims=k)),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k), lambda a, ax, k: a.mean(axis=ax, keepdims=k)),
    "var": (lambda x, d, k: x.var(d, keepdim=k, correction=0), lambda a, ax, k: a.var(axis=ax, keepdims=k)),
    "std": (lambda x, d, k: x.std(d, keepdim=k, correction=0), lambda a, ax, k: a.std(axis=ax, keepdims=k)),
    "amax": (lambda x, d, k: x.amax(d, keepdim=k), lambda a, ax, k: a.max(axis=ax, keepdims=k)),
    "amin": (lambda x, d, k: x.amin(d, keepdim=k), lambda a, ax, k: a.min(axis=ax, keepdims=k)),
    "logsumexp": (
        lambda x, d, k: x.logsumexp(d, keepdim=k),
        lambda a, ax, k: np.log(np.exp(a).sum(axis=ax, keepdims=k)),
    ),
}


@SETTINGS
@given(case=shape_and_dim(), op=st.sampled_from(sorted(REDUCTIONS)), seed=st.integers(0, 2**16))
def test_reductions_over_random_dims_with_correct_gradients(case, op, seed) -> None:  # type: ignore[no-untyped-def]
    shape, dim, keepdim = case
    a = np.random.default_rng(seed).standard_normal(shape)
    fn, reference = REDUCTIONS[op]
    x = leaf(a)
    axes = dim if dim is None or isinstance(dim, tuple) else (dim,)
    out = fn(x, dim, keepdim)
    np.testing.assert_allclose(out._data, reference(a, axes, keepdim), rtol=1e-10, atol=1e-12)
    if op == "std" and out._data.size == a.size:
        return  # one element per reduction: std = sqrt(0), whose gradient is inf, as in PyTorch
    assert vg.gradcheck(lambda t: fn(t, dim, keepdim), (x,))


@SETTINGS
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
    data=st.data(),
    seed=st.integers(0, 2**16),
)
def test_softmax_family_over_random_dims(shape, data, seed) -> None:  # type: ignore[no-untyped-def]
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = leaf(np.random.default_rng(seed).standard_normal(shape))
    np.testing.assert_allclose(x.softmax(dim)._data.sum(axis=dim), 1.0)
    np.testing.assert_allclose(x.log_softmax(dim)._data, np.log(x.softmax(dim)._data), atol=1e-12)
    assert vg.gradcheck(lambda t: t.softmax(dim), (x,))
    assert vg.gradcheck(lambda t: t.log_softmax(dim), (x,))


@SETTINGS
@given(
    shapes=hnp.mutually_broadcastable_shapes(signature="(m,n),(n,p)->(m,p)", max_dims=2, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_batched_matmul_broadcasts_with_correct_gradients(shapes, seed) -> None:  # type: ignore[no-untyped-def]
    (sx, sy), result_shape = shapes.input_shapes, shapes.result_shape
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(sx), rng.standard_normal(sy)
    x, y = leaf(a), leaf(b)
    out = x @ y
    assert out.shape == result_shape
    np.testing.assert_allclose(out._data, a @ b, rtol=1e-12, atol=1e-12)
    assert vg.gradcheck(lambda p, q: p @ q, (x, y))
