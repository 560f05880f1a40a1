"""to_dot: the DOT text names every op with its output shape, names parameters, and survives deep graphs."""

from __future__ import annotations

import re

import pytest

import vinsgrad
import vinsgrad.nn as nn
from vinsgrad.utils.graph import to_dot


def parse(dot: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Node id -> label (DOT's \\n back to a newline) and the set of edges."""
    labels = {m[0]: m[1].replace("\\n", "\n") for m in re.findall(r'^\s*(n\d+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M)}
    edges = set(re.findall(r"^\s*(n\d+) -> (n\d+);", dot, re.M))
    return labels, edges


def by_label(labels: dict[str, str], text: str) -> str:
    (node,) = [k for k, v in labels.items() if v == text]
    return node


def test_two_layer_mlp_names_both_linear_layers_the_parameters_and_the_loss() -> None:
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    loss = nn.CrossEntropyLoss()(model(vinsgrad.randn(5, 4)), vinsgrad.tensor([0, 1, 0, 1, 1]))
    labels, edges = parse(to_dot(loss, params=dict(model.named_parameters())))
    assert sorted(labels.values()) == sorted(
        [
            "output\n() float32",
            "CrossEntropy\n() float32",
            "Linear\n(5, 2) float32",
            "Linear\n(5, 3) float32",
            "ReLU\n(5, 3) float32",
            "0.weight\n(3, 4) float32",
            "0.bias\n(3,) float32",
            "2.weight\n(2, 3) float32",
            "2.bias\n(2,) float32",
            "tensor\n(5, 4) float32",
            "tensor\n(5,) int64",
        ]
    )
    first, second = by_label(labels, "Linear\n(5, 3) float32"), by_label(labels, "Linear\n(5, 2) float32")
    relu, ce = by_label(labels, "ReLU\n(5, 3) float32"), by_label(labels, "CrossEntropy\n() float32")
    assert {
        (by_label(labels, "0.weight\n(3, 4) float32"), first),
        (by_label(labels, "tensor\n(5, 4) float32"), first),
        (first, relu),
        (relu, second),
        (by_label(labels, "2.bias\n(2,) float32"), second),
        (second, ce),
        (by_label(labels, "tensor\n(5,) int64"), ce),
        (ce, by_label(labels, "output\n() float32")),
    } <= edges
    assert len(edges) == 10


def test_shared_subexpression_is_one_node_and_a_repeated_input_one_edge() -> None:
    x = vinsgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y = (h * h + h).sum()
    labels, edges = parse(to_dot(y))
    assert sorted(labels.values()) == sorted(
        [
            "output\n() float32",
            "Sum\n() float32",
            "Add\n(2,) float32",
            "Mul\n(2,) float32",
            "Exp\n(2,) float32",
            "leaf\n(2,) float32",
        ]
    )
    exp, mul, add = (by_label(labels, f"{op}\n(2,) float32") for op in ("Exp", "Mul", "Add"))
    assert (exp, mul) in edges and (exp, add) in edges and (mul, add) in edges
    assert (
        len(edges) == 6
    )  # leaf->exp, exp->mul (once, although Mul uses h twice), exp->add, mul->add, add->sum, sum->out


def test_deep_graph_is_walked_without_recursion() -> None:
    x = vinsgrad.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    labels, edges = parse(to_dot(y))
    assert len(labels) == 5002 and len(edges) == 5001


def test_a_leaf_alone_and_dtype_shown() -> None:
    x = vinsgrad.zeros(2, 3, dtype=vinsgrad.float64)
    labels, edges = parse(to_dot(x))
    assert list(labels.values()) == ["output\n(2, 3) float64"] and not edges


def test_names_are_escaped() -> None:
    w = vinsgrad.tensor([1.0], requires_grad=True)
    dot = to_dot(w * 2, params={'odd "name"\\': w})
    assert 'label="odd \\"name\\"\\\\\\n(1,) float32"' in dot


def test_freed_graph_is_a_clear_error_and_retain_graph_keeps_it() -> None:
    x = vinsgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    assert "Mul" in to_dot(y)
    y.backward()
    with pytest.raises(RuntimeError, match="freed by backward"):
        to_dot(y)


def test_not_a_tensor() -> None:
    with pytest.raises(TypeError, match="expected a Tensor, got list"):
        to_dot([1.0])  # type: ignore[arg-type]
