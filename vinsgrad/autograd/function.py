"""``Function``: one differentiable op, forward and backward side by side, and the engine that runs backward.

A Function works in array land: ``forward`` receives the raw arrays of its Tensor arguments (other arguments
pass through unchanged) and returns an array; ``backward`` receives the gradient of the output as an array and
returns one gradient per positional argument of ``forward`` (None where no gradient is needed). ``apply`` wraps
the result in a Tensor and, when recording, links it to its inputs so ``Tensor.backward`` can walk back.

Example::

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    y = Square.apply(vinsgrad.tensor([3.0], requires_grad=True))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from vinsgrad.autograd import grad_mode, versions
from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.tensor import Tensor


class Function:
    """Base class of every differentiable op; an instance is the op's node in the graph (and its ``ctx``)."""

    # Set by apply() when the op is recorded:
    inputs: tuple[Any, ...]  # the positional arguments of forward, Tensors among them
    needs_input_grad: tuple[bool, ...]
    saved_tensors: tuple[Any, ...] = ()
    saved_versions: tuple[int, ...] | None = None  # None: every saved array was at version 0
    hooks: list[Callable[[Tensor], Tensor | None]] | None = None  # the output tensor's hooks
    freed = False
    returns_view = False  # True for ops whose output may share its input's memory (reshape, permute, x[i], ...)

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep what backward needs (and only that: saved arrays stay alive until backward frees them)."""
        self.saved_tensors = arrays
        if versions.any_modified():  # NOTE: skipped until the first in-place op ever, so the hot path pays nothing
            self.saved_versions = tuple(versions.version(a) for a in arrays if isinstance(a, ndarray))

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """The nodes that made this node's inputs, as PyTorch's ``(node, output index)`` pairs: an input's
        ``grad_fn``, an ``AccumulateGrad`` for a leaf that requires grad, else None."""
        nodes: list[tuple[Any, int]] = []
        for inp in self.inputs if hasattr(self, "inputs") else ():
            if not isinstance(inp, Tensor) or not inp.requires_grad:
                nodes.append((None, 0))
            else:
                nodes.append((inp.grad_fn if inp.grad_fn is not None else AccumulateGrad(inp), 0))
        return tuple(nodes)

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> ndarray:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Any, grad_output: ndarray) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run forward on ``args`` and return the result as a Tensor that remembers how it was made."""
        ctx = cls()
        # NOTE: one plain loop for both lists (half the cost of two comprehensions): this runs for every op.
        raw: list[Any] = []
        needs_list: list[bool] = []
        for a in args:
            if isinstance(a, Tensor):
                raw.append(a._data)
                needs_list.append(a.requires_grad)
            else:
                raw.append(a)
                needs_list.append(False)
        ctx.needs_input_grad = needs = tuple(needs_list)
        try:
            out = cls.forward(ctx, *raw, **kwargs)
        except ValueError as e:  # NumPy's shape errors say neither the op nor the tensors: add both
            raise _shape_error(cls.__name__, [a._data.shape for a in args if isinstance(a, Tensor)], e) from None
        result = Tensor(out if type(out) is ndarray else xp.asarray(out))
        if grad_mode._enabled and True in needs:
            ctx.inputs = args
            result.requires_grad = True
            result.grad_fn = ctx
        return result

    @classmethod
    def op_name(cls) -> str:
        """The op's name, as graphs and ``grad_fn`` reprs show it: the class name without its ``Fn`` suffix."""
        return cls.__name__.removesuffix("Fn")

    def __repr__(self) -> str:
        return f"<{self.op_name()}Backward0>"  # PyTorch's spelling, e.g. <AddBackward0>


