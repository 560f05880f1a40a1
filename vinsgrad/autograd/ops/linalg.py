"""Linear algebra: matrix products, einsum, vector norms and the singular-value matrix norms.

mm, bmm, mv, dot, outer, addmm, baddbmm, tensordot, trace and cross are composed from these (and movement ops)
in ``Tensor`` and ``vinsgrad.functions``; ``vinsgrad.linalg`` holds the norms.
"""

from __future__ import annotations

import string
from typing import Any

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.function import Function, unbroadcast
from vinsgrad.autograd.ops._utils import expand_reduced, normalize_dims


class MatMulFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        if x.ndim == 0 or y.ndim == 0:
            raise RuntimeError(f"matmul: both arguments need to be at least 1-D, got shapes {x.shape} and {y.shape}")
        kx, ky = x.shape[-1], (y.shape[-2] if y.ndim > 1 else y.shape[0])
        if kx != ky:
            raise RuntimeError(f"matmul: shapes {x.shape} and {y.shape} cannot be multiplied ({kx} != {ky})")
        try:
            xp.broadcast_shapes(x.shape[:-2], y.shape[:-2])
        except ValueError:
            raise RuntimeError(f"matmul: the batch dims of {x.shape} and {y.shape} do not broadcast") from None
        ctx.save_for_backward(x, y)
        return x @ y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        # Treat 1-D operands as a row (left) or a column (right) matrix, as matmul itself does, and give the
        # gradient back the dims that matmul dropped for them.
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g = grad
        if x.ndim == 1 or y.ndim == 1:
            g = grad.reshape((*xp.broadcast_shapes(x2.shape[:-2], y2.shape[:-2]), x2.shape[-2], y2.shape[-1]))
        gx = gy = None
        if nx:
            gx = unbroadcast(g @ xp.swapaxes(y2, -1, -2), x2.shape).reshape(x.shape)
        if ny:
            gy = unbroadcast(xp.swapaxes(x2, -1, -2) @ g, y2.shape).reshape(y.shape)
        return gx, gy


# **** einsum ****


