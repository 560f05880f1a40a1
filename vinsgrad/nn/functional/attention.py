"""``scaled_dot_product_attention``: ``softmax(q @ k.T * scale + mask) @ v`` as one fused op (the math of attention)."""

from __future__ import annotations

import math
from typing import Any

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.ops._utils import CACHE_BLOCK, cache_blocks
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.random import rng

# ---- scaled dot-product attention ----


class ScaledDotProductAttentionFn(Function):
    """Forward keeps the attention probabilities, so backward is four matmuls and one softmax adjoint.

    With S = q k^T * scale + mask, P = softmax(S), A = dropout(P), O = A v:
    dV = A^T dO, dA = dO V^T, dP = dA * keep / (1-p), dS = P * (dP - rowsum(dP * P)), dQ = dS K * scale,
    dK = dS^T Q * scale, and a float mask's gradient is dS (summed over the dims it was broadcast along).

    The leading dims (batch, heads) are flattened into one stack of n (L, S) problems, worked through a few at a
    time so that each block of scores stays in cache through the softmax's passes (1.2x forward, 1.4x backward
    on a GPT's (32, 4, 128, 128) scores). A bool mask becomes an additive one (0 where True, -inf where False).
    """

    @staticmethod
    def forward(ctx, q, k, v, attn_mask=None, *, dropout_p=0.0, is_causal=False, scale=None, groups=1):
        if groups > 1:  # grouped-query attention: each key/value head serves `groups` query heads
            k, v = xp.repeat(k, groups, axis=-3), xp.repeat(v, groups, axis=-3)
        (L, E), (S, Ev) = q.shape[-2:], v.shape[-2:]
        scale = 1.0 / math.sqrt(E) if scale is None else scale
        mask = _additive_mask(attn_mask, is_causal, L, S, q.dtype)
        full = xp.broadcast_shapes((*q.shape[:-2], L, S), (*k.shape[:-2], L, S), (*v.shape[:-2], L, S))
        if mask is not None:
            full = xp.broadcast_shapes(full, mask.shape)
        lead = full[:-2]
        n = math.prod(lead)
        # NOTE: NumPy's stacked matmul leaves BLAS when an operand is strided (q, k, v are usually views of one
        # qkv projection) or its second operand transposed: 10x slower. So every operand is a contiguous stack,
        # k^T too; q is scaled in the copy (cheaper than scaling the (L, S) scores) and kept so for backward.
        qs = (xp.broadcast_to(q, (*lead, L, E)) * q.dtype.type(scale)).reshape(n, L, E)
        k3 = xp.ascontiguousarray(xp.broadcast_to(k, (*lead, S, E))).reshape(n, S, E)
        v3 = xp.ascontiguousarray(xp.broadcast_to(v, (*lead, S, Ev))).reshape(n, S, Ev)
        kT = xp.ascontiguousarray(xp.swapaxes(k3, 1, 2))
        mask3 = None if mask is None else xp.broadcast_to(mask, full).reshape(n, L, S)
        probs, out = xp.empty((n, L, S), dtype=q.dtype), xp.empty((n, L, Ev), dtype=q.dtype)
        attn, keep, dropout_scale = probs, None, 0.0
        if dropout_p > 0.0:
            keep = rng().random((n, L, S), dtype=q.dtype) >= dropout_p
            dropout_scale = 0.0 if dropout_p >= 1.0 else 1.0 / (1.0 - dropout_p)
            attn = xp.empty_like(probs)
        for b in _blocks(n, L, S):
            p = probs[b]
            xp.matmul(qs[b], kT[b], out=p)
            if mask3 is not None:
                p += mask3[b]
            _safe_softmax(p)
            if keep is not None:
                xp.multiply(p, keep[b], out=attn[b])
                attn[b] *= dropout_scale
            xp.matmul(attn[b], v3[b], out=out[b])
        ctx.save_for_backward(qs, k3, v3, probs, attn, keep)
        ctx.scale, ctx.dropout_scale, ctx.groups, ctx.shapes = scale, dropout_scale, groups, (lead, full)
        return out.reshape((*lead, L, Ev))

    @staticmethod
    def backward(ctx, grad):
        qs, k3, v3, probs, attn, keep = ctx.saved_tensors
        needs = ctx.needs_input_grad
        need_mask = len(needs) > 3 and needs[3]
        (n, L, S), E, Ev = probs.shape, qs.shape[-1], v3.shape[-1]
        lead, full = ctx.shapes
        grad = xp.ascontiguousarray(grad).reshape(n, L, Ev)  # see forward's NOTE
        vT = xp.ascontiguousarray(xp.swapaxes(v3, 1, 2))
        dq, dk, dv = xp.empty_like(qs), xp.empty_like(k3), xp.empty_like(v3)
        d_scores = xp.empty_like(probs) if need_mask else xp.empty((min(n, _block_size(L, S)), L, S), probs.dtype)
        for b in _blocks(n, L, S):
            P, g = probs[b], grad[b]
            if needs[2]:
                xp.matmul(xp.swapaxes(attn[b], 1, 2), g, out=dv[b])
            dS = d_scores[b] if need_mask else d_scores[: b.stop - b.start]
            xp.matmul(g, vT[b], out=dS)  # dA, then dP, then dS = P * (dP - rowsum(dP * P)), in place
            if keep is not None:
                dS *= keep[b]
                dS *= ctx.dropout_scale
            dS -= xp.einsum("nij,nij->ni", dS, P)[..., None]
            dS *= P
            if needs[0]:
                xp.matmul(dS, k3[b], out=dq[b])
            if needs[1]:
                xp.matmul(xp.swapaxes(dS, 1, 2), qs[b], out=dk[b])  # qs holds q * scale already
        if needs[0]:
            dq *= dq.dtype.type(ctx.scale)
        dq, dk, dv = dq.reshape((*lead, L, E)), dk.reshape((*lead, S, E)), dv.reshape((*lead, S, Ev))
        if ctx.groups > 1:  # the adjoint of repeat: sum the gradients of the query heads that shared a head
            dk, dv = _sum_groups(dk, ctx.groups), _sum_groups(dv, ctx.groups)
        grads = (dq, dk, dv, d_scores.reshape(full) if need_mask else None)
        return tuple(g if need else None for g, need in zip(grads, needs))  # an unneeded one was never filled


