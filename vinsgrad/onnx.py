"""``vinsgrad.onnx.export``: a model as an ONNX file, for ONNX Runtime and every other ONNX consumer.

How it works: the model runs on the example input while every ``Function`` call is recorded (its class, its
Tensor inputs and its keyword arguments: the graph autograd records, plus the arguments a ``grad_fn`` does not
keep). Each recorded Function is then written as one or a few ONNX operators with the ``onnx`` library (the
optional extra ``vinsgrad[export]``); parameters and buffers become initializers under their state_dict names.

The batch dimension (dim 0 of the input) stays symbolic: the model is traced a second time with one more sample,
and every size or argument that changed with it is written in terms of the runtime batch size. A model that runs
different ops, or takes a batch-dependent argument that ONNX cannot express, is refused with a one-line error,
as is a Function with no ONNX mapping; a refused export never leaves a file behind.

Example::

    vinsgrad.onnx.export(model, vinsgrad.randn(1, 784), "mlp.onnx")
    # onnxruntime.InferenceSession("mlp.onnx").run(None, {"input": x})[0] equals model(x)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vinsgrad.autograd import grad_mode
from vinsgrad.autograd import tensor as tensor_module
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.serialization import _atomic_file, _first_line

DEFAULT_OPSET = 17  # the first with LayerNormalization; ONNX Runtime has run it since 1.12
MIN_OPSET, MAX_OPSET = 17, 21


class ExportError(RuntimeError):
    """A model that cannot be written as ONNX (an op without a mapping, a batch-dependent argument, ...)."""


def export(
    model: Any,
    example_input: Tensor,
    path: str | os.PathLike[str],
    *,
    opset_version: int = DEFAULT_OPSET,
    input_name: str = "input",
    output_name: str = "output",
) -> None:
    """Trace ``model`` on ``example_input`` and write it to ``path`` as ONNX, with a dynamic batch dimension.

    Args:
        model: a Module or any callable of one Tensor. A Module is traced in eval mode (dropout off, batch norm
            on its running statistics), as ``torch.onnx.export`` does by default, and put back in its mode after.
        example_input: a batch of the shape and dtype the file will take; dim 0 is the batch.
        opset_version: the ONNX opset, 17 to 21 (20 and later write GELU as one ``Gelu`` operator).

    The file appears at ``path`` only when complete (written atomically).
    """
    onnx = _library()
    if not isinstance(opset_version, int) or not MIN_OPSET <= opset_version <= MAX_OPSET:
        raise ValueError(f"export: opset_version must be an int from {MIN_OPSET} to {MAX_OPSET}, got {opset_version!r}")
    if not isinstance(example_input, Tensor) or example_input.ndim < 1 or example_input.shape[0] < 1:
        raise ValueError("export: example_input must be a Tensor with a batch dimension (dim 0) of at least 1")
    x = example_input._data
    # One more sample, rows shifted: what changes with it depends on the batch size (or on the input's values).
    more = Tensor(np.concatenate([x[-1:], x]))
    training = getattr(model, "training", None)
    if training is not None:
        model.eval()
    try:
        first = _trace(model, Tensor(x.copy()))
        try:
            second = _trace(model, more)
        except Exception as e:
            raise ExportError(
                f"export: the model fails on a batch of {len(more)} after running on {len(x)} ({_first_line(e)}), "
                "so it cannot have a dynamic batch dimension"
            ) from None
    finally:
        if training is not None:
            model.train(training)
    graph = _Builder(onnx, opset_version, first, second, _state_names(model), input_name, output_name).build()
    proto = onnx.helper.make_model(
        graph, opset_imports=[onnx.helper.make_opsetid("", opset_version)], producer_name="vinsgrad"
    )
    proto.ir_version = min(proto.ir_version, 10)  # what ONNX Runtime releases of the last two years read
    onnx.checker.check_model(proto)
    with _atomic_file(Path(path)) as out:
        out.write(proto.SerializeToString())


def _library() -> Any:
    try:
        import onnx
        import onnx.checker
        import onnx.helper
        import onnx.numpy_helper
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'vinsgrad[export]'") from None
    return onnx


# **** tracing ****


@dataclass
class _Call:
    fn: type[Function]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    out: Tensor


@dataclass
class _Trace:
    input: Tensor
    outputs: list[Tensor]
    calls: list[_Call] = field(default_factory=list)


def _trace(model: Any, x: Tensor) -> _Trace:
    """Run ``model(x)`` recording every Function call; Function.apply is wrapped (and the Tensor operators' shortcut
    around it turned off) only while it runs.

    Every call is recorded, not only those autograd would record (no input requiring grad, an integer input), so
    a value made from the input always leads back to it. NOTE: the wrapper is process-wide while the model runs,
    so export from one thread at a time."""
    trace = _Trace(x, [])
    original = Function.__dict__["apply"]

    def recording_apply(cls: type[Function], *args: Any, **kwargs: Any) -> Tensor:
        out = original.__func__(cls, *args, **kwargs)
        trace.calls.append(_Call(cls, args, kwargs, out))
        return out

    Function.apply = classmethod(recording_apply)  # type: ignore[method-assign,assignment]
    shortcut = tensor_module._untracked  # + - * skip Function.apply when nothing is recorded: not while tracing
    tensor_module._untracked = lambda *args, **kwargs: None
    try:
        with grad_mode.no_grad():
            result = model(x)
    finally:
        Function.apply = original  # type: ignore[method-assign]
        tensor_module._untracked = shortcut
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    if not outputs or not all(isinstance(t, Tensor) for t in outputs):
        raise ExportError(f"export: the model must return a Tensor or a tuple of Tensors, got {type(result).__name__}")
    trace.outputs = outputs
    return trace


def _state_names(model: Any) -> dict[int, str]:
    """id of each parameter and buffer (and of its array) -> its state_dict key, the first key for a shared one."""
    names: dict[int, str] = {}
    state = model.state_dict(keep_vars=True) if hasattr(model, "state_dict") else {}
    for key, t in state.items():
        names.setdefault(id(t), key)
        names.setdefault(id(t._data), key)
    return names


def _same(a: Any, b: Any) -> bool:
    """Whether two traced arguments are equal (arrays by shape and value; tuples, slices, numbers as Python does)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return isinstance(a, Tensor) and isinstance(b, Tensor) and _same(a._data, b._data)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b))
    if isinstance(a, slice) and isinstance(b, slice):
        return (a.start, a.stop, a.step) == (b.start, b.stop, b.step)
    return type(a) is type(b) and a == b


