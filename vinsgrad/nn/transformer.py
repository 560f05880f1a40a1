"""Attention layers: ``MultiheadAttention`` and the Transformer encoder and decoder layers, as in PyTorch.

Parameter names, shapes and state_dict keys are PyTorch's (``self_attn.in_proj_weight``,
``self_attn.out_proj.weight``, ``linear1.weight``, ``norm1.weight``, ...), so a state_dict copied from PyTorch
gives the same outputs. The attention itself is ``F.scaled_dot_product_attention`` (one fused op) unless the
caller asks for the attention weights.

NOTE on masks: ``MultiheadAttention`` and the Transformer layers follow PyTorch's convention that a True in a
boolean ``attn_mask`` or ``key_padding_mask`` means *not allowed to attend*, the opposite of
``scaled_dot_product_attention``'s "True = takes part"; float masks are added to the scores in both.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import vinsgrad
from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn import init
from vinsgrad.nn.containers import ModuleList
from vinsgrad.nn.dropout import Dropout
from vinsgrad.nn.linear import Linear
from vinsgrad.nn.module import Module, Parameter, factory_dtype
from vinsgrad.nn.normalization import LayerNorm


class NonDynamicallyQuantizableLinear(Linear):
    """The ``Linear`` of ``MultiheadAttention.out_proj``; its own class only so the printed tree reads as PyTorch's."""