def unbroadcast(grad: ndarray, shape: tuple[int, ...]) -> ndarray:
    """Sum ``grad`` back down to ``shape``: the adjoint of NumPy broadcasting."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and grad.shape[i + lead] != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape) if axes else grad.reshape(shape)


# **** the engine ****


def run_backward(
    tensor: Tensor,
    gradient: Tensor | ndarray | float | None,
    retain_graph: bool,
    inputs: list[Tensor] | None = None,
) -> None:
    """Accumulate d(tensor)/d(leaf) into every leaf's ``.grad`` (the engine behind ``Tensor.backward``);
    with ``inputs``, into those tensors' ``.grad`` only.

    Invariant: a node runs once, after every consumer of its output has added its gradient.

    The idea, in five lines::

        grads = {root: seed}
        for node in consumers_first(root):            # topological order, outputs before inputs
            g = grads.pop(node)
            for inp, g_inp in zip(node.inputs, node.backward(g)):
                grads[inp] += g_inp                    # a leaf's total goes into .grad at the end

    Leaves are accumulated (and their hooks run) once, with their summed gradient, as in PyTorch.
    """
    seed = _initial_gradient(_checked_root(tensor), gradient)
    grad_buffers = LeafGradients(caller_arrays=() if gradient is None else (seed,))
    if inputs is None:
        leaves, _ = propagate([(tensor, seed)], retain_graph)
        for leaf, leaf_grad in leaves.values():
            grad_buffers.accumulate(leaf, leaf_grad)
        return
    for t, g in zip(inputs, gradients_of(inputs, [(tensor, seed)], retain_graph)):
        if g is not None:
            grad_buffers.accumulate(t, g)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` (summed, each weighted by its ``grad_outputs`` entry) with respect to each of
    ``inputs``, as a tuple; unlike ``backward`` no ``.grad`` is touched. ``inputs`` may be non-leaf tensors.

    An input no gradient reaches is an error unless ``allow_unused`` (then None) or ``materialize_grads`` (zeros).
    ``create_graph=True`` is not supported: backward computes on arrays, so gradients have no graph of their own
    (no higher-order derivatives in vinsgrad).

    Example::

        x = vinsgrad.tensor([1.0, 2.0], requires_grad=True)
        (g,) = vinsgrad.autograd.grad((x ** 3).sum(), x)  # 3 x^2: tensor([ 3., 12.])
    """
    if create_graph:
        raise NotImplementedError(
            "autograd.grad(create_graph=True): vinsgrad's backward computes on arrays, so a gradient has no graph "
            "to differentiate again (no higher-order derivatives); use create_graph=False"
        )
    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) is not supported: loop over grad_outputs")
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        seeds: list[Any] = [grad_outputs] * len(outs)
    else:
        seeds = list(grad_outputs)
    if len(seeds) != len(outs):
        raise RuntimeError(f"grad: got {len(seeds)} grad_outputs for {len(outs)} outputs; pass one per output")
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: inputs[{i}] does not require grad (create it with requires_grad=True)")
    roots = [(_checked_root(t), _initial_gradient(t, g)) for t, g in zip(outs, seeds)]
    found = gradients_of(ins, roots, bool(retain_graph))  # create_graph=True was refused above
    result: list[Tensor | None] = []
    for i, (t, g) in enumerate(zip(ins, found)):
        if g is None and materialize_grads:
            g = xp.zeros_like(t._data)
        elif g is None and not allow_unused:
            raise RuntimeError(
                f"grad: inputs[{i}] was not used to compute the outputs, so it has no gradient; "
                "pass allow_unused=True to get None for it"
            )
        result.append(None if g is None else Tensor(xp.array(g, dtype=t._data.dtype)))  # a copy: it is the caller's
    return tuple(result)


def _checked_root(tensor: Tensor) -> Tensor:
    if not tensor.requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: nothing to "
            "differentiate (did you create the inputs with requires_grad=True, or run under no_grad()?)"
        )
    return tensor


def propagate(
    roots: list[tuple[Tensor, ndarray]], retain_graph: bool, capture: frozenset[int] = frozenset()
) -> tuple[dict[int, tuple[Tensor, ndarray]], dict[int, ndarray]]:
    """Push each root's seed gradient back through the graph. Returns the summed gradient of every leaf reached
    (``id(leaf) -> (leaf, grad)``) and of every node whose id is in ``capture`` (``id(node) -> grad``)."""
    leaves: dict[int, tuple[Tensor, ndarray]] = {}
    captured: dict[int, ndarray] = {}
    pending: dict[int, ndarray] = {}
    nodes = []
    for t, seed in roots:
        node = t.grad_fn
        if node is None:
            prev_leaf = leaves.get(id(t))
            leaves[id(t)] = (t, seed if prev_leaf is None else prev_leaf[1] + seed)
        else:
            prev = pending.get(id(node))
            pending[id(node)] = seed if prev is None else prev + seed
            nodes.append(node)
    if not nodes:
        return leaves, captured
    with grad_mode.no_grad():
        for node in consumers_first(*nodes):
            grad = pending.pop(id(node), None)  # None: every consumer returned None for this input
            if grad is not None:
                if node.hooks:
                    grad = _run_hooks(node.hooks, grad)
                if id(node) in capture:
                    captured[id(node)] = grad
                _backward_node(node, grad, pending, leaves)
            if not retain_graph:
                node.saved_tensors = node.inputs = ()
                node.freed = True
    return leaves, captured


