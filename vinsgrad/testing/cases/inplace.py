"""Gradient checks of writes: ``x[index] = v``, ``scatter``/``scatter_add`` and in-place ops recorded in the graph."""

from __future__ import annotations

import numpy as np

import vinsgrad
from vinsgrad.autograd import ops
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.testing.registry import case, inputs, randn, randn_inputs


def _setitem(index: object):
    def fn(x: Tensor, v: Tensor) -> Tensor:
        y = x * 1.0  # a non-leaf, so writing into it is recorded
        y[index] = v
        return y * y

    return fn


case("setitem (3,4)[1] = (4,)", (ops.IndexPutFn,), randn_inputs((3, 4), (4,)))(_setitem(1))
case("setitem (3,4)[:, 1:3] = (3,2)", (ops.IndexPutFn,), randn_inputs((3, 4), (3, 2)))(
    _setitem((slice(None), slice(1, 3)))
)
case("setitem (3,4)[mask] = (1,)", (ops.IndexPutFn,), randn_inputs((3, 4), (1,)))(
    _setitem(np.array([[True, False, True, False], [False, True, False, False], [True, True, False, True]]))
)
case("setitem (3,4)[tensor index] = (2,4)", (ops.IndexPutFn,), randn_inputs((3, 4), (2, 4)))(
    _setitem(vinsgrad.tensor([2, 0]))
)
case("scatter (3,4) dim=1", (ops.ScatterFn,), inputs(randn(3, 4), randn(3, 5)))(
    lambda x, s: x.scatter(1, vinsgrad.tensor([[0, 2], [3, 1], [1, 0]]), s)
)
case("scatter value (3,4) dim=0", (ops.ScatterFn,), randn_inputs((3, 4)))(
    lambda x: x.scatter(0, vinsgrad.tensor([[2, 0, 1, 1]]), value=0.5)
)
case("scatter_add (3,4) dim=0 repeats", (ops.ScatterFn,), inputs(randn(3, 4), randn(2, 4)))(
    lambda x, s: x.scatter_add(0, vinsgrad.tensor([[1, 1, 0, 2], [1, 0, 0, 2]]), s)
)


def _inplace_chain(x: Tensor, w: Tensor) -> Tensor:
    h = x * 2
    h += w  # rebases h's history
    h *= x
    h.sub_(w, alpha=0.5)
    h /= 3.0
    return h.masked_fill(vinsgrad.tensor([True, False, False]), 0.0)


case(
    "in-place chain += *= sub_ /= on a non-leaf",
    (ops.AddFn, ops.MulFn, ops.SubFn, ops.DivFn),
    randn_inputs((2, 3), (3,)),
)(_inplace_chain)
