"""Elementwise ops: binary ones broadcast (their backward sums the gradient back with ``unbroadcast``), unary ones
map each element on its own.

Conventions for every op module: ``forward`` gets arrays (and plain Python values for non-tensor arguments) and
returns an array; ``backward`` gets the output's gradient and returns one gradient per positional argument, or
None where ``ctx.needs_input_grad`` says none is needed. Backward never modifies ``grad`` in place: the engine may
hand the same array to several consumers.

Dtypes follow PyTorch: operands meet in ``promote``'s common dtype; float-valued math (exp, sin, atan2, true
division, ...) of integer or bool inputs is computed in float32, the default dtype; rounding, sign, abs, neg,
square, fmod and remainder keep integers integral. The non-differentiable bitwise and logical ops are plain
functions at the end.
"""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import float32, ndarray, xp
from vinsgrad.autograd.function import Function, unbroadcast
from vinsgrad.autograd.ops._utils import category, erf, erfc, erfinv, promote, shape_of, stable_sigmoid


def as_float(x: Any) -> Any:
    """Integer and bool operands of float-valued math as float32 (PyTorch's default dtype); floats unchanged."""
    if isinstance(x, ndarray):
        return x if x.dtype.kind in "fc" else x.astype(float32)
    return x if isinstance(x, float) else float(x)


def promote_float(x: Any, y: Any) -> tuple[Any, Any]:
    """``promote``, then both sides as floats when neither is one (true division, atan2, hypot, ...)."""
    x, y = promote(x, y)
    if category(x) < 2 and category(y) < 2:
        return as_float(x), as_float(y)  # a Python number stays one, so it adopts the tensor's float32
    return x, y


def _dtype_name(v: Any) -> str:
    return str(v.dtype) if isinstance(v, ndarray) else type(v).__name__


def refuse_bools(name: str, x: Any, y: Any) -> None:
    """PyTorch has no bool kernels for remainders, powers and rounded division: it raises NotImplementedError."""
    if category(x) == 0 and category(y) == 0:
        raise NotImplementedError(f"{name} is not implemented for bool tensors (cast with .int() or .float())")


def refuse_non_floats(name: str, x: Any, y: Any) -> None:
    """hypot and logaddexp exist for floating-point tensors only in PyTorch (it raises NotImplementedError)."""
    if category(x) < 2 and category(y) < 2:
        raise NotImplementedError(
            f"{name} is only implemented for floating point tensors, got {_dtype_name(x)} and {_dtype_name(y)}"
            " (cast with .float())"
        )