def gradients_of(inputs: list[Tensor], roots: list[tuple[Tensor, ndarray]], retain_graph: bool) -> list[ndarray | None]:
    """d(sum of roots)/d(input) for each of ``inputs`` (leaves or not), None where no gradient reaches it.
    No ``.grad`` is touched."""
    capture = frozenset(id(t.grad_fn) for t in inputs if t.grad_fn is not None)
    leaves, captured = propagate(roots, retain_graph, capture)
    out: list[ndarray | None] = []
    for t in inputs:
        if t.grad_fn is not None:
            out.append(captured.get(id(t.grad_fn)))
        else:
            found = leaves.get(id(t))
            out.append(None if found is None else found[1])
    return out


def consumers_first(*roots: Function) -> list[Function]:
    """Every node reachable from ``roots``, each one after all the nodes that consume its output.

    Kahn's algorithm, iterative so a 100,000-op chain needs no recursion: count each node's consumers, then
    release a node when its last consumer has been placed. (Marking nodes as seen when they are first pushed on
    a DFS stack is not enough on a DAG: a node reached again further down another branch would run too early.)
    """
    consumers: dict[int, int] = {}
    stack = []
    for root in roots:
        if id(root) not in consumers:
            consumers[id(root)] = 0
            stack.append(root)
    starts = list(stack)
    while stack:
        for parent in _parents(stack.pop()):
            if id(parent) in consumers:
                consumers[id(parent)] += 1
            else:
                consumers[id(parent)] = 1
                stack.append(parent)
    order, ready = [], [r for r in starts if consumers[id(r)] == 0]  # a root another root consumes waits its turn
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in _parents(node):
            consumers[id(parent)] -= 1
            if consumers[id(parent)] == 0:
                ready.append(parent)
    return order


def _parents(node: Function) -> list[Function]:
    """The nodes that made ``node``'s tensor inputs (one entry per use, so ``x * x`` lists x's node twice)."""
    if node.freed:
        _raise_freed()
    return [inp.grad_fn for inp in node.inputs if isinstance(inp, Tensor) and inp.grad_fn is not None]


def _backward_node(
    node: Function, grad: ndarray, pending: dict[int, ndarray], leaves: dict[int, tuple[Tensor, ndarray]]
) -> None:
    """Run one node's backward (its output's hooks already applied to ``grad``) and add each input's gradient to
    what that input has received so far."""
    if versions.any_modified():
        _check_saved_versions(node)
    grads = type(node).backward(node, grad)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(node.inputs):
        raise RuntimeError(
            f"{type(node).__name__}.backward returned {len(grads)} gradients, expected {len(node.inputs)} "
            "(one per positional argument of forward, None where no gradient is needed)"
        )
    for i, (inp, need, gi) in enumerate(zip(node.inputs, node.needs_input_grad, grads)):
        if gi is None or not need:
            continue
        data = inp._data
        # NOTE: `is not` on dtypes is the cheap test; a false alarm only costs a call to _conform
        if type(gi) is not ndarray or gi.shape != data.shape or gi.dtype is not data.dtype:
            gi = _conform(node, i, inp, gi)
        parent = inp.grad_fn
        if parent is None:
            key = id(inp)
            prev_leaf = leaves.get(key)
            leaves[key] = (inp, gi) if prev_leaf is None else (inp, prev_leaf[1] + gi)
        else:
            key = id(parent)
            prev = pending.get(key)
            pending[key] = gi if prev is None else prev + gi


def _check_saved_versions(node: Function) -> None:
    """Raise PyTorch's error if an array ``node`` saved for backward was modified in place since."""
    saved = [a for a in node.saved_tensors if isinstance(a, ndarray)]
    expected = node.saved_versions or (0,) * len(saved)
    for i, (a, then) in enumerate(zip(saved, expected)):
        now = versions.version(a)
        if now != then:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                f"saved array {i} of {node!r}, shape {tuple(a.shape)} {a.dtype}, is at version {now}; expected "
                f"version {then} instead. Compute it out of place (x = x + 1, not x += 1), or clone() it first"
            )


def _conform(node: Function, i: int, inp: Tensor, g: Any) -> ndarray:
    """``g`` as a gradient for input ``i`` of ``node``: summed over broadcast dims and cast to the input's dtype
    (as PyTorch's engine does), or a clear error when no such reading exists."""
    g = xp.asarray(g)
    shape = inp._data.shape
    if g.shape != shape:
        try:
            expandable = xp.broadcast_shapes(shape, g.shape) == g.shape
        except ValueError:
            expandable = False
        if not expandable:
            raise RuntimeError(
                f"{type(node).__name__}.backward returned a gradient of shape {tuple(g.shape)} for input {i}, "
                f"expected the input's shape {tuple(shape)}"
            )
        g = unbroadcast(g, shape)
    return g if g.dtype == inp._data.dtype else g.astype(inp._data.dtype)


