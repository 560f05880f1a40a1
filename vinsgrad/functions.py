"""The ``vinsgrad.*`` functions, as in PyTorch: those that are not Tensor methods (``cat``, ``stack``, ``where``),
and the function forms of the elementwise ops, which also take ``out=`` (``vinsgrad.add(x, y, alpha=2, out=z)``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from vinsgrad.autograd import ops
from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.grad_mode import is_grad_enabled, no_grad
from vinsgrad.autograd.tensor import Tensor, as_array


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    if not tensors:
        raise ValueError("cat expected a non-empty sequence of tensors")
    return ops.CatFn.apply(*tensors, dim=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    if not tensors:
        raise ValueError("stack expected a non-empty sequence of tensors")
    return ops.StackFn.apply(*tensors, dim=dim)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (both broadcast)."""
    return ops.WhereFn.apply(as_array(condition), input, other)


# **** elementwise and reductions as functions: ``vinsgrad.add(x, y, out=z)`` is ``x.add(y)`` written into z ****


def _write_out(result: Tensor, out: Tensor | None) -> Tensor:
    """``result``, or with ``out`` given its values written into ``out`` (resized if its shape differs) as
    PyTorch's ``out=`` does; out= results are not differentiable, so an input that requires grad is refused."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"out= must be a Tensor, got {type(out).__name__}")
    if result.requires_grad and is_grad_enabled():
        raise RuntimeError(
            "functions with out=... arguments don't support automatic differentiation, but one of the arguments "
            "requires grad (call it under vinsgrad.no_grad() or drop out=)"
        )
    if not xp.can_cast(result.dtype, out.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type {out.dtype}")
    if out.shape != result.shape:
        out._data = xp.empty(result.shape, dtype=out.dtype)  # PyTorch resizes out to the result's shape
    with no_grad():
        out.copy_(result)
    return out


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(as_array(value))


def _tensor_other(name: str, other: Any) -> Tensor:
    """PyTorch's ``maximum``, ``atan2``, ... take a Tensor as ``other``, not a number: so do these."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' must be Tensor, not {type(other).__name__}")
    return other


def _elementwise(name: str) -> Callable[..., Tensor]:
    """The function form of the Tensor method ``name``, taking ``out=`` as PyTorch's functions do."""
    method = getattr(Tensor, name)

    def function(input: Any, *args: Any, out: Tensor | None = None, **kwargs: Any) -> Tensor:
        return _write_out(method(_as_tensor(input), *args, **kwargs), out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``input.{name}(...)`` as a function; ``out=`` receives the result."
    return function


def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """``input + alpha * other``."""
    return _write_out(_as_tensor(input).add(other, alpha=alpha), out)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """``input - alpha * other``."""
    return _write_out(_as_tensor(input).sub(other, alpha=alpha), out)


def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Tensor | None = None) -> Tensor:
    """True division, or with ``rounding_mode`` "trunc" or "floor" the rounded quotient."""
    return _write_out(_as_tensor(input).div(other, rounding_mode=rounding_mode), out)


def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """``input @ other`` with PyTorch's broadcasting of batch dims; ``out=`` receives the result."""
    return _write_out(input @ other, out)


def pow(input: Any, exponent: Any, *, out: Tensor | None = None) -> Tensor:
    """``input ** exponent``; either may be a number."""
    return _write_out(ops.PowFn.apply(input, exponent), out)


