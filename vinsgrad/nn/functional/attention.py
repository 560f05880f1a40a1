"""``scaled_dot_product_attention``: ``softmax(q @ k.T * scale + mask) @ v`` as one fused op (the math of attention)."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.random import rng

# ---- scaled dot-product attention ----


class ScaledDotProductAttentionFn(Function):
    """Forward keeps the attention probabilities, so backward is four matmuls and one softmax adjoint.

    With S = q k^T * scale + mask, P = softmax(S), A = dropout(P), O = A v:
    dV = A^T dO, dA = dO V^T, dP = dA * keep / (1-p), dS = P * (dP - rowsum(dP * P)), dQ = dS K * scale,
    dK = dS^T Q * scale, and a float mask's gradient is dS (summed over the dims it was broadcast along).
    """

    @staticmethod
    def forward(ctx, q, k, v, attn_mask=None, *, dropout_p=0.0, is_causal=False, scale=None, groups=1):
        if groups > 1:  # grouped-query attention: each key/value head serves `groups` query heads
            k, v = xp.repeat(k, groups, axis=-3), xp.repeat(v, groups, axis=-3)
        scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
        # NOTE: NumPy's stacked matmul leaves BLAS when an operand is strided (q, k, v are usually views of one
        # qkv projection) or its second operand transposed: 10x slower. Contiguous copies (and k^T made
        # contiguous) keep every product in BLAS, forward and backward.
        q, k, v = xp.ascontiguousarray(q), xp.ascontiguousarray(k), xp.ascontiguousarray(v)
        scores = q @ xp.ascontiguousarray(xp.swapaxes(k, -1, -2))
        scores *= scores.dtype.type(scale)
        if attn_mask is not None:
            full = xp.broadcast_shapes(scores.shape, attn_mask.shape)
            if full != scores.shape:  # the mask has more dims than q @ k.T: give the scores them too
                scores = xp.broadcast_to(scores, full).copy()
            if attn_mask.dtype == bool:
                # NOTE: copyto(where=) is 20x faster than scores[~mask] = -inf (boolean indexing gathers)
                xp.copyto(scores, -xp.inf, where=~attn_mask)
            else:
                scores += attn_mask
        if is_causal:
            L, S = scores.shape[-2:]
            xp.copyto(scores, -xp.inf, where=xp.triu(xp.ones((L, S), dtype=bool), 1))
        probs = _safe_softmax(scores)
        attn = probs
        keep = None
        if dropout_p > 0.0:
            keep = rng().random(probs.shape, dtype=probs.dtype) >= dropout_p
            attn = probs * keep * probs.dtype.type(0.0 if dropout_p >= 1.0 else 1.0 / (1.0 - dropout_p))
        ctx.save_for_backward(q, k, v, probs, attn, keep)
        ctx.scale, ctx.dropout_p, ctx.groups = scale, dropout_p, groups
        return attn @ v

    @staticmethod
    def backward(ctx, grad):
        q, k, v, probs, attn, keep = ctx.saved_tensors
        needs = ctx.needs_input_grad
        grad = xp.ascontiguousarray(grad)  # see forward's NOTE
        dv = xp.swapaxes(attn, -1, -2) @ grad if needs[2] else None
        d_probs = grad @ xp.ascontiguousarray(xp.swapaxes(v, -1, -2))
        if keep is not None:
            d_probs *= keep * d_probs.dtype.type(0.0 if ctx.dropout_p >= 1.0 else 1.0 / (1.0 - ctx.dropout_p))
        # dS = P * (dP - rowsum(dP * P)), in place on dP's buffer (three (..., L, S) temporaries fewer)
        row = (d_probs * probs).sum(axis=-1, keepdims=True)
        d_scores = d_probs
        d_scores -= row
        d_scores *= probs
        scale = d_scores.dtype.type(ctx.scale)
        dq = d_scores @ k if needs[0] else None
        dk = xp.swapaxes(d_scores, -1, -2) @ q if needs[1] else None
        for g in (dq, dk):
            if g is not None:
                g *= scale
        if ctx.groups > 1:  # the adjoint of repeat: sum the gradients of the query heads that shared a head
            dk = None if dk is None else _sum_groups(dk, ctx.groups)
            dv = None if dv is None else _sum_groups(dv, ctx.groups)
        grads = (dq, dk, dv, d_scores if len(needs) > 3 and needs[3] else None)
        return grads[: len(needs)]


def _safe_softmax(scores: ndarray) -> ndarray:
    """Softmax over the last dim, in place; a row that attends to nothing (all -inf) gives zeros, not NaN."""
    # NOTE: fmax's reduction is 1.6x faster than max's; a NaN row still comes out NaN (exp(NaN) poisons the sum)
    row_max = xp.fmax.reduce(scores, axis=-1, keepdims=True)
    row_max[~xp.isfinite(row_max)] = 0.0
    scores -= row_max
    xp.exp(scores, out=scores)
    total = scores.sum(axis=-1, keepdims=True)
    total[total == 0] = 1.0
    scores /= total
    return scores


def _sum_groups(g: ndarray, groups: int) -> ndarray:
    *lead, heads, n, e = g.shape
    return g.reshape(*lead, heads // groups, groups, n, e).sum(axis=-3)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``softmax(query @ key.T * scale + mask) @ value``, one fused op with its own backward.

    Args:
        attn_mask: broadcastable to (..., L, S); a bool mask marks with True the pairs that take part, a float
            mask is added to the scores (and receives a gradient).
        dropout_p: dropout on the attention weights, drawn from vinsgrad's default generator.
        is_causal: position i attends to positions j <= i only (a top-left aligned lower triangle).
        scale: defaults to 1/sqrt(E).
        enable_gqa: key and value may have fewer heads (dim -3) than query, a divisor of them.

    A query row whose every key is masked out gives a zero output row.

    Shape: query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev).

    Example::

        q = k = v = vinsgrad.randn(2, 4, 16, 8)  # (batch, heads, tokens, head dim)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (2, 4, 16, 8)
    """
    _check_attention_args(query, key, value, attn_mask, dropout_p, is_causal)
    groups = 1
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        hq, hk = query.shape[-3], key.shape[-3]
        if hk == 0 or hq % hk or value.shape[-3] != hk:
            raise RuntimeError(
                f"scaled_dot_product_attention: with enable_gqa the query's {hq} heads must be a multiple of the "
                f"key's and value's heads, got key {hk} and value {value.shape[-3]}"
            )
        groups = hq // hk
    kwargs: dict[str, Any] = {"dropout_p": float(dropout_p), "is_causal": is_causal, "scale": scale, "groups": groups}
    if attn_mask is None:
        return ScaledDotProductAttentionFn.apply(query, key, value, **kwargs)
    if attn_mask.dtype != xp.bool_ and attn_mask.dtype != query.dtype:
        attn_mask = attn_mask.to(query.dtype)
    return ScaledDotProductAttentionFn.apply(query, key, value, attn_mask, **kwargs)


