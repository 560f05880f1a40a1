"""Gradient checks of the sequence layers: attention, recurrent layers and transformer blocks."""

from __future__ import annotations

import vinsgrad
import vinsgrad.nn.functional as F
from vinsgrad.testing.registry import case, inputs, randn, randn_inputs, same_mask

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