def check_integer_divisor(x: Any, y: Any) -> None:
    """Integer floor/trunc division and remainders by zero have no answer: PyTorch raises, NumPy would give 0."""
    if category(x) < 2 and category(y) < 2 and xp.any(xp.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError: integer division or remainder by zero")


def _grads(ctx: Any, gx: Any, gy: Any) -> tuple[ndarray | None, ndarray | None]:
    """The two gradients of a broadcasting binary op, each summed back to its input's shape, when needed.

    ``gx``/``gy`` are thunks, so a gradient nobody needs is never computed."""
    sx, sy = ctx.shapes
    nx, ny = ctx.needs_input_grad[:2]
    return (unbroadcast(gx(), sx) if nx else None, unbroadcast(gy(), sy) if ny else None)


# **** binary ops (broadcasting) ****


def check_alpha(x: Any, y: Any, alpha: Any) -> None:
    if isinstance(alpha, float) and category(x) < 2 and category(y) < 2:
        raise RuntimeError(
            f"for integral input tensors, argument alpha must not be a floating point number, got {alpha}"
        )


# NOTE: add and sub return the output's gradient as is: the engine sums a gradient of a broadcast input back to
# its shape (_conform), so forward saves nothing but alpha; the cheapest op of every model (a + b at batch 64: 0.5 of
# 2.2 µs).
class AddFn(Function):
    alpha = 1  # ctx.alpha when forward is given none

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        if alpha.__class__ is int and alpha == 1 and type(x) is type(y) is ndarray and x.dtype == y.dtype:
            return x + y  # NOTE: the usual case, with nothing to promote, check or save: a third of add's overhead
        x, y = promote(x, y)
        check_alpha(x, y, alpha)
        ctx.alpha = alpha
        return x + y if alpha == 1 else x + alpha * y

    @staticmethod
    def backward(ctx, grad):
        nx, ny = ctx.needs_input_grad[:2]
        return (grad if nx else None, (grad if ctx.alpha == 1 else grad * ctx.alpha) if ny else None)


class SubFn(Function):
    @staticmethod
    def forward(ctx, x, y, alpha=1):
        if category(x) == 0 or category(y) == 0:
            raise RuntimeError("subtraction with a bool tensor is not supported; use logical_xor() or ^ for bools")
        x, y = promote(x, y)
        check_alpha(x, y, alpha)
        ctx.alpha = alpha
        return x - y if alpha == 1 else x - alpha * y

    @staticmethod
    def backward(ctx, grad):
        nx, ny = ctx.needs_input_grad[:2]
        return (grad if nx else None, (-grad if ctx.alpha == 1 else grad * -ctx.alpha) if ny else None)


class MulFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        ctx.save_for_backward(x, y)
        ctx.shapes = (shape_of(x), shape_of(y))
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _grads(ctx, lambda: grad * y, lambda: grad * x)


class DivFn(Function):
    """True division, or with ``rounding_mode`` "trunc"/"floor" a rounded quotient (integers stay integers);
    the rounded forms are piecewise constant, so their gradient is zero, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, y, rounding_mode=None):
        x, y = promote(x, y) if rounding_mode is not None else promote_float(x, y)
        ctx.shapes, ctx.rounding_mode = (shape_of(x), shape_of(y)), rounding_mode
        if rounding_mode is None:
            ctx.save_for_backward(x, y)
            return x / y
        refuse_bools(f"div(rounding_mode={rounding_mode!r})", x, y)
        check_integer_divisor(x, y)
        if rounding_mode == "floor":
            return xp.floor_divide(x, y)
        if rounding_mode != "trunc":
            raise RuntimeError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
        if category(x) == 2 or category(y) == 2:
            return xp.trunc(x / y).astype(xp.result_type(x, y), copy=False)
        q = xp.floor_divide(x, y)
        return q + ((q < 0) & (q * y != x))  # floor rounds negative inexact quotients down; trunc rounds them up

    @staticmethod
    def backward(ctx, grad):
        if ctx.rounding_mode is not None:
            return _grads(ctx, lambda: xp.zeros_like(grad), lambda: xp.zeros_like(grad))
        x, y = ctx.saved_tensors
        return _grads(ctx, lambda: grad / y, lambda: -grad * x / (y * y))


class PowFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        refuse_bools("pow", x, y)
        if category(x) < 2 and category(y) < 2 and xp.any(xp.asarray(y) < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed (make the base a float tensor)")
        with xp.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 is inf, as in PyTorch
            out = x**y
        ctx.save_for_backward(x, y, out)
        ctx.shapes = (shape_of(x), shape_of(y))
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors

        def gx():
            # NOTE: where y == 0 the gradient is 0, even at x == 0 where y * x**(y-1) is 0 * inf (PyTorch masks it).
            with xp.errstate(divide="ignore", invalid="ignore"):
                return xp.where(y == 0, 0.0, grad * y * x ** (y - 1)).astype(grad.dtype, copy=False)

        def gy():
            # NOTE: d(x**y)/dy = x**y * log(x). At x == 0 PyTorch takes the limit 0 for y >= 0, and for y < 0 keeps
            # inf * log(0) = -inf; so do we.
            base = xp.asarray(x, dtype=out.dtype)
            with xp.errstate(divide="ignore", invalid="ignore"):
                return grad * xp.where((base == 0) & (xp.asarray(y) >= 0), 0.0, out * xp.log(base))

        return _grads(ctx, gx, gy)


def _tie_weights(wins: Any, ties: Any, dtype: Any) -> ndarray:
    """1 where x wins, 0 where it loses, 1/2 on ties: PyTorch splits a tie's gradient evenly."""
    return xp.asarray(wins, dtype=dtype) + xp.asarray(ties, dtype=dtype) * 0.5


def _split_by_weight(ctx: Any, grad: ndarray, wx: ndarray) -> tuple[ndarray | None, ndarray | None]:
    (x, y), (nx, ny) = ctx.saved_tensors, ctx.needs_input_grad
    gx = unbroadcast(grad * wx, shape_of(x)) if nx else None
    gy = unbroadcast(grad * (1 - wx), shape_of(y)) if ny else None
    return gx, gy


class MaximumFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        ctx.save_for_backward(x, y)
        return xp.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _split_by_weight(ctx, grad, _tie_weights(x > y, x == y, grad.dtype))


class MinimumFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        ctx.save_for_backward(x, y)
        return xp.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _split_by_weight(ctx, grad, _tie_weights(x < y, x == y, grad.dtype))


class WhereFn(Function):
    @staticmethod
    def forward(ctx, cond, x, y):
        x, y = promote(x, y)
        ctx.cond = cond
        ctx.shapes = (shape_of(x), shape_of(y))
        return xp.where(cond, x, y)

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        _, nx, ny = ctx.needs_input_grad
        zero = xp.zeros((), dtype=grad.dtype)
        gx = unbroadcast(xp.where(ctx.cond, grad, zero), sx) if nx else None
        gy = unbroadcast(xp.where(ctx.cond, zero, grad), sy) if ny else None
        return None, gx, gy


class Atan2Fn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote_float(x, y)
        ctx.save_for_backward(x, y)
        ctx.shapes = (shape_of(x), shape_of(y))
        return xp.arctan2(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        r2 = x * x + y * y
        return _grads(ctx, lambda: grad * y / r2, lambda: -grad * x / r2)


class FmodFn(Function):
    """C's fmod: the remainder of truncated division, with the sign of the dividend ``x``."""

    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        ctx.save_for_backward(x, y)
        ctx.shapes = (shape_of(x), shape_of(y))
        refuse_bools("fmod", x, y)
        check_integer_divisor(x, y)
        return xp.fmod(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _grads(ctx, lambda: grad, lambda: -grad * xp.trunc(x / y))


class RemainderFn(Function):
    """Python's ``%``: the remainder of floor division, with the sign of the divisor ``y``."""

    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        ctx.save_for_backward(x, y)
        ctx.shapes = (shape_of(x), shape_of(y))
        refuse_bools("remainder", x, y)
        check_integer_divisor(x, y)
        return xp.remainder(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _grads(ctx, lambda: grad, lambda: -grad * xp.floor_divide(x, y))


class CopysignFn(Function):
    """|x| with the sign of y; the gradient flows to x only (y's is zero), as in PyTorch."""

    @staticmethod
    def forward(ctx, x, y):
        x, y = promote_float(x, y)
        out = xp.copysign(x, y)
        ctx.save_for_backward(x, out)
        ctx.shapes = (shape_of(x), shape_of(y))
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        flip = xp.where(x == 0, 0.0, xp.sign(x) * xp.sign(out))
        return _grads(ctx, lambda: grad * flip, lambda: xp.zeros_like(grad))


class HypotFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        refuse_non_floats("hypot", x, y)
        out = xp.hypot(x, y)
        ctx.save_for_backward(x, y, out)
        ctx.shapes = (shape_of(x), shape_of(y))
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        return _grads(ctx, lambda: grad * x / out, lambda: grad * y / out)


class LogAddExpFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        x, y = promote(x, y)
        refuse_non_floats("logaddexp", x, y)
        out = xp.logaddexp(x, y)
        ctx.save_for_backward(x, y, out)
        ctx.shapes = (shape_of(x), shape_of(y))
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        return _grads(ctx, lambda: grad * xp.exp(x - out), lambda: grad * xp.exp(y - out))


class XLogYFn(Function):
    """x * log(y), defined as 0 where x == 0 (unless y is nan), as in PyTorch and SciPy."""

    @staticmethod
    def forward(ctx, x, y):
        x, y = promote_float(x, y)
        ctx.save_for_backward(x, y)
        ctx.shapes = (shape_of(x), shape_of(y))
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.where((x == 0) & ~xp.isnan(y), 0.0, x * xp.log(y)).astype(xp.result_type(x, y), copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        with xp.errstate(divide="ignore", invalid="ignore"):
            return _grads(ctx, lambda: grad * xp.where(x == 0, 0.0, xp.log(y)), lambda: grad * x / y)


class LerpFn(Function):
    """start + weight * (end - start), all three broadcast; ``weight`` a tensor or a number."""

    @staticmethod
    def forward(ctx, start, end, weight):
        start, end = promote(start, end)
        ctx.save_for_backward(start, end, weight)
        ctx.shapes = (shape_of(start), shape_of(end), shape_of(weight))
        return (start + weight * (end - start)).astype(xp.result_type(start, end), copy=False)

    @staticmethod
    def backward(ctx, grad):
        start, end, weight = ctx.saved_tensors
        (ss, se, sw), needs = ctx.shapes, ctx.needs_input_grad
        gs = unbroadcast(grad * (1 - weight), ss) if needs[0] else None
        ge = unbroadcast(grad * weight, se) if needs[1] else None
        gw = unbroadcast(grad * (end - start), sw) if needs[2] else None
        return gs, ge, gw


# **** unary ops ****


class _Unary:
    """A unary op from its value ``f(x)`` and derivative ``df(x, out)``; mixed into each op's Function.

    ``keeps_integers``: integer and bool inputs keep their dtype (abs, floor, ...); otherwise they are computed
    in float32, as PyTorch's float-valued math is. ``refuses``: the dtype kinds PyTorch has no kernel for
    ("b" bool, "iu" integers), refused with its NotImplementedError.
    """

    keeps_integers = False
    refuses = ""
    f: Any  # staticmethod: x -> f(x)
    df: Any  # staticmethod: (x, out) -> f'(x), the factor backward multiplies the gradient by

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind in ctx.refuses:
            raise NotImplementedError(f"{ctx.op_name().lower()} is not implemented for {x.dtype} tensors")
        x = x if ctx.keeps_integers else as_float(x)
        out = xp.asarray(ctx.f(x))  # (a ufunc gives a NumPy scalar for a 0-d array)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * ctx.df(x, out)


def _zero(x: ndarray, out: ndarray) -> float:
    """The derivative of the piecewise-constant ops (floor, sign, ...): zero, as PyTorch defines it."""
    return 0.0


def _negative(x: ndarray) -> ndarray:
    if x.dtype == xp.bool_:
        raise RuntimeError("negation, the `-` operator, on a bool tensor is not supported; use `~` or logical_not()")
    return xp.negative(x)


class NegFn(_Unary, Function):
    keeps_integers, f, df = True, staticmethod(_negative), staticmethod(lambda x, out: -1.0)


class AbsFn(_Unary, Function):
    keeps_integers, refuses, f, df = True, "b", staticmethod(xp.abs), staticmethod(lambda x, out: xp.sign(x))


class SquareFn(_Unary, Function):  # NOTE: bools square in int64, as PyTorch's pow(x, 2) promotes them
    keeps_integers, df = True, staticmethod(lambda x, out: 2 * x)
    f = staticmethod(lambda x: xp.square(x.astype(xp.int64) if x.dtype == xp.bool_ else x))


class SignFn(_Unary, Function):
    keeps_integers, f = True, staticmethod(lambda x: x.copy() if x.dtype == xp.bool_ else xp.sign(x))
    df = staticmethod(_zero)


class FloorFn(_Unary, Function):
    keeps_integers, refuses, f, df = True, "b", staticmethod(xp.floor), staticmethod(_zero)


class CeilFn(_Unary, Function):
    keeps_integers, refuses, f, df = True, "b", staticmethod(xp.ceil), staticmethod(_zero)


class TruncFn(_Unary, Function):
    keeps_integers, refuses, f, df = True, "b", staticmethod(xp.trunc), staticmethod(_zero)


class FracFn(_Unary, Function):
    refuses, f, df = "biu", staticmethod(lambda x: x - xp.trunc(x)), staticmethod(lambda x, out: 1.0)


class ExpFn(_Unary, Function):
    f, df = staticmethod(xp.exp), staticmethod(lambda x, out: out)


class Exp2Fn(_Unary, Function):
    f, df = staticmethod(xp.exp2), staticmethod(lambda x, out: out * math.log(2))


class Expm1Fn(_Unary, Function):
    f, df = staticmethod(xp.expm1), staticmethod(lambda x, out: out + 1)


class LogFn(_Unary, Function):
    f, df = staticmethod(xp.log), staticmethod(lambda x, out: 1 / x)


class Log2Fn(_Unary, Function):
    f, df = staticmethod(xp.log2), staticmethod(lambda x, out: 1 / (x * math.log(2)))


class Log10Fn(_Unary, Function):
    f, df = staticmethod(xp.log10), staticmethod(lambda x, out: 1 / (x * math.log(10)))


class Log1pFn(_Unary, Function):
    f, df = staticmethod(xp.log1p), staticmethod(lambda x, out: 1 / (1 + x))


class SqrtFn(_Unary, Function):
    f, df = staticmethod(xp.sqrt), staticmethod(lambda x, out: 0.5 / out)


class RsqrtFn(_Unary, Function):
    f, df = staticmethod(lambda x: 1 / xp.sqrt(x)), staticmethod(lambda x, out: -0.5 * out * out * out)


class ReciprocalFn(_Unary, Function):
    f, df = staticmethod(lambda x: 1 / x), staticmethod(lambda x, out: -out * out)


class SinFn(_Unary, Function):
    f, df = staticmethod(xp.sin), staticmethod(lambda x, out: xp.cos(x))


class CosFn(_Unary, Function):
    f, df = staticmethod(xp.cos), staticmethod(lambda x, out: -xp.sin(x))


class TanFn(_Unary, Function):
    f, df = staticmethod(xp.tan), staticmethod(lambda x, out: 1 + out * out)


class AsinFn(_Unary, Function):
    f, df = staticmethod(xp.arcsin), staticmethod(lambda x, out: 1 / xp.sqrt(1 - x * x))


class AcosFn(_Unary, Function):
    f, df = staticmethod(xp.arccos), staticmethod(lambda x, out: -1 / xp.sqrt(1 - x * x))


class AtanFn(_Unary, Function):
    f, df = staticmethod(xp.arctan), staticmethod(lambda x, out: 1 / (1 + x * x))


class SinhFn(_Unary, Function):
    f, df = staticmethod(xp.sinh), staticmethod(lambda x, out: xp.cosh(x))


class CoshFn(_Unary, Function):
    f, df = staticmethod(xp.cosh), staticmethod(lambda x, out: xp.sinh(x))


class TanhFn(_Unary, Function):
    f, df = staticmethod(xp.tanh), staticmethod(lambda x, out: 1 - out * out)


class AsinhFn(_Unary, Function):
    f, df = staticmethod(xp.arcsinh), staticmethod(lambda x, out: 1 / xp.sqrt(x * x + 1))


class AcoshFn(_Unary, Function):
    f, df = staticmethod(xp.arccosh), staticmethod(lambda x, out: 1 / xp.sqrt(x * x - 1))


class AtanhFn(_Unary, Function):
    f, df = staticmethod(xp.arctanh), staticmethod(lambda x, out: 1 / (1 - x * x))


class ErfFn(_Unary, Function):
    f, df = staticmethod(erf), staticmethod(lambda x, out: (2 / math.sqrt(math.pi)) * xp.exp(-x * x))


class ErfcFn(_Unary, Function):
    f, df = staticmethod(erfc), staticmethod(lambda x, out: (-2 / math.sqrt(math.pi)) * xp.exp(-x * x))


class ErfinvFn(_Unary, Function):
    f, df = staticmethod(erfinv), staticmethod(lambda x, out: (math.sqrt(math.pi) / 2) * xp.exp(out * out))


class RoundFn(Function):
    """Round half to even, to ``decimals`` places (negative: tens, hundreds); integers are unchanged."""

    @staticmethod
    def forward(ctx, x, decimals=0):
        if x.dtype == xp.bool_:
            raise NotImplementedError("round is not implemented for bool tensors")
        return xp.round(x, decimals)

    @staticmethod
    def backward(ctx, grad):
        return xp.zeros_like(grad)


class SigmoidFn(Function):
    @staticmethod
    def forward(ctx, x):
        out = stable_sigmoid(as_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class ReLUFn(Function):
    @staticmethod
    def forward(ctx, x):
        if x.dtype == xp.bool_:
            raise RuntimeError("relu is not implemented for bool tensors")
        out = xp.maximum(x, 0).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)


class ClampFn(Function):
    """x limited to [min, max]; either bound may be None, a number or a tensor (broadcast)."""

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of min and max must be given")
        if min is not None:
            x, min = promote(x, min)
        if max is not None:
            x, max = promote(x, max)
        ctx.save_for_backward(x, min, max)
        ctx.shapes = (shape_of(x), shape_of(min), shape_of(max))
        return xp.asarray(xp.clip(x, min, max))

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        (sx, slo, shi), needs = ctx.shapes, ctx.needs_input_grad
        below = x < lo if lo is not None else False
        above = x > hi if hi is not None else False
        gx = unbroadcast(grad * ~(below | above), sx) if needs[0] else None
        glo = unbroadcast(grad * (below & ~above), slo) if needs[1] else None
        ghi = unbroadcast(grad * above, shi) if needs[2] else None
        return gx, glo, ghi


class NanToNumFn(Function):
    """nan, +inf and -inf replaced by numbers (default 0 and the dtype's largest and smallest finite values); the
    gradient passes where x was finite and is 0 where it was replaced."""

    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        ctx.finite = xp.isfinite(x)
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.finite


class CastFn(Function):
    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.in_dtype)


# **** bitwise and logical ops (no gradient) ****

_BITWISE = {
    "and": xp.bitwise_and,
    "or": xp.bitwise_or,
    "xor": xp.bitwise_xor,
    "left_shift": xp.left_shift,
    "right_shift": xp.right_shift,
}


def bitwise(op: str, x: Any, y: Any) -> ndarray:
    """``x op y`` for integer and bool operands (op: and, or, xor, left_shift, right_shift), in the dtype PyTorch's
    promotion gives (int32 & 5 stays int32)."""
    x, y = promote(x, y)
    if category(x) == 2 or category(y) == 2:
        kinds = " and ".join(str(xp.asarray(v).dtype) for v in (x, y))
        raise NotImplementedError(f"bitwise_{op} is only defined for integer and bool tensors, got {kinds}")
    return xp.asarray(_BITWISE[op](x, y))


def bitwise_not(x: ndarray) -> ndarray:
    """``~x``: logical not of bools, two's-complement not of integers."""
    if category(x) == 2:
        raise NotImplementedError(f"bitwise_not is only defined for integer and bool tensors, got {x.dtype}")
    return xp.invert(x)
