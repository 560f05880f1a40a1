"""Gradient checks of the reductions and scans added for the everyday tensor API (issue 13): prod, amin, norm,
cumsum, cumprod, logcumsumexp, and the selections (sort, topk, kthvalue, median, mode, cummax/cummin) whose
values are gathered so the gradient reaches the chosen elements."""

from __future__ import annotations

from typing import Any

import numpy as np

import vinsgrad
from vinsgrad.autograd import ops
from vinsgrad.testing.registry import case, inputs, randn_inputs


def with_zeros(*shape: int, zeros: int = 1) -> Any:
    """Standard-normal float64 values requiring grad, with ``zeros`` of them set to exactly 0 (prod, cumprod)."""

    def make(rng: np.random.Generator) -> vinsgrad.Tensor:
        a = rng.standard_normal(shape)
        a.reshape(-1)[rng.choice(a.size, zeros, replace=False)] = 0.0
        return vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=True)

    return make


for _dim, _keep in [(None, False), (1, False), (-1, True)]:
    _args = f"dim={_dim} keepdim={_keep}"
    case(f"prod (2,3,4) {_args}", (ops.ProdFn,), randn_inputs((2, 3, 4)))(
        lambda x, d=_dim, k=_keep: x.prod(d, keepdim=k)
    )
case("prod (3,4) one zero, dim=1", (ops.ProdFn,), inputs(with_zeros(3, 4)))(lambda x: x.prod(1))
case("prod (3,4) two zeros", (ops.ProdFn,), inputs(with_zeros(3, 4, zeros=2)))(lambda x: x.prod())
case(
    "amin (2,3) with a tie",
    (ops.AminFn,),
    lambda rng: (vinsgrad.tensor([[1.0, 0.5, 0.5], [2.0, 3.0, -1.0]], dtype=vinsgrad.float64, requires_grad=True),),
)(lambda x: x.amin(1))

for _dim in [0, 1, -1]:
    case(f"cumsum (2,3,4) dim={_dim}", (ops.CumsumFn,), randn_inputs((2, 3, 4)))(lambda x, d=_dim: x.cumsum(d))
    case(f"cumprod (2,3,4) dim={_dim}", (ops.CumprodFn,), randn_inputs((2, 3, 4)))(lambda x, d=_dim: x.cumprod(d))
    case(f"logcumsumexp (2,3,4) dim={_dim}", (ops.LogCumSumExpFn,), randn_inputs((2, 3, 4)))(
        lambda x, d=_dim: x.logcumsumexp(d)
    )
case("cumsum () dim=0", (ops.CumsumFn,), randn_inputs(()))(lambda x: x.cumsum(0))
case("cumprod (3,5) zeros, dim=1", (ops.CumprodFn,), inputs(with_zeros(3, 5, zeros=3)))(lambda x: x.cumprod(1))

SELECTIONS: dict[str, Any] = {
    "sort dim=1": lambda x: x.sort(1).values,
    "sort descending dim=0": lambda x: x.sort(0, descending=True).values,
    "topk 2": lambda x: x.topk(2).values,
    "topk 2 smallest dim=0": lambda x: x.topk(2, dim=0, largest=False).values,
    "kthvalue 2": lambda x: x.kthvalue(2).values,
    "median dim=1": lambda x: x.median(1).values,
    "cummax dim=1": lambda x: x.cummax(1).values,
    "cummin dim=0": lambda x: x.cummin(0).values,
    "max dim=1": lambda x: x.max(1).values,
}
for _name, _fn in SELECTIONS.items():
    case(f"{_name} (3,5)", (ops.GatherFn,), randn_inputs((3, 5)))(_fn)
case("median (3,5) all", (ops.IndexFn, ops.ReshapeFn), randn_inputs((3, 5)))(lambda x: x.median())
# NOTE: no gradcheck of mode: a perturbation that breaks a tie changes which value is the mode.
case("std_mean (3,4) dim=1", (ops.VarFn, ops.MeanFn), randn_inputs((3, 4)))(lambda x: vinsgrad.std_mean(x, 1))
case("sum dtype=float32->float64", (ops.SumFn,), randn_inputs((3, 4)))(lambda x: x.sum(1, dtype=vinsgrad.float64))
