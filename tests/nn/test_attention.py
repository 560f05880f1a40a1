"""scaled_dot_product_attention against a float64 NumPy reference, masks, dropout, dtypes and errors."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn.functional as F


def reference_sdpa(q, k, v, mask=None, causal=False, scale=None):
    """Attention written out in float64 NumPy, one (query row, key) pair at a time in the softmax."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    scores = np.einsum("...le,...se->...ls", q, k) * scale
    L, S = scores.shape[-2:]
    allowed = np.ones(scores.shape, dtype=bool)
    if causal:
        allowed &= np.arange(S)[None, :] <= np.arange(L)[:, None]
    if mask is not None and mask.dtype == bool:
        allowed &= np.broadcast_to(mask, scores.shape)
    elif mask is not None:
        scores = scores + mask
    weights = np.zeros(scores.shape)
    for idx in np.ndindex(scores.shape[:-1]):
        row, ok = scores[idx], allowed[idx]
        if ok.any():
            e = np.where(ok, np.exp(row - row[ok].max()), 0.0)
            weights[idx] = e / e.sum()
    return np.einsum("...ls,...sd->...ld", weights, v), weights


def _t(a, requires_grad=False):
    return vg.tensor(a, dtype=vg.float64, requires_grad=requires_grad)


def test_values_match_numpy_reference_without_and_with_scale() -> None:
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 6, 2))
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(v))
    np.testing.assert_allclose(out._data, reference_sdpa(q, k, v)[0], rtol=1e-12, atol=1e-12)
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), scale=0.3)
    np.testing.assert_allclose(out._data, reference_sdpa(q, k, v, scale=0.3)[0], rtol=1e-12, atol=1e-12)


def test_causal_and_masks_match_numpy_reference() -> None:
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((2, 4, 3)) for _ in range(3))
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), is_causal=True)
    np.testing.assert_allclose(out._data, reference_sdpa(q, k, v, causal=True)[0], atol=1e-12)
    # the first query row sees only the first key: its output is exactly v[0]
    np.testing.assert_allclose(out._data[:, 0], v[:, 0], atol=1e-15)
    bool_mask = rng.random((4, 4)) < 0.5
    bool_mask[2] = False  # a row that attends to nothing gives zeros
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), attn_mask=vg.tensor(bool_mask))
    np.testing.assert_allclose(out._data, reference_sdpa(q, k, v, mask=bool_mask)[0], atol=1e-12)
    assert not out._data[:, 2].any()
    float_mask = rng.standard_normal((2, 1, 4))
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), attn_mask=_t(float_mask))
    np.testing.assert_allclose(out._data, reference_sdpa(q, k, v, mask=float_mask)[0], atol=1e-12)


def test_gradients_equal_those_of_the_composed_graph() -> None:
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s) for s in [(2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5)]]
    fused = [_t(a, True) for a in arrays]
    composed = [_t(a, True) for a in arrays]
    g = rng.standard_normal((2, 3, 3))
    F.scaled_dot_product_attention(*fused[:3], attn_mask=fused[3]).backward(_t(g))
    q, k, v, m = composed
    (((q @ k.transpose(-1, -2)) * 0.5 + m).softmax(-1) @ v).backward(_t(g))  # scale 1/sqrt(4)
    for a, b in zip(fused, composed):
        np.testing.assert_allclose(a.grad._data, b.grad._data, rtol=1e-10, atol=1e-12)


def test_grouped_query_attention_repeats_key_value_heads() -> None:
    rng = np.random.default_rng(3)
    q, k, v = rng.standard_normal((1, 6, 3, 2)), rng.standard_normal((1, 2, 3, 2)), rng.standard_normal((1, 2, 3, 2))
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), enable_gqa=True)
    expected = reference_sdpa(q, np.repeat(k, 3, axis=1), np.repeat(v, 3, axis=1))[0]
    np.testing.assert_allclose(out._data, expected, atol=1e-12)
    with pytest.raises(RuntimeError, match="multiple of the key's"):
        F.scaled_dot_product_attention(_t(q), _t(k[:, :1].repeat(4, 1)), _t(v[:, :1].repeat(4, 1)), enable_gqa=True)


def test_dropout_zeroes_and_rescales_attention_weights_reproducibly() -> None:
    rng = np.random.default_rng(4)
    q, k = rng.standard_normal((8, 10, 4)), rng.standard_normal((8, 10, 4))
    eye = np.broadcast_to(np.eye(10), (8, 10, 10))  # with v = I the output *is* the attention weight matrix
    weights = reference_sdpa(q, k, eye)[1]
    vg.manual_seed(0)
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(eye), dropout_p=0.25)._data
    dropped = out == 0
    assert 0.15 < dropped.mean() < 0.35
    np.testing.assert_allclose(out[~dropped], weights[~dropped] / 0.75, rtol=1e-12)
    vg.manual_seed(0)
    again = F.scaled_dot_product_attention(_t(q), _t(k), _t(eye), dropout_p=0.25)._data
    np.testing.assert_array_equal(out, again)
    assert not F.scaled_dot_product_attention(_t(q), _t(k), _t(eye), dropout_p=1.0)._data.any()


