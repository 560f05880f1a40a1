"""MultiheadAttention and the Transformer layers against a float64 NumPy reference of their equations."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn as nn
from vinsgrad.nn.transformer import generate_square_subsequent_mask


def _t(a, requires_grad=False):
    return vg.tensor(a, dtype=vg.float64, requires_grad=requires_grad)


def _p(module):
    return {k: v._data.astype(np.float64) for k, v in module.state_dict().items()}


def reference_mha(p, q_in, k_in, v_in, heads, blocked=None, prefix="", extra=()):
    """(N, L, E) inputs; ``blocked`` (N, L, S) True where a query may not see a key; ``extra`` (k, v) pairs of
    projected (E,) vectors appended to every sequence, open to every query. Returns output, weights."""
    E = q_in.shape[-1]
    w, b = p[prefix + "in_proj_weight"], p.get(prefix + "in_proj_bias", np.zeros(3 * E))
    q, k, v = q_in @ w[:E].T + b[:E], k_in @ w[E : 2 * E].T + b[E : 2 * E], v_in @ w[2 * E :].T + b[2 * E :]
    for k_extra, v_extra in extra:
        k = np.concatenate([k, np.broadcast_to(k_extra, (k.shape[0], 1, E))], axis=1)
        v = np.concatenate([v, np.broadcast_to(v_extra, (v.shape[0], 1, E))], axis=1)
        if blocked is not None:
            blocked = np.concatenate([blocked, np.zeros((*blocked.shape[:-1], 1), dtype=bool)], axis=-1)
    N, L, S, d = q.shape[0], q.shape[1], k.shape[1], E // heads
    out = np.zeros((N, L, E))
    weights = np.zeros((N, heads, L, S))
    for n in range(N):
        for h in range(heads):
            cols = slice(h * d, (h + 1) * d)
            scores = q[n, :, cols] @ k[n, :, cols].T / np.sqrt(d)
            if blocked is not None:
                scores = np.where(blocked[n], -np.inf, scores)
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            weights[n, h] = e / e.sum(axis=1, keepdims=True)
            out[n, :, cols] = weights[n, h] @ v[n, :, cols]
    ob = p.get(prefix + "out_proj.bias", np.zeros(E))
    return out @ p[prefix + "out_proj.weight"].T + ob, weights


def _layer_norm(x, w, b, eps=1e-5):
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def reference_encoder_layer(p, x, heads, norm_first, blocked=None, act=lambda z: np.maximum(z, 0)):
    def sa(z):
        return reference_mha(p, z, z, z, heads, blocked, "self_attn.")[0]

    def ff(z):
        return act(z @ p["linear1.weight"].T + p["linear1.bias"]) @ p["linear2.weight"].T + p["linear2.bias"]

    def n1(z):
        return _layer_norm(z, p["norm1.weight"], p["norm1.bias"])

    def n2(z):
        return _layer_norm(z, p["norm2.weight"], p["norm2.bias"])

    if norm_first:
        x = x + sa(n1(x))
        return x + ff(n2(x))
    x = n1(x + sa(x))
    return n2(x + ff(x))


def _randomize(module, rng):
    for prm in module.parameters():
        prm._data[...] = rng.standard_normal(prm.shape) * 0.5
    return module


def test_mha_matches_reference_with_masks_and_weights() -> None:
    rng = np.random.default_rng(0)
    mha = _randomize(nn.MultiheadAttention(8, 2, batch_first=True).double(), rng)
    x, kv = rng.standard_normal((3, 4, 8)), rng.standard_normal((3, 5, 8))
    causal = np.triu(np.ones((4, 5), dtype=bool), 1)
    padding = np.zeros((3, 5), dtype=bool)
    padding[1, 3:] = True
    blocked = causal[None] | padding[:, None, :]
    out, weights = mha(_t(x), _t(kv), _t(kv), attn_mask=vg.tensor(causal), key_padding_mask=vg.tensor(padding))
    ref_out, ref_w = reference_mha(_p(mha), x, kv, kv, 2, blocked)
    np.testing.assert_allclose(out._data, ref_out, atol=1e-12)
    np.testing.assert_allclose(weights._data, ref_w.mean(axis=1), atol=1e-12)
    # the fused path (no weights), a float mask equal to the bool one, and per-head weights agree
    fused, none = mha(
        _t(x), _t(kv), _t(kv), attn_mask=vg.tensor(causal), key_padding_mask=vg.tensor(padding), need_weights=False
    )
    assert none is None
    np.testing.assert_allclose(fused._data, ref_out, atol=1e-12)
    float_mask = _t(np.where(causal, -np.inf, 0.0))
    _, per_head = mha(
        _t(x), _t(kv), _t(kv), attn_mask=float_mask, key_padding_mask=vg.tensor(padding), average_attn_weights=False
    )
    np.testing.assert_allclose(per_head._data, ref_w, atol=1e-12)


def test_mha_bias_kv_and_zero_attn_append_open_keys() -> None:
    rng = np.random.default_rng(5)
    mha = _randomize(nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True, batch_first=True), rng)
    mha.double()
    assert list(mha.state_dict())[:4] == ["in_proj_weight", "in_proj_bias", "bias_k", "bias_v"]
    x = rng.standard_normal((2, 3, 8))
    padding = np.zeros((2, 3), dtype=bool)
    padding[0, 1:] = True
    out, weights = mha(_t(x), _t(x), _t(x), key_padding_mask=vg.tensor(padding))
    p = _p(mha)
    blocked = np.broadcast_to(padding[:, None, :], (2, 3, 3))
    extra = [(p["bias_k"][0, 0], p["bias_v"][0, 0]), (np.zeros(8), np.zeros(8))]
    ref_out, ref_w = reference_mha(p, x, x, x, 2, blocked, extra=extra)
    assert weights.shape == (2, 3, 5)
    np.testing.assert_allclose(out._data, ref_out, atol=1e-12)
    np.testing.assert_allclose(weights._data, ref_w.mean(axis=1), atol=1e-12)
    assert "bias_k" not in nn.MultiheadAttention(8, 2).state_dict()


def test_mha_sequence_first_unbatched_and_3d_mask() -> None:
    rng = np.random.default_rng(1)
    mha = _randomize(nn.MultiheadAttention(6, 3).double(), rng)
    x = rng.standard_normal((4, 2, 6))  # (L, N, E)
    per_head_block = rng.random((2 * 3, 4, 4)) < 0.3
    per_head_block[..., 0] = False  # every query keeps one key
    out, _ = mha(_t(x), _t(x), _t(x), attn_mask=vg.tensor(per_head_block), need_weights=False)
    xb = x.transpose(1, 0, 2)
    blocked = per_head_block.reshape(2, 3, 4, 4)
    ref = np.stack([_per_head_reference(_p(mha), xb[n], blocked[n], 3) for n in range(2)])
    np.testing.assert_allclose(out._data.transpose(1, 0, 2), ref, atol=1e-12)
    single, w = mha(_t(x[:, 0]), _t(x[:, 0]), _t(x[:, 0]))
    assert single.shape == (4, 6) and w.shape == (4, 4)
    np.testing.assert_allclose(single._data, reference_mha(_p(mha), xb[:1], xb[:1], xb[:1], 3)[0][0], atol=1e-12)


def _per_head_reference(p, x, blocked, heads):
    """One sample with a different mask per head: run the reference once per head and keep that head's columns."""
    E, d = x.shape[-1], x.shape[-1] // heads
    w, b = p["in_proj_weight"], p["in_proj_bias"]
    q, k, v = x @ w[:E].T + b[:E], x @ w[E : 2 * E].T + b[E : 2 * E], x @ w[2 * E :].T + b[2 * E :]
    out = np.zeros_like(q)
    for h in range(heads):
        c = slice(h * d, (h + 1) * d)
        s = np.where(blocked[h], -np.inf, q[:, c] @ k[:, c].T / np.sqrt(d))
        e = np.exp(s - s.max(axis=1, keepdims=True))
        out[:, c] = (e / e.sum(axis=1, keepdims=True)) @ v[:, c]
    return out @ p["out_proj.weight"].T + p["out_proj.bias"]


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_matches_reference(norm_first: bool) -> None:
    rng = np.random.default_rng(2)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first).double()
    _randomize(layer, rng)
    x = rng.standard_normal((2, 5, 8))
    mask = generate_square_subsequent_mask(5, dtype=vg.float64)
    out = layer(_t(x), src_mask=mask, is_causal=True)
    blocked = np.broadcast_to(np.triu(np.ones((5, 5), dtype=bool), 1), (2, 5, 5))
    np.testing.assert_allclose(out._data, reference_encoder_layer(_p(layer), x, 2, norm_first, blocked), atol=1e-11)