def _block_size(L: int, S: int) -> int:
    """How many (L, S) score matrices make a block: about 1 MB of float32, at least one."""
    return max(1, (4 * CACHE_BLOCK) // max(1, L * S))


def _blocks(n: int, L: int, S: int) -> list[slice]:
    return cache_blocks(n, _block_size(L, S))


def _additive_mask(attn_mask: ndarray | None, is_causal: bool, L: int, S: int, dtype: Any) -> ndarray | None:
    """What to add to the scores: a float mask as given; for a bool mask or ``is_causal``, 0 where a pair takes
    part and -inf where it does not (causal: a top-left aligned lower triangle)."""
    if is_causal:
        return xp.triu(xp.full((L, S), -xp.inf, dtype=dtype), 1)
    if attn_mask is not None and attn_mask.dtype == bool:
        return xp.where(attn_mask, dtype.type(0), dtype.type(-xp.inf))
    return attn_mask


def _safe_softmax(scores: ndarray) -> ndarray:
    """Softmax over the last dim, in place; a row that attends to nothing (all -inf) gives zeros, not NaN."""
    # NOTE: fmax's reduction is 1.6x faster than max's; a NaN row still comes out NaN (exp(NaN) poisons the sum).
    # The row sums are a matrix-vector product, 2x faster than sum().
    row_max = xp.fmax.reduce(scores, axis=-1, keepdims=True)
    row_max[~xp.isfinite(row_max)] = 0.0
    scores -= row_max
    xp.exp(scores, out=scores)
    total = scores @ xp.ones(scores.shape[-1], dtype=scores.dtype)
    total[total == 0] = 1.0
    scores *= (1.0 / total)[..., None]
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