def parse_einsum(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """Each operand's subscripts and the output's, with ``...`` spelled out as letters and the implicit output
    (no ``->``) made explicit: the broadcast dims, then the letters used once, in alphabetical order."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise RuntimeError(f"einsum(): the equation {equation!r} names {len(inputs)} operands, got {len(shapes)}")
    free = [c for c in string.ascii_letters if c not in equation]
    n_ellipsis = max(
        (len(s) - len(sub.replace("...", "")) for sub, s in zip(inputs, shapes) if "..." in sub), default=0
    )
    ellipsis = "".join(free[:n_ellipsis])
    subs = []
    for sub, shape in zip(inputs, shapes):
        if "..." in sub:
            sub = sub.replace("...", ellipsis[n_ellipsis - (len(shape) - len(sub) + 3) :])
        if len(sub) != len(shape) or not sub.isalpha():
            raise RuntimeError(f"einsum(): subscripts {sub!r} do not fit an operand with {len(shape)} dims")
        subs.append(sub)
    if arrow:
        out = rhs.replace("...", ellipsis)
    else:
        letters = "".join(subs)
        out = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    return subs, out


class EinsumFn(Function):
    """``einsum`` of any equation NumPy accepts; the gradient of an operand is an einsum of the output's
    gradient with the other operands, spread back over the letters it alone sums and over repeated letters."""

    @staticmethod
    def forward(ctx, *xs, equation=""):
        ctx.subs, ctx.out = parse_einsum(equation, [x.shape for x in xs])
        ctx.save_for_backward(*xs)
        try:
            return xp.asarray(xp.einsum(f"{','.join(ctx.subs)}->{ctx.out}", *xs, optimize=len(xs) > 2))
        except ValueError as e:
            shapes = ", ".join(str(tuple(x.shape)) for x in xs)
            raise RuntimeError(f"einsum(): {equation!r} does not fit operands of shapes {shapes}: {e}") from None

    @staticmethod
    def backward(ctx, grad):
        xs = ctx.saved_tensors
        sizes: dict[str, int] = {}
        for sub, x in zip(ctx.subs, xs):
            for c, n in zip(sub, x.shape):
                sizes[c] = max(sizes.get(c, 1), n)
        grads: list[Any] = []
        for k, (sub, x) in enumerate(zip(ctx.subs, xs)):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [(s, o) for j, (s, o) in enumerate(zip(ctx.subs, xs)) if j != k]
            known = set(ctx.out).union(*(s for s, _ in others))
            letters = "".join(dict.fromkeys(sub))  # unique, in order
            dim = {c: x.shape[sub.index(c)] for c in letters}
            # a letter only this operand has was summed away: its gradient is the same along it (broadcast);
            # so is a size-1 dim that broadcast against a larger one, whose gradient is summed instead
            kept = "".join(c for c in letters if c in known and not (dim[c] == 1 and sizes[c] > 1))
            operands = ",".join([ctx.out, *(s for s, _ in others)])
            g = xp.einsum(f"{operands}->{kept}", grad, *(o for _, o in others), optimize=len(others) > 1)
            g = g.reshape([g.shape[kept.index(c)] if c in kept else 1 for c in letters])
            g = xp.broadcast_to(g, [dim[c] for c in letters])  # also where the others had a size-1 dim
            if len(letters) < len(sub):  # a repeated letter (a diagonal, "ii->i"): write onto that diagonal
                full = xp.zeros(x.shape, dtype=grad.dtype)
                xp.einsum(f"{sub}->{letters}", full)[...] = g
                g = full
            grads.append(g.astype(grad.dtype, copy=False))
        return tuple(grads)


# **** norms ****


class VectorNormFn(Function):
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all dims for None); ord inf/-inf give max/min |x|, ord 0 counts the
    nonzero elements. The gradient at a zero norm is 0, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, ord=2, dim=None, keepdim=False):
        if x.dtype.kind != "f":
            raise RuntimeError(f"linalg.vector_norm: expected a floating point input, got {x.dtype}")
        axes = normalize_dims(dim, x.ndim)
        ctx.axes, ctx.keepdim, ctx.ord = axes, keepdim, float(ord)
        a = xp.abs(x)
        if ctx.ord == xp.inf:
            out = a.max(axis=axes, keepdims=keepdim, initial=0.0)
        elif ctx.ord == -xp.inf:
            out = a.min(axis=axes, keepdims=keepdim)
        elif ctx.ord == 0:
            out = (a != 0).sum(axis=axes, keepdims=keepdim).astype(x.dtype)
        elif ctx.ord == 1:
            out = a.sum(axis=axes, keepdims=keepdim)
        elif ctx.ord == 2:
            out = xp.sqrt((a * a).sum(axis=axes, keepdims=keepdim))
        else:
            out = (a**ctx.ord).sum(axis=axes, keepdims=keepdim) ** (1 / ctx.ord)
        ctx.save_for_backward(x, out)
        return xp.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p = ctx.ord
        grad = expand_reduced(grad, x.shape, ctx.axes, ctx.keepdim)
        norm = expand_reduced(out, x.shape, ctx.axes, ctx.keepdim)
        if p == 0:
            return xp.zeros_like(x)
        if p in (xp.inf, -xp.inf):  # shared evenly by the elements whose |x| is the norm
            hits = xp.abs(x) == norm
            count = hits.sum(axis=ctx.axes, keepdims=True)
            return xp.sign(x) * hits * grad / count
        if p == 1:
            return xp.sign(x) * grad
        safe = xp.where(norm == 0, 1, norm)
        scale = x / safe if p == 2 else x * xp.abs(x) ** (p - 2) / safe ** (p - 1)
        return xp.where(norm == 0, 0, scale) * grad


class SingularValueNormFn(Function):
    """A norm of each matrix (last two dims) from its singular values: ord 2 the largest, -2 the smallest,
    ``"nuc"`` their sum. The gradient is ``u v^T`` of the singular vectors used (unique for distinct values)."""

    @staticmethod
    def forward(ctx, a, ord=2):
        if ord not in (2, -2, "nuc"):
            raise ValueError(f"singular-value norm: ord must be 2, -2 or 'nuc', got {ord!r}")
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        ctx.ord = ord
        if ord == "nuc":
            ctx.save_for_backward(u @ vh)
            return s.sum(-1)
        k = 0 if ord == 2 else -1  # NumPy sorts singular values in descending order
        ctx.save_for_backward(u[..., :, k, None] * vh[..., k, None, :])
        return s[..., k]

    @staticmethod
    def backward(ctx, grad):
        (direction,) = ctx.saved_tensors
        return grad[..., None, None] * direction
