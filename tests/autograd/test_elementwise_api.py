"""The everyday elementwise API (issue 13) against hand-derived values: dtypes, rounding, bitwise promotion,
out= and alpha=, and the points where PyTorch defines a value NumPy does not (0 ** -x, integer division)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad as vg


def t64(data, requires_grad: bool = True) -> vg.Tensor:  # type: ignore[no-untyped-def]
    return vg.tensor(data, dtype=vg.float64, requires_grad=requires_grad)


# **** regressions from the comparison with PyTorch ****


def test_bitwise_ops_with_a_python_int_keep_int32() -> None:
    x = vg.tensor([1, 0x2000, 0xFFFF, 4919], dtype=vg.int32)
    raw = np.array([1, 0x2000, 0xFFFF, 4919], dtype=np.int32)
    assert (x & 0x1337).dtype == vg.int32 and (x | 0x1337).dtype == vg.int32  # were int64
    for result, want in [
        (x & 0x1337, raw & 0x1337),
        (x | 0x1337, raw | 0x1337),
        (x ^ 0x1337, raw ^ 0x1337),
        (0x1337 & x, raw & 0x1337),
        (5 | x, raw | 5),
        (x << 2, raw << 2),
        (x >> 1, raw >> 1),
        (vg.bitwise_and(x, 0x1337), raw & 0x1337),
    ]:
        assert result.dtype == vg.int32
        np.testing.assert_array_equal(result._data, want)


def test_bitwise_ops_promote_like_arithmetic() -> None:
    i32, i64, b = vg.tensor([6], dtype=vg.int32), vg.tensor([3]), vg.tensor([True])
    assert (i32 & i64).dtype == vg.int64 and (i32 & i64).item() == 2
    assert (b & i32).dtype == vg.int32 and (b | i32).item() == 7
    assert (b ^ True).dtype == vg.bool and not (b ^ True).item()
    assert (~i32).item() == -7 and (~b).dtype == vg.bool
    with pytest.raises(RuntimeError, match="integer and bool"):
        vg.tensor([1.0]) & vg.tensor([1.0])
    with pytest.raises(TypeError, match="integer and bool"):
        ~vg.tensor([1.0])


def test_zero_to_a_negative_power_is_inf_and_its_exponent_gradient_minus_inf() -> None:
    out = vg.tensor([0.0, 0.0, 2.0]) ** vg.tensor([-1.0, -2.5, -1.0])
    np.testing.assert_array_equal(out._data, [np.inf, np.inf, 0.5])
    y = t64([-1.0, -0.5, 1.0])
    out = 0**y
    np.testing.assert_array_equal(out._data, [np.inf, np.inf, 0.0])
    out.sum().backward()  # d(0**y)/dy = 0**y log 0: inf * -inf for y < 0 (was 0), the limit 0 for y > 0
    assert y.grad is not None
    np.testing.assert_array_equal(y.grad._data, [-np.inf, -np.inf, 0.0])


def test_pow_gradient_wrt_exponent_at_zero_base() -> None:
    # d(x**y)/dy = x**y log x: at x = 0 the limit is 0 for y > 0 (and y = 0), inf * -inf = -inf for y < 0.
    x, y = t64([0.0, 0.0, 0.0, 0.0], requires_grad=False), t64([-1.0, -0.5, 0.0, 2.0])
    (x**y).sum().backward()
    assert y.grad is not None
    np.testing.assert_array_equal(y.grad._data, [-np.inf, -np.inf, 0.0, 0.0])


# **** values ****


def test_rounded_divisions_and_remainders_follow_python_and_c() -> None:
    a, b = [-7, 7, -7, 7], [2, 2, -2, -2]
    ia, ib, fa, fb = vg.tensor(a), vg.tensor(b), vg.tensor(a, dtype=vg.float64), vg.tensor(b, dtype=vg.float64)
    for x, y in [(ia, ib), (fa, fb)]:
        np.testing.assert_array_equal(vg.div(x, y, rounding_mode="floor")._data, [-4, 3, 3, -4])  # Python's //
        np.testing.assert_array_equal(x.div(y, rounding_mode="trunc")._data, [-3, 3, 3, -3])  # toward zero
        np.testing.assert_array_equal((x // y)._data, [-4, 3, 3, -4])
        np.testing.assert_array_equal((x % y)._data, [1, 1, -1, -1])  # the divisor's sign
        np.testing.assert_array_equal(x.fmod(y)._data, [-1, 1, -1, 1])  # the dividend's sign
    assert (ia // ib).dtype == vg.int64 and (ia / ib).dtype == vg.float32
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        ia // vg.tensor([0, 1, 1, 1])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        ia % 0


def test_unary_math_dtypes_and_values() -> None:
    ints = vg.tensor([1, 2])
    assert ints.exp().dtype == vg.float32 and ints.sqrt().dtype == vg.float32
    assert ints.floor().dtype == vg.int64 and ints.abs().dtype == vg.int64 and ints.square().dtype == vg.int64
    x = [-1.5, -0.25, 0.0, 0.5, 2.0]
    np.testing.assert_allclose(vg.erf(t64(x))._data, [math.erf(v) for v in x], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(vg.erfc(t64([0.5, 3.0, 6.0]))._data, [math.erfc(v) for v in (0.5, 3.0, 6.0)], rtol=1e-13)
    y = np.array([-0.99, -0.5, 0.0, 0.3, 0.999])
    back = [math.erf(v) for v in vg.erfinv(t64(y))._data]
    np.testing.assert_allclose(back, y, atol=1e-14)
    np.testing.assert_array_equal(vg.tensor([-1.0, 1.0]).erfinv()._data, [-np.inf, np.inf])
    np.testing.assert_array_equal(t64([2.7, -2.7]).frac()._data, np.array([2.7, -2.7]) - [2.0, -2.0])
    np.testing.assert_array_equal(t64([0.5, 1.5, 2.5, -0.5]).round()._data, [0.0, 2.0, 2.0, -0.0])  # half to even
    np.testing.assert_allclose(t64([1.2345, -2.5, 0.125]).round(decimals=2)._data, [1.23, -2.5, 0.12])
    np.testing.assert_array_equal(t64([3.0, -3.0]).copysign(t64([-1.0, 2.0]))._data, [-3.0, 3.0])
    np.testing.assert_allclose(t64([3.0]).hypot(t64([4.0]))._data, [5.0])
    np.testing.assert_allclose(vg.logaddexp(t64([1000.0]), t64([1000.0]))._data, [1000.0 + math.log(2)])
    np.testing.assert_array_equal(vg.xlogy(t64([0.0, 0.0, 2.0]), t64([0.0, np.nan, 1.0]))._data, [0.0, np.nan, 0.0])
    np.testing.assert_allclose(vg.lerp(t64([0.0, 10.0]), t64([10.0, 20.0]), 0.25)._data, [2.5, 12.5])


def test_nan_to_num_values_and_gradient() -> None:
    x = t64([np.nan, np.inf, -np.inf, 1.5])
    out = x.nan_to_num(posinf=9.0)
    np.testing.assert_array_equal(out._data, [0.0, 9.0, np.finfo(np.float64).min, 1.5])
    out.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad._data, [0.0, 0.0, 0.0, 1.0])


def test_clamp_with_tensor_bounds_sends_the_gradient_to_the_active_bound() -> None:
    x, lo, hi = t64([-2.0, 0.0, 2.0]), t64([-1.0, -1.0, -1.0]), t64([1.0, 1.0, 1.0])
    x.clamp(lo, hi).sum().backward()
    assert x.grad is not None and lo.grad is not None and hi.grad is not None
    np.testing.assert_array_equal(x.grad._data, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(lo.grad._data, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(hi.grad._data, [0.0, 0.0, 1.0])


def test_comparisons_of_closeness() -> None:
    a, b = vg.tensor([1.0, 1.0, np.nan, np.inf]), vg.tensor([1.0 + 1e-9, 1.1, np.nan, np.inf])
    np.testing.assert_array_equal(vg.isclose(a, b)._data, [True, False, False, True])
    np.testing.assert_array_equal(a.isclose(b, equal_nan=True)._data, [True, False, True, True])
    assert not vg.allclose(a, b) and vg.allclose(a[:1], b[:1])
    assert vg.equal(vg.tensor([1, 2]), vg.tensor([1, 2])) and not vg.equal(vg.tensor([1, 2]), vg.tensor([1]))
    specials = vg.tensor([1.0, np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(specials.isposinf()._data, [False, False, True, False])
    np.testing.assert_array_equal(vg.isneginf(specials)._data, [False, False, False, True])
    np.testing.assert_array_equal(vg.isfinite(specials)._data, [True, False, False, False])
    np.testing.assert_array_equal(vg.tensor([1, 2]).isposinf()._data, [False, False])


# **** function forms: alpha= and out= ****


def test_alpha_scales_the_other_operand_and_its_gradient() -> None:
    x, y = t64([1.0, 2.0]), t64([10.0, 20.0])
    out = vg.add(x, y, alpha=2) - vg.sub(x, y, alpha=0.5)
    np.testing.assert_array_equal(out._data, [25.0, 50.0])
    out.sum().backward()
    assert x.grad is not None and y.grad is not None
    np.testing.assert_array_equal(x.grad._data, [0.0, 0.0])
    np.testing.assert_array_equal(y.grad._data, [2.5, 2.5])
    with pytest.raises(RuntimeError, match="alpha must not be a floating point"):
        vg.add(vg.tensor([1]), vg.tensor([2]), alpha=0.5)


def test_out_receives_the_result_resized_and_cast() -> None:
    x = vg.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = vg.empty(0)
    assert vg.mul(x, 2, out=out) is out
    assert out.shape == (2, 2)
    np.testing.assert_array_equal(out._data, [[2.0, 4.0], [6.0, 8.0]])
    as_float = vg.zeros(2, 2, dtype=vg.float64)
    vg.add(vg.tensor([[1, 2], [3, 4]]), 1, out=as_float)
    np.testing.assert_array_equal(as_float._data, [[2.0, 3.0], [4.0, 5.0]])
    with pytest.raises(RuntimeError, match="can't be cast"):
        vg.exp(x, out=vg.zeros(2, 2, dtype=vg.int64))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        vg.sin(t64([1.0]), out=vg.zeros(1, dtype=vg.float64))
    with vg.no_grad():
        vg.sin(t64([0.0]), out=as_float)
    np.testing.assert_array_equal(as_float._data, [0.0])


def test_matmul_function_takes_keywords_and_out() -> None:
    # the tensors tutorial writes torch.matmul(a, b, out=c); the polynomial one matmul(input=, other=)
    a, b = vg.tensor([[1.0, 2.0]]), vg.tensor([[3.0], [4.0]])
    out = vg.empty(3, 3)
    assert vg.matmul(a, b, out=out) is out and out.tolist() == [[11.0]]
    assert vg.matmul(input=a, other=b).tolist() == [[11.0]]
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        vg.matmul(a.requires_grad_(), b, out=out)


@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_operators_without_a_graph_give_what_their_functions_give(op) -> None:
    # + - * take a shortcut around Function.apply when nothing is recorded or promoted: same values, dtypes, errors
    import operator

    from vinsgrad.autograd.ops.elementwise import AddFn, MulFn, SubFn

    f = {"+": operator.add, "-": operator.sub, "*": operator.mul}[op]
    fn = {"+": AddFn, "-": SubFn, "*": MulFn}[op]
    rng = np.random.default_rng(0)
    a32, b32 = (vg.tensor(rng.standard_normal((3, 4)).astype(np.float32)) for _ in range(2))
    a64, i32 = vg.tensor(rng.standard_normal((3, 4))), vg.tensor(rng.integers(-5, 5, (3, 4)).astype(np.int32))
    zero_d = vg.tensor(1.5)
    cases = [(a32, b32), (a32, b32[0]), (a32, 2), (a32, 2.5), (2.5, a32), (3, a32), (a32, a64), (a64, a32),
             (i32, a32), (a32, i32), (i32, 2.5), (2.5, i32), (zero_d, zero_d)]  # fmt: skip
    for x, y in cases:
        got = f(x, y)
        want = fn.apply(x, y)
        assert type(got) is vg.Tensor and type(got._data) is np.ndarray and got.grad_fn is None
        assert got.dtype == want.dtype and got.shape == want.shape, (x, y)
        np.testing.assert_array_equal(got._data, want._data)
    with pytest.raises(RuntimeError, match="must match the size"):
        f(a32, vg.zeros(5, dtype=vg.float32))
    w = vg.tensor(b32._data, requires_grad=True)  # a tensor that requires grad is recorded as before
    out = f(a32, w)
    assert out.requires_grad and type(out.grad_fn) is fn
    out.sum().backward()
    np.testing.assert_array_equal(w.grad._data, {"+": 1, "-": -1, "*": a32._data}[op] * np.ones((3, 4)))
