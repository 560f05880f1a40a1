"""Weight tying (an output Linear sharing the Embedding's matrix, as GPT does): one parameter, summed gradient."""

from __future__ import annotations

import numpy as np

import vinsgrad as vg
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
import vinsgrad.optim as optim


class TiedLM(nn.Module):
    def __init__(self, vocab: int = 5, dim: int = 3) -> None:
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, dim)
        self.mix = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.tok_emb.weight  # the tie

    def forward(self, idx: vg.Tensor) -> vg.Tensor:
        return self.head(self.mix(self.tok_emb(idx)).tanh())


def _loss(model: TiedLM, idx: vg.Tensor, target: vg.Tensor) -> vg.Tensor:
    return F.cross_entropy(model(idx), target)


def test_gradient_of_a_tied_weight_is_the_sum_of_both_uses_by_finite_differences() -> None:
    vg.manual_seed(0)
    model = TiedLM().double()
    idx, target = vg.tensor([0, 3, 3, 1, 4]), vg.tensor([3, 3, 1, 4, 2])
    _loss(model, idx, target).backward()
    w = model.tok_emb.weight
    analytic = w.grad._data.copy()
    numeric = np.zeros_like(analytic)
    with vg.no_grad():
        for i in np.ndindex(w.shape):
            old = w._data[i]
            w._data[i] = old + 1e-6
            up = _loss(model, idx, target).item()
            w._data[i] = old - 1e-6
            down = _loss(model, idx, target).item()
            w._data[i] = old
            numeric[i] = (up - down) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
    # and it is the sum of the two uses: neither alone gives it
    untied = TiedLM().double()
    untied.load_state_dict(model.state_dict())
    untied.head.weight = nn.Parameter(model.tok_emb.weight._data.copy())
    _loss(untied, idx, target).backward()
    parts = untied.tok_emb.weight.grad._data + untied.head.weight.grad._data
    np.testing.assert_allclose(analytic, parts, rtol=1e-12, atol=1e-15)
    assert np.abs(untied.head.weight.grad._data).max() > 1e-3 and np.abs(untied.tok_emb.weight.grad._data).max() > 1e-3


def test_one_parameter_for_parameters_optimizer_and_state_dict() -> None:
    model = TiedLM()
    names = [n for n, _ in model.named_parameters()]
    assert names == ["tok_emb.weight", "mix.weight", "mix.bias"]  # the shared matrix once, under its first name
    sd = model.state_dict()
    assert sd["head.weight"]._data is sd["tok_emb.weight"]._data  # both keys, one array (as PyTorch)
    opt = optim.AdamW(model.parameters(), lr=0.1, weight_decay=0.0)
    assert sum(p.numel() for g in opt.param_groups for p in g["params"]) == 15 + 9 + 3
    before = model.tok_emb.weight._data.copy()
    _loss(model, vg.tensor([0, 1]), vg.tensor([1, 2])).backward()
    opt.step()
    assert model.head.weight is model.tok_emb.weight
    changed = model.tok_emb.weight._data - before
    assert np.abs(changed).max() <= 0.1 + 1e-6  # one AdamW step of lr 0.1, not two
    fresh = TiedLM()
    fresh.load_state_dict(model.state_dict())
    assert fresh.head.weight is fresh.tok_emb.weight
    np.testing.assert_array_equal(fresh.head.weight._data, model.tok_emb.weight._data)
