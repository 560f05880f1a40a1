"""``Tensor``: an array (``._data``), its gradient (``.grad``) and the op that made it (``.grad_fn``).

Every differentiable method here is one line that calls a ``Function`` from ``autograd/ops/``, where the op's
forward and backward live together. Inside the library the raw NumPy array is ``t._data``; ``t.data`` is what it
is in PyTorch, a Tensor sharing that memory outside the graph.
"""

from __future__ import annotations

import functools
import math
import weakref
from builtins import bool as _bool
from builtins import float as _float
from builtins import int as _int
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar, cast

from vinsgrad.autograd import grad_mode, versions
from vinsgrad.autograd.backend import float16, float32, float64, int16, int64, ndarray, uint8, xp
from vinsgrad.autograd.device import CPU, check_device
from vinsgrad.autograd.device import device as _device
from vinsgrad.autograd.dtypes import as_dtype, dtype
from vinsgrad.autograd.printing import format_values
from vinsgrad.random import rng

Dim = int | tuple[int, ...] | None
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _axis_alias(method: _Method) -> _Method:
    """Let a reduction or scan take NumPy's ``axis=`` for its ``dim=``, as PyTorch's do."""

    @functools.wraps(method)
    def with_axis(self: Tensor, *args: Any, axis: Any = None, **kwargs: Any) -> Any:
        if axis is not None:
            kwargs["dim"] = axis
        return method(self, *args, **kwargs)

    return cast(_Method, with_axis)


def as_array(data: Any, dtype: Any = None) -> ndarray:
    """``data`` as an array with PyTorch's dtype rules: Python floats become float32, ints int64;
    arrays keep their dtype unless ``dtype`` says otherwise."""
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    if dtype is not None:
        return xp.asarray(data, dtype=dtype)
    arr = xp.asarray(data)
    if arr.dtype == float64 and not isinstance(data, xp.generic):
        return arr.astype(float32)
    if arr.dtype.kind in "iu" and not isinstance(data, xp.generic):
        return arr.astype(int64, copy=False)
    return arr


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``vinsgrad.Size([3, 4])``, as ``torch.Size`` does."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"vinsgrad.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def numel(self) -> _int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)


class ValuesIndices(NamedTuple):
    """What ``max(dim=...)``/``min(dim=...)`` return, as in PyTorch."""

    values: Tensor
    indices: Tensor