# **** building the graph ****

_ELEMENTWISE = {
    "AddFn": "Add",
    "SubFn": "Sub",
    "MulFn": "Mul",
    "DivFn": "Div",
    "PowFn": "Pow",
    "MaximumFn": "Max",
    "MinimumFn": "Min",
}
_UNARY = {
    "NegFn": "Neg",
    "AbsFn": "Abs",
    "ExpFn": "Exp",
    "LogFn": "Log",
    "SqrtFn": "Sqrt",
    "SinFn": "Sin",
    "CosFn": "Cos",
    "TanhFn": "Tanh",
    "SigmoidFn": "Sigmoid",
    "ReLUFn": "Relu",
    "CloneFn": "Identity",
}
_REDUCE = {"SumFn": "ReduceSum", "MeanFn": "ReduceMean", "AmaxFn": "ReduceMax", "LogSumExpFn": "ReduceLogSumExp"}


class _Builder:
    """Turns a trace (and its one-sample-larger twin) into an ONNX graph, one recorded Function at a time."""

    def __init__(
        self,
        onnx: Any,
        opset: int,
        first: _Trace,
        second: _Trace,
        state_names: dict[int, str],
        input_name: str,
        output_name: str,
    ) -> None:
        self.onnx, self.h, self.opset = onnx, onnx.helper, opset
        self.first, self.second = first, second
        self.state_names = state_names
        self.input_name, self.output_name = input_name, output_name
        self.batch = (first.input.shape[0], second.input.shape[0])
        self.nodes: list[Any] = []
        self.initializers: dict[str, Any] = {}
        # id of a traced Tensor, and of its array (gather and where take arrays), -> its ONNX value
        self.names: dict[int, str] = {id(first.input): input_name, id(first.input._data): input_name}
        self.counter = 0
        self.batch_vector: str | None = None

    # ---- the walk ----

    def build(self) -> Any:
        if len(self.first.calls) != len(self.second.calls) or any(
            a.fn is not b.fn for a, b in zip(self.first.calls, self.second.calls)
        ):
            raise ExportError(
                "export: the model runs different ops for different batch sizes, so it has no graph with a dynamic "
                "batch dimension"
            )
        producer = {id(c.out): i for i, c in enumerate(self.first.calls)}
        producer.update({id(c.out._data): i for i, c in enumerate(self.first.calls)})
        needed = self._needed(producer)
        for i, (call, twin) in enumerate(zip(self.first.calls, self.second.calls)):
            if i in needed:
                self._emit(call, twin)
        outputs = []
        for k, (out, out2) in enumerate(zip(self.first.outputs, self.second.outputs)):
            name = self.output_name if len(self.first.outputs) == 1 else f"{self.output_name}{k}"
            self.nodes.append(self.h.make_node("Identity", [self._value(out, out2, "the output")], [name]))
            outputs.append(self._value_info(name, out, out2))
        x, x2 = self.first.input, self.second.input
        inputs = [self._value_info(self.input_name, x, x2)]
        initializers = list(self.initializers.values())
        return self.h.make_graph(self.nodes, "vinsgrad", inputs, outputs, initializer=initializers)

    def _needed(self, producer: dict[int, int]) -> set[int]:
        """The calls the outputs depend on (a traced model may compute things it then drops)."""
        needed: set[int] = set()
        stack = [producer[id(t)] for t in self.first.outputs if id(t) in producer]
        while stack:
            i = stack.pop()
            if i in needed:
                continue
            needed.add(i)
            call = self.first.calls[i]
            for a in (*call.args, *call.kwargs.values()):
                if isinstance(a, (Tensor, np.ndarray)) and id(a) in producer:
                    stack.append(producer[id(a)])
        return needed

    def _value_info(self, name: str, t: Tensor, twin: Tensor) -> Any:
        dims = [d if d == d2 else ("batch" if (d, d2) == self.batch else None) for d, d2 in zip(t.shape, twin.shape)]
        return self.h.make_tensor_value_info(name, self.h.np_dtype_to_tensor_dtype(t._data.dtype), dims)

    # ---- values ----

    def _fresh(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}_{self.counter}"

    def _node(self, op: str, inputs: Sequence[str], hint: str | None = None, **attrs: Any) -> str:
        out = self._fresh(hint or op.lower())
        self.nodes.append(self.h.make_node(op, list(inputs), [out], **attrs))
        return out

    def _const(self, array: Any, hint: str = "const", name: str | None = None) -> str:
        array = np.asarray(array)
        name = name or self._fresh(hint)
        if name not in self.initializers:
            # NOTE: not np.ascontiguousarray, which turns a 0-d array into a 1-d one
            self.initializers[name] = self.onnx.numpy_helper.from_array(array.copy(order="C"), name)
        return name

    def _value(self, a: Any, twin: Any, where: str, dtype: Any = None) -> str:
        """The ONNX value of a traced argument: a Function's output, the input, a parameter, or a constant."""
        if isinstance(a, (Tensor, np.ndarray)) and id(a) in self.names:
            name, have = self.names[id(a)], a._data.dtype if isinstance(a, Tensor) else a.dtype
            return name if dtype is None or have == dtype else self._node("Cast", [name], to=self._type(dtype))
        if isinstance(a, Tensor) and id(a) in self.state_names:
            name = self._const(a._data, name=self.state_names[id(a)])
            self.names[id(a)] = name
            return self._value(a, twin, where, dtype)
        array = np.asarray(a._data if isinstance(a, Tensor) else a, dtype=dtype)
        other = np.asarray(twin._data if isinstance(twin, Tensor) else twin, dtype=dtype)
        if _same(array, other):
            return self._const(array)
        flat = array.reshape(-1)[:1]
        if array.ndim == other.ndim and array.size and np.all(array == flat) and np.all(other == flat):
            # the same value everywhere, in a batch-dependent shape (an RNN's zero initial state, say)
            shape = self._shape(array.shape, other.shape, where)
            return self._node("ConstantOfShape", [shape], value=self.onnx.numpy_helper.from_array(flat.copy()))
        raise ExportError(
            f"export: {where} takes a value that follows the input or the batch size through an operation vinsgrad "
            "does not record as a Function (a comparison, argmax, a tensor built from .shape or .numpy() ...); build "
            "it with Functions (expand, cat, where ...) or from constants only"
        )

    def _type(self, dtype: Any) -> int:
        return int(self.h.np_dtype_to_tensor_dtype(np.dtype(dtype)))

    def _shape(self, dims: Sequence[int], dims2: Sequence[int], where: str, *, reshape: bool = False) -> str:
        """A 1-D int64 shape tensor whose batch-dependent entries follow the runtime batch size."""
        dynamic = [i for i, (d, d2) in enumerate(zip(dims, dims2)) if d != d2]
        if not dynamic:
            return self._const(np.asarray(dims, dtype=np.int64), "shape")
        if reshape and len(dynamic) == 1:  # Reshape works the one unknown size out itself
            return self._const(np.asarray([-1 if i in dynamic else d for i, d in enumerate(dims)], np.int64), "shape")
        (b1, b2), parts = self.batch, []
        for d, d2 in zip(dims, dims2):
            if d == d2:
                parts.append(self._const(np.asarray([d], np.int64), "dim"))
                continue
            factor, rest = divmod(d2 - d, b2 - b1)
            if rest or d != factor * b1:
                raise ExportError(f"export: {where} has a size ({d}) that is no multiple of the batch size ({b1})")
            parts.append(
                self._batch_vector()
                if factor == 1
                else self._node("Mul", [self._batch_vector(), self._const(np.asarray([factor], np.int64))])
            )
        return self._node("Concat", parts, "shape", axis=0)

    def _batch_vector(self) -> str:
        if self.batch_vector is None:
            self.batch_vector = self._node("Shape", [self.input_name], "batch", start=0, end=1)
        return self.batch_vector

    def _axes(self, dim: Any, ndim: int) -> list[int] | None:
        if dim is None:
            return None
        return sorted({int(d) % ndim for d in (dim if isinstance(dim, (tuple, list)) else (dim,))})

    def _reduce(self, op: str, x: str, axes: list[int] | None, keepdims: bool, hint: str | None = None) -> str:
        attrs: dict[str, Any] = {"keepdims": int(keepdims)}
        inputs = [x]
        if axes is not None and (op == "ReduceSum" or self.opset >= 18):  # axes became an input (ReduceSum in 13)
            inputs.append(self._const(np.asarray(axes, np.int64), "axes"))
        elif axes is not None:
            attrs["axes"] = axes
        return self._node(op, inputs, hint, **attrs)

    # ---- one Function ----

    def _emit(self, call: _Call, twin: _Call) -> None:
        name = call.fn.__name__
        handler: Callable[[_Call, _Call], str] | None = getattr(self, f"_{name}", None)
        out_dtype = call.out._data.dtype
        if name in _ELEMENTWISE:
            a, b = (self._value(v, w, name, out_dtype) for v, w in zip(call.args, twin.args))
            result = self._node(_ELEMENTWISE[name], [a, b])
        elif name in _UNARY:
            result = self._node(_UNARY[name], [self._arg(call, twin, 0)])
        elif name in _REDUCE:
            x = self._arg(call, twin, 0)
            axes = self._axes(call.kwargs.get("dim"), call.args[0].ndim)
            result = self._reduce(_REDUCE[name], x, axes, bool(call.kwargs.get("keepdim", False)))
        elif handler is not None:
            result = handler(call, twin)
        else:
            raise ExportError(f"export: {name} has no ONNX mapping (called from the model's forward); cannot export")
        self.names[id(call.out)] = self.names[id(call.out._data)] = result

    def _arg(self, call: _Call, twin: _Call, i: int, dtype: Any = None) -> str:
        return self._value(call.args[i], twin.args[i], call.fn.__name__, dtype)

    def _kwarg(self, call: _Call, twin: _Call, key: str, default: Any = None) -> Any:
        value = call.kwargs.get(key, default)
        if not _same(value, twin.kwargs.get(key, default)):
            raise ExportError(
                f"export: {call.fn.__name__} gets {key}={value!r}, which changes with the batch size; ONNX cannot "
                "express that with a dynamic batch dimension"
            )
        return value

    # elementwise

    def _WhereFn(self, call: _Call, twin: _Call) -> str:
        dtype = call.out._data.dtype
        cond = self._arg(call, twin, 0, bool)
        return self._node("Where", [cond, self._arg(call, twin, 1, dtype), self._arg(call, twin, 2, dtype)])

    def _ClampFn(self, call: _Call, twin: _Call) -> str:
        dtype = call.out._data.dtype
        x = self._arg(call, twin, 0, dtype)
        lo, hi = ("" if call.args[i] is None else self._arg(call, twin, i, dtype) for i in (1, 2))
        if all(b is None or np.ndim(b) == 0 for b in call.args[1:3]):  # Clip takes scalar bounds only
            return self._node("Clip", [x, lo, hi])
        out = x if not lo else self._node("Max", [x, lo])  # tensor bounds broadcast: Max then Min
        return out if not hi else self._node("Min", [out, hi])

    def _CastFn(self, call: _Call, twin: _Call) -> str:
        return self._node("Cast", [self._arg(call, twin, 0)], to=self._type(call.out._data.dtype))

    def _LeakyReLUFn(self, call: _Call, twin: _Call) -> str:
        slope = float(self._kwarg(call, twin, "negative_slope", 0.01))
        return self._node("LeakyRelu", [self._arg(call, twin, 0)], alpha=slope)

    def _GELUFn(self, call: _Call, twin: _Call) -> str:
        x, dtype = self._arg(call, twin, 0), call.out._data.dtype
        approximate = self._kwarg(call, twin, "approximate", "none")
        if self.opset >= 20:
            return self._node("Gelu", [x], approximate=approximate)

        def c(v: float) -> str:
            return self._const(np.asarray(v, dtype=dtype))

        if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            cube = self._node("Mul", [self._node("Mul", [x, x]), x])
            inner = self._node("Add", [x, self._node("Mul", [cube, c(0.044715)])])
            t = self._node("Tanh", [self._node("Mul", [inner, c(math.sqrt(2.0 / math.pi))])])
        else:  # 0.5 x (1 + erf(x / sqrt 2))
            t = self._node("Erf", [self._node("Mul", [x, c(1.0 / math.sqrt(2.0))])])
        return self._node("Mul", [self._node("Mul", [x, c(0.5)]), self._node("Add", [t, c(1.0)])])

    # reductions

    def _VarFn(self, call: _Call, twin: _Call) -> str:
        x, t = self._arg(call, twin, 0), call.args[0]
        axes = self._axes(self._kwarg(call, twin, "dim"), t.ndim)
        keepdim = bool(self._kwarg(call, twin, "keepdim", False))
        correction = self._kwarg(call, twin, "correction", 1)
        count = math.prod(t.shape[a] for a in (axes if axes is not None else range(t.ndim)))
        if correction and count != math.prod(twin.args[0].shape[a] for a in (axes or range(t.ndim))):
            raise ExportError("export: var over the batch dimension with a correction cannot have a dynamic batch")
        centered = self._node("Sub", [x, self._reduce("ReduceMean", x, axes, True)])
        mean_square = self._reduce("ReduceMean", self._node("Mul", [centered, centered]), axes, keepdim)
        scale = self._const(np.asarray(count / max(count - correction, 0), dtype=call.out._data.dtype))
        return self._node("Mul", [mean_square, scale])

    def _SoftmaxFn(self, call: _Call, twin: _Call) -> str:
        return self._node("Softmax", [self._arg(call, twin, 0)], axis=int(self._kwarg(call, twin, "dim", -1)))

    def _LogSoftmaxFn(self, call: _Call, twin: _Call) -> str:
        return self._node("LogSoftmax", [self._arg(call, twin, 0)], axis=int(self._kwarg(call, twin, "dim", -1)))

    # movement

    def _ReshapeFn(self, call: _Call, twin: _Call) -> str:
        shape = self._shape(call.out.shape, twin.out.shape, "ReshapeFn", reshape=True)
        return self._node("Reshape", [self._arg(call, twin, 0), shape])

    def _PermuteFn(self, call: _Call, twin: _Call) -> str:
        ndim = call.args[0].ndim
        perm = [int(d) % ndim for d in self._kwarg(call, twin, "dims", ())]
        return self._node("Transpose", [self._arg(call, twin, 0)], perm=perm)

    def _ExpandFn(self, call: _Call, twin: _Call) -> str:
        shape = self._shape(call.out.shape, twin.out.shape, "ExpandFn")
        return self._node("Expand", [self._arg(call, twin, 0), shape])

    def _CatFn(self, call: _Call, twin: _Call) -> str:
        axis = int(self._kwarg(call, twin, "dim", 0)) % call.out.ndim
        parts = [self._arg(call, twin, i, call.out._data.dtype) for i in range(len(call.args))]
        return self._node("Concat", parts, axis=axis)

    def _StackFn(self, call: _Call, twin: _Call) -> str:
        axis = int(self._kwarg(call, twin, "dim", 0)) % call.out.ndim
        where = self._const(np.asarray([axis], np.int64), "axes")
        parts = [self._node("Unsqueeze", [self._arg(call, twin, i), where]) for i in range(len(call.args))]
        return self._node("Concat", parts, axis=axis)

    def _PadFn(self, call: _Call, twin: _Call) -> str:
        pad, ndim = self._kwarg(call, twin, "pad", ()), call.args[0].ndim
        lo, hi = [0] * ndim, [0] * ndim
        for i in range(len(pad) // 2):
            lo[ndim - 1 - i], hi[ndim - 1 - i] = pad[2 * i], pad[2 * i + 1]
        value = self._const(np.asarray(self._kwarg(call, twin, "value", 0.0), dtype=call.out._data.dtype))
        return self._node("Pad", [self._arg(call, twin, 0), self._const(np.asarray(lo + hi, np.int64)), value])

    # indexing

    def _IndexFn(self, call: _Call, twin: _Call) -> str:
        """Basic indexing (ints, slices, None, ...) as Slice/Squeeze/Unsqueeze, one integer array as Gather."""
        x, t = self._arg(call, twin, 0), call.args[0]
        index = self._kwarg(call, twin, "index")
        items = list(index) if isinstance(index, tuple) else [index]
        if sum(i is Ellipsis for i in items) > 1 or any(
            isinstance(i, (list, np.ndarray)) and np.asarray(i).dtype == bool for i in items
        ):
            raise ExportError("export: IndexFn with a bool mask or several ... has no ONNX mapping; cannot export")
        used = sum(i is not None and i is not Ellipsis for i in items)
        if Ellipsis in items:
            k = items.index(Ellipsis)
            items[k : k + 1] = [slice(None)] * (t.ndim - used)
        items += [slice(None)] * (t.ndim - used - sum(i is Ellipsis for i in items))
        arrays = [i for i in items if isinstance(i, (list, np.ndarray))]
        if len(arrays) > 1:
            raise ExportError("export: IndexFn with several index arrays has no ONNX mapping; cannot export")
        axis, squeeze, unsqueeze, starts, ends, steps, slice_axes = 0, [], [], [], [], [], []
        gather: tuple[int, Any] | None = None
        out_axis = 0
        for item in items:
            if item is None:
                unsqueeze.append(out_axis)
                out_axis += 1
                continue
            size = t.shape[axis]
            if isinstance(item, slice):
                start, stop, step = item.indices(size)
                if (start, stop, step) != (0, size, 1):
                    starts.append(start)
                    ends.append(stop if stop >= 0 else -(2**62))  # a negative step runs past index 0
                    steps.append(step)
                    slice_axes.append(axis)
                out_axis += 1
            elif isinstance(item, (list, np.ndarray)):
                gather = (axis, np.asarray(item))
                out_axis += 1
            else:
                k = int(item) % size
                starts.append(k)
                ends.append(k + 1)
                steps.append(1)
                slice_axes.append(axis)
                squeeze.append(axis)
            axis += 1
        out = x
        if slice_axes:
            consts = [self._const(np.asarray(v, np.int64)) for v in (starts, ends, slice_axes, steps)]
            out = self._node("Slice", [out, *consts])
        if gather is not None:
            g_axis, g_index = gather
            if g_index.ndim != 1:
                raise ExportError("export: IndexFn with a multi-dimensional index array has no ONNX mapping")
            out = self._node("Gather", [out, self._const(g_index.astype(np.int64), "index")], axis=g_axis)
        if squeeze:
            out = self._node("Squeeze", [out, self._const(np.asarray(squeeze, np.int64), "axes")])
        if unsqueeze:
            out = self._node("Unsqueeze", [out, self._const(np.asarray(unsqueeze, np.int64), "axes")])
        return out if out != x else self._node("Identity", [x])

    def _GatherFn(self, call: _Call, twin: _Call) -> str:
        axis = int(self._kwarg(call, twin, "dim", 0)) % call.args[0].ndim
        index = self._arg(call, twin, 1, np.int64)
        return self._node("GatherElements", [self._arg(call, twin, 0), index], axis=axis)

    def _EmbeddingFn(self, call: _Call, twin: _Call) -> str:
        return self._node("Gather", [self._arg(call, twin, 0), self._arg(call, twin, 1, np.int64)], axis=0)

    # layers

    def _MatMulFn(self, call: _Call, twin: _Call) -> str:
        return self._node("MatMul", [self._arg(call, twin, 0), self._arg(call, twin, 1)])

    def _LinearFn(self, call: _Call, twin: _Call) -> str:
        x, w = self._arg(call, twin, 0), self._arg(call, twin, 1)
        b = self._arg(call, twin, 2) if len(call.args) > 2 and call.args[2] is not None else None
        if call.args[0].ndim == 2:
            return self._node("Gemm", [x, w] + ([b] if b else []), transB=1)
        out = self._node("MatMul", [x, self._node("Transpose", [w], perm=[1, 0])])
        return self._node("Add", [out, b]) if b else out

    def _Conv2dFn(self, call: _Call, twin: _Call) -> str:
        if call.args[0].ndim != 4:
            raise ExportError("export: Conv2dFn on an unbatched (C, H, W) input has no ONNX mapping; add a batch")
        (top, bottom), (left, right) = self._kwarg(call, twin, "pads", ((0, 0), (0, 0)))
        inputs = [self._arg(call, twin, 0), self._arg(call, twin, 1)]
        if call.args[2] is not None:
            inputs.append(self._arg(call, twin, 2))
        return self._node(
            "Conv",
            inputs,
            kernel_shape=list(call.args[1].shape[2:]),
            strides=list(self._kwarg(call, twin, "stride", (1, 1))),
            dilations=list(self._kwarg(call, twin, "dilation", (1, 1))),
            group=int(self._kwarg(call, twin, "groups", 1)),
            pads=[top, left, bottom, right],
        )

    def _pool_input(self, call: _Call, twin: _Call) -> str:
        if call.args[0].ndim != 4:
            raise ExportError(f"export: {call.fn.__name__} on an unbatched (C, H, W) input has no ONNX mapping")
        return self._arg(call, twin, 0)

    def _MaxPool2dFn(self, call: _Call, twin: _Call) -> str:
        (top, bottom), (left, right) = self._kwarg(call, twin, "pads")
        return self._node(
            "MaxPool",
            [self._pool_input(call, twin)],
            kernel_shape=list(self._kwarg(call, twin, "kernel")),
            strides=list(self._kwarg(call, twin, "stride")),
            dilations=list(self._kwarg(call, twin, "dilation")),
            pads=[top, left, bottom, right],
        )

    def _AvgPool2dFn(self, call: _Call, twin: _Call) -> str:
        # ONNX divides every window by the kernel's size here; vinsgrad's divisor (padding counted or not, a last
        # partial window, divisor_override) is a per-window array, applied as one constant factor afterwards.
        kernel = self._kwarg(call, twin, "kernel")
        (top, bottom), (left, right) = self._kwarg(call, twin, "pads")
        mean = self._node(
            "AveragePool",
            [self._pool_input(call, twin)],
            kernel_shape=list(kernel),
            strides=list(self._kwarg(call, twin, "stride")),
            pads=[top, left, bottom, right],
            count_include_pad=1,
        )
        divisor = np.asarray(self._kwarg(call, twin, "divisor"), dtype=np.float64)
        factor = (kernel[0] * kernel[1] / divisor).astype(call.out._data.dtype)
        return mean if np.all(factor == 1) else self._node("Mul", [mean, self._const(factor, "divisor")])

    def _NormalizeFn(self, call: _Call, twin: _Call) -> str:
        t, dtype = call.args[0], call.out._data.dtype
        x = self._arg(call, twin, 0)
        axes = [int(a) % t.ndim for a in self._kwarg(call, twin, "axes", ())]
        param_shape = tuple(self._kwarg(call, twin, "param_shape", ()))
        eps = float(self._kwarg(call, twin, "eps", 1e-5))
        weight, bias = call.args[1], call.args[2] if len(call.args) > 2 else None
        mean, var = call.kwargs.get("mean"), call.kwargs.get("var")
        if mean is not None:  # batch norm with running statistics
            if not _same(mean, twin.kwargs.get("mean")) or not _same(var, twin.kwargs.get("var")):
                raise ExportError("export: NormalizeFn's statistics change with the batch size; cannot export")
            channels = t.shape[1]
            arrays: list[Any] = [mean, var]  # views of the running_mean and running_var buffers
            stats = [self._const(a.reshape(channels), name=self.state_names.get(id(a.base))) for a in arrays]
            ones, zeros = np.ones(channels, dtype), np.zeros(channels, dtype)
            scale = self._arg(call, twin, 1) if weight is not None else self._const(ones)
            shift = self._arg(call, twin, 2) if bias is not None else self._const(zeros)
            if axes == [0, *range(2, t.ndim)]:
                return self._node("BatchNormalization", [x, scale, shift, *stats], epsilon=eps)
            raise ExportError("export: NormalizeFn with running statistics over these axes has no ONNX mapping")
        if axes == list(range(t.ndim - len(axes), t.ndim)) and axes and param_shape == t.shape[axes[0] :]:
            normalized = t.shape[axes[0] :]
            scale = (
                self._reshaped(call, twin, 1, normalized)
                if weight is not None
                else self._const(np.ones(normalized, dtype))
            )
            inputs = [x, scale] + ([self._reshaped(call, twin, 2, normalized)] if bias is not None else [])
            return self._node("LayerNormalization", inputs, axis=axes[0], epsilon=eps)
        # any other axes (group norm, batch statistics): the formula
        centered = self._node("Sub", [x, self._reduce("ReduceMean", x, axes, True)])
        var_ = self._reduce("ReduceMean", self._node("Mul", [centered, centered]), axes, True)
        std = self._node("Sqrt", [self._node("Add", [var_, self._const(np.asarray(eps, dtype))])])
        out = self._node("Div", [centered, std])
        if weight is not None:
            out = self._node("Mul", [out, self._reshaped(call, twin, 1, param_shape)])
        if bias is not None:
            out = self._node("Add", [out, self._reshaped(call, twin, 2, param_shape)])
        return out

    def _reshaped(self, call: _Call, twin: _Call, i: int, shape: Sequence[int]) -> str:
        value = self._arg(call, twin, i)
        if tuple(call.args[i].shape) == tuple(shape):
            return value
        return self._node("Reshape", [value, self._const(np.asarray(shape, np.int64), "shape")])

    def _ScaledDotProductAttentionFn(self, call: _Call, twin: _Call) -> str:
        """softmax(q k^T * scale + mask) v as MatMul, Mul, Where/Add, Softmax, MatMul."""
        q, k, v = (self._arg(call, twin, i) for i in range(3))
        tq, tk = call.args[0], call.args[1]
        dtype = call.out._data.dtype
        if self._kwarg(call, twin, "dropout_p", 0.0) > 0.0 or self._kwarg(call, twin, "groups", 1) != 1:
            raise ExportError("export: ScaledDotProductAttentionFn with dropout or grouped heads has no ONNX mapping")
        scale = self._kwarg(call, twin, "scale")
        scale = 1.0 / math.sqrt(tq.shape[-1]) if scale is None else scale
        perm = [*range(tk.ndim - 2), tk.ndim - 1, tk.ndim - 2]
        scores = self._node("MatMul", [q, self._node("Transpose", [k], perm=perm)])
        scores = self._node("Mul", [scores, self._const(np.asarray(scale, dtype))])
        minus_inf = self._const(np.asarray(-np.inf, dtype))
        mask = call.args[3] if len(call.args) > 3 else None
        if mask is not None and mask._data.dtype == bool:
            scores = self._node("Where", [self._arg(call, twin, 3), scores, minus_inf])
        elif mask is not None:
            scores = self._node("Add", [scores, self._arg(call, twin, 3, dtype)])
        if self._kwarg(call, twin, "is_causal", False):
            length, source = tq.shape[-2], tk.shape[-2]
            allowed = self._const(np.tril(np.ones((length, source), dtype=bool)), "causal_mask")
            scores = self._node("Where", [allowed, scores, minus_inf])
        return self._node("MatMul", [self._node("Softmax", [scores], axis=-1), v])

    # recurrences: each fused layer unrolled over its (traced, fixed) number of time steps

    def _split(self, x: str, parts: int, size: int) -> list[str]:
        outs = [self._fresh("gate") for _ in range(parts)]
        sizes = self._const(np.asarray([size] * parts, np.int64), "split")
        self.nodes.append(self.h.make_node("Split", [x, sizes], outs, axis=-1))
        return outs

    def _recurrence(self, call: _Call, twin: _Call, step: Callable[[str, str, list[str]], list[str]]) -> str:
        """``step(x_t, h W_hh^T + b_hh, state) -> (output_t, *new state)`` for every t, outputs stacked on dim 0."""
        x, length = self._arg(call, twin, 0), call.args[0].shape[0]
        w_t = self._node("Transpose", [self._arg(call, twin, 1)], perm=[1, 0])
        bias = self._arg(call, twin, 2) if call.args[2] is not None else None
        state = [self._arg(call, twin, i) for i in range(3, len(call.args))]
        outputs: list[str] = [""] * length
        steps = range(length - 1, -1, -1) if self._kwarg(call, twin, "reverse", False) else range(length)
        for t in steps:
            x_t = self._node("Gather", [x, self._const(np.asarray(t, np.int64), "step")], axis=0)
            hidden = self._node("MatMul", [state[0], w_t])
            hidden = self._node("Add", [hidden, bias]) if bias is not None else hidden
            out, *state = step(x_t, hidden, state)
            outputs[t] = self._node("Unsqueeze", [out, self._const(np.asarray([0], np.int64), "axes")])
        return self._node("Concat", outputs, axis=0)

    def _LSTMFn(self, call: _Call, twin: _Call) -> str:
        size = call.args[1].shape[1]

        def step(x_t: str, hidden: str, state: list[str]) -> list[str]:
            i, f, g, o = self._split(self._node("Add", [x_t, hidden]), 4, size)  # PyTorch's gate order
            i, f, o, g = (
                self._node("Sigmoid", [i]),
                self._node("Sigmoid", [f]),
                self._node("Sigmoid", [o]),
                self._node("Tanh", [g]),
            )
            c = self._node("Add", [self._node("Mul", [f, state[1]]), self._node("Mul", [i, g])])
            h = self._node("Mul", [o, self._node("Tanh", [c])])
            return [self._node("Concat", [h, c], axis=-1), h, c]

        return self._recurrence(call, twin, step)

    def _GRUFn(self, call: _Call, twin: _Call) -> str:
        size = call.args[1].shape[1]

        def step(x_t: str, hidden: str, state: list[str]) -> list[str]:
            (xr, xz, xn), (hr, hz, hn) = self._split(x_t, 3, size), self._split(hidden, 3, size)
            r, z = (
                self._node("Sigmoid", [self._node("Add", [xr, hr])]),
                self._node("Sigmoid", [self._node("Add", [xz, hz])]),
            )
            n = self._node("Tanh", [self._node("Add", [xn, self._node("Mul", [r, hn])])])
            h = self._node("Add", [n, self._node("Mul", [z, self._node("Sub", [state[0], n])])])
            return [h, h]

        return self._recurrence(call, twin, step)

    def _RNNFn(self, call: _Call, twin: _Call) -> str:
        act = "Tanh" if self._kwarg(call, twin, "nonlinearity", "tanh") == "tanh" else "Relu"

        def step(x_t: str, hidden: str, state: list[str]) -> list[str]:
            h = self._node(act, [self._node("Add", [x_t, hidden])])
            return [h, h]

        return self._recurrence(call, twin, step)
