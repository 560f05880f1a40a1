"""Gradient checks of the linear algebra of issue 13: einsum over every kind of equation, the products composed
from matmul, and the norms."""

from __future__ import annotations

import vinsgrad
from vinsgrad.autograd import ops
from vinsgrad.testing.registry import case, fmt, randn_inputs

EINSUM: dict[str, list[tuple[int, ...]]] = {
    "ij,jk->ik": [(3, 4), (4, 2)],
    "ij->ji": [(3, 4)],
    "ii->i": [(3, 3)],
    "ii": [(3, 3)],
    "iij->ij": [(2, 2, 3)],
    "ij->": [(3, 4)],
    "ij->i": [(3, 4)],
    "i,j->ij": [(3,), (4,)],
    "bij,bjk->bik": [(2, 3, 4), (2, 4, 5)],
    "...ij,...jk": [(2, 3, 4), (4, 2)],
    "...ij,...jk->...ik": [(2, 1, 3, 4), (3, 4, 2)],
    "ij,jk,kl->il": [(2, 3), (3, 4), (4, 2)],
    "ij,ij->i": [(3, 1), (3, 4)],
    "i,i": [(3,), (3,)],
    "ii,i->i": [(3, 3), (3,)],
}
for _eq, _shapes in EINSUM.items():
    _label = ",".join(fmt(s) for s in _shapes)
    case(f"einsum {_eq} {_label}", (ops.EinsumFn,), randn_inputs(*_shapes))(
        lambda *xs, eq=_eq: vinsgrad.einsum(eq, *xs)
    )

case("tensordot (2,3,4),(3,4,2) dims=2", (ops.EinsumFn,), randn_inputs((2, 3, 4), (3, 4, 2)))(
    lambda a, b: vinsgrad.tensordot(a, b, 2)
)
case("tensordot (2,3,4),(4,2,5) dims=([0,2],[1,0])", (ops.EinsumFn,), randn_inputs((2, 3, 4), (4, 2, 5)))(
    lambda a, b: vinsgrad.tensordot(a, b, dims=([0, 2], [1, 0]))
)
case("mm (3,4),(4,2)", (ops.MatMulFn,), randn_inputs((3, 4), (4, 2)))(lambda a, b: a.mm(b))
case("bmm (2,3,4),(2,4,2)", (ops.MatMulFn,), randn_inputs((2, 3, 4), (2, 4, 2)))(lambda a, b: a.bmm(b))
case("mv (3,4),(4,)", (ops.MatMulFn,), randn_inputs((3, 4), (4,)))(lambda a, b: a.mv(b))
case("dot (5,),(5,)", (ops.MatMulFn,), randn_inputs((5,), (5,)))(lambda a, b: a.dot(b))
case("outer (3,),(4,)", (ops.MulFn, ops.ReshapeFn), randn_inputs((3,), (4,)))(lambda a, b: a.outer(b))
case("addmm (2,),(3,4),(4,2) beta alpha", (ops.MatMulFn, ops.MulFn, ops.AddFn), randn_inputs((2,), (3, 4), (4, 2)))(
    lambda c, a, b: c.addmm(a, b, beta=0.5, alpha=2)
)
case("baddbmm (2,3,2),(2,3,4),(2,4,2)", (ops.MatMulFn, ops.AddFn), randn_inputs((2, 3, 2), (2, 3, 4), (2, 4, 2)))(
    lambda c, a, b: c.baddbmm(a, b)
)
case("trace (3,4)", (ops.DiagonalFn, ops.SumFn), randn_inputs((3, 4)))(lambda x: x.trace())
case("cross (2,3),(1,3) dim -1", (ops.StackFn, ops.MulFn, ops.SubFn), randn_inputs((2, 3), (1, 3)))(
    lambda a, b: vinsgrad.linalg.cross(a, b)
)
case("cross (3,2),(3,2) dim None", (ops.StackFn, ops.MulFn, ops.SubFn), randn_inputs((3, 2), (3, 2)))(
    lambda a, b: vinsgrad.cross(a, b)
)

NORMS = {
    "2": dict(ord=2),
    "1 dim 1": dict(ord=1, dim=1),
    "3 dims (0,1) keepdim": dict(ord=3, dim=(0, 1), keepdim=True),
    "0.5 dim 0": dict(ord=0.5, dim=0),
    "inf": dict(ord=float("inf")),
    "-inf dim 0": dict(ord=float("-inf"), dim=0),
    "0": dict(ord=0),
}
for _name, _kwargs in NORMS.items():
    case(f"vector_norm (3,4) ord {_name}", (ops.VectorNormFn,), randn_inputs((3, 4)))(
        lambda x, kw=_kwargs: vinsgrad.linalg.vector_norm(x, **kw)
    )
case("linalg.norm (3,4) fro", (ops.VectorNormFn,), randn_inputs((3, 4)))(lambda x: vinsgrad.linalg.norm(x))
case("Tensor.norm (3,4) fro dim 1 keepdim", (ops.VectorNormFn,), randn_inputs((3, 4)))(
    lambda x: x.norm(dim=1, keepdim=True)
)
case("Tensor.norm (3,4) nuc", (ops.SingularValueNormFn,), randn_inputs((3, 4)))(lambda x: x.norm("nuc"))
for _ord in [1, -1, float("inf"), float("-inf")]:
    case(f"matrix_norm (2,3,4) ord {_ord}", (ops.AmaxFn, ops.SumFn, ops.AbsFn), randn_inputs((2, 3, 4)))(
        lambda x, o=_ord: vinsgrad.linalg.matrix_norm(x, o)
    )
for _sv_ord in [2, -2, "nuc"]:
    case(f"matrix_norm (2,3,4) ord {_sv_ord}", (ops.SingularValueNormFn,), randn_inputs((2, 3, 4)))(
        lambda x, o=_sv_ord: vinsgrad.linalg.matrix_norm(x, o)
    )
case("matrix_norm (3,2,4) nuc dim (2,0) keepdim", (ops.SingularValueNormFn, ops.PermuteFn), randn_inputs((3, 2, 4)))(
    lambda x: vinsgrad.linalg.matrix_norm(x, "nuc", dim=(2, 0), keepdim=True)
)