def test_float32_stays_float32() -> None:
    q = vg.randn(2, 3, 4)
    out = F.scaled_dot_product_attention(q, q, q, attn_mask=vg.tensor(np.tril(np.ones((3, 3), dtype=bool))))
    assert out.dtype == vg.float32
    q.requires_grad_()
    F.scaled_dot_product_attention(q, q, q, is_causal=True).sum().backward()
    assert q.grad.dtype == vg.float32


def test_errors_name_the_problem() -> None:
    q = vg.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="must agree on E and S"):
        F.scaled_dot_product_attention(q, vg.randn(2, 3, 5), vg.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="either attn_mask or is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=vg.ones(3, 3), is_causal=True)
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \(4, 4\) does not broadcast"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=vg.ones(4, 4))
    with pytest.raises(ValueError, match="dropout_p must be in"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)
    with pytest.raises(RuntimeError, match="one floating dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)


def _composed(q, k, v, mask=None, keep=None, p=0.0):
    """Attention as a graph of small ops (matmul, softmax, masks), with ``scale = 1/sqrt(E)``."""
    scores = (q @ k.transpose(-1, -2)) * (1 / np.sqrt(q.shape[-1]))
    weights = (scores if mask is None else scores + mask).softmax(-1)
    if keep is not None:
        weights = weights * vg.tensor(keep / (1 - p))
    return weights @ v


def test_many_score_blocks_match_the_composed_graph_with_causal_float_mask_and_dropout() -> None:
    # 3 x 7 = 21 (128, 128) score matrices: more than one cache block of them, the last one ragged
    rng = np.random.default_rng(5)
    q, k = rng.standard_normal((3, 7, 128, 8)), rng.standard_normal((3, 7, 128, 8))
    v, g = rng.standard_normal((3, 7, 128, 5)), rng.standard_normal((3, 7, 128, 5))
    causal = np.where(np.tril(np.ones((128, 128), dtype=bool)), 0.0, -np.inf)
    float_mask = rng.standard_normal((7, 1, 128))  # broadcast over the batch and the query rows
    for kwargs, mask in (({"is_causal": True}, causal), ({"attn_mask": float_mask}, float_mask)):
        fused, composed = [_t(a, True) for a in (q, k, v)], [_t(a, True) for a in (q, k, v)]
        mask_in = _t(mask, "attn_mask" in kwargs)
        if "attn_mask" in kwargs:
            kwargs = {"attn_mask": mask_in}
        out = F.scaled_dot_product_attention(*fused, **kwargs)
        out.backward(_t(g))
        expected = _composed(*composed, mask=mask_in if "attn_mask" in kwargs else _t(mask))
        np.testing.assert_allclose(out._data, expected._data, rtol=1e-12, atol=1e-12)
        grads = [a.grad._data for a in fused] + ([mask_in.grad._data] if mask_in.requires_grad else [])
        mask_in.grad = None
        expected.backward(_t(g))
        wants = [a.grad._data for a in composed] + ([mask_in.grad._data] if mask_in.requires_grad else [])
        for got, want in zip(grads, wants):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    # dropout: with v = I the output is the kept, rescaled weights, so the drawn pattern can be read off it
    eye = np.broadcast_to(np.eye(128), (3, 7, 128, 128))
    vg.manual_seed(1)
    fused = [_t(a, True) for a in (q, k, eye)]
    out = F.scaled_dot_product_attention(*fused, dropout_p=0.3)
    keep = (out._data != 0).astype(np.float64)
    g2 = rng.standard_normal(out.shape)
    out.backward(_t(g2))
    composed = [_t(a, True) for a in (q, k, eye)]
    expected = _composed(*composed, keep=keep, p=0.3)
    np.testing.assert_allclose(out._data, expected._data, rtol=1e-12, atol=1e-12)
    expected.backward(_t(g2))
    for a, b in zip(fused, composed):
        np.testing.assert_allclose(a.grad._data, b.grad._data, rtol=1e-10, atol=1e-12)


def test_only_the_inputs_that_require_grad_get_one() -> None:
    # cross-attention over a memory that is not trained: k and v get no gradient, q's is still exact
    rng = np.random.default_rng(6)
    q, k, v, g = (rng.standard_normal(s) for s in [(2, 3, 4), (2, 5, 4), (2, 5, 3), (2, 3, 3)])
    fused, composed = _t(q, True), _t(q, True)
    keys, values = _t(k), _t(v)
    F.scaled_dot_product_attention(fused, keys, values).backward(_t(g))
    _composed(composed, keys, values).backward(_t(g))
    np.testing.assert_allclose(fused.grad._data, composed.grad._data, rtol=1e-10, atol=1e-12)
    assert keys.grad is None and values.grad is None
