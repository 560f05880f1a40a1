"""The computational graph behind a tensor, as Graphviz DOT text (what ``backward`` will walk, drawn).

Each op node shows the Function's name and the shape and dtype of what it computed; leaves that require grad show
their parameter name when ``params`` names them (``dict(model.named_parameters())``); tensors that need no
gradient (the input batch, the targets) are dashed; the tensor itself is the green node at the bottom.

Example::

    loss = loss_fn(model(x), y)
    text = to_dot(loss, params=dict(model.named_parameters()))
    Path("graph.dot").write_text(text)  # then: dot -Tsvg graph.dot -o graph.svg
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor

STYLES = {
    "op": 'shape=box, style="rounded,filled", fillcolor="#e8e8e8"',
    "param": 'shape=box, style=filled, fillcolor="#a6d0f5"',
    "leaf": 'shape=box, style=filled, fillcolor="#f5e6a6"',
    "constant": 'shape=box, style=dashed, fontcolor="#606060"',
    "output": 'shape=box, style=filled, fillcolor="#b5e8a6"',
}


def to_dot(tensor: Tensor, params: Mapping[str, Tensor] | None = None) -> str:
    """The graph that produced ``tensor`` (op nodes, leaves, edges from inputs to ops) as Graphviz DOT text.

    Args:
        tensor: the result of a computation recorded by autograd (e.g. a loss), before ``backward`` freed it.
        params: names for leaf tensors, e.g. ``dict(model.named_parameters())``.

    Raises:
        TypeError: ``tensor`` is not a Tensor.
        RuntimeError: ``backward`` already freed the graph (draw it first, or pass ``retain_graph=True``).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot expected a Tensor, got {type(tensor).__name__}")
    names = {id(p): name for name, p in (params or {}).items()}
    graph = _Graph(names)
    out = graph.add_node("output", _label("output", tensor))
    if tensor.grad_fn is None:
        return graph.render()
    root = graph.op_node(tensor.grad_fn, tensor)
    graph.edges.append((root, out))
    stack: list[Function] = [tensor.grad_fn]
    while stack:  # iterative, so a graph thousands of ops deep does not hit Python's recursion limit
        node = stack.pop()
        if node.freed:
            raise RuntimeError(
                "to_dot: the graph was freed by backward(); draw it before calling backward, or call "
                "backward(retain_graph=True)"
            )
        consumer = graph.ids[id(node)]
        for inp in node.inputs:
            if not isinstance(inp, Tensor):
                continue
            parent = inp.grad_fn
            if parent is None:
                graph.edges.append((graph.leaf_node(inp), consumer))
                continue
            if id(parent) not in graph.ids:
                stack.append(parent)
            graph.edges.append((graph.op_node(parent, inp), consumer))
    return graph.render()


class _Graph:
    """Nodes numbered in discovery order (so the text is deterministic) and the edges between them."""

    def __init__(self, names: dict[int, str]) -> None:
        self.names = names
        self.ids: dict[int, str] = {}  # id(Function or leaf Tensor) -> node id
        self.nodes: list[str] = []
        self.edges: list[tuple[str, str]] = []
        self.keep: list[Any] = []  # keeps every object whose id() is a key alive while the graph is walked

    def add_node(self, kind: str, label: str) -> str:
        node_id = f"n{len(self.nodes)}"
        self.nodes.append(f"  {node_id} [label={_quote(label)}, {STYLES[kind]}];")
        return node_id

    def op_node(self, fn: Function, output: Tensor) -> str:
        """The node of ``fn``, labelled with its output ``output``'s shape (added the first time it is seen)."""
        if id(fn) not in self.ids:
            self.keep.append(fn)
            self.ids[id(fn)] = self.add_node("op", _label(fn.op_name(), output))
        return self.ids[id(fn)]

    def leaf_node(self, t: Tensor) -> str:
        if id(t) not in self.ids:
            self.keep.append(t)
            name = self.names.get(id(t))
            kind = "param" if name is not None else "leaf" if t.requires_grad else "constant"
            self.ids[id(t)] = self.add_node(kind, _label(name or ("leaf" if t.requires_grad else "tensor"), t))
        return self.ids[id(t)]

    def render(self) -> str:
        edges = [f"  {a} -> {b};" for a, b in dict.fromkeys(self.edges)]  # an op using a tensor twice: one edge
        header = ["digraph vinsgrad {", "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];']
        return "\n".join([*header, *self.nodes, *edges, "}"]) + "\n"


def _label(title: str, t: Tensor) -> str:
    return f"{title}\n{tuple(t.shape)} {t._data.dtype}"


def _quote(text: str) -> str:
    """A DOT string literal (backslashes and quotes escaped, newlines as DOT's centred line break)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
