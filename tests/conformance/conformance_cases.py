"""The conformance table: every case written once in PyTorch spelling against a module ``T`` (torch or vinsgrad).

Grouped as in issue 13. Loops generate the same op over several dtypes and broadcasting shapes; hand-written
cases cover arguments, correctness fixes, errors and printing. Inputs come from ``F32``/``F64`` (float, requiring
grad), ``I32``/``I64`` (integers) and ``B`` (bool); ``grad=False`` and ``low``/``high`` narrow them.
"""

from __future__ import annotations

import operator
from typing import Any

from conformance_runner import CASES, F32, F64, I32, I64, B, case

S = (3, 4)
PAIRS = {  # broadcasting pairs: plain, row against matrix, across a new leading dim, 0-d against matrix
    "same": ((3, 4), (3, 4)),
    "row": ((3, 4), (4,)),
    "outer": ((2, 1, 4), (3, 1)),
    "scalar": ((), (3, 4)),
}

# **** creation and dtypes ****

case("tensor_float_list", lambda T: T.tensor([[1.0, 2.5], [3.0, -1.0]]))
case("tensor_int_list", lambda T: T.tensor([1, 2, 3]))
case("tensor_bool_list", lambda T: T.tensor([True, False]))
case("tensor_device", lambda T: T.tensor([1.0, 2.0], device="cpu"))
case("tensor_dtype_int32", lambda T: T.tensor([1, 2], dtype=T.int32))
case("zeros", lambda T: T.zeros(2, 3))
case("zeros_dtype", lambda T: T.zeros((2, 3), dtype=T.int32))
case("zeros_device_requires_grad", lambda T: T.zeros(2, device="cpu", requires_grad=True))
case("ones_dtype", lambda T: T.ones(2, 3, dtype=T.float64))
case("full_int", lambda T: T.full((2, 2), 7))
case("full_float", lambda T: T.full((2, 2), 1.5))
case("full_bool", lambda T: T.full((2,), True))
case("full_dtype", lambda T: T.full((2, 2), 3, dtype=T.float16))
case("empty", lambda T: T.empty(2, 3), values=False)
case("empty_like", lambda T, x: T.empty_like(x), [F32(S)], values=False)
case("rand_like", lambda T, x: T.rand_like(x), [F64(S)], values=False)
case("randn_like", lambda T, x: T.randn_like(x), [F32(S)], values=False)
case("randint_like", lambda T, x: T.randint_like(x, 10), [I32(S)], values=False)
case("zeros_like_dtype", lambda T, x: T.zeros_like(x, dtype=T.int64), [F32(S)])
case("ones_like", lambda T, x: T.ones_like(x), [I32(S)])
case("full_like", lambda T, x: T.full_like(x, 2.5), [F64(S)])
case("new_tensor", lambda T, x: x.new_tensor([1, 2]), [F64(S)])
case("new_zeros", lambda T, x: x.new_zeros(2, 3), [I32(S)])
case("new_ones", lambda T, x: x.new_ones((2,)), [F64(S)])
case("new_full", lambda T, x: x.new_full((2, 2), 4), [F32(S)])
case("new_empty", lambda T, x: x.new_empty((2, 2)), [F64(S)], values=False)
case("arange_int", lambda T: T.arange(5))
case("arange_float", lambda T: T.arange(0, 1, 0.25))
case("arange_dtype", lambda T: T.arange(0, 10, 3, dtype=T.int32))
case("arange_float_to_int", lambda T: T.arange(0.5, 5.5, 1.5, dtype=T.int64))
case("linspace", lambda T: T.linspace(0, 1, 5))
case("linspace_int64", lambda T: T.linspace(5, -5, 20, dtype=T.int64))
case("linspace_int32", lambda T: T.linspace(0, 10, 7, dtype=T.int32))
case("logspace", lambda T: T.logspace(0, 2, 5))
case("logspace_base", lambda T: T.logspace(0, 3, 4, base=2))
case("eye", lambda T: T.eye(3))
case("eye_rect", lambda T: T.eye(2, 4, dtype=T.int64))
case("tril_indices", lambda T: T.tril_indices(3, 4))
case("tril_indices_offset", lambda T: T.tril_indices(4, 3, -1))
case("meshgrid_ij", lambda T: T.meshgrid(T.arange(3), T.arange(2), indexing="ij"))
case("meshgrid_xy", lambda T: T.meshgrid(T.arange(3), T.arange(2), indexing="xy"))
case("meshgrid_grad", lambda T, x, y: T.meshgrid(x, y, indexing="ij"), [F32((3,)), F32((2,))])
case("one_hot", lambda T, i: T.nn.functional.one_hot(i, 6), [I64((5,), 0, 6)])
case("one_hot_infer", lambda T: T.nn.functional.one_hot(T.tensor([0, 3, 1])))
for _name in [
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "float16",
    "half",
    "int",
    "short",
    "long",
    "float",
    "double",
    "bool",
    "float32",
    "float64",
]:
    case(f"dtype_name_{_name}", lambda T, n=_name: str(getattr(T, n)))
    case(f"zeros_of_{_name}", lambda T, n=_name: T.zeros(2, dtype=getattr(T, n)))
_NAMES = ["float32", "float64", "int32", "int64", "bool", "float16", "uint8"]


def _dtype_attrs(dtype: Any) -> list[Any]:
    return [dtype.is_floating_point, dtype.is_signed, dtype.is_complex, dtype.itemsize, repr(dtype)]


for _name in _NAMES:
    case(f"is_floating_point_{_name}", lambda T, n=_name: T.zeros(1, dtype=getattr(T, n)).is_floating_point())
    case(f"element_size_{_name}", lambda T, n=_name: T.zeros(1, dtype=getattr(T, n)).element_size())
    case(f"dtype_attrs_{_name}", lambda T, n=_name: _dtype_attrs(getattr(T, n)))
    case(f"dtype_eq_{_name}", lambda T, n=_name: [T.ones(1).to(getattr(T, n)).dtype == getattr(T, k) for k in _NAMES])
case("to_int", lambda T, x: x.int(), [F32(S, -9, 9)])
case("to_long", lambda T, x: x.long(), [F64(S, -9, 9)])
case("to_bool", lambda T, x: x.bool(), [I32(S, -1, 2)])
case("to_half", lambda T, x: x.half(), [F32(S)])
case("to_float_grad", lambda T, x: x.float(), [F64(S)])
case("to_double_grad", lambda T, x: x.double(), [F32(S)])
case("to_dtype", lambda T, x: x.to(T.int32), [F32(S, -9, 9)])
case("type_promotion_int32_float", lambda T, x: x + 1.5, [I32(S)])
case("type_promotion_int32_int64", lambda T, x, y: x + y, [I32(S), I64(S)])
case("type_promotion_f32_f64_0d", lambda T, x, y: x * y, [F32(S), F64(())])
case("type_promotion_bool_int", lambda T, x, y: x + y, [B(S), I32(S)])
case("type_promotion_int_scalar", lambda T, x: x * 2, [I32(S)])
case("type_promotion_div_int", lambda T, x, y: x / y, [I64(S), I64(S, 1, 5)])

# **** elementwise: unary ****

UNARY = {  # name -> (low, high) for valid float inputs
    "exp": (-2, 2),
    "log": (0.1, 3),
    "sqrt": (0.1, 3),
    "sin": (-3, 3),
    "cos": (-3, 3),
    "tanh": (-2, 2),
    "sigmoid": (-3, 3),
    "relu": (-2, 2),
    "abs": (-2, 2),
    "neg": (-2, 2),
    "tan": (-1.2, 1.2),
    "asin": (-0.9, 0.9),
    "acos": (-0.9, 0.9),
    "atan": (-3, 3),
    "sinh": (-2, 2),
    "cosh": (-2, 2),
    "asinh": (-3, 3),
    "acosh": (1.1, 3),
    "atanh": (-0.9, 0.9),
    "rsqrt": (0.2, 3),
    "reciprocal": (0.2, 3),
    "square": (-2, 2),
    "erf": (-2, 2),
    "erfc": (-2, 2),
    "erfinv": (-0.9, 0.9),
    "exp2": (-2, 2),
    "expm1": (-2, 2),
    "log2": (0.1, 3),
    "log10": (0.1, 3),
    "log1p": (-0.5, 3),
    "floor": (-3, 3),
    "ceil": (-3, 3),
    "round": (-3, 3),
    "trunc": (-3, 3),
    "frac": (-3, 3),
    "sign": (-2, 2),
    "sgn": (-2, 2),
}
for _op, (_lo, _hi) in UNARY.items():
    case(f"{_op}_f32", lambda T, x, op=_op: getattr(x, op)(), [F32((3, 4), _lo, _hi)])
    case(f"{_op}_f64_fn_0d", lambda T, x, op=_op: getattr(T, op)(x), [F64((), _lo, _hi)])
for _op in ["abs", "neg", "sign", "square", "exp", "sqrt", "sin", "floor", "reciprocal"]:
    case(f"{_op}_int32", lambda T, x, op=_op: getattr(x, op)(), [I32(S, 1, 9)])
case("abs_int64", lambda T, x: x.abs(), [I64(S)])
case("round_decimals", lambda T, x: x.round(decimals=2), [F64(S)])
case("round_half_even", lambda T: T.tensor([0.5, 1.5, 2.5, -0.5]).round())
case("clamp", lambda T, x: x.clamp(-0.5, 0.5), [F32(S)])
case("clamp_min", lambda T, x: x.clamp_min(0.1), [F32(S)])
case("clamp_max", lambda T, x: T.clamp_max(x, 0.1), [F64(S)])
case("clamp_tensor_bounds", lambda T, x, lo: x.clamp(min=lo), [F32(S), F32((4,), grad=False)])
case("clamp_int", lambda T, x: x.clamp(min=0), [I32(S)])
case("nan_to_num", lambda T: T.nan_to_num(T.tensor([float("nan"), float("inf"), -float("inf"), 1.0])))
case("nan_to_num_args", lambda T: T.tensor([float("nan"), float("inf"), 2.0]).nan_to_num(nan=0.5, posinf=9.0))
case("relu_int", lambda T, x: T.relu(x), [I64(S)])

# **** elementwise: binary ****

BINARY = {  # name -> (low, high) for the first float input
    "add": (-2, 2),
    "sub": (-2, 2),
    "mul": (-2, 2),
    "div": (-2, 2),
    "pow": (0.5, 2),
    "maximum": (-2, 2),
    "minimum": (-2, 2),
    "atan2": (-2, 2),
    "fmod": (-3, 3),
    "remainder": (-3, 3),
    "copysign": (-2, 2),
    "hypot": (-2, 2),
    "logaddexp": (-2, 2),
    "xlogy": (-2, 2),
}
for _op, (_lo, _hi) in BINARY.items():
    _second = (0.5, 2) if _op in ("div", "fmod", "remainder", "xlogy") else (-2, 2)
    for _pair, (_sa, _sb) in PAIRS.items():
        case(
            f"{_op}_{_pair}_f32", lambda T, x, y, op=_op: getattr(T, op)(x, y), [F32(_sa, _lo, _hi), F32(_sb, *_second)]
        )
    case(f"{_op}_method_f64", lambda T, x, y, op=_op: getattr(x, op)(y), [F64(S, _lo, _hi), F64(S, *_second)])
    # torch's maximum, minimum, atan2, hypot and logaddexp take only a Tensor as `other`
    _strict = _op in ("maximum", "minimum", "atan2", "hypot", "logaddexp")
    case(
        f"{_op}_python_scalar",
        lambda T, x, op=_op: getattr(T, op)(x, 1.5),
        [F32(S, _lo, _hi)],
        raises=TypeError if _strict else None,
    )
