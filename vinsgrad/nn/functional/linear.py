"""``linear``: ``input @ weight.T + bias`` as one fused op (the math of ``nn.Linear``)."""

from __future__ import annotations

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor

# ---- linear ----


class LinearFn(Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        if x.ndim == 2:
            out = x @ weight.T
        else:
            # NOTE: (B, T, in) @ weight.T as a stacked matmul skips BLAS for the transposed operand (30x slower on
            # NumPy 2); folding the leading dims into one makes it a single BLAS call.
            out = (x.reshape(-1, x.shape[-1]) @ weight.T).reshape(*x.shape[:-1], weight.shape[0])
        if bias is not None:
            out += bias  # NOTE: in place: `out` is a fresh array, so this saves an allocation
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        # leading dims folded into one batch dim
        g2, x2 = (grad, x) if x.ndim == 2 else (grad.reshape(-1, grad.shape[-1]), x.reshape(-1, x.shape[-1]))
        gx = (g2 @ weight).reshape(x.shape) if needs[0] else None
        gw = g2.T @ x2 if needs[1] else None
        if len(needs) == 2:
            return gx, gw
        return gx, gw, xp.add.reduce(g2, axis=0) if needs[2] else None  # NOTE: g2.sum() is a Python wrapper


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, one fused op. Shape: input (*, in), weight (out, in), bias (out,) -> (*, out)."""
    x, w = input._data, weight._data
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1] or x.dtype != w.dtype:
        _raise_linear_mismatch(x, w)
    return LinearFn.apply(input, weight) if bias is None else LinearFn.apply(input, weight, bias)


def _raise_linear_mismatch(x: ndarray, w: ndarray) -> None:
    if x.dtype != w.dtype:
        raise TypeError(
            f"linear: input is {x.dtype} but the weight is {w.dtype}; cast the input (x.float()) or the "
            "model (model.double()) so they match"
        )
    raise ValueError(
        f"linear: input of shape {tuple(x.shape)} does not match weight of shape {tuple(w.shape)}: "
        f"the input's last dim must equal in_features={w.shape[-1]}"
    )