def test_encoder_stacks_independent_copies_and_final_norm() -> None:
    rng = np.random.default_rng(3)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", batch_first=True)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8)).double()
    _randomize(encoder, rng)
    assert encoder.layers[0].linear1.weight is not encoder.layers[1].linear1.weight
    assert "layers.1.self_attn.in_proj_weight" in encoder.state_dict() and "norm.weight" in encoder.state_dict()
    x = rng.standard_normal((2, 4, 8))
    from math import erf

    gelu = np.vectorize(lambda z: 0.5 * z * (1 + erf(z / np.sqrt(2))))
    p = _p(encoder)
    ref = x
    for i in range(2):
        sub = {k.removeprefix(f"layers.{i}."): v for k, v in p.items() if k.startswith(f"layers.{i}.")}
        ref = reference_encoder_layer(sub, ref, 2, False, act=gelu)
    ref = _layer_norm(ref, p["norm.weight"], p["norm.bias"])
    np.testing.assert_allclose(encoder(_t(x))._data, ref, atol=1e-11)


def test_decoder_layer_matches_reference() -> None:
    rng = np.random.default_rng(4)
    layer = _randomize(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0).double(), rng)
    tgt, memory = rng.standard_normal((3, 2, 8)), rng.standard_normal((5, 2, 8))  # sequence first
    out = layer(_t(tgt), _t(memory), tgt_mask=generate_square_subsequent_mask(3, dtype=vg.float64))
    p = _p(layer)
    x, mem = tgt.transpose(1, 0, 2), memory.transpose(1, 0, 2)
    causal = np.broadcast_to(np.triu(np.ones((3, 3), dtype=bool), 1), (2, 3, 3))
    x = _layer_norm(x + reference_mha(p, x, x, x, 2, causal, "self_attn.")[0], p["norm1.weight"], p["norm1.bias"])
    x = _layer_norm(
        x + reference_mha(p, x, mem, mem, 2, None, "multihead_attn.")[0], p["norm2.weight"], p["norm2.bias"]
    )
    ff = np.maximum(x @ p["linear1.weight"].T + p["linear1.bias"], 0) @ p["linear2.weight"].T + p["linear2.bias"]
    x = _layer_norm(x + ff, p["norm3.weight"], p["norm3.bias"])
    np.testing.assert_allclose(out._data, x.transpose(1, 0, 2), atol=1e-11)


