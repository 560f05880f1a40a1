"""Gradient checks of the sequence layers: attention, recurrent layers and transformer blocks."""

from __future__ import annotations

import numpy as np

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
from vinsgrad.autograd import ops
from vinsgrad.nn.transformer import NonDynamicallyQuantizableLinear
from vinsgrad.testing.registry import case, inputs, module_inputs, randn, randn_inputs, same_mask

# **** scaled dot-product attention ****

_SDPA = (F.ScaledDotProductAttentionFn,)


def _bool_mask(*shape: int):  # a fixed pattern with one fully masked row (its output must be zeros)
    def make(rng):
        m = rng.random(shape) < 0.6
        m[..., 0, :] = False
        m[..., 1, 0] = True
        return vinsgrad.tensor(m)

    return make


case("sdpa (2,3,4) L=3 S=3", _SDPA, randn_inputs((2, 3, 4), (2, 3, 4), (2, 3, 4)))(
    lambda q, k, v: F.scaled_dot_product_attention(q, k, v)
)
case("sdpa (1,2,3,4) S=5 Ev=2 scale=0.7", _SDPA, randn_inputs((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 2)))(
    lambda q, k, v: F.scaled_dot_product_attention(q, k, v, scale=0.7)
)
case("sdpa (2,2,4,3) causal", _SDPA, randn_inputs((2, 2, 4, 3), (2, 2, 4, 3), (2, 2, 4, 3)))(
    lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True)
)
case(
    "sdpa (2,2,3,4) bool mask (3,5) with a fully masked row",
    _SDPA,
    inputs(randn(2, 2, 3, 4), randn(2, 2, 5, 4), randn(2, 2, 5, 3), _bool_mask(3, 5)),
)(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m))
case(
    "sdpa (2,3,4) float mask (1,3,5) with its gradient",
    _SDPA,
    randn_inputs((2, 3, 4), (2, 5, 4), (2, 5, 2), (1, 3, 5)),
)(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m))
case("sdpa (2,3,4) dropout 0.3", _SDPA, randn_inputs((2, 3, 4), (2, 3, 4), (2, 3, 4)))(
    same_mask(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=0.3))
)
case("sdpa (1,4,3,2) gqa 2 kv heads", _SDPA, randn_inputs((1, 4, 3, 2), (1, 2, 3, 2), (1, 2, 3, 2)))(
    lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
)

# **** recurrent layers ****

_LSTM = (F.LSTMFn, F.LinearFn, nn.LSTM)
_GRU = (F.GRUFn, F.LinearFn, nn.GRU)
_RNN = (F.RNNFn, F.LinearFn, nn.RNN)

case("LSTMFn T=3 B=2 H=2", (F.LSTMFn,), randn_inputs((3, 2, 8), (8, 2), (8,), (2, 2), (2, 2)))(
    lambda x, w, b, h, c: F.LSTMFn.apply(x, w, b, h, c)
)
case("LSTMFn reverse no bias", (F.LSTMFn,), randn_inputs((3, 2, 8), (8, 2), (2, 2), (2, 2)))(
    lambda x, w, h, c: F.LSTMFn.apply(x, w, None, h, c, reverse=True)
)
case("GRUFn T=3 B=2 H=2 reverse", (F.GRUFn,), randn_inputs((3, 2, 6), (6, 2), (6,), (2, 2)))(
    lambda x, w, b, h: F.GRUFn.apply(x, w, b, h, reverse=True)
)
case("RNNFn tanh T=4 B=2 H=3", (F.RNNFn,), randn_inputs((4, 2, 3), (3, 3), (3,), (2, 3)))(
    lambda x, w, b, h: F.RNNFn.apply(x, w, b, h)
)
case(
    "LSTM(3,2,num_layers=2,bidirectional) (3,2,3) with (h0,c0)",
    _LSTM,
    module_inputs(
        lambda: nn.LSTM(3, 2, num_layers=2, bidirectional=True), randn(3, 2, 3), randn(4, 2, 2), randn(4, 2, 2)
    ),
)(lambda m, x, h, c, *p: (lambda out, hc: (out, *hc))(*m(x, (h, c))))
case(
    "LSTM(3,2,batch_first,bias=False) unbatched (4,3)",
    _LSTM,
    module_inputs(lambda: nn.LSTM(3, 2, bias=False, batch_first=True), randn(4, 3)),
)(lambda m, x, *p: (lambda out, hc: (out, *hc))(*m(x)))
case(
    "LSTM(3,2,num_layers=2,dropout=0.5) (3,2,3)",
    (*_LSTM, ops.MulFn),
    module_inputs(lambda: nn.LSTM(3, 2, num_layers=2, dropout=0.5), randn(3, 2, 3)),
)(same_mask(lambda m, x, *p: m(x)[0]))
case(
    "GRU(3,2,batch_first,bidirectional) (2,3,3) with hx",
    _GRU,
    module_inputs(lambda: nn.GRU(3, 2, batch_first=True, bidirectional=True), randn(2, 3, 3), randn(2, 2, 2)),
)(lambda m, x, h, *p: m(x, h))
case(
    "RNN(3,2,num_layers=2,relu) (4,2,3)",
    _RNN,
    module_inputs(lambda: nn.RNN(3, 2, num_layers=2, nonlinearity="relu"), randn(4, 2, 3)),
)(lambda m, x, *p: m(x))
case("RNN(3,2) tanh no bias (3,1,3)", _RNN, module_inputs(lambda: nn.RNN(3, 2, bias=False), randn(3, 1, 3)))(
    lambda m, x, *p: m(x)
)
case(
    "LSTMCell(3,2) (2,3) with (h,c)",
    (F.LSTMFn, nn.LSTMCell),
    module_inputs(lambda: nn.LSTMCell(3, 2), randn(2, 3), randn(2, 2), randn(2, 2)),
)(lambda m, x, h, c, *p: m(x, (h, c)))
case("GRUCell(3,2) unbatched (3,)", (F.GRUFn, nn.GRUCell), module_inputs(lambda: nn.GRUCell(3, 2), randn(3), randn(2)))(
    lambda m, x, h, *p: m(x, h)
)
case(
    "RNNCell(3,4,relu) (3,3) with hx",
    (F.RNNFn, nn.RNNCell),
    module_inputs(lambda: nn.RNNCell(3, 4, nonlinearity="relu"), randn(3, 3), randn(3, 4)),
)(lambda m, x, h, *p: m(x, h))
case(
    "RNNCell(3,2) tanh no bias (2,3)",
    (F.RNNFn, nn.RNNCell),
    module_inputs(lambda: nn.RNNCell(3, 2, bias=False), randn(2, 3)),
)(lambda m, x, *p: m(x))

