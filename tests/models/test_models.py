"""vinsgrad.models: shapes, PyTorch-style state_dict keys, GPT's init and causality, whole-model gradients, and
that a tiny GPT and a tiny LSTM learn generated text far below its unigram entropy."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
import vinsgrad.nn.functional as F
from vinsgrad.models import CNN, GPT, MLP, CharLSTM, generate


def ids(*shape: int, high: int = 7, seed: int = 0) -> vinsgrad.Tensor:
    return vinsgrad.tensor(np.random.default_rng(seed).integers(0, high, shape))


def test_gpt_shapes_keys_and_tied_head() -> None:
    model = GPT(11, block_size=8, n_layer=2, n_head=2, n_embd=16)
    assert model(ids(3, 8, high=11)).shape == (3, 8, 11)
    state = model.state_dict()
    assert list(state)[:4] == ["wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.ln_1.bias"]
    assert {"h.1.attn.c_attn.weight", "h.1.mlp.c_proj.bias", "ln_f.weight", "lm_head.weight"} <= set(state)
    assert model.lm_head.weight is model.wte.weight  # tied, so counted once
    n = sum(p._data.size for p in model.parameters())
    per_block = 2 * 2 * 16 + (16 * 48 + 48) + (16 * 16 + 16) + (16 * 64 + 64) + (64 * 16 + 16)
    assert n == 11 * 16 + 8 * 16 + 2 * per_block + 2 * 16


def test_gpt_init_follows_gpt2() -> None:
    vinsgrad.manual_seed(0)
    model = GPT(50, block_size=64, n_layer=8, n_head=4, n_embd=128)
    assert model.wte.weight._data.std() == pytest.approx(0.02, rel=0.05)
    assert model.h[0].mlp.c_fc.weight._data.std() == pytest.approx(0.02, rel=0.05)
    assert model.h[0].mlp.c_proj.weight._data.std() == pytest.approx(0.02 / math.sqrt(16), rel=0.05)
    assert model.h[0].attn.c_proj.weight._data.std() == pytest.approx(0.02 / math.sqrt(16), rel=0.05)
    assert not model.h[0].attn.c_attn.bias._data.any()
    assert (model.ln_f.weight._data == 1).all()


def test_gpt_is_causal() -> None:
    """The logits at position t do not change when a later token does."""
    model = GPT(7, block_size=6, n_layer=2, n_head=2, n_embd=8)
    x = ids(1, 6)
    y = x._data.copy()
    y[0, 4] = (y[0, 4] + 1) % 7
    a, b = model(x)._data, model(vinsgrad.tensor(y))._data
    np.testing.assert_array_equal(a[0, :4], b[0, :4])
    assert not np.allclose(a[0, 4:], b[0, 4:])


def test_gpt_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"n_embd \(6\) must be divisible by n_head \(4\)"):
        GPT(5, n_embd=6, n_head=4)
    with pytest.raises(ValueError, match="block_size must be a positive integer, got 0"):
        GPT(5, block_size=0)
    with pytest.raises(ValueError, match="sequence length 9 exceeds block_size 8"):
        GPT(5, block_size=8, n_layer=1, n_head=1, n_embd=4)(ids(1, 9, high=5))


def test_gpt_gradients_match_finite_differences_through_the_tied_weight() -> None:
    model = GPT(5, block_size=4, n_layer=1, n_head=2, n_embd=4).double()
    x, y = ids(2, 4, high=5), ids(2, 4, high=5, seed=1)
    weight = model.wte.weight  # used by the embedding and the head: both uses must add up

    def loss(w: vinsgrad.Tensor) -> vinsgrad.Tensor:
        model.wte.weight._data[...] = w._data
        return F.cross_entropy(model(x).reshape(-1, 5), y.reshape(-1))

    loss(weight).backward()
    analytic = weight.grad._data.copy()
    numeric = np.zeros_like(analytic)
    base = weight._data.copy()
    for i in np.ndindex(*base.shape):
        for sign in (1, -1):
            w = base.copy()
            w[i] += sign * 1e-6
            with vinsgrad.no_grad():
                numeric[i] += sign * loss(vinsgrad.tensor(w)).item() / 2e-6
    model.wte.weight._data[...] = base
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_every_gpt_parameter_gradient_matches_finite_differences() -> None:
    # the whole graph at once: two pre-norm blocks whose residual stream is reused by LayerNorm and the sum, q, k and
    # v taken from one product, causal attention, tanh-GELU, and the head that shares the embedding's weight
    model = GPT(5, block_size=4, n_layer=2, n_head=2, n_embd=4).double()
    x, y = ids(2, 4, high=5), ids(2, 4, high=5, seed=2)
    for p in model.parameters():  # away from zero biases and unit gains, so every term of every gradient counts
        p._data += np.random.default_rng(3).normal(0, 0.3, p.shape)

    def loss() -> vinsgrad.Tensor:
        return F.cross_entropy(model(x).reshape(-1, 5), y.reshape(-1))

    loss().backward()
    for name, p in model.named_parameters():
        numeric = np.zeros_like(p._data)
        for i in np.ndindex(*p.shape):
            keep = p._data[i]
            for sign in (1, -1):
                p._data[i] = keep + sign * 1e-6
                with vinsgrad.no_grad():
                    numeric[i] += sign * loss().item() / 2e-6
            p._data[i] = keep
        np.testing.assert_allclose(p.grad._data, numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_char_lstm_shapes_and_keys() -> None:
    model = CharLSTM(9, embedding_dim=4, hidden_size=6, num_layers=2)
    assert model(ids(2, 5, high=9)).shape == (2, 5, 9)
    assert set(model.state_dict()) == {
        "embedding.weight", "fc.weight", "fc.bias",
        *(f"lstm.{kind}_l{layer}" for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh") for layer in (0, 1)),
    }  # fmt: skip


def test_mlp_and_cnn_match_the_shipped_layer_configs() -> None:
    mlp = MLP(10)  # configs/mlp.yaml: 784-128-64-10
    assert sum(p._data.size for p in mlp.parameters()) == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    assert mlp(vinsgrad.randn(2, 1, 28, 28)).shape == (2, 10)
    cnn = CNN(10)  # configs/cnn.yaml
    assert sum(p._data.size for p in cnn.parameters()) == (9 * 16 + 16) + (16 * 9 * 32 + 32) + (1568 * 10 + 10)
    assert cnn(vinsgrad.randn(2, 1, 28, 28)).shape == (2, 10)


class Bigram(vinsgrad.nn.Module):
    """Logits that depend only on the last token: ``table[token]``."""

    def __init__(self, table: np.ndarray) -> None:
        super().__init__()
        self.table = table
        self.seen: list[int] = []

    def forward(self, idx: vinsgrad.Tensor) -> vinsgrad.Tensor:
        self.seen.append(idx.shape[1])
        return vinsgrad.tensor(self.table[idx._data])


def test_generate_greedy_topk_seed_and_context() -> None:
    table = np.log(np.array([[0.1, 0.6, 0.3], [0.2, 0.1, 0.7], [0.5, 0.4, 0.1]]))
    greedy = list(generate(Bigram(table), [0], 5, temperature=0))
    assert greedy == [1, 2, 0, 1, 2]  # argmax of each row, followed
    assert list(generate(Bigram(table), [0], 5, top_k=1)) == greedy
    draws = [list(generate(Bigram(table), [0], 30, generator=vinsgrad.Generator(s))) for s in (1, 1, 2)]
    assert draws[0] == draws[1] != draws[2]
    model = Bigram(table)
    list(generate(model, [0, 1, 2], 4, block_size=2))
    assert model.seen == [2, 2, 2, 2]  # the context is cropped to the last block_size tokens
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        next(generate(model, [0], 1, temperature=-1))


def test_generate_draws_from_the_softmax() -> None:
    table = np.log(np.array([[0.2, 0.8], [0.2, 0.8]]))
    draws = list(generate(Bigram(table), [0], 4000, generator=vinsgrad.Generator(0)))
    assert np.mean(draws) == pytest.approx(0.8, abs=0.03)
    hot = list(generate(Bigram(table), [0], 4000, temperature=2.0, generator=vinsgrad.Generator(0)))
    assert np.mean(hot) == pytest.approx(2 / 3, abs=0.03)  # p ** (1/2), renormalised: 0.894 / (0.447 + 0.894)


def make_text(n_words: int, seed: int = 0) -> str:
    words = ["the", "cat", "sat", "on", "mat", "dog", "ran", "far"]
    rng = np.random.default_rng(seed)
    return " ".join(words[i] for i in rng.integers(0, len(words), n_words))


def unigram_entropy(text: str) -> float:
    counts = np.array([text.count(c) for c in set(text)], dtype=float)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


@pytest.mark.parametrize(
    "make",
    [
        lambda v: GPT(v, block_size=16, n_layer=1, n_head=2, n_embd=32),
        lambda v: CharLSTM(v, embedding_dim=16, hidden_size=48, num_layers=1),
    ],
    ids=["gpt", "lstm"],
)
def test_tiny_models_learn_text_far_below_its_unigram_entropy(make) -> None:  # type: ignore[no-untyped-def]
    from vinsgrad.utils.data import DataLoader, RandomSampler
    from vinsgrad.utils.data.text import CharDataset

    vinsgrad.manual_seed(0)
    text = make_text(3000)
    data = CharDataset(text, 16)
    model = make(len(data.chars))
    optimizer = vinsgrad.optim.AdamW(model.parameters(), lr=1e-2)
    sampler = RandomSampler(data, num_samples=150 * 16, generator=vinsgrad.Generator(0))
    for x, y in DataLoader(data, batch_size=16, sampler=sampler):
        loss = F.cross_entropy(model(x).reshape(-1, len(data.chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    held_out = CharDataset(make_text(300, seed=1), 16, chars=data.chars, stride=16)
    x, y = held_out.__getitems__(list(range(len(held_out))))
    with vinsgrad.no_grad():
        final = F.cross_entropy(model.eval()(x).reshape(-1, len(data.chars)), y.reshape(-1)).item()
    # Inside a word every letter is determined; only the word after a space is a guess (log 8 among 8 words).
    assert final < 0.5 * unigram_entropy(text), (final, unigram_entropy(text))