# **** multi-head attention ****


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads: project query, key and value, attend per head, concatenate, project.

    Args:
        embed_dim: features of the query (and of the output).
        num_heads: heads; ``embed_dim`` must be divisible by it.
        dropout: dropout on the attention weights, in training.
        bias: learn ``in_proj_bias`` and ``out_proj.bias``.
        add_bias_kv: learn ``bias_k`` and ``bias_v`` (1, 1, E), appended to the projected keys and values as one
            more position that every query may attend to.
        add_zero_attn: append one more key and value of zeros (per head, after the projection).
        kdim, vdim: features of key and value (default ``embed_dim``); when they differ from ``embed_dim``, the
            projections are ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight`` instead of ``in_proj_weight``.
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).

    Shape: query (L, N, E), key (S, N, kdim), value (S, N, vdim), or unbatched without N; key_padding_mask (N, S),
    True = ignore that key; attn_mask (L, S) or (N * num_heads, L, S), True = not allowed ->
    output (L, N, E), weights (N, L, S) averaged over heads, (N, num_heads, L, S) if not
    ``average_attn_weights``, or None if not ``need_weights``.

    Example::

        mha = nn.MultiheadAttention(16, 4, batch_first=True)
        x = vinsgrad.randn(2, 5, 16)
        out, weights = mha(x, x, x)  # (2, 5, 16), (2, 5, 5)
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, value in (("embed_dim", embed_dim), ("num_heads", num_heads), ("kdim", kdim), ("vdim", vdim)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(f"MultiheadAttention: {name} must be a positive int, got {value!r}")
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim={embed_dim} and "
                f"num_heads={num_heads}"
            )
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"MultiheadAttention: dropout must be a probability in [0, 1], got {dropout!r}")
        dtype = factory_dtype("MultiheadAttention", device, dtype)
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first = float(dropout), batch_first
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(xp.empty((3 * embed_dim, embed_dim), dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(xp.empty((embed_dim, embed_dim), dtype=dtype))
            self.k_proj_weight = Parameter(xp.empty((embed_dim, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(xp.empty((embed_dim, self.vdim), dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(xp.empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self.bias_k: Parameter | None = None  # plain attributes unless add_bias_kv, as PyTorch: no state_dict entries
        self.bias_v: Parameter | None = None
        if add_bias_kv:
            self.bias_k = Parameter(xp.empty((1, 1, embed_dim), dtype=dtype))
            self.bias_v = Parameter(xp.empty((1, 1, embed_dim), dtype=dtype))
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """Xavier-uniform projections and zero biases, as PyTorch (``out_proj.weight`` keeps Linear's init)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        batched = self._check_inputs(query, key, value)
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            query, key, value = query.unsqueeze(batch_dim), key.unsqueeze(batch_dim), value.unsqueeze(batch_dim)
            key_padding_mask = None if key_padding_mask is None else key_padding_mask.unsqueeze(0)
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "MultiheadAttention: is_causal is a hint that attn_mask is the causal mask; pass that mask too "
                "(vinsgrad.nn.transformer.generate_square_subsequent_mask(L) builds it)"
            )
        N, L, S = query.shape[batch_dim], query.shape[1 - batch_dim], key.shape[1 - batch_dim]
        q, k, v = (self._split_heads(t, batch_dim) for t in self._project(query, key, value))
        extra = []  # keys (and values) appended to every sequence, each a position the masks must cover
        if self.bias_k is not None and self.bias_v is not None:
            extra.append((self._split_heads(self.bias_k, 0), self._split_heads(self.bias_v, 0)))
        if self.add_zero_attn:
            zeros = vinsgrad.zeros(1, self.num_heads, 1, self.head_dim, dtype=q.dtype)
            extra.append((zeros, zeros))
        for k_extra, v_extra in extra:
            k = vinsgrad.cat([k, k_extra.expand(N, -1, -1, -1)], dim=2)
            v = vinsgrad.cat([v, v_extra.expand(N, -1, -1, -1)], dim=2)
        mask = _merge_masks(attn_mask, key_padding_mask, N, self.num_heads, L, S, q.dtype, len(extra))
        p = self.dropout if self.training else 0.0
        weights = None
        if need_weights:  # the weights are wanted: the same math as small ops, so they can be returned
            scores = q @ k.transpose(-1, -2) * (1.0 / math.sqrt(self.head_dim))
            if mask is not None:
                scores = scores.masked_fill(~mask._data, -math.inf) if mask.dtype == xp.bool_ else scores + mask
            weights = F.dropout(scores.softmax(-1), p) if p > 0 else scores.softmax(-1)
            out = weights @ v
            weights = weights.mean(1) if average_attn_weights else weights
            weights = weights if batched else weights.squeeze(0)
        elif is_causal and key_padding_mask is None:
            out = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        # (N, H, L, hd) -> (L, N, E) or (N, L, E)
        out = out.permute(0, 2, 1, 3) if self.batch_first else out.permute(2, 0, 1, 3)
        lead = out.shape[:2]
        out = self.out_proj(out.reshape(lead[0] * lead[1], self.embed_dim)).reshape(*lead, self.embed_dim)
        return (out if batched else out.squeeze(batch_dim)), weights

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        E, b = self.embed_dim, self.in_proj_bias
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            w_q, w_k, w_v = w[:E], w[E : 2 * E], w[2 * E :]
        else:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        if b is None:
            return _linear(query, w_q, None), _linear(key, w_k, None), _linear(value, w_v, None)
        return _linear(query, w_q, b[:E]), _linear(key, w_k, b[E : 2 * E]), _linear(value, w_v, b[2 * E :])

    def _split_heads(self, t: Tensor, batch_dim: int) -> Tensor:
        """(L, N, E) or (N, L, E) -> (N, heads, L, head_dim)."""
        t = t.reshape(*t.shape[:2], self.num_heads, self.head_dim)
        return t.permute(0, 2, 1, 3) if batch_dim == 0 else t.permute(1, 2, 0, 3)

    def _check_inputs(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """Validate shapes; True when the inputs are batched (3-D)."""
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise RuntimeError(
                f"MultiheadAttention: query, key and value must all be 3-D (batched) or 2-D (unbatched), got "
                f"shapes {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
            )
        for name, t, dim in (("query", query, self.embed_dim), ("key", key, self.kdim), ("value", value, self.vdim)):
            if t.shape[-1] != dim:
                raise RuntimeError(
                    f"MultiheadAttention: expected {name} with {dim} features, got shape {tuple(t.shape)}"
                )
        if key.shape[:-1] != value.shape[:-1]:
            raise RuntimeError(
                f"MultiheadAttention: key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
            )
        if query.ndim == 3:
            b = 0 if self.batch_first else 1
            if query.shape[b] != key.shape[b]:
                raise RuntimeError(
                    f"MultiheadAttention: query has batch size {query.shape[b]} but key has {key.shape[b]}"
                )
        return query.ndim == 3

    def extra_repr(self) -> str:
        return ""


def _linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``F.linear`` on (A, B, features) as one 2-D matmul (NumPy runs a 3-D @ 2-D matmul as A small ones, 2-3x
    slower at transformer sizes)."""
    a, b, features = x.shape
    return F.linear(x.reshape(a * b, features), weight, bias).reshape(a, b, weight.shape[0])


def _merge_masks(
    attn_mask: Tensor | None,
    key_padding_mask: Tensor | None,
    N: int,
    H: int,
    L: int,
    S: int,
    dtype: Any,
    extra_keys: int = 0,
) -> Tensor | None:
    """attn_mask and key_padding_mask (True = not allowed, or additive floats) as one mask for the
    (N, H, L, S + extra_keys) scores: a bool mask with True = takes part when both are bool, else an additive
    float mask. The ``extra_keys`` appended by add_bias_kv / add_zero_attn are open to every query."""
    masks = []
    if attn_mask is not None:
        if attn_mask.ndim == 2 and tuple(attn_mask.shape) == (L, S):
            masks.append(attn_mask)
        elif attn_mask.ndim == 3 and tuple(attn_mask.shape) == (N * H, L, S):
            masks.append(attn_mask.reshape(N, H, L, S))
        else:
            raise RuntimeError(
                f"MultiheadAttention: attn_mask of shape {tuple(attn_mask.shape)} should be (L, S) = {(L, S)} "
                f"or (N * num_heads, L, S) = {(N * H, L, S)}"
            )
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (N, S):
            raise RuntimeError(
                f"MultiheadAttention: key_padding_mask of shape {tuple(key_padding_mask.shape)} should be "
                f"(N, S) = {(N, S)}"
            )
        masks.append(key_padding_mask.reshape(N, 1, 1, S))
    for m in masks:
        if m.dtype != xp.bool_ and not m.is_floating_point():
            raise TypeError(f"MultiheadAttention: masks must be bool or floating point, got dtype {m.dtype}")
    if not masks:
        return None
    if extra_keys:
        masks = [vinsgrad.cat([m, vinsgrad.zeros(*m.shape[:-1], extra_keys, dtype=m.dtype)], dim=-1) for m in masks]
    if all(m.dtype == xp.bool_ for m in masks):
        allowed = ~masks[0]._data
        for m in masks[1:]:
            allowed = allowed & ~m._data
        return Tensor(allowed)
    additive = [Tensor(xp.where(m._data, -xp.inf, 0.0).astype(dtype)) if m.dtype == xp.bool_ else m for m in masks]
    out = additive[0]
    for m in additive[1:]:
        out = out + m
    return out


# **** transformer layers ****


def _activation(name: str, activation: str | Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if callable(activation):
        return activation
    raise RuntimeError(f"{name}: activation should be relu/gelu or a callable, not {activation!r}")


def _layer_norms(count: int, d_model: int, eps: float, bias: bool, dtype: Any) -> list[LayerNorm]:
    return [LayerNorm(d_model, eps=eps, bias=bias, dtype=dtype) for _ in range(count)]


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward network, each with a residual connection, dropout and LayerNorm.

    ``norm_first=False`` (post-norm, the original Transformer): ``x = norm1(x + sa(x))``,
    ``x = norm2(x + ff(x))``; ``norm_first=True`` (pre-norm, as GPT): ``x = x + sa(norm1(x))``,
    ``x = x + ff(norm2(x))``, with ``ff(x) = linear2(dropout(activation(linear1(x))))``.

    Example::

        layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, batch_first=True)
        y = layer(vinsgrad.randn(2, 10, 32))  # (2, 10, 32)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype(type(self).__name__, device, dtype)
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1, self.norm2 = _layer_norms(2, d_model, layer_norm_eps, bias, dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.activation = _activation(type(self).__name__, activation)

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, mask: Tensor | None, padding: Tensor | None, is_causal: bool) -> Tensor:
        out = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=padding, need_weights=False, is_causal=is_causal)
        return self.dropout1(out[0])

    def _ff_block(self, x: Tensor) -> Tensor:
        flat = x.reshape(-1, x.shape[-1])  # one 2-D matmul per Linear (see _linear)
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(flat)))).reshape(x.shape))


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's output (``memory``), then a feed-forward network.

    Post-norm: ``x = norm1(x + sa(x))``, ``x = norm2(x + mha(x, memory))``, ``x = norm3(x + ff(x))``;
    ``norm_first=True`` moves each norm onto the branch's input, as in ``TransformerEncoderLayer``.

    Example::

        layer = nn.TransformerDecoderLayer(d_model=32, nhead=4, batch_first=True)
        y = layer(vinsgrad.randn(2, 7, 32), vinsgrad.randn(2, 10, 32))  # (2, 7, 32)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype(type(self).__name__, device, dtype)
        kwargs: dict[str, Any] = {"dropout": dropout, "bias": bias, "batch_first": batch_first, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, **kwargs)
        self.multihead_attn = MultiheadAttention(d_model, nhead, **kwargs)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1, self.norm2, self.norm3 = _layer_norms(3, d_model, layer_norm_eps, bias, dtype)
        self.dropout1, self.dropout2, self.dropout3 = Dropout(dropout), Dropout(dropout), Dropout(dropout)
        self.activation = _activation(type(self).__name__, activation)

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        x = tgt
        sa = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        mha = (memory_mask, memory_key_padding_mask, memory_is_causal)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), *sa)
            x = x + self._mha_block(self.norm2(x), memory, *mha)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, *sa))
        x = self.norm2(x + self._mha_block(x, memory, *mha))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, mask: Tensor | None, padding: Tensor | None, is_causal: bool) -> Tensor:
        out = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=padding, need_weights=False, is_causal=is_causal)
        return self.dropout1(out[0])

    def _mha_block(
        self, x: Tensor, memory: Tensor, mask: Tensor | None, padding: Tensor | None, is_causal: bool
    ) -> Tensor:
        out = self.multihead_attn(
            x, memory, memory, attn_mask=mask, key_padding_mask=padding, need_weights=False, is_causal=is_causal
        )
        return self.dropout2(out[0])

    def _ff_block(self, x: Tensor) -> Tensor:
        flat = x.reshape(-1, x.shape[-1])  # one 2-D matmul per Linear (see _linear)
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(flat)))).reshape(x.shape))