for _op in ["add", "sub", "mul", "maximum", "minimum", "fmod", "remainder"]:
    case(f"{_op}_int32_pair", lambda T, x, y, op=_op: getattr(T, op)(x, y), [I32(S), I32((4,), 1, 5)])
case("mul_bool", lambda T, x, y: x * y, [B(S), B(S)])
case("add_alpha", lambda T, x, y: T.add(x, y, alpha=2), [F32(S), F32(S)])
case("sub_alpha", lambda T, x, y: T.sub(x, y, alpha=0.5), [F32(S), F32((4,))])
case("add_alpha_method", lambda T, x, y: x.add(y, alpha=3), [I64(S), I64(S)])
case("add_out", lambda T, x, y: T.add(x, y, out=T.empty(3, 4)), [F32(S, grad=False), F32(S, grad=False)])
case(
    "mul_out", lambda T, x, y: T.mul(x, y, out=T.empty(3, 4, dtype=T.float64)), [F64(S, grad=False), F64(S, grad=False)]
)
case("div_out", lambda T, x: T.div(x, 2, out=T.empty(3, 4)), [F32(S, grad=False)])
case("neg_out", lambda T, x: T.neg(x, out=T.empty(3, 4)), [F32(S, grad=False)])
case("pow_scalar_exponent", lambda T, x: x**3, [F32(S)])
case("pow_scalar_base", lambda T, x: 2**x, [F32(S)])
case("pow_int_tensor", lambda T, x: x**2, [I32(S)])
case("pow_zero_base_negative_exp", lambda T: T.tensor([0.0, 0.0, 2.0]) ** T.tensor([-1.0, -2.5, -1.0]))
case("pow_scalar_zero_base_negative", lambda T, y: 0**y, [F32((4,), -2, -0.5)])
case("pow_grad_exponent_at_zero", lambda T, x, y: x**y, [F64((3,), 0, 0, grad=False), F64((3,), -2, -0.5)])
case("div_rounding_floor", lambda T, x, y: T.div(x, y, rounding_mode="floor"), [F32(S), F32(S, 0.5, 2)])
case("div_rounding_trunc", lambda T, x, y: x.div(y, rounding_mode="trunc"), [F64(S), F64(S, -2, -0.5)])
case("div_rounding_floor_int", lambda T, x, y: T.div(x, y, rounding_mode="floor"), [I64(S), I64(S, 1, 4)])
case("div_rounding_trunc_int", lambda T, x, y: T.div(x, y, rounding_mode="trunc"), [I32(S), I32(S, 1, 4)])
case("mod_op_f32", lambda T, x, y: x % y, [F32(S, -3, 3), F32((4,), 0.5, 2)])
case("mod_op_int", lambda T, x: x % 3, [I64(S)])
case("rmod_op", lambda T, x: 7 % x, [I64(S, 1, 5)])
case("floordiv_op_f32", lambda T, x, y: x // y, [F32(S, -3, 3, grad=False), F32(S, 0.5, 2, grad=False)])
case("floordiv_op_int", lambda T, x: x // 2, [I32(S)])
case("rfloordiv_op", lambda T, x: 7 // x, [I64(S, 1, 5)])
case("lerp_scalar", lambda T, a, b: T.lerp(a, b, 0.3), [F32(S), F32(S)])
case("lerp_tensor_weight", lambda T, a, b, w: a.lerp(b, w), [F64(S), F64((4,)), F64(S, 0, 1)])
case("xlogy_zero", lambda T: T.xlogy(T.tensor([0.0, 0.0, 1.0]), T.tensor([0.0, 2.0, 3.0])))
case("where", lambda T, c, x, y: T.where(c, x, y), [B(S), F32(S), F32((4,))])
case("where_scalar", lambda T, c, x: T.where(c, x, 0.0), [B(S), F64(S)])

# **** bitwise and logical ****

for _dt, _mk in [("int32", I32), ("int64", I64), ("bool", B)]:
    _a = _mk(S) if _dt == "bool" else _mk(S, -20, 20)
    _b = _mk((4,)) if _dt == "bool" else _mk((4,), -20, 20)
    case(f"and_{_dt}", lambda T, x, y: x & y, [_a, _b])
    case(f"or_{_dt}", lambda T, x, y: x | y, [_a, _b])
    case(f"xor_{_dt}", lambda T, x, y: x ^ y, [_a, _b])
    case(f"invert_{_dt}", lambda T, x: ~x, [_a])
    case(f"bitwise_and_fn_{_dt}", lambda T, x, y: T.bitwise_and(x, y), [_a, _b])
    case(f"logical_and_{_dt}", lambda T, x, y: T.logical_and(x, y), [_a, _b])
    case(f"logical_or_{_dt}", lambda T, x, y: T.logical_or(x, y), [_a, _b])
    case(f"logical_xor_{_dt}", lambda T, x, y: T.logical_xor(x, y), [_a, _b])
    case(f"logical_not_{_dt}", lambda T, x: T.logical_not(x), [_a])
case("and_int32_literal", lambda T, x: x & 0x1337, [I32(S, 0, 10000)])
case("or_int32_literal", lambda T, x: x | 0x1337, [I32(S, 0, 10000)])
case("rand_int32_literal", lambda T, x: 0x1337 & x, [I32(S, 0, 10000)])
case("ror_int64_literal", lambda T, x: 5 | x, [I64(S)])
case("rxor_literal", lambda T, x: 5 ^ x, [I32(S)])
case("lshift", lambda T, x: x << 2, [I32(S, 0, 100)])
case("rshift", lambda T, x: x >> 1, [I64(S, 0, 100)])
case("lshift_tensor", lambda T, x, y: x << y, [I64(S, 0, 100), I64(S, 0, 4)])
case("rlshift", lambda T, x: 1 << x, [I64(S, 0, 8)])
case("rrshift", lambda T, x: 256 >> x, [I32(S, 0, 8)])
case("logical_and_float", lambda T, x, y: T.logical_and(x, y), [F32(S, grad=False), F32(S, grad=False)])
case("and_float_raises", lambda T, x, y: x & y, [F32(S, grad=False), F32(S, grad=False)], raises=RuntimeError)

# **** elementwise: dtypes, arguments, out=, in place and errors ****

for _op in ["exp2", "log", "sigmoid", "tanh", "erf", "atan", "rsqrt", "log1p"]:
    case(f"{_op}_int64", lambda T, x, op=_op: getattr(T, op)(x), [I64(S, 1, 9)])
for _op in ["floor", "ceil", "trunc", "round", "sign", "sgn", "square", "neg"]:
    case(f"{_op}_int64_keeps_dtype", lambda T, x, op=_op: getattr(x, op)(), [I64(S)])
for _op in ["exp", "sin", "sqrt", "erf", "floor", "sigmoid"]:
    case(f"{_op}_f16", lambda T, x, op=_op: getattr(x, op)().float(), [F32(S, 0.1, 2, grad=False)])
case("round_decimals_negative", lambda T, x: x.round(decimals=-1), [F64(S, -50, 50)])
case("round_decimals_fn", lambda T, x: T.round(x, decimals=1), [F32(S)])
case("exp_inplace", lambda T, x: x.clone().exp_(), [F32(S)])
case("abs_inplace", lambda T, x: (x * 2).abs_(), [F64(S)])
case("neg_inplace_int", lambda T, x: x.neg_(), [I64(S)])
case("clamp_min_inplace", lambda T, x: (x + 0).clamp_min_(0.2), [F32(S)])
case("sqrt_inplace_value", lambda T, x: x.detach().sqrt_(), [F32(S, 0.5, 2)])
case("lerp_inplace_grad", lambda T, a, b: (a * 1).lerp_(b, 0.3), [F64(S), F64((4,))])
case("lerp_inplace_ema", lambda T, a, b: a.lerp_(b, 0.1), [F32(S, grad=False), F32(S, grad=False)])
case("fmod_inplace", lambda T, x: x.fmod_(3), [I64(S)])
case("remainder_inplace", lambda T, x, y: (x + 0).remainder_(y), [F32(S), F32(S, 0.5, 2, grad=False)])
case("sin_inplace", lambda T, x: (x * 2).sin_(), [F64(S)])
case("reciprocal_inplace", lambda T, x: x.detach().reciprocal_(), [F32(S, 0.5, 2)])
case("nan_to_num_inplace", lambda T: T.tensor([float("nan"), 1.0]).nan_to_num_(nan=2.0))
case("clamp_tensor_both", lambda T, x, lo, hi: x.clamp(lo, hi), [F64(S), F64((4,), -1, -0.2), F64((3, 1), 0.2, 1)])
case("clamp_int_float_bound", lambda T, x: x.clamp(min=0.5), [I32(S)])
case("clamp_no_bounds", lambda T, x: x.clamp(), [F32(S)], raises=RuntimeError)
case("clip_fn", lambda T, x: T.clip(x, max=0.3), [F32(S)])
case("nan_to_num_grad", lambda T, x: x.nan_to_num(), [F32(S)])
case("nan_to_num_int", lambda T, x: T.nan_to_num(x), [I64(S)])
case("nan_to_num_neginf", lambda T: T.nan_to_num(T.tensor([float("-inf"), 1.0], dtype=T.float64), neginf=-7.0))
case("remainder_negative_divisor", lambda T, x, y: T.remainder(x, y), [F32(S, -3, 3), F32(S, -2, -0.5)])
case("fmod_negative_divisor", lambda T, x, y: x.fmod(y), [F64(S, -3, 3), F64(S, -2, -0.5)])
case("remainder_int_negative", lambda T, x, y: x % y, [I64(S, -9, 9), I64(S, -4, -1)])
case("fmod_int_negative", lambda T, x, y: T.fmod(x, y), [I32(S, -9, 9), I32(S, -4, -1)])
case("floordiv_int_negative", lambda T, x, y: x // y, [I64(S, -9, 9), I64(S, -4, -1)])
case("div_trunc_int_negative", lambda T, x, y: x.div(y, rounding_mode="trunc"), [I64(S, -9, 9), I64(S, -4, -1)])
case("div_floor_int_scalar", lambda T, x: T.div(x, -2, rounding_mode="floor"), [I32(S)])
case("div_bad_rounding_mode", lambda T, x: x.div(2, rounding_mode="round"), [F32(S)], raises=RuntimeError)
case("floordiv_int_by_zero", lambda T, x: x // T.zeros(4, dtype=T.int64), [I64(S)], raises=RuntimeError)
case("remainder_int_by_zero", lambda T, x: x % 0, [I64(S)], raises=RuntimeError)
case("div_int_by_zero_true", lambda T, x: x / 0, [I64(S)])
case("pow_int_negative_exponent", lambda T, x: x ** (-1), [I64(S, 1, 5)], raises=RuntimeError)
case("pow_fn_scalar_base", lambda T, x: T.pow(2, x), [F32(S)])
case("pow_int_float_exponent", lambda T, x: x**0.5, [I64(S, 0, 9)])
case("neg_bool", lambda T, x: -x, [B(S)], raises=RuntimeError)
case("add_alpha_float_on_int", lambda T, x, y: T.add(x, y, alpha=0.5), [I64(S), I64(S)], raises=RuntimeError)
case("sub_alpha_int_fn", lambda T, x, y: T.sub(x, y, alpha=2), [I32(S), I32(S)])
case("add_scalar_alpha", lambda T, x: x.add(2, alpha=3), [F64(S)])
case("add_out_resize", lambda T, x, y: T.add(x, y, out=T.empty(0)), [F32(S, grad=False), F32((4,), grad=False)])
case("add_out_is_out", lambda T, x: (lambda o: T.add(x, 1, out=o) is o)(T.empty(3, 4)), [F32(S, grad=False)])
case("mul_out_int_into_float", lambda T, x: T.mul(x, 3, out=T.empty(3, 4)), [I64(S)])
case(
    "add_out_float_into_int",
    lambda T, x: T.add(x, 1, out=T.empty(3, 4, dtype=T.int64)),
    [F32(S, grad=False)],
    raises=RuntimeError,
)
case("add_out_requires_grad", lambda T, x: T.add(x, 1, out=T.empty(3, 4)), [F32(S)], raises=RuntimeError)
case("exp_out", lambda T, x: T.exp(x, out=T.empty(3, 4)), [F32(S, grad=False)])
case("sin_out_f64", lambda T, x: T.sin(x, out=T.empty(3, 4, dtype=T.float64)), [F64(S, grad=False)])
case("sub_out", lambda T, x, y: T.sub(x, y, alpha=2, out=T.empty(3, 4)), [F32(S, grad=False), F32(S, grad=False)])
case("div_rounding_out", lambda T, x: T.div(x, 3, rounding_mode="floor", out=T.empty(3, 4, dtype=T.int64)), [I64(S)])
case("xlogy_scalar_self", lambda T, y: T.xlogy(2.0, y), [F32(S, 0.5, 2)])
case("copysign_int", lambda T, x, y: T.copysign(x, y), [I32(S), I32(S)])
case("atan2_int", lambda T, x, y: T.atan2(x, y), [I64(S), I64(S, 1, 4)])
case("maximum_int_float", lambda T, x, y: T.maximum(x, y), [I32(S), F32(S, grad=False)])
case("logaddexp_f64_row", lambda T, x, y: T.logaddexp(x, y), [F64(S), F64((4,))])
case("hypot_f64", lambda T, x, y: x.hypot(y), [F64(S), F64(S)])
case("lerp_f64_scalar_weight", lambda T, a, b: a.lerp(b, 1.5), [F64(S), F64((4,))])
case("uint8_and_literal", lambda T: T.tensor([200, 7, 255], dtype=T.uint8) & 0x0F)
case("uint8_or_int32", lambda T, y: T.tensor([200, 7, 255], dtype=T.uint8) | y, [I32((3,))])
case("bool_and_int32", lambda T, x, y: x & y, [B(S), I32(S)])
case("bool_xor_literal_true", lambda T, x: x ^ True, [B(S)])
case("lshift_int32_by_int64", lambda T, x, y: x << y, [I32(S, 0, 100), I64(S, 0, 4)])
case("bitwise_left_shift_fn", lambda T, x: T.bitwise_left_shift(x, 3), [I64(S, 0, 9)])
case("bitwise_right_shift_fn", lambda T, x, y: T.bitwise_right_shift(x, y), [I32(S, 0, 100), I32(S, 0, 4)])
case("bitwise_or_fn_literal", lambda T, x: T.bitwise_or(x, 0x1337), [I32(S, 0, 10000)])
case("bitwise_not_fn", lambda T, x: T.bitwise_not(x), [I32(S)])
case("invert_float_raises", lambda T, x: ~x, [F32(S, grad=False)], raises=TypeError)
case("lshift_float_raises", lambda T, x: x << 1, [F32(S, grad=False)], raises=RuntimeError)
case("logical_not_float", lambda T, x: x.logical_not(), [F32(S, -1, 2, grad=False)])
case("logical_or_int_bool", lambda T, x, y: x.logical_or(y), [I64(S, -1, 2), B((4,))])
case("sub_bool_int_raises", lambda T, x, y: x - y, [B(S), I32(S)], raises=RuntimeError)
case("positive_op", lambda T, x: +x, [F32(S)])
case("positive_fn_int", lambda T, x: T.positive(x), [I64(S)])
case("sub_scalar_true_raises", lambda T, x: x - True, [F32(S, grad=False)], raises=RuntimeError)
case("hypot_int_raises", lambda T, x, y: T.hypot(x, y), [I64(S), I64(S)], raises=RuntimeError)
case("logaddexp_int_raises", lambda T, x, y: T.logaddexp(x, y), [I32(S), I32(S)], raises=RuntimeError)
case("remainder_bool_raises", lambda T, x, y: x % y, [B(S), B(S)], raises=RuntimeError)
case("pow_bool_raises", lambda T, x, y: x**y, [B(S), B(S)], raises=RuntimeError)
case("square_bool", lambda T, x: x.square(), [B(S)])
case("sign_bool", lambda T, x: T.sign(x), [B(S)])
case("abs_bool_raises", lambda T, x: x.abs(), [B(S)], raises=RuntimeError)
case("floor_bool_raises", lambda T, x: T.floor(x), [B(S)], raises=RuntimeError)
case("frac_int_raises", lambda T, x: x.frac(), [I64(S)], raises=RuntimeError)
case("relu_bool_raises", lambda T, x: x.relu(), [B(S)], raises=RuntimeError)
case("bitwise_not_fn_float_raises", lambda T, x: T.bitwise_not(x), [F32(S, grad=False)], raises=RuntimeError)


def _written_in_place(op: Any) -> Any:
    """``z op= y`` on a copy ``z`` of x, returning ``z`` itself: it must hold the result, as in torch."""

    def run(T: Any, x: Any, y: Any) -> Any:
        z = x.clone()
        op(z, y)
        return z

    return run


for _name, (_iop, _a, _b) in {
    "and": (operator.iand, I32(S, 0, 100), I32((4,), 0, 100)),
    "or": (operator.ior, I64(S), I64(S)),
    "xor": (operator.ixor, B(S), B(S)),
    "lshift": (operator.ilshift, I64(S, 0, 9), I64(S, 0, 3)),
    "rshift": (operator.irshift, I32(S, 0, 99), I32(S, 0, 3)),
    "floordiv": (operator.ifloordiv, I64(S), I64(S, 1, 4)),
    "mod": (operator.imod, F64(S, grad=False), F64(S, 0.5, 2, grad=False)),
    "pow": (operator.ipow, F32(S, 0.5, 2, grad=False), F32(S, grad=False)),
}.items():
    case(f"augmented_{_name}", _written_in_place(_iop), [_a, _b])

# **** comparisons ****

for _op in ["lt", "le", "gt", "ge", "eq", "ne"]:
    case(f"{_op}_f32_row", lambda T, x, y, op=_op: getattr(x, f"__{op}__")(y), [F32(S), F32((4,))])
    case(f"{_op}_fn_int_float", lambda T, x, y, op=_op: getattr(T, op)(x, y), [I32(S), F32(S, grad=False)])
    case(f"{_op}_scalar", lambda T, x, op=_op: getattr(x, f"__{op}__")(1), [I64(S)])
_SPECIAL = [1.0, float("nan"), float("inf"), -float("inf"), 0.0]
for _op in ["isnan", "isinf", "isfinite", "isposinf", "isneginf"]:
    case(f"{_op}", lambda T, op=_op: getattr(T, op)(T.tensor(_SPECIAL)))
    case(f"{_op}_int", lambda T, x, op=_op: getattr(T, op)(x), [I64(S)])
case("isclose", lambda T, x, y: T.isclose(x, y), [F32(S), F32(S)])
case("isclose_near", lambda T: T.isclose(T.tensor([1.0, 1.0, float("nan")]), T.tensor([1.0 + 1e-9, 1.1, float("nan")])))
case("isclose_equal_nan", lambda T: T.isclose(T.tensor([float("nan")]), T.tensor([float("nan")]), equal_nan=True))
case("isclose_tols", lambda T: T.tensor([1.0, 2.0]).isclose(T.tensor([1.05, 2.5]), rtol=0.0, atol=0.1))
case("allclose_true", lambda T, x: T.allclose(x, x + 1e-9), [F64(S)])
case("allclose_false", lambda T, x: x.allclose(x + 1), [F32(S)])
case("allclose_broadcast", lambda T, x: T.allclose(x, T.zeros(4)), [F32(S)])
case("equal_true", lambda T, x: T.equal(x, x.clone()), [F32(S)])
case("equal_shape", lambda T, x: T.equal(x, x[:2]), [F32(S)])
case("equal_method", lambda T, x: x.equal(x + 1), [I64(S)])
case("isclose_int", lambda T, x, y: T.isclose(x, y), [I64(S, 0, 3), I64(S, 0, 3)])
case(
    "isclose_inf", lambda T: T.isclose(T.tensor([float("inf"), float("-inf"), 1.0]), T.tensor([float("inf"), 1.0, 1.0]))
)
case("isclose_broadcast", lambda T, x, y: x.isclose(y, atol=0.5), [F32(S), F32((4,))])
case(
    "allclose_equal_nan",
    lambda T: T.allclose(T.tensor([1.0, float("nan")]), T.tensor([1.0, float("nan")]), equal_nan=True),
)
case("allclose_nan_false", lambda T: T.tensor([float("nan")]).allclose(T.tensor([float("nan")])))
case("equal_values_differ", lambda T, x: T.equal(x, x * 2), [F32(S, 1, 2)])
case("isfinite_bool", lambda T, x: T.isfinite(x), [B(S)])
case("isinf_f64", lambda T: T.isinf(T.tensor([1.0, float("-inf")], dtype=T.float64)))
case("eq_fn_broadcast", lambda T, x, y: T.eq(x, y), [I64(S, 0, 3), I64((4,), 0, 3)])
case("ge_bool_int", lambda T, x, y: x >= y, [B(S), I32(S, 0, 2)])

# **** reductions and scans ****

for _op in ["sum", "mean", "prod", "amax", "amin", "logsumexp", "std", "var"]:
    case(f"{_op}_dim1", lambda T, x, op=_op: getattr(x, op)(dim=1), [F32((3, 4), 0.5, 2)])
    case(
        f"{_op}_dims_keepdim",
        lambda T, x, op=_op: getattr(T, op)(x, (0, 2), keepdim=True),
        [F64((2, 3, 4), 0.5, 2)],
        raises=TypeError if _op == "prod" else None,  # torch's prod reduces one dim or all
    )
    if _op not in ("logsumexp",):
        case(f"{_op}_all", lambda T, x, op=_op: getattr(x, op)(), [F32((3, 4), 0.5, 2)])
    if _op not in ("logsumexp", "std", "var"):
        case(f"{_op}_axis", lambda T, x, op=_op: getattr(x, op)(axis=0), [F32((3, 4), 0.5, 2)])
case("sum_int32", lambda T, x: x.sum(), [I32(S)])
case("sum_bool", lambda T, x: x.sum(dim=0), [B(S)])
case("sum_dtype", lambda T, x: x.sum(dtype=T.float64), [F32(S)])
case("sum_dtype_int", lambda T, x: T.sum(x, 1, dtype=T.int32), [I64(S)])
case("prod_int", lambda T, x: x.prod(0), [I32(S)])
case("prod_with_zero", lambda T, x: (x * T.tensor([1.0, 0.0, 1.0, 1.0])).prod(dim=1), [F64(S)])
case("mean_0d", lambda T, x: x.mean(), [F32(())])
case("var_correction", lambda T, x: x.var(dim=1, correction=0), [F64(S)])
case("std_unbiased_false", lambda T, x: x.std(0, unbiased=False), [F32(S)])
case("std_mean", lambda T, x: T.std_mean(x, dim=1), [F32(S)])
case("var_mean", lambda T, x: T.var_mean(x, 0, keepdim=True), [F64(S)])
case("all_bool", lambda T, x: x.all(), [B(S)])
case("any_dim", lambda T, x: x.any(dim=1), [B(S)])
case("all_int", lambda T, x: T.all(x, dim=0), [I64(S, 0, 3)])
case("any_float", lambda T, x: x.any(), [F32(S, grad=False)])
case("max_all", lambda T, x: x.max(), [F32(S)])
case("max_dim", lambda T, x: x.max(dim=1), [F32(S)])
case("min_dim_keepdim", lambda T, x: x.min(0, keepdim=True), [F64(S)])
case("max_binary", lambda T, x, y: T.max(x, y), [F32(S), F32((4,))])
case("max_int", lambda T, x: x.max(), [I32(S)])
case("min_bool", lambda T, x: x.min(), [B(S)])
case("max_bool_dim", lambda T, x: x.max(dim=0), [B(S)])
case("argmax_dim", lambda T, x: x.argmax(dim=1), [F32(S)])
case("argmin_flat", lambda T, x: T.argmin(x), [I64(S, -100, 100)])
case("argmax_keepdim", lambda T, x: x.argmax(0, keepdim=True), [F64(S)])
for _op in ["cumsum", "cumprod", "logcumsumexp"]:
    case(f"{_op}_dim1", lambda T, x, op=_op: getattr(x, op)(dim=1), [F32(S, 0.5, 2)])
    case(f"{_op}_fn_dim0_f64", lambda T, x, op=_op: getattr(T, op)(x, 0), [F64((3, 2, 2), 0.5, 2)])
case("cumsum_int32", lambda T, x: x.cumsum(0), [I32(S)])
case("cumsum_bool", lambda T, x: x.cumsum(1), [B(S)])
case("cumsum_dtype", lambda T, x: x.cumsum(0, dtype=T.float64), [F32(S)])
case("cumprod_with_zero", lambda T, x: (x * T.tensor([1.0, 0.0, 1.0, 1.0])).cumprod(1), [F64(S)])
case("cummax", lambda T, x: x.cummax(dim=1), [F32(S)])
case("cummin", lambda T, x: T.cummin(x, 0), [F64(S)])
case("cummax_int", lambda T, x: x.cummax(0), [I64(S)])
case("sort", lambda T, x: x.sort(), [F32(S)])
case("sort_desc_dim0", lambda T, x: T.sort(x, dim=0, descending=True), [F64(S)])
case("sort_stable", lambda T, x: x.sort(stable=True), [I64((12,), 0, 3)])
case("argsort", lambda T, x: x.argsort(dim=1), [F32(S)])
case("argsort_desc", lambda T, x: T.argsort(x, descending=True), [F64((7,))])
case("topk", lambda T, x: T.topk(x, 2, dim=1).values, [F32((3, 5))])
case("topk_both", lambda T, x: x.topk(3), [F32((3, 5))])
case("topk_smallest_dim0", lambda T, x: x.topk(2, dim=0, largest=False), [F64((4, 3))])
case("topk_int", lambda T, x: x.topk(2), [I32((3, 20), -1000, 1000)])
case("kthvalue", lambda T, x: x.kthvalue(2, dim=1), [F32((3, 5))])
case("kthvalue_keepdim", lambda T, x: T.kthvalue(x, 1, 0, keepdim=True), [F64((4, 3))])
case("median_all", lambda T, x: x.median(), [F32((3, 5))])
case("median_dim", lambda T, x: x.median(dim=1), [F64((3, 5))])
case("median_even", lambda T, x: x.median(dim=1).values, [F32((3, 4))])
case("mode", lambda T: T.tensor([[1, 2, 2, 3], [4, 4, 5, 5]]).mode(dim=1))
case("count_nonzero", lambda T, x: T.count_nonzero(x), [I64(S, -1, 2)])
case("count_nonzero_dim", lambda T, x: x.count_nonzero(dim=0), [B(S)])
case("norm_default", lambda T, x: x.norm(), [F32(S)])
case("norm_p1_dim", lambda T, x: x.norm(p=1, dim=1), [F64(S)])
case("norm_p3", lambda T, x: T.norm(x, 3, dim=0, keepdim=True), [F32(S)])
case("norm_inf", lambda T, x: x.norm(p=float("inf")), [F64(S)])
case("softmax", lambda T, x: T.softmax(x, dim=1), [F32(S)])
case("log_softmax", lambda T, x: x.log_softmax(0), [F64(S)])

# **** reductions and scans: dtypes, arguments and errors ****

case("sum_axis_tuple", lambda T, x: x.sum(axis=(0, 1)), [F32((2, 3, 4))])
case("sum_dim_list", lambda T, x: T.sum(x, [0, 2]), [F64((2, 3, 4))])
case("sum_keepdim_all", lambda T, x: x.sum((0, 1), keepdim=True), [F32(S)])
case("sum_0d_dim", lambda T, x: x.sum(0), [F32(())])
case("sum_uint8", lambda T: T.tensor([200, 100], dtype=T.uint8).sum())
case("sum_dtype_bool_to_int32", lambda T, x: x.sum(dtype=T.int32), [B(S)])
case("mean_int_raises", lambda T, x: x.mean(), [I64(S)], raises=RuntimeError)
case("mean_int_dtype", lambda T, x: x.mean(dtype=T.float64), [I64(S)])
case("mean_dtype_grad", lambda T, x: x.mean(1, dtype=T.float64), [F32(S)])
case("prod_dtype", lambda T, x: x.prod(dtype=T.float64), [F32(S, 0.5, 1.5)])
case("prod_bool", lambda T, x: x.prod(), [B(S)])
case("prod_keepdim", lambda T, x: T.prod(x, 1, keepdim=True), [F32(S, 0.5, 1.5)])
case("prod_two_zeros_grad", lambda T, x: (x * T.tensor([0.0, 1.0, 0.0, 1.0])).prod(1), [F64(S)])
case("prod_dim_range", lambda T, x: x.prod(2), [F32(S)], raises=IndexError)
case("cumsum_neg_dim", lambda T, x: x.cumsum(-1), [F32((2, 3, 4))])
case("cumsum_0d", lambda T, x: x.cumsum(0), [F64(())])
case("cumsum_fn_dtype", lambda T, x: T.cumsum(x, 1, dtype=T.float32), [I64(S)])
case("cumsum_dim_range", lambda T, x: x.cumsum(2), [F32(S)], raises=IndexError)
case("cumprod_int32", lambda T, x: x.cumprod(1), [I32(S)])
case("cumprod_two_zeros", lambda T, x: (x * T.tensor([1.0, 0.0, 1.0, 0.0])).cumprod(1), [F64(S)])
case("logcumsumexp_neg_inf", lambda T: T.tensor([float("-inf"), 0.0, 1.0]).logcumsumexp(0))
case("logcumsumexp_wide", lambda T, x: x.logcumsumexp(1), [F64((2, 6), -30, 30)])
case("logsumexp_int", lambda T, x: T.logsumexp(x, 1), [I64(S)])
case("cummax_f64_grad", lambda T, x: T.cummax(x, 1).values, [F64((3, 6))])
case("cummin_int_ties", lambda T, x: x.cummin(1), [I64((3, 8), 0, 3)])
case("cummax_bool", lambda T, x: x.cummax(0), [B(S)])
case("sort_int", lambda T, x: x.sort(dim=0), [I64(S, -100, 100)])
case("sort_desc_stable_ties", lambda T, x: x.sort(descending=True, stable=True), [I64((12,), 0, 3)])
case("sort_bool", lambda T, x: x.sort(), [B((6,))])
case("sort_0d", lambda T, x: x.sort(), [F32(())])
case("argsort_int_stable", lambda T, x: T.argsort(x, stable=True), [I64((3, 10), 0, 3)])
case("argsort_desc_stable_ties", lambda T, x: x.argsort(descending=True, stable=True), [I32((2, 9), 0, 3)])
case("topk_k0", lambda T, x: x.topk(0), [F32(S)])
case("topk_neg_dim_grad", lambda T, x: T.topk(x, 2, -2).values, [F64((4, 3))])
case("kthvalue_out_of_range", lambda T, x: x.kthvalue(5), [F32(S)], raises=RuntimeError)
case("kthvalue_int", lambda T, x: x.kthvalue(3, 0), [I64((5, 3), -100, 100)])
case("median_int", lambda T, x: x.median(), [I64((3, 5), -100, 100)])
case("median_keepdim", lambda T, x: x.median(0, keepdim=True), [F32((4, 3))])
case("median_0d", lambda T, x: x.median(), [F32(())])
case("median_fn_dim", lambda T, x: T.median(x, -1), [F64((2, 7))])
case("mode_float_dim0", lambda T: T.tensor([[1.5, 2.0], [1.5, 3.0], [0.5, 3.0]]).mode(0))
case("mode_keepdim", lambda T, x: x.mode(keepdim=True), [I64((3, 7), 0, 3)])
case("mode_fn", lambda T, x: T.mode(x, 0), [I32((6, 3), 0, 2)])
case("count_nonzero_dims", lambda T, x: T.count_nonzero(x, dim=(0, 1)), [I64((2, 3, 4), -1, 2)])
case("count_nonzero_float", lambda T, x: x.count_nonzero(1), [F32(S, -1, 1, grad=False)])
case("norm_p0", lambda T, x: x.norm(0), [F32(S)])
case("norm_neg_inf_dim", lambda T, x: x.norm(float("-inf"), dim=1), [F64(S)])
case("norm_fro_dims", lambda T, x: x.norm(dim=(0, 1)), [F32((2, 3, 4))])
case("norm_p2_keepdim", lambda T, x: T.norm(x, 2, 1, True), [F64(S)])
case("norm_p_half", lambda T, x: x.norm(0.5), [F64(S, 0.5, 2)])
case("norm_at_zero", lambda T, x: x.norm(), [F64((3,), 0, 0)])
case("norm_int_raises", lambda T, x: x.norm(), [I64(S)], raises=RuntimeError)
case("norm_dtype", lambda T, x: x.norm(dtype=T.float64), [F32(S)])
case("norm_nuc", lambda T, x: T.norm(x, "nuc"), [F64(S)])
case("norm_nuc_dims_keepdim", lambda T, x: x.norm("nuc", dim=(0, 2), keepdim=True), [F32((3, 2, 4))])
case("norm_nuc_3d_raises", lambda T, x: x.norm("nuc"), [F32((2, 3, 4))], raises=RuntimeError)
case("norm_bad_p_raises", lambda T, x: x.norm("abc"), [F32(S)], raises=RuntimeError)
case("norm_fro_dim", lambda T, x: x.norm("fro", dim=1), [F64(S)])
case("std_mean_all", lambda T, x: T.std_mean(x), [F64(S)])
case("var_mean_correction", lambda T, x: T.var_mean(x, 1, correction=0), [F32(S)])
case("std_mean_unbiased_false", lambda T, x: T.std_mean(x, 0, False), [F64(S)])
case("var_positional_unbiased", lambda T, x: x.var(1, False, True), [F64(S)])
case("amax_int", lambda T, x: x.amax(1), [I32(S)])
case("amin_bool", lambda T, x: x.amin(), [B(S)])
case("amin_ties_grad", lambda T: T.tensor([[1.0, 0.5, 0.5], [2.0, 3.0, -1.0]], requires_grad=True).amin(1))
case("max_bool_all", lambda T, x: x.max(), [B(S)])
case("min_int_dim", lambda T, x: x.min(1), [I64(S)])
case("max_0d_dim", lambda T, x: x.max(0), [F32(())])
case("max_axis", lambda T, x: x.max(axis=1), [F64(S)])
case("max_empty_raises", lambda T: T.zeros(0).max(), raises=RuntimeError)
case("all_dims_tuple", lambda T, x: x.all(dim=(0, 1)), [B((2, 3, 4))])
case("any_keepdim", lambda T, x: T.any(x, 1, keepdim=True), [I64(S, 0, 2)])
case("all_axis", lambda T, x: x.all(axis=0), [B(S)])
case("any_float_dim", lambda T, x: x.any(0), [F32(S, -1, 2, grad=False)])
case("all_uint8", lambda T: T.tensor([[1, 0], [2, 3]], dtype=T.uint8).all(1))
case("any_uint8", lambda T: T.tensor([[1, 0], [0, 0]], dtype=T.uint8).any())
case("std_int_raises", lambda T, x: x.std(), [I64(S)], raises=RuntimeError)
case("logcumsumexp_int_raises", lambda T, x: x.logcumsumexp(0), [I64(S)], raises=RuntimeError)
case("median_bool_raises", lambda T, x: x.median(), [B(S)], raises=RuntimeError)
case("topk_bool_raises", lambda T, x: x.topk(1), [B(S)], raises=RuntimeError)
for _op, _args in {
    "std": (),
    "var": (),
    "logsumexp": (),
    "cumsum": (),
    "cumprod": (),
    "logcumsumexp": (),
    "argmax": (),
    "argmin": (),
    "softmax": (),
    "log_softmax": (),
    "sort": (),
    "argsort": (),
    "count_nonzero": (),
    "median": (),
    "kthvalue": (2,),
    "topk": (2,),
    "cummax": (),
    "cummin": (),
    "mode": (),
    "prod": (),
    "amin": (),
    "min": (),
    "any": (),
}.items():
    case(f"{_op}_axis_alias", lambda T, x, op=_op, a=_args: getattr(x, op)(*a, axis=0), [F64((3, 4), 0.5, 2)])
case("std_mean_axis", lambda T, x: T.std_mean(x, axis=1), [F32(S)])
case("var_mean_axis_keepdim", lambda T, x: T.var_mean(x, axis=0, keepdim=True), [F64(S)])
case("sum_fn_axis", lambda T, x: T.sum(x, axis=1), [F32(S)])
for _op, _args in {"mode": (), "cummax": (0,), "topk": (1,), "kthvalue": (1,), "argsort": (), "median": (0,)}.items():
    case(f"{_op}_0d_selection", lambda T, x, op=_op, a=_args: getattr(x, op)(*a), [F64(())])

# **** movement ****

case("t", lambda T, x: x.t(), [F32(S)])
case("t_1d", lambda T, x: T.t(x), [F32((4,))])
case("T", lambda T, x: x.T, [F32(S)])
case("mT", lambda T, x: x.mT, [F32((2, 3, 4))])
case("view_as", lambda T, x, y: x.view_as(y), [F32(S), F32((4, 3), grad=False)])
case("reshape_as", lambda T, x, y: x.reshape_as(y), [F32(S), F32((2, 6), grad=False)])
case("expand_as", lambda T, x, y: x.expand_as(y), [F32((4,)), F32((2, 3, 4), grad=False)])
case("expand_minus_one", lambda T, x: x.expand(2, -1, 4), [F64((3, 1))])
case("contiguous", lambda T, x: x.t().contiguous(), [F32(S)])
case("reshape_infer", lambda T, x: x.reshape(-1, 2), [F32(S)])
case("view_tuple", lambda T, x: x.view((2, 6)), [F32(S)])
case("flatten_range", lambda T, x: x.flatten(1, 2), [F32((2, 3, 4))])
case("unsqueeze_neg", lambda T, x: x.unsqueeze(-1), [F32(S)])
case("squeeze_all", lambda T, x: x.squeeze(), [F32((1, 3, 1))])
case("squeeze_dim", lambda T, x: x.squeeze(0), [F32((1, 3, 1))])
case("squeeze_dims_tuple", lambda T, x: x.squeeze((0, 2)), [F32((1, 3, 1))])
case("squeeze_0d_dim0", lambda T, x: x.squeeze(0), [F32(())])
case("squeeze_0d_dim_minus1", lambda T, x: x.squeeze(-1), [F32(())])
case("squeeze_0d_dim1_raises", lambda T, x: x.squeeze(1), [F32(())], raises=IndexError)
case("transpose", lambda T, x: T.transpose(x, 0, 2), [F32((2, 3, 4))])
case("swapaxes", lambda T, x: x.swapaxes(0, 1), [F32((2, 3, 4))])
case("permute", lambda T, x: x.permute(2, 0, 1), [F64((2, 3, 4))])
case("permute_tuple", lambda T, x: T.permute(x, (1, 0)), [F32(S)])
case("movedim", lambda T, x: x.movedim(0, -1), [F32((2, 3, 4))])
case("movedim_multi", lambda T, x: T.movedim(x, (0, 1), (2, 0)), [F32((2, 3, 4))])
case("chunk", lambda T, x: x.chunk(3, dim=1), [F32((2, 7))])
case("chunk_fn", lambda T, x: T.chunk(x, 2), [F32((5, 2))])
case("split_size", lambda T, x: x.split(2, dim=1), [F32((2, 5))])
case("split_list", lambda T, x: T.split(x, [1, 3, 1], dim=1), [F64((2, 5))])
case("unbind", lambda T, x: x.unbind(1), [F32(S)])
case("flip", lambda T, x: x.flip(0, 1), [F32(S)])
case("flip_list", lambda T, x: T.flip(x, [1]), [I64(S)])
case("fliplr", lambda T, x: T.fliplr(x), [F32(S)])
case("roll", lambda T, x: x.roll(1, 1), [F32(S)])
case("roll_flat", lambda T, x: T.roll(x, 5), [F32(S)])
case("roll_multi", lambda T, x: x.roll((1, -1), (0, 1)), [F64(S)])
case("tril", lambda T, x: x.tril(), [F32((4, 4))])
case("triu_offset", lambda T, x: T.triu(x, 1), [F32((3, 4))])
case("tril_batched", lambda T, x: x.tril(-1), [F64((2, 3, 3))])
case("diagonal", lambda T, x: x.diagonal(), [F32((3, 4))])
case("diagonal_offset_dims", lambda T, x: T.diagonal(x, 1, 0, 2), [F32((3, 2, 4))])
case("diag_vector", lambda T, x: T.diag(x), [F32((3,))])
case("diag_matrix", lambda T, x: x.diag(-1), [F32((3, 3))])
case("diag_embed", lambda T, x: T.diag_embed(x), [F32((2, 3))])
case("repeat", lambda T, x: x.repeat(2, 3), [F32((2, 2))])
case("repeat_new_dims", lambda T, x: x.repeat(2, 1, 2), [F32((3,))])
case("repeat_interleave", lambda T, x: x.repeat_interleave(2, dim=0), [F32((3, 2))])
case("repeat_interleave_flat", lambda T, x: T.repeat_interleave(x, 2), [F32((2, 2))])
case("repeat_interleave_tensor", lambda T, x: x.repeat_interleave(T.tensor([1, 0, 2]), dim=0), [F64((3, 2))])
case("tile", lambda T, x: x.tile((2,)), [F32((2, 3))])
case("tile_fn", lambda T, x: T.tile(x, (2, 1, 2)), [F32((2, 3))])
case("unflatten", lambda T, x: x.unflatten(1, (2, 2)), [F32(S)])
case("unflatten_infer", lambda T, x: T.unflatten(x, 0, (-1, 3)), [F32((6, 2))])
case("narrow", lambda T, x: x.narrow(1, 1, 2), [F32(S)])
case("select", lambda T, x: x.select(0, -1), [F32(S)])
case("index_select", lambda T, x, i: T.index_select(x, 1, i), [F32(S), I64((5,), 0, 4)])
case("masked_select", lambda T, x, m: x.masked_select(m), [F32(S), B(S)])
case("masked_select_broadcast", lambda T, x, m: T.masked_select(x, m), [F32(S), B((4,))])
case("masked_fill", lambda T, x, m: x.masked_fill(m, 0.5), [F32(S), B((4,))])
case("masked_fill_int", lambda T, x, m: x.masked_fill(m, -1), [I64(S), B(S)])
case("take", lambda T, x, i: T.take(x, i), [F32(S), I64((2, 3), 0, 12)])
case("take_along_dim", lambda T, x: T.take_along_dim(x, x.argsort(1), dim=1), [F32(S)])
case("take_along_dim_flat", lambda T, x, i: x.take_along_dim(i), [F64(S), I64((5,), 0, 12)])
case("nonzero", lambda T, x: x.nonzero(), [I64(S, -1, 2)])
case("nonzero_as_tuple", lambda T, x: T.nonzero(x, as_tuple=True), [B(S)])
case("unique", lambda T, x: T.unique(x), [I64((10,), 0, 5)])
case("unique_counts", lambda T, x: x.unique(return_inverse=True, return_counts=True), [I64((10,), 0, 5)])
case("unique_dim", lambda T: T.unique(T.tensor([[1, 2], [1, 2], [0, 3]]), dim=0))
case("unfold", lambda T, x: x.unfold(0, 2, 1), [F32((5,))])
case("unfold_2d", lambda T, x: x.unfold(1, 3, 2), [F64((2, 7))])
case("cat", lambda T, x, y: T.cat([x, y], dim=1), [F32(S), F32((3, 2))])
case("cat_promote", lambda T, x, y: T.cat([x, y]), [I32(S), F64((1, 4))])
case("stack", lambda T, x, y: T.stack((x, y), dim=-1), [F32(S), F32(S)])

# **** indexing ****

case("index_int", lambda T, x: x[1], [F32(S)])
case("index_slice_step", lambda T, x: x[::2, 1:], [F32(S)])
case("index_negative", lambda T, x: x[-1, -2], [F32(S)])
case("index_ellipsis_none", lambda T, x: x[..., None, 0], [F32((2, 3, 4))])
case("index_bool_mask", lambda T, x, m: x[m], [F32(S), B(S)])
case("index_bool_rows", lambda T, x, m: x[m], [F32(S), B((3,))])
case("index_list", lambda T, x: x[[0, 2, 2]], [F32(S)])
case("index_tensor_repeat", lambda T, x, i: x[i], [F32(S), I64((6,), 0, 3)])
case("index_tensor_2d", lambda T, x, i: x[i], [F32((5, 2)), I64((2, 3), 0, 5)])
case("index_two_tensors", lambda T, x, i, j: x[i, j], [F32(S), I64((5,), 0, 3), I64((5,), 0, 4)])
case("index_adv_separated", lambda T, x: x[0, :, T.tensor([1, 3])], [F32((3, 4, 5))])
case("index_adv_separated_2", lambda T, x: x[T.tensor([0, 1]), :, T.tensor([1, 3])], [F32((3, 4, 5))])
case("index_adv_adjacent", lambda T, x: x[:, T.tensor([0, 2]), T.tensor([1, 3])], [F32((3, 4, 5))])
case("index_adv_slice_first", lambda T, x: x[1:, T.tensor([0, 2])], [F32((3, 4, 5))])
case("index_adv_int_adjacent", lambda T, x: x[:, 0, T.tensor([1, 2, 4])], [F32((3, 4, 5))])
case("index_adv_none", lambda T, x: x[None, T.tensor([0, 2]), :, 1], [F32((3, 4, 5))])
case("index_out_of_range", lambda T, x: x[3], [F32(S)], raises=IndexError)
case("gather", lambda T, x, i: x.gather(1, i), [F32(S), I64((3, 2), 0, 4)])
case("gather_fn", lambda T, x, i: T.gather(x, 0, i), [F64(S), I64((2, 4), 0, 3)])
case("gather_bad_index", lambda T, x: x.gather(1, T.tensor([[7]])), [F32(S)], raises=RuntimeError)

# **** scatter ****

_SRC = F32((2, 4))
_IDX = I64((2, 4), 0, 3)
case("scatter_src", lambda T, x, i, s: x.scatter(0, i, s), [F32(S), I64((1, 4), 0, 3), F32((1, 4))])
case("scatter_value", lambda T, x, i: T.scatter(x, 1, i, 0.5), [F32(S), I64((3, 2), 0, 4)])
case(
    "scatter_fn_unique_rows",
    lambda T, x, s: T.scatter(x, 0, T.tensor([[0, 1, 2, 0], [1, 2, 0, 1]]), s),
    [F64(S), F64((2, 4))],
)
case("scatter_add", lambda T, x, i, s: x.scatter_add(0, i, s), [F32(S), _IDX, _SRC])
case("scatter_add_fn", lambda T, x, i, s: T.scatter_add(x, 1, i, s), [F64(S), I64((3, 2), 0, 4), F64((3, 2))])
case("scatter_add_int", lambda T, x, i, s: x.scatter_add(0, i, s), [I64(S), _IDX, I64((2, 4))])
for _reduce in ["sum", "prod", "mean", "amax", "amin"]:
    for _self in [True, False]:
        case(
            f"scatter_reduce_{_reduce}_self{_self}",
            lambda T, x, s, r=_reduce, inc=_self: x.scatter_reduce(
                0, T.tensor([[0, 1, 2, 0], [1, 2, 0, 0]]), s, r, include_self=inc
            ),
            [F64(S, 0.5, 2), F64((2, 4), 0.5, 2)],
        )
case(
    "scatter_reduce_fn",
    lambda T, x, i, s: T.scatter_reduce(x, 1, i, s, "amax"),
    [F32(S), I64((3, 2), 0, 4), F32((3, 2))],
)

# **** linear algebra ****

case("matmul_2d", lambda T, a, b: a @ b, [F32((3, 4)), F32((4, 2))])
case("matmul_batched_broadcast", lambda T, a, b: T.matmul(a, b), [F32((2, 1, 3, 4)), F32((3, 4, 2))])
case("matmul_vec", lambda T, a, b: a @ b, [F64((3, 4)), F64((4,))])
case("matmul_vec_mat", lambda T, a, b: a.matmul(b), [F32((4,)), F32((2, 4, 3))])
case("matmul_int", lambda T, a, b: a @ b, [I64((2, 3)), I64((3, 2))])
case("mm", lambda T, a, b: T.mm(a, b), [F32((3, 4)), F32((4, 2))])
case("bmm", lambda T, a, b: a.bmm(b), [F64((2, 3, 4)), F64((2, 4, 5))])
case("mv", lambda T, a, b: T.mv(a, b), [F32((3, 4)), F32((4,))])
case("dot", lambda T, a, b: a.dot(b), [F32((5,)), F32((5,))])
case("dot_int", lambda T, a, b: T.dot(a, b), [I64((5,)), I64((5,))])
case("outer", lambda T, a, b: T.outer(a, b), [F32((3,)), F64((4,))])
case("addmm", lambda T, c, a, b: T.addmm(c, a, b), [F32((3, 2)), F32((3, 4)), F32((4, 2))])
case("addmm_beta_alpha", lambda T, c, a, b: c.addmm(a, b, beta=0.5, alpha=2), [F64((2,)), F64((3, 4)), F64((4, 2))])
case("baddbmm", lambda T, c, a, b: T.baddbmm(c, a, b, alpha=0.5), [F32((2, 3, 2)), F32((2, 3, 4)), F32((2, 4, 2))])
case("tensordot_int", lambda T, a, b: T.tensordot(a, b, dims=2), [F32((2, 3, 4)), F32((3, 4, 2))])
case("tensordot_lists", lambda T, a, b: T.tensordot(a, b, dims=([0, 2], [1, 0])), [F64((2, 3, 4)), F64((4, 2, 5))])
case("trace", lambda T, x: x.trace(), [F32((3, 4))])
case("trace_fn", lambda T, x: T.trace(x), [F64((4, 4))])
case("cross", lambda T, a, b: T.cross(a, b, dim=1), [F32((2, 3)), F32((2, 3))])
case("cross_broadcast", lambda T, a, b: T.linalg.cross(a, b), [F64((2, 3)), F64((1, 3))])
case("linalg_norm_vec", lambda T, x: T.linalg.norm(x), [F32((5,))])
case("linalg_norm_fro", lambda T, x: T.linalg.norm(x), [F32(S)])
case("linalg_norm_ord_dim", lambda T, x: T.linalg.norm(x, ord=1, dim=1), [F64(S)])
case("linalg_vector_norm", lambda T, x: T.linalg.vector_norm(x), [F32(S)])
case("linalg_vector_norm_ord", lambda T, x: T.linalg.vector_norm(x, ord=3, dim=(0, 1), keepdim=True), [F64(S)])
case("linalg_vector_norm_inf", lambda T, x: T.linalg.vector_norm(x, float("-inf"), dim=0), [F32(S)])
case("linalg_vector_norm_0", lambda T, x: T.linalg.vector_norm(x, 0), [F64(S)])
EINSUM = {
    "ij,jk->ik": [(3, 4), (4, 2)],
    "ij->ji": [(3, 4)],
    "ii->i": [(3, 3)],
    "ii": [(3, 3)],
    "ij->": [(3, 4)],
    "bij,bjk->bik": [(2, 3, 4), (2, 4, 5)],
    "i,i->": [(4,), (4,)],
    "i,j->ij": [(3,), (4,)],
    "...ij,...jk": [(2, 3, 4), (4, 2)],
    "bhqd,bhkd->bhqk": [(2, 2, 3, 4), (2, 2, 5, 4)],
    "ij,ij->i": [(3, 4), (3, 4)],
    "ijk->kij": [(2, 3, 4)],
    "ij,jk,kl->il": [(2, 3), (3, 4), (4, 2)],
    "ii->": [(4, 4)],
    "i,i": [(3,), (3,)],
}
for _eq, _shapes in EINSUM.items():
    _id = _eq.replace("->", "_to_").replace(",", "_").replace("...", "E")
    case(f"einsum_{_id}", lambda T, *xs, eq=_eq: T.einsum(eq, *xs), [F32(s) for s in _shapes])
case("einsum_list_operands", lambda T, a, b: T.einsum("ij,jk", [a, b]), [F64((2, 3)), F64((3, 2))])
case("einsum_spaces", lambda T, a, b: T.einsum("i j , j k -> i k", a, b), [F32((2, 3)), F32((3, 2))])

# **** movement, indexing, scatter and linear algebra: argument variants, errors, backward ****


def _setitem_torch_order(T, x, v):
    y = x.clone()
    y[0, :, T.tensor([1, 3])] = v
    return y


def _setitem_torch_order_4d(T, x, v):
    y = x * 1
    y[:, 0, :, T.tensor([2, 0])] = v
    return y


case("t_3d_raises", lambda T, x: x.t(), [F32((2, 3, 4))], raises=RuntimeError)
case("t_0d", lambda T, x: x.t(), [F32(())])
case("mT_1d_raises", lambda T, x: x.mT, [F32((3,))], raises=RuntimeError)
case("chunk_uneven", lambda T, x: x.chunk(4), [F32((10, 2))])
case("chunk_more_than_size", lambda T, x: T.chunk(x, 5, dim=-1), [F64((2, 3))])
case("split_big", lambda T, x: x.split(7), [F32((5,))])
case("split_list_bad_raises", lambda T, x: x.split([1, 1], dim=1), [F32(S)], raises=RuntimeError)
case("unbind_neg", lambda T, x: T.unbind(x, -1), [F64((2, 3))])
case("flip_neg", lambda T, x: x.flip(-1), [F32((2, 3, 4))])
case("flip_int", lambda T, x: T.flip(x, (0, 1)), [I32(S)])
case("flipud", lambda T, x: T.flipud(x), [F32(S)])
case("fliplr_1d_raises", lambda T, x: T.fliplr(x), [F32((4,))], raises=RuntimeError)
case("roll_neg", lambda T, x: x.roll(-2, -1), [F32(S)])
case("roll_int", lambda T, x: T.roll(x, (2,), (0,)), [I64(S)])
case("roll_bad_raises", lambda T, x: x.roll((1, 2), 0), [F32(S)], raises=RuntimeError)
case("tril_int", lambda T, x: T.tril(x, 1), [I64((4, 3))])
case("triu_neg", lambda T, x: x.triu(-1), [F64((2, 4, 3))])
case("triu_inf", lambda T: T.triu(T.full((3, 3), float("inf"))))
case("tril_1d_raises", lambda T, x: x.tril(), [F32((4,))], raises=RuntimeError)
case("diagonal_neg_offset", lambda T, x: x.diagonal(-1), [F32((4, 3))])
case("diagonal_dims_swapped", lambda T, x: T.diagonal(x, 1, 2, 0), [F64((3, 2, 4))])
case("diagonal_offset_past_end", lambda T, x: x.diagonal(5), [F32(S)])
case("diagonal_same_dims_raises", lambda T, x: x.diagonal(0, 1, 1), [F32(S)], raises=RuntimeError)
case("diagonal_int", lambda T, x: x.diagonal(), [I64(S)])
case("diag_vector_offset", lambda T, x: x.diag(-2), [F64((3,))])
case("diag_3d_raises", lambda T, x: T.diag(x), [F32((2, 2, 2))], raises=RuntimeError)
case("diag_embed_offset_dims", lambda T, x: T.diag_embed(x, 1, 0, 2), [F32((2, 3))])
case("diag_embed_dims_reversed", lambda T, x: x.diag_embed(-1, -1, -2), [F64((2, 3))])
case("repeat_too_few_raises", lambda T, x: x.repeat(2), [F32(S)], raises=RuntimeError)
case("repeat_int", lambda T, x: x.repeat(1, 2), [I64(S)])
case("repeat_interleave_neg_dim", lambda T, x: x.repeat_interleave(3, dim=-1), [F64((2, 2))])
case("repeat_interleave_output_size", lambda T, x: x.repeat_interleave(2, 0, output_size=6), [F32((3,))])
case("repeat_interleave_counts_only", lambda T: T.repeat_interleave(T.tensor([1, 0, 2])))
case("tile_more", lambda T, x: x.tile((1, 2, 1)), [I32((2, 3))])
case("unflatten_neg", lambda T, x: x.unflatten(-1, (2, 2)), [F64((3, 4))])
case("movedim_neg", lambda T, x: T.movedim(x, -1, 0), [F32((2, 3, 4))])
case("movedim_repeat_raises", lambda T, x: x.movedim((0, 0), (1, 2)), [F32((2, 3, 4))], raises=RuntimeError)
case("moveaxis", lambda T, x: T.moveaxis(x, 1, 2), [F32((2, 3, 4))])
case("swapdims", lambda T, x: T.swapdims(x, -1, 0), [F64((2, 3, 4))])
case("permute_neg", lambda T, x: x.permute(-1, 0, 1), [F32((2, 3, 4))])
case("permute_dim_range_raises", lambda T, x: x.permute(0, 2), [F32(S)], raises=IndexError)
case("expand_as_int", lambda T, x, y: x.expand_as(y), [I64((3, 1)), F32(S, grad=False)])
case("contiguous_already", lambda T, x: x.contiguous(), [F64(S)])
case("narrow_neg_start", lambda T, x: T.narrow(x, 0, -2, 2), [F32(S)])
case("narrow_too_long_raises", lambda T, x: x.narrow(1, 2, 3), [F32(S)], raises=RuntimeError)
case("select_neg_dim", lambda T, x: T.select(x, -1, 2), [F64((2, 3, 4))])
case("select_range_raises", lambda T, x: x.select(1, 4), [F32(S)], raises=IndexError)
case("index_select_neg_dim", lambda T, x, i: x.index_select(-1, i), [F64((2, 3)), I64((4,), 0, 3)])
case("index_select_int", lambda T, x, i: T.index_select(x, 0, i), [I32(S), I32((2,), 0, 3)])
case("index_select_range_raises", lambda T, x: x.index_select(0, T.tensor([3])), [F32(S)], raises=IndexError)
case("masked_select_int", lambda T, x, m: x.masked_select(m), [I64(S), B((3, 1))])
case("take_neg", lambda T, x: x.take(T.tensor([-1, 0, -12])), [F32(S)])
case("take_along_dim_index", lambda T, x: T.take_along_dim(x, T.tensor([[3, 0], [1, 1], [2, 0]]), 1), [F32(S)])
case("take_along_dim_broadcast", lambda T, x: x.take_along_dim(T.tensor([[0], [2]]), dim=0), [F64((3, 4))])
case("nonzero_float", lambda T, x: T.nonzero(x), [F32((2, 3, 2), -1, 1, grad=False)])
case("nonzero_0d", lambda T: T.tensor(3.0).nonzero())
case("nonzero_tuple_0d", lambda T: T.nonzero(T.tensor(3), as_tuple=True))
case("unique_float", lambda T: T.unique(T.tensor([2.5, -1.0, 2.5, 0.0])))
case("unique_inverse_2d", lambda T: T.tensor([[3, 1], [1, 2]]).unique(return_inverse=True))
case("unique_dim1_counts", lambda T: T.unique(T.tensor([[1, 1, 0], [2, 2, 1]]), dim=1, return_counts=True))
case("unfold_gaps", lambda T, x: x.unfold(0, 2, 3), [F32((7, 2))])
case("unfold_too_big_raises", lambda T, x: x.unfold(1, 5, 1), [F32(S)], raises=RuntimeError)
case("squeeze_tuple_not_one", lambda T, x: x.squeeze((0, 1)), [F64((1, 3, 1))])
case("squeeze_neg", lambda T, x: x.squeeze(-1), [F32((3, 1))])
case("squeeze_tuple_range_raises", lambda T, x: x.squeeze((0, 3)), [F32((1, 3, 1))], raises=IndexError)
case("unsqueeze_0d", lambda T, x: x.unsqueeze(-1), [F32(())])
case("flatten_0d", lambda T, x: x.flatten(), [F64(())])
case("flatten_neg", lambda T, x: x.flatten(-2), [F32((2, 3, 4))])
case("cat_neg_dim", lambda T, x, y, z: T.cat((x, y, z), -1), [F32((2, 1)), F32((2, 3)), F64((2, 2))])
case("stack_neg_dim", lambda T, x, y: T.stack([x, y], -2), [F64(S), F64(S)])
case("stack_dim_range_raises", lambda T, x: T.stack([x, x], 3), [F32(S)], raises=IndexError)
case("index_adv_setitem", _setitem_torch_order, [F32((3, 4, 5)), F32((4, 2))])
case("index_adv_setitem_4d", _setitem_torch_order_4d, [F64((2, 3, 4, 5)), F64((2, 4, 2))])
case("index_adv_4d_separated", lambda T, x: x[:, 0, :, T.tensor([1, 2, 4])], [F32((2, 3, 4, 5))])
case("index_adv_int_first_two", lambda T, x: x[1, T.tensor([0, 2]), :, T.tensor([1, 2])], [F64((2, 3, 4, 5))])
case("index_adv_mask_int", lambda T, x: x[T.tensor([True, False, True]), :, 2], [F32((3, 4, 5))])
case("index_adv_ellipsis_int", lambda T, x: x[0, ..., T.tensor([1, 0])], [F32((3, 4, 5))])
case("index_adv_tensor_0d", lambda T, x: x[T.tensor(1), :, T.tensor([0, 2])], [F32((3, 4, 5))])
case("index_adv_negative", lambda T, x: x[T.tensor([-1, 0]), 1], [F32((3, 4))])
case("index_tensor_out_of_range", lambda T, x: x[T.tensor([3])], [F32(S)], raises=IndexError)
case("index_float_tensor_raises", lambda T, x: x[T.tensor([1.0])], [F32(S)], raises=IndexError)
case("gather_neg_dim", lambda T, x, i: x.gather(-1, i), [F64(S), I64((3, 5), 0, 4)])
case(
    "scatter_dtype_mismatch_raises",
    lambda T, x, s: x.scatter(0, T.tensor([[0, 1]]), s),
    [F64(S), F32((1, 2))],
    raises=RuntimeError,
)
case("scatter_neg_dim", lambda T, x, s: x.scatter(-1, T.tensor([[3], [0], [1]]), s), [F32(S), F32((3, 1))])
case(
    "scatter_add_dim1_repeats",
    lambda T, x, s: x.scatter_add(1, T.tensor([[1, 1], [0, 0], [3, 2]]), s),
    [F64(S), F64((3, 2))],
)
case(
    "scatter_reduce_int_sum",
    lambda T, x, s: x.scatter_reduce(1, T.tensor([[0, 0], [1, 3], [2, 2]]), s, "sum"),
    [I64(S), I64((3, 2))],
)
case(
    "scatter_reduce_int_mean",
    lambda T, x, s: x.scatter_reduce(0, T.tensor([[0, 1, 2, 0]]), s, "mean"),
    [I64(S), I64((1, 4))],
)
case(
    "scatter_reduce_prod_zeros",
    lambda T, x, s: x.scatter_reduce(
        0, T.tensor([[0, 1, 2, 0], [1, 1, 0, 0]]), s * T.tensor([1.0, 0.0, 1.0, 0.0]), "prod"
    ),
    [F64(S), F64((2, 4))],
)
case(
    "scatter_reduce_amax_ties",
    lambda T, x: x.scatter_reduce(0, T.tensor([[0, 0]]), T.ones(1, 2, dtype=T.float64), "amax"),
    [F64((2, 2), 1, 1)],
)
case(
    "scatter_reduce_bad_raises",
    lambda T, x, s: x.scatter_reduce(0, T.tensor([[0]]), s, "foo"),
    [F32(S), F32((1, 1))],
    raises=RuntimeError,
)
case(
    "scatter_reduce_mean_dim1_noself",
    lambda T, x, s: T.scatter_reduce(x, 1, T.tensor([[0, 0, 2], [3, 3, 3]]), s, "mean", include_self=False),
    [F32((2, 4)), F32((2, 3))],
)
case("mm_int", lambda T, a, b: a.mm(b), [I64((2, 3)), I64((3, 2))])
case("bmm_mismatch_raises", lambda T, a, b: T.bmm(a, b), [F32((2, 3, 4)), F32((3, 4, 2))], raises=RuntimeError)
case("bmm_2d_raises", lambda T, a, b: T.bmm(a, b), [F32((3, 4)), F32((4, 2))], raises=RuntimeError)
case("mv_bad_raises", lambda T, a, b: a.mv(b), [F32((3, 4)), F32((3,))], raises=RuntimeError)
case("dot_size_raises", lambda T, a, b: T.dot(a, b), [F32((3,)), F32((4,))], raises=RuntimeError)
case("dot_dtype_raises", lambda T, a, b: T.dot(a, b), [F32((3,)), F64((3,))], raises=RuntimeError)
case("outer_int", lambda T, a, b: a.outer(b), [I64((3,)), I64((2,))])
case("ger", lambda T, a, b: T.ger(a, b), [F32((3,)), F32((2,))])
case("addmm_beta0_nan", lambda T, a, b: T.addmm(T.full((3, 2), float("nan")), a, b, beta=0), [F32((3, 4)), F32((4, 2))])
case("addmm_int", lambda T, c, a, b: T.addmm(c, a, b, alpha=2), [I64((3, 2)), I64((3, 4)), I64((4, 2))])
case("baddbmm_beta", lambda T, c, a, b: c.baddbmm(a, b, beta=2), [F64((1, 3, 2)), F64((2, 3, 4)), F64((2, 4, 2))])
case("tensordot_0", lambda T, a, b: T.tensordot(a, b, 0), [F32((2,)), F32((3,))])
case("tensordot_1", lambda T, a, b: T.tensordot(a, b, dims=1), [F64((2, 3)), F64((3, 4))])
case(
    "tensordot_mismatch_raises",
    lambda T, a, b: T.tensordot(a, b, dims=([0], [0])),
    [F32((2, 3)), F32((3, 4))],
    raises=RuntimeError,
)
case("trace_int", lambda T, x: x.trace(), [I32((3, 3))])
case("trace_1d_raises", lambda T, x: T.trace(x), [F32((3,))], raises=RuntimeError)
case("cross_3d_dim", lambda T, a, b: a.cross(b, dim=0), [F64((3, 2, 2)), F64((3, 2, 2))])
case("cross_default_dim", lambda T, a, b: T.cross(a, b), [F32((2, 3, 3)), F32((2, 3, 3))])
case("linalg_cross_dim", lambda T, a, b: T.linalg.cross(a, b, dim=0), [F32((3, 2)), F32((3, 2))])
case("linalg_norm_ord_inf_matrix", lambda T, x: T.linalg.norm(x, float("inf")), [F64(S)])
case("linalg_norm_dim_tuple", lambda T, x: T.linalg.norm(x, dim=(0, 2)), [F32((2, 3, 4))])
case("linalg_norm_ord_1_matrix_keepdim", lambda T, x: T.linalg.norm(x, 1, dim=(1, 2), keepdim=True), [F64((2, 3, 4))])
case("linalg_matrix_norm_fro", lambda T, x: T.linalg.matrix_norm(x), [F32((2, 3, 4))])
case("linalg_matrix_norm_neg1", lambda T, x: T.linalg.matrix_norm(x, -1), [F64((3, 4))])
case("linalg_matrix_norm_2", lambda T, x: T.linalg.matrix_norm(x, 2), [F64((2, 3, 4))])
case("linalg_matrix_norm_neg2", lambda T, x: T.linalg.matrix_norm(x, -2), [F32((4, 3))])
case(
    "linalg_matrix_norm_nuc_dims",
    lambda T, x: T.linalg.matrix_norm(x, "nuc", dim=(2, 0), keepdim=True),
    [F64((3, 2, 4))],
)
case("linalg_norm_nuc", lambda T, x: T.linalg.norm(x, "nuc"), [F32(S)])
case("linalg_matrix_norm_bad_ord", lambda T, x: T.linalg.matrix_norm(x, 3), [F32(S)], raises=RuntimeError)
case("linalg_vector_norm_dtype", lambda T, x: T.linalg.vector_norm(x, dtype=T.float64), [F32(S)])
case("linalg_vector_norm_half_ord", lambda T, x: T.linalg.vector_norm(x, 0.5, dim=1), [F64(S, 0.5, 2)])
case("linalg_vector_norm_zero_grad", lambda T, x: T.linalg.vector_norm(x * 0), [F64(S)])
case("linalg_vector_norm_int_raises", lambda T, x: T.linalg.vector_norm(x), [I64(S)], raises=RuntimeError)
case("einsum_ellipsis_right", lambda T, x: T.einsum("i...->...", x), [F32((2, 3, 4))])
case("einsum_implicit_sorted", lambda T, x: T.einsum("ba", x), [F32((2, 3))])
case("einsum_diag_and_other", lambda T, a, b: T.einsum("ii,ij->j", a, b), [F64((3, 3)), F64((3, 4))])
case(
    "einsum_four",
    lambda T, a, b, c, d: T.einsum("ab,bc,cd,d->a", a, b, c, d),
    [F32((2, 3)), F32((3, 4)), F32((4, 2)), F32((2,))],
)
case("einsum_upper", lambda T, a, b: T.einsum("Ab,bC->AC", a, b), [F32((2, 3)), F32((3, 2))])
case("einsum_broadcast_one", lambda T, a, b: T.einsum("ij,ij->ij", a, b), [F64((3, 1)), F64((3, 4))])
case("einsum_int", lambda T, a, b: T.einsum("ij,j->i", a, b), [I64((2, 3)), I64((3,))])
case("err_einsum_operands", lambda T, a: T.einsum("ij,jk->ik", a), [F32((2, 3))], raises=RuntimeError)
case("err_matmul_batch", lambda T, a, b: a @ b, [F32((2, 3, 4)), F32((3, 4, 2))], raises=RuntimeError)

# **** nn functional pieces named in the fixes ****

case("max_pool2d_int_padding", lambda T, x: T.nn.functional.max_pool2d(x, 2, padding=1), [I64((1, 1, 4, 4))])
case("max_pool2d_int32_padding", lambda T, x: T.nn.functional.max_pool2d(x, 3, 1, padding=1), [I32((1, 2, 4, 4))])
case(
    "max_pool2d_bool_raises",
    lambda T, x: T.nn.functional.max_pool2d(x, 2),
    [B((1, 1, 4, 4))],
    raises=NotImplementedError,
)
case("max_pool2d_f32", lambda T, x: T.nn.functional.max_pool2d(x, 2), [F32((1, 2, 4, 4))])

# **** errors ****

case("err_matmul_shape", lambda T, a, b: a @ b, [F32((3, 4)), F32((3, 4))], raises=RuntimeError)
case("err_add_broadcast", lambda T, a, b: a + b, [F32((3, 4)), F32((3,))], raises=RuntimeError)
case("err_reshape_two_minus_one", lambda T, x: x.reshape(-1, -1), [F32(S)], raises=RuntimeError)
case("err_reshape_size", lambda T, x: x.reshape(5, 3), [F32(S)], raises=RuntimeError)
case("err_view_size", lambda T, x: x.view(7), [F32(S)], raises=RuntimeError)
case("err_permute_not_permutation", lambda T, x: x.permute(0, 0), [F32(S)], raises=RuntimeError)
case("err_permute_wrong_len", lambda T, x: x.permute(0, 1, 2), [F32(S)], raises=RuntimeError)
case(
    "err_conv_input_too_small",
    lambda T, x, w: T.nn.functional.conv2d(x, w),
    [F32((1, 1, 2, 2)), F32((1, 1, 3, 3))],
    raises=RuntimeError,
)
case("err_gather_index", lambda T, x: x.gather(0, T.tensor([[5, 0, 0, 0]])), [F32(S)], raises=RuntimeError)
case("err_sum_dim_range", lambda T, x: x.sum(dim=2), [F32(S)], raises=IndexError)
case("err_softmax_dim_range", lambda T, x: x.softmax(dim=3), [F32(S)], raises=IndexError)
case("err_transpose_dim_range", lambda T, x: x.transpose(0, 5), [F32(S)], raises=IndexError)
case("err_unsqueeze_dim_range", lambda T, x: x.unsqueeze(4), [F32(S)], raises=IndexError)
case("err_squeeze_dim_range", lambda T, x: x.squeeze(2), [F32(S)], raises=IndexError)
case("err_cat_dim_range", lambda T, x: T.cat([x, x], dim=2), [F32(S)], raises=IndexError)
case("err_cat_shapes", lambda T, x, y: T.cat([x, y], dim=0), [F32(S), F32((3, 5))], raises=RuntimeError)
case("err_stack_shapes", lambda T, x, y: T.stack([x, y]), [F32(S), F32((4, 3))], raises=RuntimeError)
case("err_expand", lambda T, x: x.expand(3, 5), [F32((3, 4))], raises=RuntimeError)
case("err_index_dim_range", lambda T, x: x[0, 0, 0], [F32(S)], raises=IndexError)
case("err_int_requires_grad", lambda T: T.tensor([1, 2], requires_grad=True), raises=RuntimeError)
case("err_item_many", lambda T, x: x.item(), [F32(S)], raises=RuntimeError)
case("err_backward_nonscalar", lambda T, x: (x * 2).backward(), [F32(S)], raises=RuntimeError)
case("err_bool_ambiguous", lambda T, x: bool(x), [F32(S)], raises=RuntimeError)
case("err_mm_1d", lambda T, a, b: T.mm(a, b), [F32((3,)), F32((3,))], raises=RuntimeError)
case("err_topk_too_many", lambda T, x: x.topk(9), [F32(S)], raises=RuntimeError)
case("err_chunk_zero", lambda T, x: x.chunk(0), [F32(S)], raises=RuntimeError)
case("err_one_hot_negative", lambda T: T.nn.functional.one_hot(T.tensor([-1, 0])), raises=RuntimeError)
case("err_sub_bool", lambda T, x, y: x - y, [B(S), B(S)], raises=RuntimeError)
case("err_tensor_ragged", lambda T: T.tensor([[1, 2], [3]]), raises=ValueError)
case("err_zeros_bad_size", lambda T: T.zeros("a"), raises=TypeError)
case(
    "err_einsum_mismatch", lambda T, a, b: T.einsum("ij,jk->ik", a, b), [F32((2, 3)), F32((4, 2))], raises=RuntimeError
)
case("err_scatter_index_range", lambda T, x: x.scatter(0, T.tensor([[9, 0, 0, 0]]), 1.0), [F32(S)], raises=RuntimeError)
case("err_cross_size", lambda T, a, b: T.linalg.cross(a, b), [F32((2, 4)), F32((2, 4))], raises=RuntimeError)

# **** printing ****

case("str_size", lambda T, x: str(x.shape), [F32(S)])
case("str_size_method", lambda T, x: str(x.size()), [F32((2, 3, 4))])
case("size_dim", lambda T, x: x.size(1), [F32(S)])
case("size_is_tuple", lambda T, x: isinstance(x.shape, tuple), [F32(S)])
case("str_size_0d", lambda T, x: str(x.shape), [F32(())])
case("str_dtype", lambda T, x: str(x.dtype), [F32(S)])
case("repr_dtype", lambda T, x: repr(x.dtype), [I32(S)])
case("repr_float", lambda T: repr(T.tensor([1.5, 2.0, -3.25])))
case("repr_int", lambda T: repr(T.tensor([[1, 2], [3, 4]])))
case("repr_int32", lambda T: repr(T.tensor([1, 2], dtype=T.int32)))
case("repr_float64", lambda T: repr(T.tensor([1.5], dtype=T.float64)))
case("repr_bool", lambda T: repr(T.tensor([True, False])))
case("repr_requires_grad", lambda T: repr(T.tensor([1.0, 2.0], requires_grad=True)))
case("repr_0d", lambda T: repr(T.tensor(2.5)))
for _name, _fn in {
    "add": lambda x: x + 1,
    "mul": lambda x: x * 2,
    "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(),
    "exp": lambda x: x.exp(),
    "neg": lambda x: -x,
    "div": lambda x: x / 2,
    "pow": lambda x: x**2,
    "view": lambda x: x.view(2),
    "t": lambda x: x.unsqueeze(0).t(),
    "select": lambda x: x[0],
    "relu": lambda x: x.relu(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
}.items():
    case(f"repr_grad_fn_{_name}", lambda T, f=_fn: repr(f(T.tensor([1.0, 2.0], requires_grad=True))))
    case(f"grad_fn_name_{_name}", lambda T, f=_fn: type(f(T.tensor([1.0, 2.0], requires_grad=True)).grad_fn).__name__)
__all__ = ["CASES"]

# **** dtype utilities ****
_FLOATS, _INTS = ["float16", "float32", "float64"], ["uint8", "int8", "int16", "int32", "int64"]
for _name in _FLOATS:
    case(
        f"finfo_{_name}",
        lambda T, n=_name: (
            [getattr(T.finfo(getattr(T, n)), a) for a in ("bits", "eps", "max", "min", "tiny")]
            + [T.finfo(getattr(T, n)).smallest_normal, T.finfo(getattr(T, n)).resolution, T.finfo(getattr(T, n)).dtype]
        ),
    )
for _name in _INTS:
    case(
        f"iinfo_{_name}",
        lambda T, n=_name: [getattr(T.iinfo(getattr(T, n)), a) for a in ("bits", "max", "min", "dtype")],
    )
case("finfo_default", lambda T: T.finfo().eps)
case("finfo_of_int_raises", lambda T: T.finfo(T.int32), raises=TypeError)
case("iinfo_of_float_raises", lambda T: T.iinfo(T.float32), raises=TypeError)
case("iinfo_of_bool_raises", lambda T: T.iinfo(T.bool), raises=TypeError)
_ALL = [*_FLOATS, *_INTS, "bool"]
for _name in _ALL:
    case(
        f"promote_types_{_name}", lambda T, n=_name: [str(T.promote_types(getattr(T, n), getattr(T, k))) for k in _ALL]
    )
case("get_default_dtype", lambda T: str(T.get_default_dtype()))
case("is_tensor", lambda T, x: [T.is_tensor(x), T.is_tensor(x.detach().numpy()), T.is_tensor(1.0)], [F32(S)])
case("numel_function", lambda T, x: T.numel(x), [F32((2, 3, 4))])
case("repr_summarized_1d", lambda T: repr(T.arange(3000)))
case("repr_summarized_2d", lambda T: repr(T.arange(40000.0).reshape(200, 200) / 7))
