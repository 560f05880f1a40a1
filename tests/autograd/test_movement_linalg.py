"""Movement, indexing and linear algebra ops of issue 13: values against NumPy or by hand, PyTorch's placement of
index-array dims, the error classes PyTorch raises, and the gradients finite differences cannot judge (ties,
zeros). Smooth gradients are gradchecked in the selftest registry (vinsgrad/testing/cases/{movement,linalg}.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg


def arange(*shape: int) -> vg.Tensor:
    return vg.tensor(np.arange(float(np.prod(shape))).reshape(shape), dtype=vg.float64, requires_grad=True)


# **** movement ****


def test_chunk_and_split_sizes_follow_pytorch() -> None:
    x = arange(10)
    assert [len(p) for p in x.chunk(4)] == [3, 3, 3, 1]
    assert [len(p) for p in arange(3).chunk(5)] == [1, 1, 1]
    assert [p.tolist() for p in x.split([2, 8])] == [[0.0, 1.0], list(map(float, range(2, 10)))]
    assert [len(p) for p in x.split(4)] == [4, 4, 2]
    with pytest.raises(RuntimeError, match="chunks"):
        x.chunk(0)
    with pytest.raises(RuntimeError, match="sum exactly to 10"):
        x.split([3, 3])


def test_views_and_reorders_match_numpy() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    x = vg.tensor(a)
    np.testing.assert_array_equal(x.movedim((0, 1), (2, 0))._data, np.moveaxis(a, (0, 1), (2, 0)))
    np.testing.assert_array_equal(x.flip(0, -1)._data, a[::-1, :, ::-1])
    np.testing.assert_array_equal(x.roll((1, -1), (0, 2))._data, np.roll(a, (1, -1), (0, 2)))
    np.testing.assert_array_equal(x.roll(5)._data, np.roll(a, 5))
    np.testing.assert_array_equal(x.repeat(2, 1, 1, 3)._data, np.tile(a, (2, 1, 1, 3)))
    np.testing.assert_array_equal(x.tile((2,))._data, np.tile(a, 2))
    np.testing.assert_array_equal(x.repeat_interleave(vg.tensor([2, 0, 1]), dim=1)._data, np.repeat(a, [2, 0, 1], 1))
    np.testing.assert_array_equal(x.tril(-1)._data, np.tril(a, -1))
    np.testing.assert_array_equal(x.triu(1)._data, np.triu(a, 1))
    np.testing.assert_array_equal(x.diagonal(1, 0, 2)._data, np.diagonal(a, 1, 0, 2))
    np.testing.assert_array_equal(x.unflatten(-1, (2, -1))._data, a.reshape(2, 3, 2, 2))
    np.testing.assert_array_equal(x.narrow(2, -3, 2)._data, a[:, :, 1:3])
    assert x.mT.shape == (2, 4, 3) and vg.ones(2, 3).t().shape == (3, 2)


def test_diag_embed_places_the_offset_diagonal() -> None:
    out = vg.tensor([[1, 2]]).diag_embed(offset=1)
    assert out.tolist() == [[[0, 1, 0], [0, 0, 2], [0, 0, 0]]]
    assert vg.tensor([1, 2]).diag(-1).tolist() == [[0, 0, 0], [1, 0, 0], [0, 2, 0]]
    assert vg.tensor([[1, 2], [3, 4]]).diag().tolist() == [1, 4]
    # dims (0, 2): the matrix index pair goes to output dims 0 and 2, the batch dim to dim 1
    assert vg.tensor([[5, 6]]).diag_embed(0, 0, 2).tolist() == [[[5, 0]], [[0, 6]]]


def test_unfold_windows_and_overlap_gradient() -> None:
    x = arange(6)
    windows = x.unfold(0, 3, 2)
    assert windows.tolist() == [[0, 1, 2], [2, 3, 4]]
    windows.sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [1, 1, 2, 1, 1, 0]  # element 2 is in both windows, element 5 in none


def test_squeeze_and_unsqueeze_dims_like_pytorch() -> None:
    assert vg.ones(1, 3, 1).squeeze((0, 1)).shape == (3, 1)
    assert vg.tensor(2.0).squeeze(-1).shape == ()
    with pytest.raises(IndexError):
        vg.tensor(2.0).squeeze(1)
    with pytest.raises(IndexError):
        vg.ones(3, 4).unsqueeze(3)
    with pytest.raises(IndexError):
        vg.ones(3, 4).transpose(0, 2)


def test_shape_errors_are_runtime_errors() -> None:
    x = vg.ones(3, 4)
    for bad in (
        lambda: x.reshape(-1, -1),
        lambda: x.view(7),
        lambda: x.permute(0, 0),
        lambda: x.expand(3, 5),
        lambda: vg.cat([x, vg.ones(3, 5)]),
        lambda: vg.stack([x, x.t()]),
        lambda: x @ x,
        lambda: x.gather(0, vg.tensor([[5, 0, 0, 0]])),
        lambda: x.scatter(0, vg.tensor([[9, 0, 0, 0]]), 1.0),
        lambda: vg.ones(2, 3, 4).t(),
    ):
        with pytest.raises(RuntimeError):
            bad()
    with pytest.raises(IndexError):
        vg.cat([x, x], dim=2)


# **** indexing ****


def test_index_arrays_go_where_pytorch_puts_them() -> None:
    a = np.arange(60.0).reshape(3, 4, 5)
    x = vg.tensor(a, requires_grad=True)
    idx = vg.tensor([1, 3])
    out = x[0, :, idx]  # ints apply first: (4, 5)[:, idx] -> (4, 2); NumPy's a[0, :, [1, 3]] is (2, 4)
    np.testing.assert_array_equal(out._data, a[0][:, [1, 3]])
    out.backward(vg.tensor(np.arange(8.0).reshape(4, 2)))
    expected = np.zeros_like(a)
    expected[0][:, [1, 3]] = np.arange(8.0).reshape(4, 2)
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad._data, expected)
    assert x[None, vg.tensor([0, 2]), :, 1].shape == (1, 2, 4)
    assert x[vg.tensor([0, 1]), :, vg.tensor([1, 3])].shape == (2, 4)  # separated arrays: dims first, as NumPy
    assert x[0, :, [1, 3]].shape == (4, 2)


def test_a_0d_index_tensor_counts_as_an_int_in_backward() -> None:
    x = vg.ones(3, 4, 5, requires_grad=True)
    x[vg.tensor(1), :, vg.tensor([0, 2])].sum().backward()
    assert x.grad is not None
    assert x.grad.sum().item() == 8.0 and x.grad[1, :, 0].tolist() == [1.0] * 4


def test_an_index_array_result_is_a_copy_that_can_change_in_place() -> None:
    x = vg.ones(3, 4, 5, requires_grad=True)
    y = (x * 2)[0, :, vg.tensor([1, 3])]
    y.add_(1)  # not a view of x * 2, so recording this in-place op is allowed
    y.sum().backward()
    assert x.grad is not None and x.grad.sum().item() == 16.0


def test_setitem_uses_the_same_placement() -> None:
    x = vg.zeros(3, 4, 5)
    x[0, :, vg.tensor([1, 3])] = vg.tensor(np.arange(8.0).reshape(4, 2))
    assert x[0, 2, 3].item() == 5.0 and x[0, 3, 1].item() == 6.0


def test_selection_ops_match_numpy() -> None:
    a = np.arange(12.0).reshape(3, 4)
    x = vg.tensor(a)
    mask = np.array([True, False, True, True])
    np.testing.assert_array_equal(x.masked_select(vg.tensor(mask))._data, a[:, mask].reshape(-1))
    np.testing.assert_array_equal(x.take(vg.tensor([[0, -1]]))._data, [[0.0, 11.0]])
    np.testing.assert_array_equal(x.index_select(1, vg.tensor([3, 3, 0]))._data, a[:, [3, 3, 0]])
    idx = np.array([[3], [0], [2]])
    np.testing.assert_array_equal(x.take_along_dim(vg.tensor(idx), 1)._data, np.take_along_axis(a, idx, 1))
    assert vg.tensor([[0, 2], [3, 0]]).nonzero().tolist() == [[0, 1], [1, 0]]
    rows, cols = vg.tensor([[0, 2], [3, 0]]).nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
    values, inverse, counts = vg.tensor([3, 1, 3, 2]).unique(return_inverse=True, return_counts=True)
    assert (values.tolist(), inverse.tolist(), counts.tolist()) == ([1, 2, 3], [2, 0, 2, 1], [1, 1, 2])


# **** scatter_reduce ****


def _scatter_reduce_loop(x: np.ndarray, index: np.ndarray, src: np.ndarray, reduce: str, include_self: bool):  # type: ignore[no-untyped-def]
    """The definition, one element at a time (dim=0)."""
    groups: dict[tuple[int, int], list[float]] = {}
    for i, j in np.ndindex(index.shape):
        groups.setdefault((int(index[i, j]), j), []).append(float(src[i, j]))
    out = x.astype(np.float64).copy()
    for place, values in groups.items():
        values = ([float(x[place])] if include_self else []) + values
        out[place] = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce](values)
    return out


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_matches_its_definition(reduce: str, include_self: bool) -> None:
    rng = np.random.default_rng(0)
    x, src = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    index = np.array([[0, 1, 2, 0], [1, 1, 0, 0]])
    out = vg.tensor(x).scatter_reduce(0, vg.tensor(index), vg.tensor(src), reduce, include_self=include_self)
    np.testing.assert_allclose(out._data, _scatter_reduce_loop(x, index, src, reduce, include_self))


def test_scatter_reduce_gradients_at_ties_and_zeros() -> None:
    x = vg.tensor([[1.0, 0.0]], dtype=vg.float64, requires_grad=True)
    src = vg.tensor([[1.0, 0.0]], dtype=vg.float64, requires_grad=True)
    x.scatter_reduce(0, vg.tensor([[0, 0]]), src, "amax").sum().backward()
    assert x.grad is not None and src.grad is not None
    assert x.grad.tolist() == [[0.5, 0.5]] and src.grad.tolist() == [[0.5, 0.5]]  # ties share the gradient
    x = vg.tensor([[2.0, 0.0]], dtype=vg.float64, requires_grad=True)
    src = vg.tensor([[0.0, 0.0], [3.0, 5.0]], dtype=vg.float64, requires_grad=True)
    x.scatter_reduce(0, vg.tensor([[0, 0], [0, 0]]), src, "prod").sum().backward()
    assert x.grad is not None and src.grad is not None
    # column 0: 2 * 0 * 3, one zero: only the zero gets a gradient (2 * 3); column 1: two zeros, none does
    assert x.grad.tolist() == [[0.0, 0.0]] and src.grad.tolist() == [[6.0, 0.0], [0.0, 0.0]]


# **** linear algebra ****


@pytest.mark.parametrize(
    "equation, shapes",
    [
        ("ij,jk->ik", [(2, 3), (3, 4)]),
        ("ii->i", [(3, 3)]),
        ("ii", [(3, 3)]),
        ("ba", [(2, 3)]),
        ("...ij,...jk", [(2, 3, 4), (4, 2)]),
        ("i...->...", [(2, 3, 4)]),
        ("ij,ij->i", [(3, 1), (3, 4)]),
        ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]),
    ],
)
def test_einsum_matches_numpy_and_its_gradient_is_the_adjoint(equation: str, shapes: list[tuple[int, ...]]) -> None:
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in shapes]
    xs = [vg.tensor(a, requires_grad=True) for a in arrays]
    out = vg.einsum(equation, *xs)
    np.testing.assert_allclose(out._data, np.einsum(equation, *arrays))
    g = rng.standard_normal(out.shape)
    (out * vg.tensor(g)).sum().backward()
    for k, x in enumerate(xs):  # <g, d out> = <grad_k, d x_k> for a random direction d x_k
        d = rng.standard_normal(shapes[k])
        moved = [d if j == k else a for j, a in enumerate(arrays)]
        assert x.grad is not None
        np.testing.assert_allclose(np.sum(g * np.einsum(equation, *moved)), np.sum(x.grad._data * d))


def test_einsum_errors() -> None:
    with pytest.raises(RuntimeError, match="operands"):
        vg.einsum("ij,jk->ik", vg.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"einsum.*\(2, 3\), \(4, 2\)"):
        vg.einsum("ij,jk->ik", vg.ones(2, 3), vg.ones(4, 2))


def test_products_match_numpy() -> None:
    rng = np.random.default_rng(2)
    a, b, c = rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 4, 5)), rng.standard_normal((2, 4, 2))
    np.testing.assert_allclose(vg.tensordot(vg.tensor(a), vg.tensor(b))._data, np.tensordot(a, b))
    np.testing.assert_allclose(
        vg.tensordot(vg.tensor(a), vg.tensor(c), ([0, 2], [2, 1]))._data, np.tensordot(a, c, ([0, 2], [2, 1]))
    )
    m, v = rng.standard_normal((3, 4)), rng.standard_normal(4)
    np.testing.assert_allclose(vg.tensor(m).mv(vg.tensor(v))._data, m @ v)
    np.testing.assert_allclose(vg.tensor(v).outer(vg.tensor(v))._data, np.outer(v, v))
    np.testing.assert_allclose(vg.tensor(m[:, :3]).trace().item(), np.trace(m[:, :3]))
    out = vg.addmm(vg.full((3, 3), float("nan")), vg.tensor(m), vg.tensor(m.T), beta=0, alpha=2)
    np.testing.assert_allclose(out._data, 2 * m @ m.T)  # beta=0 ignores the nan input
    p, q = rng.standard_normal((2, 3)), rng.standard_normal((1, 3))
    np.testing.assert_allclose(vg.linalg.cross(vg.tensor(p), vg.tensor(q))._data, np.cross(p, q))
    with pytest.raises(RuntimeError):
        vg.dot(vg.ones(3), vg.ones(3, dtype=vg.float64))
    with pytest.raises(RuntimeError):
        vg.bmm(vg.ones(2, 3, 4), vg.ones(3, 4, 2))


def test_norms_match_numpy() -> None:
    a = np.random.default_rng(3).standard_normal((3, 4))
    x = vg.tensor(a)
    np.testing.assert_allclose(vg.linalg.norm(x).item(), np.linalg.norm(a))
    np.testing.assert_allclose(vg.linalg.vector_norm(x, 3, dim=1)._data, np.linalg.norm(a, 3, axis=1))
    np.testing.assert_allclose(vg.linalg.vector_norm(x, float("-inf"), dim=0)._data, np.abs(a).min(0))
    assert vg.linalg.vector_norm(vg.tensor([0.0, 2.0, -1.0]), 0).item() == 2.0
    for ord in (1, -1, float("inf"), float("-inf"), "fro", 2, -2, "nuc"):
        np.testing.assert_allclose(vg.linalg.norm(x, ord).item(), np.linalg.norm(a, ord))
    with pytest.raises(RuntimeError, match="ord must be"):
        vg.linalg.matrix_norm(x, 3)


def test_spectral_norm_gradient_is_the_top_singular_pair() -> None:
    x = vg.tensor([[3.0, 0.0], [0.0, 1.0]], dtype=vg.float64, requires_grad=True)
    vg.linalg.matrix_norm(x, 2).backward()
    assert x.grad is not None and np.allclose(x.grad._data, [[1.0, 0.0], [0.0, 0.0]])


def test_vector_norm_gradient_at_zero_and_at_ties() -> None:
    x = vg.zeros(3, dtype=vg.float64, requires_grad=True)
    vg.linalg.vector_norm(x).backward()
    assert x.grad is not None and x.grad.tolist() == [0.0, 0.0, 0.0]
    x = vg.tensor([2.0, -2.0, 1.0], dtype=vg.float64, requires_grad=True)
    vg.linalg.vector_norm(x, float("inf")).backward()
    assert x.grad is not None and x.grad.tolist() == [0.5, -0.5, 0.0]


def test_shape_is_a_size_that_prints_like_pytorch() -> None:
    x = vg.ones(2, 3, 4)
    assert str(x.shape) == "vinsgrad.Size([2, 3, 4])" and repr(vg.tensor(1.0).size()) == "vinsgrad.Size([])"
    assert x.shape == (2, 3, 4) and isinstance(x.shape, tuple) and x.size(-1) == 4
    assert isinstance(x.shape[1:], vg.Size) and x.shape[1:] == (3, 4) and x.shape.numel() == 24
