"""Linear algebra: matrix products."""

from __future__ import annotations

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.function import Function, unbroadcast


class MatMulFn(Function):
    @staticmethod
    def forward(ctx, x, y):
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError("both arguments to matmul need to be at least 1-D")
        kx, ky = x.shape[-1], (y.shape[-2] if y.ndim > 1 else y.shape[0])
        if kx != ky:
            raise ValueError(f"shapes {tuple(x.shape)} and {tuple(y.shape)} cannot be multiplied ({kx} != {ky})")
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
