"""Tensor creation, dtype rules, attributes and conversions, randomness, and error messages."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import vinsgrad as vg

# **** creation and dtype rules ****


def test_python_floats_become_float32_ints_int64_bools_bool() -> None:
    assert vg.tensor(1.5).dtype == vg.float32
    assert vg.tensor([[1.0, 2.0]]).dtype == vg.float32
    assert vg.tensor([1, 2]).dtype == vg.int64
    assert vg.tensor([True, False]).dtype == vg.bool
    assert vg.tensor([1, 2.5]).dtype == vg.float32


def test_numpy_arrays_keep_their_dtype_and_are_copied() -> None:
    for dtype in (np.float64, np.float32, np.int32, np.uint8, np.bool_):
        a = np.zeros(3, dtype=dtype)
        t = vg.tensor(a)
        assert t.dtype == dtype
        assert not np.shares_memory(t._data, a)
    assert vg.tensor(np.float64(2.0)).dtype == vg.float64


def test_explicit_dtype_wins() -> None:
    assert vg.tensor([1, 2], dtype=vg.float64).dtype == vg.float64
    assert vg.tensor(np.ones(2, dtype=np.float64), dtype=vg.float32).dtype == vg.float32


def test_from_numpy_shares_memory() -> None:
    a = np.arange(3.0)
    t = vg.from_numpy(a)
    a[0] = 7
    assert t._data[0] == 7 and t.dtype == vg.float64
    with pytest.raises(TypeError, match=r"expected a numpy.ndarray, got list"):
        vg.from_numpy([1.0])  # type: ignore[arg-type]


def test_constant_factories() -> None:
    assert vg.zeros(2, 3).shape == (2, 3) and vg.zeros((2, 3)).dtype == vg.float32
    assert vg.ones([4])._data.tolist() == [1.0] * 4
    assert vg.zeros(2, dtype=vg.int64).dtype == vg.int64
    assert vg.full((2, 2), 7).dtype == vg.int64 and vg.full((2,), 0.5).dtype == vg.float32
    assert vg.full(3, 1.0).shape == (3,)
    x = vg.ones(2, 3, dtype=vg.float64)
    assert vg.zeros_like(x).dtype == vg.float64 and vg.ones_like(x, dtype=vg.int64).dtype == vg.int64
    assert vg.zeros(2, requires_grad=True).requires_grad


def test_arange_and_eye() -> None:
    assert vg.arange(4).tolist() == [0, 1, 2, 3] and vg.arange(4).dtype == vg.int64
    assert vg.arange(1, 7, 2).tolist() == [1, 3, 5]
    assert vg.arange(0, 1, 0.25).dtype == vg.float32 and vg.arange(0, 1, 0.25).tolist() == [0, 0.25, 0.5, 0.75]
    assert vg.arange(3.0).dtype == vg.float32
    np.testing.assert_array_equal(vg.eye(3)._data, np.eye(3))
    assert vg.eye(2, 3).shape == (2, 3) and vg.eye(2).dtype == vg.float32


# **** randomness ****


def test_manual_seed_makes_draws_reproducible() -> None:
    vg.manual_seed(123)
    a = (vg.randn(4), vg.rand(2, 2), vg.randint(0, 10, (5,)), vg.randperm(6))
    vg.manual_seed(123)
    b = (vg.randn(4), vg.rand(2, 2), vg.randint(0, 10, (5,)), vg.randperm(6))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x._data, y._data)
    assert a[0].dtype == vg.float32 and a[1].dtype == vg.float32 and a[2].dtype == vg.int64


def test_generators_are_independent_of_the_default() -> None:
    g1, g2 = vg.Generator().manual_seed(5), vg.Generator().manual_seed(5)
    x = vg.randn(3, generator=g1)
    vg.randn(100)  # draws from the default generator must not disturb g2
    np.testing.assert_array_equal(x._data, vg.randn(3, generator=g2)._data)
    assert g1.initial_seed() == 5


def test_generator_state_round_trips_through_json() -> None:
    g = vg.Generator().manual_seed(9)
    vg.rand(3, generator=g)
    state = json.loads(json.dumps(g.get_state()))
    expected = vg.rand(4, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(vg.rand(4, generator=g)._data, expected._data)


def test_default_rng_state_round_trip() -> None:
    state = vg.get_rng_state()
    a = vg.randn(3)
    vg.set_rng_state(state)
    np.testing.assert_array_equal(vg.randn(3)._data, a._data)


def test_randint_ranges_and_pytorch_overloads() -> None:
    vg.manual_seed(0)
    x = vg.randint(3, 5, (200,))
    assert set(x.tolist()) == {3, 4}
    y = vg.randint(4, (3, 2))  # randint(high, size)
    assert y.shape == (3, 2) and y._data.min() >= 0 and y._data.max() < 4
    assert vg.randint(2, size=(7,)).shape == (7,)


def test_random_values_have_the_right_distribution() -> None:
    g = vg.Generator().manual_seed(1)
    u = vg.rand(20000, generator=g)._data
    n = vg.randn(20000, generator=g)._data
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
    assert sorted(vg.randperm(10, generator=g).tolist()) == list(range(10))


def test_bad_seed_and_generator_are_rejected() -> None:
    with pytest.raises(TypeError, match="int seed, got float"):
        vg.manual_seed(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"expected a vinsgrad\.Generator, got Generator"):
        vg.randn(2, generator=np.random.default_rng(0))  # type: ignore[arg-type]


# **** attributes and conversions ****


def test_attributes() -> None:
    x = vg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.shape == (2, 3) and x.ndim == 2 and x.dim() == 2
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.numel() == 6 and len(x) == 2
    assert x.T.shape == (3, 2) and x.T.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert x.is_leaf and not x.requires_grad and x.grad is None
    assert x[1, 2].item() == 6.0 and isinstance(x[0, 0].item(), float)
    assert x.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert isinstance(x.numpy(), np.ndarray) and x.numpy() is x._data


def test_item_and_numpy_errors() -> None:
    with pytest.raises(RuntimeError, match=r"one-element tensor.*shape \(2,\)"):
        vg.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match=r"Boolean value of Tensor with more than one value is ambiguous"):
        bool(vg.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        vg.tensor([1.0], requires_grad=True).numpy()


def test_dtype_conversions() -> None:
    x = vg.tensor([1.7, -2.2])
    assert x.double().dtype == vg.float64 and x.long().tolist() == [1, -2]
    assert x.float() is x and x.to(vg.float32) is x
    assert x.to(vg.float64).dtype == vg.float64 and x.to(dtype=vg.float64).dtype == vg.float64
    assert x.to(vg.tensor([1], dtype=vg.int64)).dtype == vg.int64
    assert x.to("cpu") is x
    with pytest.raises(RuntimeError, match="CPU only, got device 'cuda'"):
        x.to("cuda")


def test_cast_is_differentiable_and_grad_keeps_the_leaf_dtype() -> None:
    x = vg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == vg.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == vg.float32
    np.testing.assert_allclose(x.grad._data, [2.0, 4.0])
    assert not x.long().requires_grad


def test_repr() -> None:
    assert repr(vg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(vg.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(vg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(vg.tensor([1.5], dtype=vg.float64)) == "tensor([1.5000], dtype=vinsgrad.float64)"
    y = vg.tensor([1.0], requires_grad=True) * 2
    assert repr(y) == "tensor([2.], grad_fn=<MulBackward0>)"


def test_repr_formats_floats_as_pytorch_does() -> None:
    assert repr(vg.tensor(2.5)) == "tensor(2.5000)"
    assert repr(vg.tensor([1.5, 2.0, -3.25])) == "tensor([ 1.5000,  2.0000, -3.2500])"  # one width for all
    assert repr(vg.tensor([0.0, 0.0])) == "tensor([0., 0.])"
    assert repr(vg.tensor([float("nan"), 1.5, float("inf")])) == "tensor([   nan, 1.5000,    inf])"
    assert repr(vg.tensor([1e-5, 1.0])) == "tensor([1.0000e-05, 1.0000e+00])"  # below 1e-4: scientific
    assert repr(vg.tensor([1e10, -2.0])) == "tensor([ 1.0000e+10, -2.0000e+00])"  # spans more than 1000x
    assert repr(vg.tensor([-1e-120, 5.0], dtype=vg.float64)) == (
        "tensor([-1.0000e-120,   5.0000e+00], dtype=vinsgrad.float64)"
    )
    assert repr(vg.arange(3000)) == "tensor([   0,    1,    2,  ..., 2997, 2998, 2999])"
    assert repr(vg.tensor([[1.5, 200.25], [3, -4]])) == "tensor([[  1.5000, 200.2500],\n        [  3.0000,  -4.0000]])"


def test_dtypes_print_as_vinsgrad_names_and_compare_like_numpys() -> None:
    assert str(vg.float32) == repr(vg.float32) == "vinsgrad.float32" and str(vg.long) == "vinsgrad.int64"
    assert repr(vg.tensor([1, 2], dtype=vg.int32)) == "tensor([1, 2], dtype=vinsgrad.int32)"
    x = vg.tensor([1.0])
    assert x.dtype is vg.float32 and x.dtype == np.float32 and np.float32 == x.dtype
    assert x.dtype != vg.float64 and x.dtype != None  # noqa: E711 (NumPy reads None as float64)
    assert {np.dtype("float32"): "f"}[x.dtype] == "f" and {vg.float32: "f"}[np.dtype("float32")] == "f"
    assert np.zeros(2, dtype=vg.int16).dtype == np.int16 and np.ones(2).astype(x.dtype).dtype == np.float32
    assert vg.float16.is_floating_point and not vg.int8.is_floating_point and vg.int8.is_signed
    assert not vg.uint8.is_signed and not vg.bool.is_signed and vg.int64.itemsize == 8 and vg.bool.itemsize == 1
    assert pickle.loads(pickle.dumps(vg.int32)) is vg.int32


def test_python_number_conversions() -> None:
    x = vg.tensor([2.5])
    assert float(x) == 2.5 and int(x) == 2 and bool(x)
    assert [1, 2, 3][vg.tensor(1)] == 2
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(vg.tensor(1.0))
    assert [t.item() for t in vg.tensor([1.0, 2.0])] == [1.0, 2.0]


# **** comparisons ****


def test_comparisons_return_bool_tensors_without_grad() -> None:
    x = vg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x < 2, x <= 2, x > 2, x >= 2, x == 2, x != 2, x.lt(2), x.eq(vg.tensor([1.0, 0.0, 3.0]))):
        assert result.dtype == vg.bool and not result.requires_grad and result.grad_fn is None
    assert (x > 1.5).tolist() == [False, True, True]
    assert ((x > 1) & (x < 3)).tolist() == [False, True, False]
    assert ((x < 1.5) | (x > 2.5)).tolist() == [True, False, True]
    assert (~(x > 1)).tolist() == [True, False, False]
    assert x.detach().equal(vg.tensor([1.0, 2.0, 3.0])) and x.allclose(vg.tensor([1.0, 2.0, 3.0 + 1e-9]))


def test_argmax_argmin_have_no_grad() -> None:
    x = vg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    assert x.argmax().item() == 3 and x.argmax(1).tolist() == [1, 0] and x.argmin(dim=0).tolist() == [0, 1, 0]
    assert x.argmax(1, keepdim=True).shape == (2, 1)
    assert x.argmax(1).dtype == vg.int64 and not x.argmax(1).requires_grad


# **** error messages ****


@pytest.mark.parametrize(
    ("fn", "pattern"),
    [
        (lambda a, b: a + b, r"Add.*\(2, 3\).*\(4,\)"),
        (lambda a, b: a * b, r"Mul.*\(2, 3\).*\(4,\)"),
        (lambda a, b: a / b, r"Div.*\(2, 3\).*\(4,\)"),
        (lambda a, b: vg.maximum(a, b), r"Maximum.*\(2, 3\).*\(4,\)"),
    ],
)
def test_broadcast_mismatch_names_the_op_and_both_shapes(fn, pattern) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(
        RuntimeError,
        match=pattern + r".*size of tensor a \(3\) must match the size of tensor b \(4\) "
        r"at non-singleton dimension 1",
    ):
        fn(vg.ones(2, 3), vg.ones(4))


def test_broadcast_mismatch_names_the_first_clashing_dim_from_the_right() -> None:
    with pytest.raises(
        RuntimeError, match=r"tensor a \(5\) must match the size of tensor b \(4\) at non-singleton dimension 1$"
    ):
        vg.ones(5, 1) + vg.ones(2, 4, 1)


def test_a_dim_out_of_range_in_a_forward_is_an_index_error() -> None:
    with pytest.raises(IndexError, match=r"Softmax.*\(3, 4\)"):
        vg.ones(3, 4).softmax(3)


def test_matmul_mismatch_names_both_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"matmul.*\(2, 3\) and \(4, 5\) cannot be multiplied \(3 != 4\)"):
        vg.ones(2, 3) @ vg.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"matmul.*at least 1-D"):
        vg.ones(2, 3) @ vg.tensor(2.0)
    with pytest.raises(RuntimeError, match=r"matmul.*\(2, 2, 3\).*\(3, 3, 2\)"):
        vg.ones(2, 2, 3) @ vg.ones(3, 3, 2)


def test_shape_errors() -> None:
    with pytest.raises(RuntimeError, match=r"cannot reshape \(2, 3\) \(6 elements\) into \(4, 2\)"):
        vg.ones(2, 3).reshape(4, 2)
    with pytest.raises(RuntimeError, match=r"\(0, 0\) is not a permutation of the 2 dims"):
        vg.ones(2, 3).permute(0, 0)
    with pytest.raises(IndexError, match=r"dimension 3 out of range.*\[-3, 2\].*3 dims"):
        vg.ones(2, 3, 4).sum(3)
    with pytest.raises(ValueError, match=r"dim \(1, -2\) names the same dimension more than once"):
        vg.ones(2, 3, 4).sum((1, -2))
    with pytest.raises(RuntimeError, match=r"-1 is not allowed for the new leading dims"):
        vg.ones(3).expand(-1, 3)
    with pytest.raises(RuntimeError, match="at least one of min and max"):
        vg.ones(3).clamp()
    with pytest.raises(ValueError, match=r"cat expected a non-empty"):
        vg.cat([])
    with pytest.raises(RuntimeError, match=r"gather: index must be an integer tensor with the input's 2 dims"):
        vg.ones(2, 3).gather(1, vg.tensor([0, 1]))


def test_top_level_functions_match_the_methods() -> None:
    x = vg.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert vg.exp(x).allclose(x.exp()) and vg.abs(x).allclose(x.abs()) and vg.clamp(x, min=0).allclose(x.relu())
    assert vg.sum(x, 0).tolist() == [4.0, -1.5] and vg.mean(x).item() == 0.625
    assert vg.matmul(x, x).allclose(x @ x) and vg.transpose(x, 0, 1).equal(x.T)
    assert vg.softmax(x, 1).allclose(x.softmax(1)) and vg.argmax(x, 1).tolist() == [0, 0]
    assert vg.max(x, 1).indices.tolist() == [0, 0] and vg.flatten(x).shape == (4,)


def test_dtype_limits_and_promotion_as_pytorch_states_them() -> None:
    f32 = vg.finfo(vg.float32)
    assert (f32.bits, f32.eps, f32.resolution, f32.dtype) == (32, 2.0**-23, 1e-6, "float32")
    assert f32.max == -f32.min == (2 - 2.0**-23) * 2.0**127 and f32.tiny == f32.smallest_normal == 2.0**-126
    assert vg.finfo().eps == 2.0**-23 and vg.finfo(vg.float16).resolution == 1e-3 and vg.finfo(vg.double).bits == 64
    i8 = vg.iinfo(vg.int8)
    assert (i8.bits, i8.max, i8.min, i8.dtype) == (8, 127, -128, "int8") and vg.iinfo(vg.uint8).max == 255
    with pytest.raises(TypeError, match=r"finfo.*floating point dtype, got vinsgrad\.int32"):
        vg.finfo(vg.int32)
    with pytest.raises(TypeError, match=r"iinfo.*integer dtype, got vinsgrad\.bool"):
        vg.iinfo(vg.bool)
    assert vg.promote_types(vg.int64, vg.float16) is vg.float16  # the category wins, not the size (NumPy: float64)
    assert vg.promote_types(vg.bool, vg.uint8) is vg.uint8 and vg.promote_types(vg.int8, vg.uint8) is vg.int16
    assert vg.promote_types(vg.float16, vg.float32) is vg.float32 and vg.get_default_dtype() is vg.float32
    x = vg.ones(2, 3)
    assert vg.is_tensor(x) and not vg.is_tensor(x.numpy()) and vg.numel(x) == 6