# **** multi-head attention and transformer layers ****


def _causal_bool(n: int):
    return lambda rng: vinsgrad.tensor(np.triu(np.ones((n, n), dtype=bool), 1))  # True = not allowed


def _padding(*shape: int):
    def make(rng):
        m = np.zeros(shape, dtype=bool)
        m[0, -1] = True
        return vinsgrad.tensor(m)

    return make


_MHA = (nn.MultiheadAttention, NonDynamicallyQuantizableLinear, F.LinearFn, F.ScaledDotProductAttentionFn)

case(
    "MultiheadAttention(4,2) self (3,2,4) weights",
    (nn.MultiheadAttention, NonDynamicallyQuantizableLinear, ops.SoftmaxFn),
    module_inputs(lambda: nn.MultiheadAttention(4, 2), randn(3, 2, 4)),
)(lambda m, x, *p: m(x, x, x))
case(
    "MultiheadAttention(4,2,batch_first) causal + key padding, no weights",
    _MHA,
    module_inputs(
        lambda: nn.MultiheadAttention(4, 2, batch_first=True), randn(2, 3, 4), _causal_bool(3), _padding(2, 3)
    ),
)(lambda m, x, am, kpm, *p: m(x, x, x, attn_mask=am, key_padding_mask=kpm, need_weights=False)[0])
case(
    "MultiheadAttention(4,2,kdim=3,vdim=2,bias=False) cross (2,2,4)x(3,2,*)",
    _MHA,
    module_inputs(
        lambda: nn.MultiheadAttention(4, 2, bias=False, kdim=3, vdim=2), randn(2, 2, 4), randn(3, 2, 3), randn(3, 2, 2)
    ),
)(lambda m, q, k, v, *p: m(q, k, v, need_weights=False)[0])
case(
    "MultiheadAttention(4,2,add_bias_kv,add_zero_attn) + key padding, weights and fused",
    (nn.MultiheadAttention, *_MHA, ops.SoftmaxFn),
    module_inputs(
        lambda: nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True), randn(3, 2, 4), _padding(2, 3)
    ),
)(lambda m, x, kpm, *p: (*m(x, x, x, key_padding_mask=kpm), m(x, x, x, key_padding_mask=kpm, need_weights=False)[0]))
case(
    "MultiheadAttention(4,2,dropout=0.3) unbatched, per-head weights",
    (nn.MultiheadAttention, ops.SoftmaxFn, ops.MulFn),
    module_inputs(lambda: nn.MultiheadAttention(4, 2, dropout=0.3), randn(3, 4)),
)(same_mask(lambda m, x, *p: m(x, x, x, average_attn_weights=False)))
case(
    "TransformerEncoderLayer(4,2,8,post-norm,relu) (3,2,4) causal",
    (nn.TransformerEncoderLayer, *_MHA),
    module_inputs(lambda: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), randn(3, 2, 4), _causal_bool(3)),
)(lambda m, x, mask, *p: m(x, src_mask=mask, is_causal=True))
case(
    "TransformerEncoder(norm_first gelu x2, norm) (2,3,4) dropout",
    (nn.TransformerEncoder, nn.TransformerEncoderLayer, *_MHA),
    module_inputs(
        lambda: nn.TransformerEncoder(
            nn.TransformerEncoderLayer(4, 2, 6, dropout=0.2, activation="gelu", batch_first=True, norm_first=True),
            2,
            norm=nn.LayerNorm(4),
        ),
        randn(2, 3, 4),
        _padding(2, 3),
    ),
)(same_mask(lambda m, x, kpm, *p: m(x, src_key_padding_mask=kpm)))
case(
    "TransformerDecoderLayer(4,2,8) (2,2,4) memory (3,2,4)",
    (nn.TransformerDecoderLayer, *_MHA),
    module_inputs(
        lambda: nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0), randn(2, 2, 4), randn(3, 2, 4), _causal_bool(2)
    ),
)(lambda m, x, mem, mask, *p: m(x, mem, tgt_mask=mask, tgt_is_causal=True))
case(
    "TransformerDecoderLayer(4,2,6,norm_first,batch_first) memory padding",
    (nn.TransformerDecoderLayer, *_MHA),
    module_inputs(
        lambda: nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, batch_first=True, norm_first=True),
        randn(2, 2, 4),
        randn(2, 3, 4),
        _padding(2, 3),
    ),
)(lambda m, x, mem, kpm, *p: m(x, mem, memory_key_padding_mask=kpm))