class TransformerEncoder(Module):
    """``num_layers`` independent copies of ``encoder_layer`` applied in turn, then ``norm`` if given.

    Example::

        layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, batch_first=True)
        encoder = nn.TransformerEncoder(layer, num_layers=3)
        y = encoder(vinsgrad.randn(2, 10, 32))  # (2, 10, 32)
    """

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
            raise ValueError(f"TransformerEncoder: num_layers must be a positive int, got {num_layers!r}")
        # deep copies, as PyTorch: the layers start equal but are trained separately
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        if is_causal is None:  # as PyTorch: a mask equal to the causal one lets attention take the causal path
            is_causal = mask is not None and _is_causal_mask(mask)
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal)
        return x if self.norm is None else self.norm(x)


def generate_square_subsequent_mask(sz: int, dtype: Any = None) -> Tensor:
    """The causal mask for ``sz`` positions as PyTorch builds it: 0.0 on and below the diagonal, -inf above."""
    dtype = vinsgrad.float32 if dtype is None else dtype
    return Tensor(xp.triu(xp.full((sz, sz), -xp.inf, dtype=xp.dtype(dtype)), 1))


def _is_causal_mask(mask: Tensor) -> bool:
    if mask.ndim != 2 or mask.shape[0] != mask.shape[1]:
        return False
    above = xp.triu(xp.ones(mask.shape, dtype=bool), 1)
    m = mask._data
    if m.dtype == bool:
        return bool((m == above).all())
    return bool(xp.isneginf(m[above]).all() and (m[~above] == 0).all())
