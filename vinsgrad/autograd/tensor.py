"""``Tensor``: an array (``._data``), its gradient (``.grad``) and the op that made it (``.grad_fn``).

Every differentiable method here is one line that calls a ``Function`` from ``autograd/ops/``, where the op's
forward and backward live together. Inside the library the raw NumPy array is ``t._data``; ``t.data`` is what it
is in PyTorch, a Tensor sharing that memory outside the graph.
"""

from __future__ import annotations

import weakref
from builtins import bool as _bool
from builtins import float as _float
from builtins import int as _int
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from vinsgrad.autograd import grad_mode, versions
from vinsgrad.autograd.backend import float16, float32, float64, int16, int64, ndarray, uint8, xp
from vinsgrad.autograd.device import CPU, check_device
from vinsgrad.autograd.device import device as _device
from vinsgrad.random import rng

Dim = int | tuple[int, ...] | None


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
    def shape(self) -> tuple[_int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> _int:
        return self._data.ndim

    @property
    def dtype(self) -> Any:
        return self._data.dtype

    @property
    def is_leaf(self) -> _bool:
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim: _int | None = None) -> Any:
        return self._data.shape if dim is None else self._data.shape[dim]

    def dim(self) -> _int:
        return self._data.ndim

    def numel(self) -> _int:
        return int(self._data.size)

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(f"item(): only a one-element tensor can be converted, this one has shape {self.shape}")
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
        return bool(self.item())

    def __float__(self) -> _float:
        return float(self.item())

    def __int__(self) -> _int:
        return int(self.item())

    def __index__(self) -> _int:
        return int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = xp.array2string(self._data, separator=", ", prefix="tensor(", precision=4)
        extra = ""
        if self._data.dtype not in (float32, int64, xp.bool_):
            extra += f", dtype=vinsgrad.{self._data.dtype}"
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

    def __add__(self, other: Any) -> Tensor:
        return _ops.AddFn.apply(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.AddFn.apply(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.SubFn.apply(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.SubFn.apply(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.MulFn.apply(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.MulFn.apply(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.DivFn.apply(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.DivFn.apply(other, self)

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

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    pow = __pow__
    matmul = __matmul__
    neg = __neg__
    abs = __abs__

    # **** comparisons (no gradient) ****

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

    def __invert__(self) -> Tensor:
        return Tensor(~self._data)

    def __and__(self, other: Any) -> Tensor:
        return Tensor(self._data & as_array(other))

    def __or__(self, other: Any) -> Tensor:
        return Tensor(self._data | as_array(other))

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    def equal(self, other: Tensor) -> _bool:
        return self.shape == other.shape and bool((self._data == other._data).all())

    def allclose(self, other: Tensor, rtol: _float = 1e-5, atol: _float = 1e-8) -> _bool:
        return bool(xp.allclose(self._data, as_array(other), rtol=rtol, atol=atol))

    # **** elementwise ****

    def exp(self) -> Tensor:
        return _ops.ExpFn.apply(self)

    def log(self) -> Tensor:
        return _ops.LogFn.apply(self)

    def sqrt(self) -> Tensor:
        return _ops.SqrtFn.apply(self)

    def sin(self) -> Tensor:
        return _ops.SinFn.apply(self)

    def cos(self) -> Tensor:
        return _ops.CosFn.apply(self)

    def tanh(self) -> Tensor:
        return _ops.TanhFn.apply(self)

    def sigmoid(self) -> Tensor:
        return _ops.SigmoidFn.apply(self)

    def relu(self) -> Tensor:
        return _ops.ReLUFn.apply(self)

    def clamp(self, min: _float | None = None, max: _float | None = None) -> Tensor:
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        return _ops.ClampFn.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return _ops.MaximumFn.apply(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _ops.MinimumFn.apply(self, other)

    def where(self, condition: Any, other: Any) -> Tensor:
        return _ops.WhereFn.apply(as_array(condition), self, other)

    def sign(self) -> Tensor:
        return Tensor(xp.sign(self._data))

    # **** reductions ****

    def sum(self, dim: Dim = None, keepdim: _bool = False) -> Tensor:
        return _ops.SumFn.apply(self, dim=dim, keepdim=keepdim)

    def mean(self, dim: Dim = None, keepdim: _bool = False) -> Tensor:
        return _ops.MeanFn.apply(self, dim=dim, keepdim=keepdim)

    def var(
        self, dim: Dim = None, *, correction: _int = 1, unbiased: _bool | None = None, keepdim: _bool = False
    ) -> Tensor:
        if unbiased is not None:
            correction = int(unbiased)
        return _ops.VarFn.apply(self, dim=dim, correction=correction, keepdim=keepdim)

    def std(
        self, dim: Dim = None, *, correction: _int = 1, unbiased: _bool | None = None, keepdim: _bool = False
    ) -> Tensor:
        return self.var(dim, correction=correction, unbiased=unbiased, keepdim=keepdim).sqrt()

    def amax(self, dim: Dim = None, keepdim: _bool = False) -> Tensor:
        return _ops.AmaxFn.apply(self, dim=dim, keepdim=keepdim)

    def amin(self, dim: Dim = None, keepdim: _bool = False) -> Tensor:
        return -_ops.AmaxFn.apply(-self, dim=dim, keepdim=keepdim)

    def max(self, dim: Any = None, keepdim: _bool = False) -> Any:
        """The largest element; with ``dim``, ``(values, indices)`` along it (ties go to the first index);
        with another tensor, the elementwise ``maximum``."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return self.amax()
        indices = self.argmax(dim, keepdim=True)
        values = self.gather(dim, indices)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return ValuesIndices(values, indices)

    def min(self, dim: Any = None, keepdim: _bool = False) -> Any:
        """The smallest element; with ``dim``, ``(values, indices)`` along it; with a tensor, ``minimum``."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return self.amin()
        indices = self.argmin(dim, keepdim=True)
        values = self.gather(dim, indices)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return ValuesIndices(values, indices)

    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return Tensor(xp.argmax(self._data, axis=dim, keepdims=keepdim).astype(int64, copy=False))

    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return Tensor(xp.argmin(self._data, axis=dim, keepdims=keepdim).astype(int64, copy=False))

    def logsumexp(self, dim: Dim, keepdim: _bool = False) -> Tensor:
        return _ops.LogSumExpFn.apply(self, dim=dim, keepdim=keepdim)

    def softmax(self, dim: _int) -> Tensor:
        return _ops.SoftmaxFn.apply(self, dim=dim)

    def log_softmax(self, dim: _int) -> Tensor:
        return _ops.LogSoftmaxFn.apply(self, dim=dim)

    # **** shape ****

    def reshape(self, *shape: Any) -> Tensor:
        return _ops.ReshapeFn.apply(self, shape=_shape_arg(shape))

    def view(self, *shape: Any) -> Tensor:
        return _ops.ReshapeFn.apply(self, shape=_shape_arg(shape))

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        shape = self.shape
        if not shape:
            return self.reshape(1)
        s, e = start_dim % len(shape), end_dim % len(shape)
        return self.reshape(*shape[:s], -1, *shape[e + 1 :])

    def unsqueeze(self, dim: _int) -> Tensor:
        dim = dim % (self.ndim + 1)
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim: _int | None = None) -> Tensor:
        if dim is None:
            return self.reshape(*[s for s in self.shape if s != 1])
        if self.ndim == 0 or self.shape[dim] != 1:
            return self
        dim = dim % self.ndim
        return self.reshape(*self.shape[:dim], *self.shape[dim + 1 :])

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return self.permute(*dims)

    def permute(self, *dims: Any) -> Tensor:
        return _ops.PermuteFn.apply(self, dims=_shape_arg(dims))

    def expand(self, *sizes: Any) -> Tensor:
        sizes = _shape_arg(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: the number of sizes {len(sizes)} must be >= the tensor's dims {self.ndim}")
        if -1 in sizes[:lead]:
            raise ValueError(f"expand: -1 is not allowed for the new leading dims, got sizes {sizes}")
        shape = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return _ops.ExpandFn.apply(self, shape=shape)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.IndexFn.apply(self, index=_index_arg(index))

    # **** indexing ****

    def gather(self, dim: _int, index: Tensor) -> Tensor:
        return _ops.GatherFn.apply(self, index._data, dim=dim)

    # **** linear algebra ****


class _DataView(Tensor):
    """What ``Tensor.data`` returns: the same memory outside the graph. Writes through it are not counted as
    in-place modifications (as in PyTorch), so they never make a saved array look stale."""

    __slots__ = ()
    _counts_writes = False


def _put(index: Any, value: Any) -> Callable[[ndarray], None]:
    """``target[index] = value`` in place, casting as PyTorch's copy_ and __setitem__ do."""

    def put(target: ndarray) -> None:
        target[index] = value._data if isinstance(value, Tensor) else value

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


def _index_arg(index: Any) -> Any:
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return xp.asarray(index)
    return index


from vinsgrad.autograd import ops as _ops  # noqa: E402  (ops subclass Function, which needs Tensor)
from vinsgrad.autograd.function import run_backward as _run_backward  # noqa: E402