class Tensor:
    """An n-dimensional array that can record the operations applied to it and differentiate them.

    Example::

        x = vinsgrad.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        x.grad  # tensor([2., 4.])
    """

    __slots__ = ("__weakref__", "_data", "_hooks", "grad", "grad_fn", "requires_grad")
    __array_priority__ = 1000  # so `ndarray + Tensor` defers to Tensor.__radd__
    _counts_writes = True  # in-place writes bump the memory's version (not through .data, as in PyTorch)

    def __init__(self, data: Any, requires_grad: _bool = False) -> None:
        self._data: ndarray = data if type(data) is ndarray else as_array(data)
        self.grad: Tensor | None = None
        self.grad_fn: Any = None
        self.requires_grad = False
        self._hooks: list[Callable[[Tensor], Tensor | None]] | None = None
        if requires_grad:
            self.requires_grad_(True)

    # **** attributes and conversions ****

    @property
    def data(self) -> Tensor:
        """This tensor's memory as a Tensor outside the graph (``requires_grad=False``), as in PyTorch: changes
        through it (``p.data.normal_()``, ``p.data.copy_(w)``) write this tensor and are not tracked by autograd."""
        return _DataView(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else as_array(value)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def ndim(self) -> _int:
        return self._data.ndim

    @property
    def dtype(self) -> dtype:
        return as_dtype(self._data.dtype)

    @property
    def is_leaf(self) -> _bool:
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim: _int | None = None) -> Any:
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

    def dim(self) -> _int:
        return self._data.ndim

    def numel(self) -> _int:
        return int(self._data.size)

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(f"item(): only a one-element tensor can be converted, this has shape {self._data.shape}")
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self) -> ndarray:
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a Tensor that requires grad. Use tensor.detach().numpy().")
        return self._data

    def __array__(self, dtype: Any = None, copy: _bool | None = None) -> ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    @property
    def device(self) -> _device:
        """Where the tensor lives: always ``device(type='cpu')``, as vinsgrad computes with NumPy on the CPU."""
        return CPU

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)`` or ``to(other)`` casts (differentiably); device ``"cpu"`` is accepted and changes nothing."""
        dtype = kwargs.get("dtype")
        check_device(kwargs.get("device"), "to()")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, str | _device | _int) or a is None:
                check_device(a, "to()")
            else:
                dtype = a
        return self if dtype is None else self.type(dtype)

    def type(self, dtype: Any) -> Tensor:
        dtype = xp.dtype(dtype)
        if dtype == self._data.dtype:
            return self
        if dtype.kind != "f":
            return Tensor(self._data.astype(dtype))
        return _ops.CastFn.apply(self, dtype=dtype)

    def float(self) -> Tensor:
        return self.type(float32)

    def double(self) -> Tensor:
        return self.type(float64)

    def long(self) -> Tensor:
        return self.type(int64)

    def int(self) -> Tensor:
        return self.type(xp.int32)

    def bool(self) -> Tensor:
        return self.type(xp.bool_)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None, non_blocking: _bool = False) -> Tensor:
        check_device("cuda", "cuda()")  # always raises: vinsgrad runs on the CPU only
        return self

    # **** dtypes and new tensors like this one ****

    def half(self) -> Tensor:
        return self.type(float16)

    def short(self) -> Tensor:
        return self.type(int16)

    def byte(self) -> Tensor:
        return self.type(uint8)

    def is_floating_point(self) -> _bool:
        """Whether the dtype is a floating-point one (float16, float32, float64)."""
        return _bool(self._data.dtype.kind == "f")

    def element_size(self) -> _int:
        """The size in bytes of one element (4 for float32, 8 for int64, 1 for bool)."""
        return _int(self._data.dtype.itemsize)

    def _new(self, data: ndarray, requires_grad: _bool) -> Tensor:
        return Tensor(data, requires_grad=requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: _bool = False) -> Tensor:
        """A copy of ``data`` as a tensor with this tensor's dtype unless ``dtype`` is given."""
        return self._new(xp.array(as_array(data, self.dtype if dtype is None else dtype)), requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: _bool = False) -> Tensor:
        """Zeros of ``size`` with this tensor's dtype unless ``dtype`` is given."""
        return self._new(xp.zeros(_shape_arg(size), dtype=self.dtype if dtype is None else dtype), requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: _bool = False) -> Tensor:
        """Ones of ``size`` with this tensor's dtype unless ``dtype`` is given."""
        return self._new(xp.ones(_shape_arg(size), dtype=self.dtype if dtype is None else dtype), requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: _bool = False) -> Tensor:
        """An uninitialised tensor of ``size`` (vinsgrad fills it with zeros) with this tensor's dtype unless given."""
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: _bool = False) -> Tensor:
        """``fill_value`` in a tensor of ``size`` with this tensor's dtype unless ``dtype`` is given."""
        data = xp.full(_shape_arg((size,)), fill_value, dtype=self.dtype if dtype is None else dtype)
        return self._new(data, requires_grad)

    def __len__(self) -> _int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> _bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous (shape {self.shape})")
        return bool(self.item())

    def __float__(self) -> _float:
        return float(self.item())

    def __int__(self) -> _int:
        return int(self.item())

    def __index__(self) -> _int:
        return int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = format_values(self._data)
        extra = ""
        if self._data.dtype not in (float32, int64, xp.bool_):
            extra += f", dtype={self.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn={self.grad_fn!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # **** autograd ****

    def backward(
        self,
        gradient: Tensor | ndarray | _float | None = None,
        retain_graph: _bool | None = None,
        create_graph: _bool = False,
        inputs: Tensor | Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate the gradient of this tensor with respect to every leaf into the leaves' ``.grad``.

        Args:
            gradient: d(something)/d(self), needed when self is not a scalar.
            retain_graph: keep the graph so backward can run through it again.
            create_graph: not supported (no higher-order derivatives in vinsgrad): True raises NotImplementedError.
            inputs: accumulate into these tensors' ``.grad`` only (leaves or not), instead of every leaf.
        """
        if create_graph:
            raise NotImplementedError(
                "backward(create_graph=True): vinsgrad's backward computes on arrays, so gradients have no graph "
                "to differentiate again (no higher-order derivatives)"
            )
        targets = [inputs] if isinstance(inputs, Tensor) else None if inputs is None else list(inputs)
        _run_backward(self, gradient, bool(retain_graph), targets)

    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only floating point tensors can require gradients, this one is {self._data.dtype} "
                "(create it with a float dtype, e.g. vinsgrad.tensor(..., dtype=vinsgrad.float32))"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use .detach()")
        self.requires_grad = requires_grad
        return self

    def clone(self) -> Tensor:
        """A copy with its own memory that stays in the graph (gradients flow back to ``self``)."""
        return _ops.CloneFn.apply(self)

    def detach(self) -> Tensor:
        """The same data, cut off from the graph."""
        return Tensor(self._data)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Callable[[], None]:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it.

        Returns a function that removes the hook."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = []
            hooks = self.grad_fn.hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return lambda: hooks.remove(hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (leaves keep theirs anyway)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.retains_grad:
            return
        ref = weakref.ref(self)

        def retain(grad: Tensor) -> None:
            t = ref()
            if t is not None:
                t.grad = Tensor(grad._data.copy()) if t.grad is None else Tensor(t.grad._data + grad._data)

        retain.retains_grad = True  # type: ignore[attr-defined]
        self.register_hook(retain)

    @property
    def retains_grad(self) -> _bool:
        hooks = self.grad_fn.hooks if self.grad_fn is not None else None
        return any(getattr(h, "retains_grad", False) for h in hooks or ())

    # **** in-place ops: write into this tensor's memory (PyTorch's semantics) ****

    def _inplace(
        self, compute: Callable[[Tensor], Tensor], *others: Any, direct: Callable[[ndarray], None] | None = None
    ) -> Tensor:
        """Write ``compute(self)`` into this tensor's memory and, when recording, make this tensor its output.

        The op itself runs out of place on a copy of the old value, so what it saves for backward stays valid;
        the old history becomes the input of the new node, as PyTorch rebases it. A leaf that requires grad
        cannot be changed in place while recording (its gradient would be wrong); wrap updates in no_grad().
        ``direct`` writes the memory itself when nothing is recorded (``t[i] = v`` in a loop must not copy ``t``).
        """
        recording = grad_mode._enabled and (
            self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)
        )
        if recording and self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation. Wrap parameter "
                "updates in `with vinsgrad.no_grad():`"
            )
        if recording:
            if self.grad_fn is not None and self.grad_fn.returns_view and isinstance(self._data.base, ndarray):
                raise RuntimeError(
                    f"an in-place operation on a view ({self.grad_fn.op_name()} of another tensor) that is part of "
                    "the graph is not supported by vinsgrad; clone() the view first or compute out of place"
                )
            old = Tensor(self._data.copy())
            old.requires_grad, old.grad_fn = self.requires_grad, self.grad_fn
            result = compute(old)
        elif direct is not None:
            direct(self._data)
            if self._counts_writes:
                versions.bump(self._data)
            return self
        else:
            with grad_mode.no_grad():
                result = compute(self)
        _write(self._data, result._data, count=self._counts_writes)
        if recording:
            self.requires_grad, self.grad_fn = result.requires_grad, result.grad_fn
        return self

    def add_(self, other: Any, *, alpha: _float = 1) -> Tensor:
        return self._inplace(lambda t: t + (other if alpha == 1 else other * alpha), other)

    def sub_(self, other: Any, *, alpha: _float = 1) -> Tensor:
        return self._inplace(lambda t: t - (other if alpha == 1 else other * alpha), other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t * other, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t / other, other)

    def clamp_(self, min: _float | None = None, max: _float | None = None) -> Tensor:
        return self._inplace(lambda t: t.clamp(min, max))

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def copy_(self, src: Any) -> Tensor:
        return self._inplace(lambda t: _ops.IndexPutFn.apply(t, src, index=...), src, direct=_put(..., src))

    def fill_(self, value: Any) -> Tensor:
        return self._inplace(lambda t: _ops.IndexPutFn.apply(t, value, index=...), value, direct=_put(..., value))

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def normal_(self, mean: _float = 0.0, std: _float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from N(mean, std^2), drawn from ``generator`` (default: vinsgrad's)."""
        return self.copy_(rng(generator).normal(mean, std, self.shape))

    def uniform_(self, a: _float = 0.0, b: _float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from U[a, b), drawn from ``generator`` (default: vinsgrad's)."""
        return self.copy_(rng(generator).uniform(a, b, self.shape))

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True (broadcast), else this tensor's elements."""
        condition = as_array(mask)
        if condition.dtype != xp.bool_:
            raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {condition.dtype}")
        fill = value if isinstance(value, Tensor) else as_array(value).astype(self._data.dtype)
        return _ops.WhereFn.apply(condition, fill, self)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace(lambda t: t.masked_fill(mask, value), value)

    def index_fill_(self, dim: _int, index: Any, value: Any) -> Tensor:
        """Fill the slices at ``index`` along ``dim`` with ``value``."""
        position: list[Any] = [slice(None)] * self.ndim
        position[dim] = as_array(index)
        return self._inplace(lambda t: _ops.IndexPutFn.apply(t, value, index=tuple(position)), value)

    def index_fill(self, dim: _int, index: Any, value: Any) -> Tensor:
        return self.clone().index_fill_(dim, index, value)

    def scatter(self, dim: _int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
        """``out[i][index[i][j]] = src[i][j]`` (for dim=1), a copy; ``value=`` scatters one number."""
        return _ops.ScatterFn.apply(self, value if src is None else src, index=as_array(index), dim=dim)

    def scatter_add(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        """``out[i][index[i][j]] += src[i][j]`` (for dim=1), a copy; repeated indices add up."""
        return _ops.ScatterFn.apply(self, src, index=as_array(index), dim=dim, add=True)

    def scatter_(self, dim: _int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
        return self._inplace(lambda t: t.scatter(dim, index, src, value=value), src)

    def scatter_add_(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace(lambda t: t.scatter_add(dim, index, src), src)

    def __setitem__(self, index: Any, value: Any) -> None:
        """``t[index] = value`` for ints, slices, boolean masks and index tensors; differentiable like PyTorch's
        (the gradient flows to ``value`` and to the part of ``t`` that was not overwritten)."""
        index = _index_arg(index)
        self._inplace(lambda t: _ops.IndexPutFn.apply(t, value, index=index), value, direct=_put(index, value))

    # ======== ops as methods: thin wrappers over autograd/ops, by kind (make size counts the core above) ========

    # **** arithmetic ****

    # NOTE: + - * go through _arithmetic, which skips the Function when there is nothing to record or promote
    def __add__(self, other: Any) -> Tensor:
        return _arithmetic(xp.add, _ops.AddFn, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _arithmetic(xp.add, _ops.AddFn, self, other, reflected=True)

    def __sub__(self, other: Any) -> Tensor:
        return _arithmetic(xp.subtract, _ops.SubFn, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _arithmetic(xp.subtract, _ops.SubFn, self, other, reflected=True)

    def __mul__(self, other: Any) -> Tensor:
        return _arithmetic(xp.multiply, _ops.MulFn, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _arithmetic(xp.multiply, _ops.MulFn, self, other, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.DivFn.apply(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.DivFn.apply(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.DivFn.apply(self, other, rounding_mode="floor")

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.DivFn.apply(other, self, rounding_mode="floor")

    def __mod__(self, other: Any) -> Tensor:
        return _ops.RemainderFn.apply(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.RemainderFn.apply(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.PowFn.apply(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.PowFn.apply(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.MatMulFn.apply(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.MatMulFn.apply(other, self)

    def __neg__(self) -> Tensor:
        return _ops.NegFn.apply(self)

    def __abs__(self) -> Tensor:
        return _ops.AbsFn.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self + alpha * other``."""
        return _ops.AddFn.apply(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self - alpha * other``."""
        return _ops.SubFn.apply(self, other, alpha=alpha)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """True division, or with ``rounding_mode`` "trunc" or "floor" the rounded quotient."""
        return _ops.DivFn.apply(self, other, rounding_mode=rounding_mode)

    def fmod(self, other: Any) -> Tensor:
        """The remainder of truncated division (the sign of ``self``), as C's fmod."""
        return _ops.FmodFn.apply(self, other)

    def atan2(self, other: Any) -> Tensor:
        return _ops.Atan2Fn.apply(self, other)

    def copysign(self, other: Any) -> Tensor:
        return _ops.CopysignFn.apply(self, other)

    def hypot(self, other: Any) -> Tensor:
        return _ops.HypotFn.apply(self, other)

    def logaddexp(self, other: Any) -> Tensor:
        return _ops.LogAddExpFn.apply(self, other)

    def xlogy(self, other: Any) -> Tensor:
        """``self * log(other)``, 0 where ``self`` is 0."""
        return _ops.XLogYFn.apply(self, other)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """``self + weight * (end - self)``."""
        return _ops.LerpFn.apply(self, end, weight)

    mul, multiply, subtract, divide, true_divide, positive = __mul__, __mul__, sub, div, div, __pos__
    floor_divide, remainder, pow, matmul, neg, negative, abs, absolute, arctan2 = (
        __floordiv__,
        __mod__,
        __pow__,
        __matmul__,
        __neg__,
        __neg__,
        __abs__,
        __abs__,
        atan2,
    )

    # **** comparisons, bitwise and logical ops (no gradient) ****

    def __lt__(self, other: Any) -> Tensor:
        return Tensor(self._data < as_array(other))

    def __le__(self, other: Any) -> Tensor:
        return Tensor(self._data <= as_array(other))

    def __gt__(self, other: Any) -> Tensor:
        return Tensor(self._data > as_array(other))

    def __ge__(self, other: Any) -> Tensor:
        return Tensor(self._data >= as_array(other))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor(self._data == as_array(other))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor(self._data != as_array(other))

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    def __and__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("and", self._data, _raw(other)))

    def __rand__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("and", _raw(other), self._data))

    def __or__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("or", self._data, _raw(other)))

    def __ror__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("or", _raw(other), self._data))

    def __xor__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("xor", self._data, _raw(other)))

    def __rxor__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("xor", _raw(other), self._data))

    def __lshift__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("left_shift", self._data, _raw(other)))

    def __rlshift__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("left_shift", _raw(other), self._data))

    def __rshift__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("right_shift", self._data, _raw(other)))

    def __rrshift__(self, other: Any) -> Tensor:
        return Tensor(_ops.bitwise("right_shift", _raw(other), self._data))

    def __invert__(self) -> Tensor:
        if self.is_floating_point():  # the operator's error is a TypeError in PyTorch, the method's not
            raise TypeError(f"~ (bitwise_not) is only defined for integer and bool tensors, got {self.dtype}")
        return Tensor(_ops.bitwise_not(self._data))

    def bitwise_not(self) -> Tensor:
        return Tensor(_ops.bitwise_not(self._data))

    bitwise_and, bitwise_or, bitwise_xor = __and__, __or__, __xor__
    bitwise_left_shift, bitwise_right_shift = __lshift__, __rshift__

    def logical_and(self, other: Any) -> Tensor:
        return Tensor(xp.logical_and(self._data, as_array(other)))

    def logical_or(self, other: Any) -> Tensor:
        return Tensor(xp.logical_or(self._data, as_array(other)))

    def logical_xor(self, other: Any) -> Tensor:
        return Tensor(xp.logical_xor(self._data, as_array(other)))

    def logical_not(self) -> Tensor:
        return Tensor(xp.logical_not(self._data))

    def isnan(self) -> Tensor:
        return Tensor(xp.isnan(self._data))

    def isinf(self) -> Tensor:
        return Tensor(xp.isinf(self._data))

    def isfinite(self) -> Tensor:
        return Tensor(xp.isfinite(self._data))

    def isposinf(self) -> Tensor:
        return Tensor(xp.isposinf(self._data) if self.is_floating_point() else xp.zeros(self.shape, bool))

    def isneginf(self) -> Tensor:
        return Tensor(xp.isneginf(self._data) if self.is_floating_point() else xp.zeros(self.shape, bool))

    def isclose(self, other: Any, rtol: _float = 1e-05, atol: _float = 1e-08, equal_nan: _bool = False) -> Tensor:
        """Whether ``|self - other| <= atol + rtol * |other|``, elementwise (nan only close to nan with
        ``equal_nan``)."""
        return Tensor(xp.isclose(self._data, as_array(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def allclose(self, other: Any, rtol: _float = 1e-05, atol: _float = 1e-08, equal_nan: _bool = False) -> _bool:
        """Whether ``isclose`` holds everywhere."""
        return _bool(self.isclose(other, rtol, atol, equal_nan)._data.all())

    def equal(self, other: Tensor) -> _bool:
        """Whether both have the same shape and the same elements."""
        return self.shape == other.shape and _bool((self._data == other._data).all())

    # **** elementwise ****

    def exp(self) -> Tensor:
        return _ops.ExpFn.apply(self)

    def exp2(self) -> Tensor:
        return _ops.Exp2Fn.apply(self)

    def expm1(self) -> Tensor:
        return _ops.Expm1Fn.apply(self)

    def log(self) -> Tensor:
        return _ops.LogFn.apply(self)

    def log2(self) -> Tensor:
        return _ops.Log2Fn.apply(self)

    def log10(self) -> Tensor:
        return _ops.Log10Fn.apply(self)

    def log1p(self) -> Tensor:
        return _ops.Log1pFn.apply(self)

    def sqrt(self) -> Tensor:
        return _ops.SqrtFn.apply(self)

    def rsqrt(self) -> Tensor:
        return _ops.RsqrtFn.apply(self)

    def square(self) -> Tensor:
        return _ops.SquareFn.apply(self)

    def reciprocal(self) -> Tensor:
        return _ops.ReciprocalFn.apply(self)

    def sin(self) -> Tensor:
        return _ops.SinFn.apply(self)

    def cos(self) -> Tensor:
        return _ops.CosFn.apply(self)

    def tan(self) -> Tensor:
        return _ops.TanFn.apply(self)

    def asin(self) -> Tensor:
        return _ops.AsinFn.apply(self)

    def acos(self) -> Tensor:
        return _ops.AcosFn.apply(self)

    def atan(self) -> Tensor:
        return _ops.AtanFn.apply(self)

    def sinh(self) -> Tensor:
        return _ops.SinhFn.apply(self)

    def cosh(self) -> Tensor:
        return _ops.CoshFn.apply(self)

    def tanh(self) -> Tensor:
        return _ops.TanhFn.apply(self)

    def asinh(self) -> Tensor:
        return _ops.AsinhFn.apply(self)

    def acosh(self) -> Tensor:
        return _ops.AcoshFn.apply(self)

    def atanh(self) -> Tensor:
        return _ops.AtanhFn.apply(self)

    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

    def erf(self) -> Tensor:
        return _ops.ErfFn.apply(self)

    def erfc(self) -> Tensor:
        return _ops.ErfcFn.apply(self)

    def erfinv(self) -> Tensor:
        return _ops.ErfinvFn.apply(self)

    def sigmoid(self) -> Tensor:
        return _ops.SigmoidFn.apply(self)

    def relu(self) -> Tensor:
        return _ops.ReLUFn.apply(self)

    def floor(self) -> Tensor:
        return _ops.FloorFn.apply(self)

    def ceil(self) -> Tensor:
        return _ops.CeilFn.apply(self)

    def trunc(self) -> Tensor:
        return _ops.TruncFn.apply(self)

    def round(self, *, decimals: _int = 0) -> Tensor:
        """Round half to even, to ``decimals`` decimal places."""
        return _ops.RoundFn.apply(self, decimals=decimals)

    def frac(self) -> Tensor:
        """``self - trunc(self)``."""
        return _ops.FracFn.apply(self)

    def sign(self) -> Tensor:
        return _ops.SignFn.apply(self)

    fix, sgn = trunc, sign

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit to [min, max]; either bound may be None, a number or a tensor."""
        return _ops.ClampFn.apply(self, min, max)

    def clamp_min(self, min: Any) -> Tensor:
        return _ops.ClampFn.apply(self, min, None)

    def clamp_max(self, max: Any) -> Tensor:
        return _ops.ClampFn.apply(self, None, max)

    clip = clamp

    def nan_to_num(self, nan: _float = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
        """nan, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (default: the dtype's extremes)."""
        return _ops.NanToNumFn.apply(self, nan=nan, posinf=posinf, neginf=neginf)

    def maximum(self, other: Any) -> Tensor:
        return _ops.MaximumFn.apply(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _ops.MinimumFn.apply(self, other)

    def where(self, condition: Any, other: Any) -> Tensor:
        return _ops.WhereFn.apply(as_array(condition), self, other)

    # in place, as in PyTorch: the same op written into this tensor's memory
    def neg_(self) -> Tensor:
        return self._inplace(Tensor.neg)

    def abs_(self) -> Tensor:
        return self._inplace(Tensor.abs)

    def exp_(self) -> Tensor:
        return self._inplace(Tensor.exp)

    def log_(self) -> Tensor:
        return self._inplace(Tensor.log)

    def sqrt_(self) -> Tensor:
        return self._inplace(Tensor.sqrt)

    def sigmoid_(self) -> Tensor:
        return self._inplace(Tensor.sigmoid)

    def tanh_(self) -> Tensor:
        return self._inplace(Tensor.tanh)

    def relu_(self) -> Tensor:
        return self._inplace(Tensor.relu)

    def floor_(self) -> Tensor:
        return self._inplace(Tensor.floor)

    def ceil_(self) -> Tensor:
        return self._inplace(Tensor.ceil)

    def round_(self, *, decimals: _int = 0) -> Tensor:
        return self._inplace(lambda t: t.round(decimals=decimals))

    def clamp_min_(self, min: Any) -> Tensor:
        return self._inplace(lambda t: t.clamp_min(min), min)

    def clamp_max_(self, max: Any) -> Tensor:
        return self._inplace(lambda t: t.clamp_max(max), max)

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace(lambda t: t**exponent, exponent)

    def sin_(self) -> Tensor:
        return self._inplace(Tensor.sin)

    def cos_(self) -> Tensor:
        return self._inplace(Tensor.cos)

    def reciprocal_(self) -> Tensor:
        return self._inplace(Tensor.reciprocal)

    def trunc_(self) -> Tensor:
        return self._inplace(Tensor.trunc)

    def sign_(self) -> Tensor:
        return self._inplace(Tensor.sign)

    def nan_to_num_(self, nan: _float = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
        return self._inplace(lambda t: t.nan_to_num(nan, posinf, neginf))

    def fmod_(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t.fmod(other), other)

    def remainder_(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t % other, other)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        """``self += weight * (end - self)`` in place (e.g. an exponential moving average of parameters)."""
        return self._inplace(lambda t: t.lerp(end, weight), end, weight)

    def __ipow__(self, exponent: Any) -> Tensor:
        return self.pow_(exponent)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t // other, other)

    def __imod__(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t % other, other)

    def __iand__(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t & other)

    def __ior__(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t | other)

    def __ixor__(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t ^ other)

    def __ilshift__(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t << other)

    def __irshift__(self, other: Any) -> Tensor:
        return self._inplace(lambda t: t >> other)

    # **** reductions ****

    # sum and mean take axis= themselves (not through _axis_alias): they are on every training step's path
    def sum(self, dim: Dim = None, keepdim: _bool = False, *, dtype: Any = None, axis: Dim = None) -> Tensor:
        """The sum over ``dim`` (all elements if None); integers and bools sum in int64 unless ``dtype`` says."""
        return _ops.SumFn.apply(self, dim=_dim(dim, axis), keepdim=keepdim, dtype=dtype)

    @_axis_alias
    def prod(self, dim: _int | None = None, keepdim: _bool = False, *, dtype: Any = None) -> Tensor:
        """The product over ``dim`` (all elements if None); integers and bools multiply in int64."""
        if dim is not None and not isinstance(dim, _int):
            raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
        return _ops.ProdFn.apply(self, dim=dim, keepdim=keepdim, dtype=dtype)

    def mean(self, dim: Dim = None, keepdim: _bool = False, *, dtype: Any = None, axis: Dim = None) -> Tensor:
        return _ops.MeanFn.apply(self, dim=_dim(dim, axis), keepdim=keepdim, dtype=dtype)

    @_axis_alias
    def var(
        self, dim: Dim = None, unbiased: _bool | None = None, keepdim: _bool = False, *, correction: _int = 1
    ) -> Tensor:
        if unbiased is not None:
            correction = int(unbiased)
        return _ops.VarFn.apply(self, dim=dim, correction=correction, keepdim=keepdim)

    @_axis_alias
    def std(
        self, dim: Dim = None, unbiased: _bool | None = None, keepdim: _bool = False, *, correction: _int = 1
    ) -> Tensor:
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    @_axis_alias
    def amax(self, dim: Dim = (), keepdim: _bool = False) -> Tensor:
        return _ops.AmaxFn.apply(self, dim=None if dim == () else dim, keepdim=keepdim)

    @_axis_alias
    def amin(self, dim: Dim = (), keepdim: _bool = False) -> Tensor:
        return _ops.AminFn.apply(self, dim=None if dim == () else dim, keepdim=keepdim)

    @_axis_alias
    def max(self, dim: Any = None, keepdim: _bool = False) -> Any:
        """The largest element; with ``dim``, ``(values, indices)`` along it (ties go to the first index);
        with another tensor, the elementwise ``maximum``."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return self.amax()
        return self._select_along(dim, self.argmax(dim, keepdim=True), keepdim)

    @_axis_alias
    def min(self, dim: Any = None, keepdim: _bool = False) -> Any:
        """The smallest element; with ``dim``, ``(values, indices)`` along it; with a tensor, ``minimum``."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return self.amin()
        return self._select_along(dim, self.argmin(dim, keepdim=True), keepdim)

    def _select_along(self, dim: _int, indices: Tensor, keepdim: _bool) -> ValuesIndices:
        """``(values, indices)`` for indices chosen along ``dim`` (kept as a size-k dim); values are gathered, so
        the gradient flows to the chosen elements."""
        if self.ndim == 0:
            return ValuesIndices(self.clone(), Tensor(xp.zeros((), dtype=int64)))
        values = self.gather(dim, indices)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return ValuesIndices(values, indices)

    @_axis_alias
    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return Tensor(xp.argmax(self._data, axis=dim, keepdims=keepdim).astype(int64, copy=False))

    @_axis_alias
    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return Tensor(xp.argmin(self._data, axis=dim, keepdims=keepdim).astype(int64, copy=False))

    @_axis_alias
    def all(self, dim: Dim = None, keepdim: _bool = False) -> Tensor:
        axes = _ops.normalize_dims(dim, self.ndim)
        out = xp.asarray(self._data.astype(bool, copy=False).all(axis=axes, keepdims=keepdim))
        return Tensor(out.astype(uint8) if self.dtype == uint8 else out)  # uint8 stays uint8, as in PyTorch

    @_axis_alias
    def any(self, dim: Dim = None, keepdim: _bool = False) -> Tensor:
        axes = _ops.normalize_dims(dim, self.ndim)
        out = xp.asarray(self._data.astype(bool, copy=False).any(axis=axes, keepdims=keepdim))
        return Tensor(out.astype(uint8) if self.dtype == uint8 else out)

    @_axis_alias
    def count_nonzero(self, dim: Dim = None) -> Tensor:
        axes = _ops.normalize_dims(dim, self.ndim)
        return Tensor(xp.asarray(xp.count_nonzero(self._data, axis=axes), dtype=int64))

    def norm(self, p: Any = "fro", dim: Dim = None, keepdim: _bool = False, dtype: Any = None) -> Tensor:
        """The p-norm over ``dim`` (all elements if None): p a number, inf or -inf; "fro" is p=2; "nuc" the
        nuclear norm of the matrices in ``dim`` (the last two by default)."""
        x = self if dtype is None else self.type(dtype)
        if p == "nuc":
            from vinsgrad.linalg import matrix_norm

            if dim is None and x.ndim != 2:
                raise RuntimeError(f"norm: p='nuc' without dim needs a 2-D input, got {x.ndim}-D (pass dim=(-2, -1))")
            return matrix_norm(x, "nuc", (-2, -1) if dim is None else cast(tuple, dim), keepdim)
        if p == "fro" or p is None:
            p = 2.0
        if isinstance(p, str):
            raise RuntimeError(f"norm: p must be a number, inf, -inf, 'fro' or 'nuc', got {p!r}")
        return _ops.VectorNormFn.apply(x, ord=p, dim=dim, keepdim=keepdim)

    @_axis_alias
    def logsumexp(self, dim: Dim, keepdim: _bool = False) -> Tensor:
        return _ops.LogSumExpFn.apply(self, dim=dim, keepdim=keepdim)

    @_axis_alias
    def softmax(self, dim: _int) -> Tensor:
        return _ops.SoftmaxFn.apply(self, dim=dim)

    @_axis_alias
    def log_softmax(self, dim: _int) -> Tensor:
        return _ops.LogSoftmaxFn.apply(self, dim=dim)

    # scans: running results along one dim
    @_axis_alias
    def cumsum(self, dim: _int, *, dtype: Any = None) -> Tensor:
        return _ops.CumsumFn.apply(self, dim=dim, dtype=dtype)

    @_axis_alias
    def cumprod(self, dim: _int, *, dtype: Any = None) -> Tensor:
        return _ops.CumprodFn.apply(self, dim=dim, dtype=dtype)

    @_axis_alias
    def logcumsumexp(self, dim: _int) -> Tensor:
        return _ops.LogCumSumExpFn.apply(self, dim=dim)

    # selections: the indices come from ops/reduce.py without gradient, the values are gathered at them
    @_axis_alias
    def cummax(self, dim: _int) -> ValuesIndices:
        """Running maxima along ``dim`` and where each was found (the latest position on ties)."""
        return self._select_along(dim, Tensor(_ops.running_extreme_indices(self._data, dim, xp.maximum)), True)

    @_axis_alias
    def cummin(self, dim: _int) -> ValuesIndices:
        """Running minima along ``dim`` and where each was found (the latest position on ties)."""
        return self._select_along(dim, Tensor(_ops.running_extreme_indices(self._data, dim, xp.minimum)), True)

    @_axis_alias
    def argsort(self, dim: _int = -1, descending: _bool = False, *, stable: _bool = False) -> Tensor:
        """The indices that sort along ``dim``; equal elements keep their order (vinsgrad's sort is always stable)."""
        return Tensor(_ops.sort_indices(self._data, dim, descending))

    @_axis_alias
    def sort(self, dim: _int = -1, descending: _bool = False, *, stable: _bool = False) -> ValuesIndices:
        """``(values, indices)`` sorted along ``dim``."""
        return self._select_along(dim, self.argsort(dim, descending), keepdim=True)

    @_axis_alias
    def topk(self, k: _int, dim: _int = -1, largest: _bool = True, sorted: _bool = True) -> ValuesIndices:
        """The ``k`` largest (or smallest) elements along ``dim``, in order, and their indices."""
        _ops.refuse_bool_selection("topk", self._data)
        size = self.shape[dim] if self.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError(f"topk: k={k} is out of range for dim {dim} of size {size}")
        order = self.argsort(dim, descending=largest)
        return self._select_along(dim, _slice_along(order, dim, 0, k), keepdim=True)

    @_axis_alias
    def kthvalue(self, k: _int, dim: _int = -1, keepdim: _bool = False) -> ValuesIndices:
        """The ``k``-th smallest element along ``dim`` (k from 1) and its index."""
        _ops.refuse_bool_selection("kthvalue", self._data)
        size = self.shape[dim] if self.ndim else 1
        if not 1 <= k <= size:
            raise RuntimeError(f"kthvalue: k={k} is out of range for dim {dim} of size {size}")
        return self._select_along(dim, _slice_along(self.argsort(dim), dim, k - 1, k), keepdim)

    @_axis_alias
    def median(self, dim: _int | None = None, keepdim: _bool = False) -> Any:
        """The lower median (of all elements, or ``(values, indices)`` along ``dim``), as PyTorch defines it."""
        _ops.refuse_bool_selection("median", self._data)
        if dim is None:
            flat = self.reshape(-1)
            return flat[_int(flat.argsort()._data[(flat.numel() - 1) // 2])]
        size = self.shape[dim] if self.ndim else 1
        return self.kthvalue((size + 1) // 2, dim, keepdim)

    @_axis_alias
    def mode(self, dim: _int = -1, keepdim: _bool = False) -> ValuesIndices:
        """The most frequent value along ``dim`` (the smallest on ties) and the last index where it occurs."""
        return self._select_along(dim, Tensor(_ops.mode_indices(self._data, dim)), keepdim)

    # **** shape ****

    def reshape(self, *shape: Any) -> Tensor:
        return _ops.ReshapeFn.apply(self, shape=_shape_arg(shape))

    def view(self, *shape: Any) -> Tensor:
        return _ops.ReshapeFn.apply(self, shape=_shape_arg(shape))

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def contiguous(self) -> Tensor:
        """This tensor if its memory is in row-major order, else a row-major copy (still in the graph)."""
        return self if self._data.flags.c_contiguous else self.clone()

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        shape = self.shape
        if not shape:
            return self.reshape(1)
        s, e = _wrap(start_dim, self.ndim), _wrap(end_dim, self.ndim)
        return self.reshape(*shape[:s], -1, *shape[e + 1 :])

    def unflatten(self, dim: _int, sizes: Sequence[_int]) -> Tensor:
        """Split dim ``dim`` into ``sizes`` (one of them may be -1)."""
        d = _wrap(dim, self.ndim)
        return self.reshape(*self.shape[:d], *sizes, *self.shape[d + 1 :])

    def unsqueeze(self, dim: _int) -> Tensor:
        dim = _wrap(dim, self.ndim + 1)
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim: Dim = None) -> Tensor:
        """Drop the given dims (all by default) where their size is 1; dims of another size stay."""
        dims = range(self.ndim) if dim is None else {_wrap(d, self.ndim) for d in _dims_arg(dim)}
        return self.reshape(*[n for i, n in enumerate(self.shape) if not (i in dims and n == 1)])

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        dims = list(range(self.ndim))
        d0, d1 = _wrap(dim0, self.ndim), _wrap(dim1, self.ndim)
        if self.ndim:
            dims[d0], dims[d1] = dims[d1], dims[d0]
        return self.permute(*dims)

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        """The transpose of a matrix; a vector or 0-d tensor as it is."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D (use mT)")
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """The transpose of the last two dims (of every matrix in a batch)."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices, got {self.ndim}-D")
        return self.transpose(-2, -1)

    def permute(self, *dims: Any) -> Tensor:
        return _ops.PermuteFn.apply(self, dims=_shape_arg(dims))

    def movedim(self, source: _int | Sequence[_int], destination: _int | Sequence[_int]) -> Tensor:
        """Move dims ``source`` to positions ``destination``; the others keep their order."""
        src, dst = (
            [_wrap(d, self.ndim) for d in _dims_arg(source)],
            [_wrap(d, self.ndim) for d in _dims_arg(destination)],
        )
        if len(src) != len(dst) or len(set(src)) != len(src) or len(set(dst)) != len(dst):
            raise RuntimeError(f"movedim: source {source} and destination {destination} must be as long and not repeat")
        rest = iter(d for d in range(self.ndim) if d not in src)
        placed = dict(zip(dst, src))
        return self.permute(*[placed[i] if i in placed else next(rest) for i in range(self.ndim)])

    moveaxis = movedim

    def expand(self, *sizes: Any) -> Tensor:
        sizes = _shape_arg(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes {len(sizes)} must be >= the tensor's dims {self.ndim}")
        if -1 in sizes[:lead]:
            raise RuntimeError(f"expand: -1 is not allowed for the new leading dims, got sizes {sizes}")
        shape = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return _ops.ExpandFn.apply(self, shape=shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        """This tensor tiled ``sizes[i]`` times along dim i (``sizes`` may add leading dims)."""
        sizes = _shape_arg(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat: the number of repeats {len(sizes)} must be >= the tensor's dims {self.ndim}")
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        # A new size-r dim before each dim, expanded and merged: (r0, s0, r1, s1) -> (r0*s0, r1*s1).
        paired = self.reshape([n for s in shape for n in (1, s)]).expand([n for rs in zip(sizes, shape) for n in rs])
        return paired.reshape([r * s for r, s in zip(sizes, shape)])

    def tile(self, dims: Sequence[_int]) -> Tensor:
        """``repeat`` that also accepts fewer sizes than dims (the leading dims are then repeated once)."""
        return self.repeat((1,) * (self.ndim - len(dims)) + tuple(dims))

    def repeat_interleave(
        self, repeats: Any = None, dim: _int | None = None, *, output_size: _int | None = None
    ) -> Tensor:
        """Each element (or slice along ``dim``) repeated ``repeats`` times next to itself; ``repeats`` is an int
        or one count per slice. Without ``dim`` the tensor is flattened first. Called with counts only
        (``vinsgrad.repeat_interleave(counts)``), index i repeated ``counts[i]`` times."""
        if repeats is None:
            return Tensor(xp.arange(self.numel())).repeat_interleave(self, output_size=output_size)
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else _wrap(dim, x.ndim)
        counts = as_array(repeats)
        if counts.ndim > 1 or counts.dtype.kind not in "iu" or (counts < 0).any():
            raise RuntimeError(
                f"repeat_interleave: repeats must be a non-negative int or 1-D int tensor, got {repeats}"
            )
        picks = xp.repeat(xp.arange(x.shape[d] if x.ndim else 1), counts)
        if output_size is not None and output_size != len(picks):
            raise RuntimeError(f"repeat_interleave: output_size {output_size} != the {len(picks)} repeated elements")
        return x.index_select(d, Tensor(picks))

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """At most ``chunks`` pieces along ``dim``, all of the same size but maybe the last."""
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        n = self.shape[_wrap(dim, self.ndim)]
        return self.split(max(-(-n // chunks), 1), dim)

    def split(self, split_size_or_sections: _int | Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        """Pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of the listed sizes."""
        d = _wrap(dim, self.ndim)
        n = self.shape[d]
        if isinstance(split_size_or_sections, _int):
            if split_size_or_sections <= 0 and n:
                raise RuntimeError(f"split expects split_size be non-negative, got {split_size_or_sections}")
            step = split_size_or_sections
            sizes = [min(step, n - s) for s in range(0, n, step)] if n else [0]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != n or any(s < 0 for s in sizes):
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n}, got {sizes}")
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return tuple(self.narrow(d, s, size) for s, size in zip(starts, sizes))

    def unbind(self, dim: _int = 0) -> tuple[Tensor, ...]:
        """Every slice along ``dim``, that dim removed."""
        d = _wrap(dim, self.ndim)
        return tuple(self.select(d, i) for i in range(self.shape[d]))

    def narrow(self, dim: _int, start: _int, length: _int) -> Tensor:
        """The ``length`` elements from ``start`` along ``dim`` (a view)."""
        d = _wrap(dim, self.ndim)
        n = self.shape[d]
        if not -n <= start <= n:
            raise IndexError(f"narrow: start {start} out of range for dim {d} of size {n}")
        start = start + n if start < 0 else start
        if length < 0 or start + length > n:
            raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n})")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def select(self, dim: _int, index: _int) -> Tensor:
        """The slice at ``index`` along ``dim``, that dim removed."""
        d = _wrap(dim, self.ndim)
        if not -self.shape[d] <= index < self.shape[d]:
            raise IndexError(f"select(): index {index} out of range for tensor of size {self.shape} at dimension {d}")
        return self[(slice(None),) * d + (index,)]

    def flip(self, *dims: Any) -> Tensor:
        """The elements in reverse order along each of ``dims``."""
        flipped = {_wrap(d, self.ndim) for d in _dims_arg(_shape_arg(dims))}
        return self[tuple(slice(None, None, -1) if i in flipped else slice(None) for i in range(self.ndim))]

    def fliplr(self) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"fliplr: input tensor must be >= 2-d, got {self.ndim}-d")
        return self.flip(1)

    def flipud(self) -> Tensor:
        if self.ndim < 1:
            raise RuntimeError("flipud: input tensor must be >= 1-d")
        return self.flip(0)

    def roll(self, shifts: _int | Sequence[_int], dims: _int | Sequence[_int] | None = None) -> Tensor:
        """Shift elements along ``dims`` with wrap-around (the flattened tensor when ``dims`` is None)."""
        return _ops.RollFn.apply(self, shifts=_dims_arg(shifts), dims=None if dims is None else _dims_arg(dims))

    def tril(self, diagonal: _int = 0) -> Tensor:
        """The lower triangle (on and below the ``diagonal``-th diagonal) of each matrix; zeros above."""
        return self._triangle(diagonal, upper=False)

    def triu(self, diagonal: _int = 0) -> Tensor:
        """The upper triangle (on and above the ``diagonal``-th diagonal) of each matrix; zeros below."""
        return self._triangle(diagonal, upper=True)

    def _triangle(self, diagonal: _int, *, upper: _bool) -> Tensor:
        if self.ndim < 2:
            name = "triu" if upper else "tril"
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got {self.ndim}")
        lower = xp.tri(self.shape[-2], self.shape[-1], k=diagonal - upper, dtype=bool)  # col <= row + k
        return _ops.WhereFn.apply(~lower if upper else lower, self, xp.zeros((), dtype=self.dtype))

    def diagonal(self, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        """The ``offset`` diagonal of the matrices in ``dim1``, ``dim2``, as a new last dim."""
        return _ops.DiagonalFn.apply(self, offset=offset, dim1=dim1, dim2=dim2)

    def diag_embed(self, offset: _int = 0, dim1: _int = -2, dim2: _int = -1) -> Tensor:
        """Matrices with the last dim on their ``offset`` diagonal, zeros elsewhere."""
        return _ops.DiagEmbedFn.apply(self, offset=offset, dim1=dim1, dim2=dim2)

    def diag(self, diagonal: _int = 0) -> Tensor:
        """A vector's square matrix with it on the ``diagonal``-th diagonal, or a matrix's ``diagonal``."""
        if self.ndim not in (1, 2):
            raise RuntimeError(f"diag(): supports 1D or 2D tensors, got {self.ndim}D")
        return self.diag_embed(diagonal) if self.ndim == 1 else self.diagonal(diagonal)

    def unfold(self, dimension: _int, size: _int, step: _int) -> Tensor:
        """Every ``size``-long window along ``dimension``, ``step`` apart, in a new last dim."""
        return _ops.UnfoldFn.apply(self, dimension=dimension, size=size, step=step)

    # **** indexing ****

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.IndexFn.apply(self, index=_index_arg(index))

    def gather(self, dim: _int, index: Tensor) -> Tensor:
        return _ops.GatherFn.apply(self, index._data, dim=dim)

    def index_select(self, dim: _int, index: Any) -> Tensor:
        """The slices at ``index`` (a 1-D int tensor) along ``dim``."""
        idx = as_array(index)
        if idx.ndim > 1 or idx.dtype.kind not in "iu":
            raise IndexError(
                f"index_select(): index must be a 1-D integer tensor, got {idx.dtype} of shape {idx.shape}"
            )
        d = _wrap(dim, self.ndim)
        n = self.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"index_select(): index out of range in self (dim {d} has size {n})")
        return self[(slice(None),) * d + (idx.reshape(-1),)]

    def masked_select(self, mask: Any) -> Tensor:
        """The elements where ``mask`` (broadcast with this tensor) is True, as a 1-D tensor."""
        condition = as_array(mask)
        if condition.dtype != xp.bool_:
            raise RuntimeError(f"masked_select: expected a boolean mask, got {condition.dtype}")
        shape = xp.broadcast_shapes(self.shape, condition.shape)
        return self.expand(shape)[xp.broadcast_to(condition, shape)]

    def take(self, index: Any) -> Tensor:
        """The elements at ``index`` of the flattened tensor, in ``index``'s shape."""
        idx = as_array(index)
        if idx.size and (idx.min() < -self.numel() or idx.max() >= self.numel()):
            raise IndexError(f"take(): index out of range for a tensor of {self.numel()} elements")
        return self.reshape(-1)[idx]

    def take_along_dim(self, indices: Any, dim: _int | None = None) -> Tensor:
        """``gather`` that broadcasts ``indices`` with this tensor outside ``dim``; the flattened tensor for None."""
        idx = as_array(indices)
        if dim is None:
            return self.reshape(-1).gather(0, Tensor(idx.reshape(-1)))
        d = _wrap(dim, self.ndim)
        if idx.ndim != self.ndim:
            raise RuntimeError(f"take_along_dim(): indices has {idx.ndim} dims, the input {self.ndim}")

        def with_dim(shape: tuple[_int, ...], n: _int) -> tuple[_int, ...]:
            return (*shape[:d], n, *shape[d + 1 :])

        outer = xp.broadcast_shapes(with_dim(self.shape, 1), with_dim(idx.shape, 1))
        x = self.expand(with_dim(outer, self.shape[d]))
        return x.gather(d, Tensor(xp.broadcast_to(idx, with_dim(outer, idx.shape[d]))))

    def nonzero(self, *, as_tuple: _bool = False) -> Any:
        """The indices of the nonzero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim."""
        if as_tuple:
            return tuple(Tensor(i.astype(int64)) for i in xp.nonzero(self._data.reshape(self.shape or (1,))))
        return Tensor(xp.argwhere(self._data).astype(int64))

    def unique(
        self, sorted: _bool = True, return_inverse: _bool = False, return_counts: _bool = False, dim: _int | None = None
    ) -> Any:
        """The distinct elements (or slices along ``dim``) in ascending order, with where each element went and
        how often each appears when asked."""
        axis = None if dim is None else _wrap(dim, self.ndim)
        values, inverse, counts = xp.unique(self._data, return_inverse=True, return_counts=True, axis=axis)
        out = [Tensor(values)]
        if return_inverse:
            out.append(Tensor(inverse.reshape(self.shape if axis is None else -1).astype(int64)))
        if return_counts:
            out.append(Tensor(counts.astype(int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def scatter_reduce(
        self, dim: _int, index: Tensor, src: Tensor, reduce: str, *, include_self: _bool = True
    ) -> Tensor:
        """``out[i][index[i][j]]`` (for dim=1) reduced with each ``src[i][j]`` sent there: reduce is one of sum,
        prod, mean, amax, amin; ``include_self=False`` leaves this tensor's values at written places out."""
        return _ops.ScatterReduceFn.apply(
            self, src, index=as_array(index), dim=dim, reduce=reduce, include_self=include_self
        )

    def scatter_reduce_(
        self, dim: _int, index: Tensor, src: Tensor, reduce: str, *, include_self: _bool = True
    ) -> Tensor:
        return self._inplace(lambda t: t.scatter_reduce(dim, index, src, reduce, include_self=include_self), src)

    # **** linear algebra ****

    def mm(self, mat2: Tensor) -> Tensor:
        """The product of two matrices (no broadcasting; see ``matmul``)."""
        _check_dims("mm", 2, self, mat2)
        return self @ mat2

    def bmm(self, mat2: Tensor) -> Tensor:
        """The products of two batches of matrices, (b, n, m) @ (b, m, p) (no broadcasting)."""
        _check_dims("bmm", 3, self, mat2)
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(f"bmm: batch sizes differ, {self.shape} and {mat2.shape}")
        return self @ mat2

    def mv(self, vec: Tensor) -> Tensor:
        """A matrix times a vector."""
        _check_dims("mv", 2, self)
        _check_dims("mv", 1, vec)
        return self @ vec

    def dot(self, other: Tensor) -> Tensor:
        """The dot product of two 1-D tensors of the same size and dtype."""
        _check_dims("dot", 1, self, other)
        if self.dtype != other.dtype:
            raise RuntimeError(f"dot: expected both vectors to have the same dtype, got {self.dtype} and {other.dtype}")
        return self @ other

    def outer(self, vec2: Tensor) -> Tensor:
        """The outer product of two vectors: ``out[i, j] = self[i] * vec2[j]``."""
        _check_dims("outer", 1, self, vec2)
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: _float = 1, alpha: _float = 1) -> Tensor:
        """``beta * self + alpha * (mat1 @ mat2)``; with beta 0 ``self`` is ignored (its nan and inf too)."""
        return _scaled_sum(self, mat1.mm(mat2), beta, alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: _float = 1, alpha: _float = 1) -> Tensor:
        """``beta * self + alpha * (batch1 @ batch2)`` for batches of matrices."""
        return _scaled_sum(self, batch1.bmm(batch2), beta, alpha)

    def trace(self) -> Tensor:
        """The sum of a matrix's main diagonal."""
        _check_dims("trace", 2, self)
        return self.diagonal().sum()

    def cross(self, other: Tensor, dim: _int | None = None) -> Tensor:
        """The cross product of 3-vectors along ``dim`` (by default the first dim of size 3), broadcasting."""
        if self.ndim != other.ndim:
            raise RuntimeError(f"cross: inputs must have the same number of dims, got {self.ndim} and {other.ndim}")
        shape = xp.broadcast_shapes(self.shape, other.shape)
        if dim is None:
            dim = next((i for i, n in enumerate(shape) if n == 3), None)
            if dim is None:
                raise RuntimeError(f"cross: no dim of size 3 in the inputs' shape {shape}")
        d = _wrap(dim, len(shape))
        if shape[d] != 3:
            raise RuntimeError(f"cross: inputs dimension {d} must have length 3, got {shape[d]}")
        (a0, a1, a2), (b0, b1, b2) = self.expand(shape).unbind(d), other.expand(shape).unbind(d)
        return _ops.StackFn.apply(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0, dim=d)


class _DataView(Tensor):
    """What ``Tensor.data`` returns: the same memory outside the graph. Writes through it are not counted as
    in-place modifications (as in PyTorch), so they never make a saved array look stale."""

    __slots__ = ()
    _counts_writes = False


def _put(index: Any, value: Any) -> Callable[[ndarray], None]:
    """``target[index] = value`` in place, casting as PyTorch's copy_ and __setitem__ do."""

    def put(target: ndarray) -> None:
        _ops.setitem(target, index, value._data if isinstance(value, Tensor) else value)

    return put


def _write(target: ndarray, result: ndarray, *, count: bool) -> None:
    """Copy ``result`` into ``target`` with PyTorch's in-place casting rule, and (if ``count``) count the write."""
    if result.dtype != target.dtype and not xp.can_cast(result.dtype, target.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type {target.dtype}")
    if result is not target:
        xp.copyto(target, result, casting="unsafe")
    if count:
        versions.bump(target)


def _shape_arg(shape: Sequence[Any]) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``, as PyTorch does."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _wrap(dim: Any, ndim: _int) -> _int:
    return _ops.wrap_dim(dim, ndim)


def _dims_arg(dims: Any) -> tuple[_int, ...]:
    """One dim or several (tuple or list) as a tuple."""
    return (dims,) if isinstance(dims, _int) else tuple(dims)


def _check_dims(name: str, ndim: _int, *tensors: Tensor) -> None:
    for t in tensors:
        if t.ndim != ndim:
            raise RuntimeError(f"{name}: expected {ndim}-D tensors, got one of shape {tuple(t.shape)}")


def _scaled_sum(c: Tensor, product: Tensor, beta: _float, alpha: _float) -> Tensor:
    """``beta * c + alpha * product``; beta 0 drops ``c`` (so its nan and inf do not leak), as PyTorch does."""
    scaled = product if alpha == 1 else product * alpha
    return scaled if beta == 0 else (c if beta == 1 else c * beta) + scaled


def _raw(value: Any) -> Any:
    """A Tensor's array, anything else as it is: Python numbers stay weakly typed for type promotion."""
    return value._data if isinstance(value, Tensor) else value


def _arithmetic(ufunc: Any, fn: Any, x: Tensor, other: Any, reflected: _bool = False) -> Tensor:
    """``x <op> other`` (``other <op> x`` if ``reflected``): NumPy's result as it is when ``_untracked`` can give it,
    else the Function ``fn``, which records, promotes and raises PyTorch's errors."""
    out = _untracked(ufunc, x, other, reflected)
    if out is not None:
        return out
    return fn.apply(other, x) if reflected else fn.apply(x, other)


def _untracked(ufunc: Any, x: Tensor, other: Any, reflected: _bool = False) -> Tensor | None:
    """``ufunc(x, other)`` (``ufunc(other, x)`` if ``reflected``) as a plain Tensor when its Function would have
    nothing to do: no input requires grad, ``x`` is floating point and ``other`` a tensor of the same dtype or a
    Python int or float, so NumPy's result is PyTorch's (no promotion, no graph, nothing saved). None otherwise,
    and when NumPy refuses the shapes: the Function then runs and raises PyTorch's error.

    NOTE: issue 18's per-op overhead: ``a + b`` at batch 64 costs NumPy's call plus ~0.4 us this way, plus
    ~1.5 us through ``Function.apply`` (its context, input loop and checks)."""
    if x.requires_grad or x._data.dtype.kind != "f":
        return None
    cls = other.__class__
    if cls is Tensor:
        if other.requires_grad or other._data.dtype is not x._data.dtype:
            return None
        other = other._data
    elif cls is not float and cls is not int:
        return None
    try:
        out = ufunc(other, x._data) if reflected else ufunc(x._data, other)
    except ValueError:
        return None
    result = _new_tensor(Tensor)
    result._data = out if out.__class__ is ndarray else xp.asarray(out)  # a 0-d result comes back as a scalar
    result.grad = result.grad_fn = result._hooks = None
    result.requires_grad = False
    return result


_new_tensor = object.__new__


def _dim(dim: Any, axis: Any) -> Any:
    """``dim``, or NumPy's spelling ``axis=`` which PyTorch accepts as its alias."""
    return dim if axis is None else axis


def _slice_along(indices: Tensor, dim: _int, start: _int, stop: _int) -> Tensor:
    """Positions ``start:stop`` of an index tensor along ``dim`` (a 0-d one is its own only position)."""
    if indices.ndim == 0:
        return indices
    where: list[Any] = [slice(None)] * indices.ndim
    where[dim] = slice(start, stop)
    return Tensor(indices._data[tuple(where)])


def _index_arg(index: Any) -> Any:
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else xp.asarray(i) if isinstance(i, list) else i for i in index)
    if isinstance(index, list):
        return xp.asarray(index)
    return index


from vinsgrad.autograd import ops as _ops  # noqa: E402  (ops subclass Function, which needs Tensor)
from vinsgrad.autograd.function import run_backward as _run_backward  # noqa: E402