def _shape_error(op: str, shapes: list[tuple[int, ...]], e: ValueError) -> Exception:
    """NumPy's ValueError from a forward, as PyTorch raises it: RuntimeError for shapes that don't broadcast
    (in PyTorch's words), IndexError for a dim out of range, ValueError otherwise; naming the op and the shapes."""
    where = f"{op} on shapes {', '.join(str(s) for s in shapes)}"
    if isinstance(e, xp.exceptions.AxisError):
        return IndexError(f"{where}: {e}")
    if "could not be broadcast" not in str(e):
        return ValueError(f"{where}: {e}")
    for i, a in enumerate(shapes):
        for b in shapes[i + 1 :]:
            for d in range(1, min(len(a), len(b)) + 1):
                if 1 != a[-d] != b[-d] != 1:
                    dim = max(len(a), len(b)) - d
                    return RuntimeError(
                        f"{where}: The size of tensor a ({a[-d]}) must match the size of tensor b ({b[-d]}) "
                        f"at non-singleton dimension {dim}"
                    )
    return RuntimeError(f"{where}: {e}")


def _run_hooks(hooks: list[Callable[[Tensor], Tensor | None]], g: ndarray) -> ndarray:
    for hook in hooks:
        new = hook(Tensor(g))
        if new is not None:
            g = new._data if isinstance(new, Tensor) else xp.asarray(new)
    return g


def _raise_freed() -> None:
    raise RuntimeError(
        "Trying to backward through the graph a second time (its saved arrays were freed after the first "
        "backward). Call .backward(retain_graph=True) the first time if you need to backward twice."
    )


def _initial_gradient(tensor: Tensor, gradient: Tensor | ndarray | float | None) -> ndarray:
    if gradient is None:
        if tensor._data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, but this tensor has shape "
                f"{tuple(tensor.shape)}: pass backward(gradient=...) of that shape, or reduce it first "
                f"(e.g. .sum())"
            )
        return xp.ones(tensor._data.shape, tensor._data.dtype)  # NOTE: not ones_like, a Python-level wrapper
    g = xp.asarray(gradient._data if isinstance(gradient, Tensor) else gradient, dtype=tensor._data.dtype)
    if g.shape != tensor._data.shape:
        raise RuntimeError(
            f"backward: gradient has shape {tuple(g.shape)}, expected the output's shape {tuple(tensor.shape)}"
        )
    return g


class LeafGradients:
    """Adds each leaf's gradient into its ``.grad``, adopting the gradient array itself when that is safe.

    Why not always copy: a fresh gradient array (from a matmul, say) that nothing else can see can become the
    ``.grad`` buffer as it is, which saves one allocation and copy per parameter per step; that is measurable on
    the seed MLP in ``make bench`` (Linear forward+backward at batch 64). It is safe only if no other leaf
    adopted the same memory in this backward (``adopted``, by the array that owns it), the caller of
    ``backward(gradient=...)`` cannot see it, it is writeable, and its dtype and shape are the leaf's own.
    Later steps add in place into the kept buffer.
    """

    def __init__(self, caller_arrays: tuple[ndarray, ...]) -> None:
        self.adopted = {id(versions.owner(a)) for a in caller_arrays}

    def accumulate(self, t: Tensor, g: ndarray) -> None:
        if t._hooks:
            g = _run_hooks(t._hooks, g)
        if t.grad is not None:
            if not isinstance(t.grad, Tensor):  # `p.grad = 0.` is accepted by the slot but is no gradient buffer
                raise TypeError(
                    f".grad of a tensor of shape {tuple(t.shape)} is a {type(t.grad).__name__}, expected a Tensor or "
                    "None (reset gradients with p.grad = None or p.grad.zero_())"
                )
            t.grad._data += g  # NOTE: in place, so a buffer kept across steps is reused, never reallocated
            return
        owner = id(g if g.base is None else versions.owner(g))
        if owner in self.adopted or not g.flags.writeable or g.dtype is not t._data.dtype or g.shape != t._data.shape:
            g = xp.array(xp.broadcast_to(g, t._data.shape), dtype=t._data.dtype)
        else:
            self.adopted.add(owner)
        t.grad = Tensor(g)


class AccumulateGrad:
    """The node ``next_functions`` shows for a leaf: where its gradient is accumulated into ``.grad``."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    next_functions: tuple[tuple[Any, int], ...] = ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"