def _check_attention_args(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, p: float, is_causal: bool) -> None:
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(
            f"scaled_dot_product_attention: query, key and value need at least 2 dims (..., tokens, features), "
            f"got shapes {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query (..., L, E) {tuple(q.shape)}, key (..., S, E) {tuple(k.shape)} "
            f"and value (..., S, Ev) {tuple(v.shape)} must agree on E and S"
        )
    if not (q.dtype == k.dtype == v.dtype) or not q.is_floating_point():
        raise RuntimeError(
            f"scaled_dot_product_attention: query, key and value must have one floating dtype, got "
            f"{q.dtype}, {k.dtype} and {v.dtype}"
        )
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be in [0, 1], got {p}")
    if is_causal and mask is not None:
        raise RuntimeError("scaled_dot_product_attention: pass either attn_mask or is_causal=True, not both")
    if mask is not None:
        if not isinstance(mask, Tensor):
            raise TypeError(f"scaled_dot_product_attention: attn_mask must be a Tensor or None, got {type(mask)}")
        target = (*q.shape[:-1], k.shape[-2])
        try:
            xp.broadcast_shapes(tuple(mask.shape), target)
        except ValueError:
            raise RuntimeError(
                f"scaled_dot_product_attention: attn_mask of shape {tuple(mask.shape)} does not broadcast to the "
                f"attention scores' shape {target} (..., L, S)"
            ) from None
