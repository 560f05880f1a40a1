"""Reductions (sum, mean, var, amax, logsumexp) and the normalisations along a dim (softmax, log_softmax)."""

from __future__ import annotations

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.ops._utils import expand_reduced, normalize_dims

# **** reductions ****


class SumFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes = normalize_dims(dim, x.ndim)
        ctx.shape, ctx.keepdim = x.shape, keepdim
        return x.sum(axis=ctx.axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return xp.broadcast_to(expand_reduced(grad, ctx.shape, ctx.axes, ctx.keepdim), ctx.shape)


class MeanFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes = normalize_dims(dim, x.ndim)
        ctx.shape, ctx.keepdim = x.shape, keepdim
        out = x.mean(axis=ctx.axes, keepdims=keepdim)
        ctx.count = x.size // max(out.size, 1) if x.size else 0
        return out

    @staticmethod
    def backward(ctx, grad):
        g = expand_reduced(grad, ctx.shape, ctx.axes, ctx.keepdim) / ctx.count
        return xp.broadcast_to(g, ctx.shape)


class VarFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        axes = normalize_dims(dim, x.ndim)
        centered = x - x.mean(axis=axes, keepdims=True)
        n = x.size if axes is None else int(xp.prod([x.shape[a] for a in axes]))
        ctx.save_for_backward(centered)
        # NOTE: with n <= correction PyTorch returns nan (inf for a positive sum) rather than raising; so do we.
        ctx.axes, ctx.keepdim, ctx.denominator = axes, keepdim, float(max(n - correction, 0))
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (centered * centered).sum(axis=axes, keepdims=keepdim) / xp.asarray(ctx.denominator, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved_tensors
        g = expand_reduced(grad, centered.shape, ctx.axes, ctx.keepdim)
        scale = 2 / ctx.denominator if ctx.denominator else float("nan")
        return g * scale * centered


class AmaxFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes = normalize_dims(dim, x.ndim)
        out = x.max(axis=ctx.axes, keepdims=True)
        ctx.save_for_backward(x, out)
        ctx.keepdim = keepdim
        return out if keepdim else (out.reshape(()) if ctx.axes is None else out.squeeze(ctx.axes))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        # Ties share the gradient evenly, as PyTorch's amax does.
        mask = xp.asarray(x == out, dtype=grad.dtype)
        g = expand_reduced(grad, x.shape, ctx.axes, ctx.keepdim)
        return g * mask / mask.sum(axis=ctx.axes, keepdims=True)


class LogSumExpFn(Function):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        axes = normalize_dims(dim, x.ndim)
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        with xp.errstate(divide="ignore"):  # all -inf along the dims: the answer is -inf, as in PyTorch
            out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out if keepdim else (out.reshape(()) if axes is None else out.squeeze(axes))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        with xp.errstate(invalid="ignore"):  # -inf - -inf where everything was -inf: nan, as in PyTorch
            return expand_reduced(grad, x.shape, ctx.axes, ctx.keepdim) * xp.exp(x - out)


class SoftmaxFn(Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        e = xp.exp(x - x.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(axis=ctx.dim, keepdims=True))


class LogSoftmaxFn(Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        shifted = x - x.max(axis=dim, keepdims=True)
        out = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - xp.exp(out) * grad.sum(axis=ctx.dim, keepdims=True)