def test_state_dict_keys_and_init_as_pytorch() -> None:
    mha = nn.MultiheadAttention(8, 2)
    assert list(mha.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert not mha.in_proj_bias._data.any() and not mha.out_proj.bias._data.any()
    assert np.abs(mha.in_proj_weight._data).max() <= np.sqrt(6 / (8 + 24))  # xavier over the (24, 8) matrix
    cross = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False)
    assert list(cross.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"]
    assert cross.k_proj_weight.shape == (8, 3) and cross.v_proj_weight.shape == (8, 5)
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    assert list(layer.state_dict()) == [
        "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
        "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
        "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
    ]  # fmt: skip
    assert layer.linear1.weight.shape == (16, 8) and layer.dropout.p == 0.1


def test_dropout_only_in_training_and_seeded() -> None:
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = vg.randn(3, 2, 8)
    vg.manual_seed(0)
    a = layer(x)._data
    vg.manual_seed(0)
    np.testing.assert_array_equal(layer(x)._data, a)
    layer.eval()
    np.testing.assert_array_equal(layer(x)._data, layer(x)._data)
    assert np.abs(layer(x)._data - a).max() > 1e-3


def test_float32_in_float32_out() -> None:
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    x = vg.randn(2, 3, 8, requires_grad=True)
    out, w = mha(x, x, x)
    assert out.dtype == w.dtype == vg.float32
    out.sum().backward()
    assert x.grad.dtype == vg.float32 and mha.in_proj_weight.grad.dtype == vg.float32


def test_errors() -> None:
    with pytest.raises(ValueError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(10, 3)
    mha = nn.MultiheadAttention(8, 2)
    x = vg.randn(3, 2, 8)
    with pytest.raises(RuntimeError, match="expected key with 8 features"):
        mha(x, vg.randn(3, 2, 4), x)
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \(3, 4\) should be \(L, S\)"):
        mha(x, x, x, attn_mask=vg.zeros(3, 4))
    with pytest.raises(RuntimeError, match=r"key_padding_mask of shape \(3, 3\) should be \(N, S\)"):
        mha(x, x, x, key_padding_mask=vg.zeros(3, 3) > 0)
    with pytest.raises(RuntimeError, match="is_causal is a hint"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")