def maximum(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The elementwise maximum (broadcast); a tie sends half the gradient to each side."""
    return _write_out(ops.MaximumFn.apply(input, _tensor_other("maximum", other)), out)


def minimum(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The elementwise minimum (broadcast); a tie sends half the gradient to each side."""
    return _write_out(ops.MinimumFn.apply(input, _tensor_other("minimum", other)), out)


def atan2(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _write_out(ops.Atan2Fn.apply(input, _tensor_other("atan2", other)), out)


def hypot(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _write_out(ops.HypotFn.apply(input, _tensor_other("hypot", other)), out)


def logaddexp(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _write_out(ops.LogAddExpFn.apply(input, _tensor_other("logaddexp", other)), out)


def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int = 1,
    axis: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over ``dim`` in one call."""
    var, mean = var_mean(input, dim, unbiased, keepdim, correction=correction, axis=axis)
    return var.sqrt(), mean


def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int = 1,
    axis: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over ``dim`` in one call."""
    dim = dim if axis is None else axis
    return input.var(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim)


def logical_and(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _write_out(input.logical_and(other), out)


def logical_or(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _write_out(input.logical_or(other), out)


def logical_xor(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _write_out(input.logical_xor(other), out)


mul = multiply = _elementwise("mul")
subtract = sub
divide = true_divide = div
floor_divide = _elementwise("floor_divide")
remainder = _elementwise("remainder")
fmod = _elementwise("fmod")
neg = negative = _elementwise("neg")
abs = absolute = _elementwise("abs")
copysign = _elementwise("copysign")
xlogy = _elementwise("xlogy")
lerp = _elementwise("lerp")
exp = _elementwise("exp")
exp2 = _elementwise("exp2")
expm1 = _elementwise("expm1")
log = _elementwise("log")
log2 = _elementwise("log2")
log10 = _elementwise("log10")
log1p = _elementwise("log1p")
sqrt = _elementwise("sqrt")
rsqrt = _elementwise("rsqrt")
square = _elementwise("square")
reciprocal = _elementwise("reciprocal")
sin = _elementwise("sin")
cos = _elementwise("cos")
tan = _elementwise("tan")
asin = arcsin = _elementwise("asin")
acos = arccos = _elementwise("acos")
atan = arctan = _elementwise("atan")
sinh = _elementwise("sinh")
cosh = _elementwise("cosh")
tanh = _elementwise("tanh")
asinh = arcsinh = _elementwise("asinh")
acosh = arccosh = _elementwise("acosh")
atanh = arctanh = _elementwise("atanh")
erf = _elementwise("erf")
erfc = _elementwise("erfc")
erfinv = _elementwise("erfinv")
sigmoid = _elementwise("sigmoid")
relu = _elementwise("relu")
floor = _elementwise("floor")
ceil = _elementwise("ceil")
trunc = fix = _elementwise("trunc")
round = _elementwise("round")
frac = _elementwise("frac")
sign = _elementwise("sign")
sgn = _elementwise("sgn")
clamp = clip = _elementwise("clamp")
clamp_min = _elementwise("clamp_min")
clamp_max = _elementwise("clamp_max")
nan_to_num = _elementwise("nan_to_num")
bitwise_and = _elementwise("bitwise_and")
bitwise_or = _elementwise("bitwise_or")
bitwise_xor = _elementwise("bitwise_xor")
bitwise_not = _elementwise("bitwise_not")
bitwise_left_shift = _elementwise("bitwise_left_shift")
bitwise_right_shift = _elementwise("bitwise_right_shift")
logical_not = _elementwise("logical_not")
positive = _elementwise("positive")


# **** linear algebra ****


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the letters of ``equation`` (e.g. ``"bij,bjk->bik"``), differentiable; ``...`` stands
    for broadcast dims, and without ``->`` the output keeps the letters used once, in alphabetical order.
    The operands may also come as one list."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    return ops.EinsumFn.apply(*operands, equation=equation)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first ``dims`` of ``b``, or the dims listed as
    ``([dims of a], [dims of b])``; the other dims of ``a`` then ``b`` remain."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError(f"tensordot: both sides must contract as many dims, got {dims_a} and {dims_b}")
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sub_a = [next(letters) for _ in range(a.ndim)]
    sub_b = [next(letters) for _ in range(b.ndim)]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"tensordot: contracted dims differ in size: {a.shape[da]} (a) and {b.shape[db]} (b)")
        sub_b[db % max(b.ndim, 1)] = sub_a[da % max(a.ndim, 1)]
    out = [c for c in sub_a if c not in sub_b] + [c for c in sub_b if c not in sub_a]
    return ops.EinsumFn.apply(a, b, equation=f"{''.join(sub_a)},{''.join(sub_b)}->{''.join(out)}")


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim``; by default the first dim of size 3 (``linalg.cross``
    defaults to the last dim)."""
    return input.cross(other, dim)
