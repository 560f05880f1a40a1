"""The losses of issue 14 against NumPy formulas written out per element, their reductions, and their errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn
from vinsgrad.nn import functional as F

RNG = np.random.default_rng(7)
A, B, C = (RNG.standard_normal((5, 4)) for _ in range(3))
Y = np.array([1.0, -1.0, 1.0, -1.0, -1.0])


def _t(a: np.ndarray, grad: bool = False) -> vinsgrad.Tensor:
    return vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=grad)


def _reduce(per: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smooth_l1_and_huber(reduction: str) -> None:
    d = A - B
    smooth = np.array([0.5 * v * v / 0.6 if abs(v) < 0.6 else abs(v) - 0.3 for v in d.ravel()]).reshape(d.shape)
    huber = np.array([0.5 * v * v if abs(v) < 1.5 else 1.5 * (abs(v) - 0.75) for v in d.ravel()]).reshape(d.shape)
    got = nn.SmoothL1Loss(reduction=reduction, beta=0.6)(_t(A), _t(B)).numpy()
    np.testing.assert_allclose(got, _reduce(smooth, reduction), rtol=1e-13)
    np.testing.assert_allclose(
        nn.HuberLoss(reduction, 1.5)(_t(A), _t(B)).numpy(), _reduce(huber, reduction), rtol=1e-13
    )
    # beta = 0 is the L1 loss; the slope of smooth L1 is d / beta inside and sign(d) outside
    np.testing.assert_allclose(F.smooth_l1_loss(_t(A), _t(B), beta=0.0).item(), np.abs(d).mean(), rtol=1e-14)
    x = _t(A, grad=True)
    F.smooth_l1_loss(x, _t(B), reduction="sum", beta=0.6).backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(np.abs(d) < 0.6, d / 0.6, np.sign(d)), rtol=1e-13)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
def test_kl_div_with_probability_and_log_targets(reduction: str) -> None:
    logp = np.log(RNG.dirichlet(np.ones(4), 3))
    q = RNG.dirichlet(np.ones(4), 3)
    q[0, 2] = 0.0  # a zero target contributes nothing (0 * log 0 = 0)
    per = np.where(q > 0, q * np.log(np.where(q > 0, q, 1)) - q * logp, 0.0)
    expected = per.sum() / 3 if reduction == "batchmean" else _reduce(per, reduction)
    np.testing.assert_allclose(nn.KLDivLoss(reduction=reduction)(_t(logp), _t(q)).numpy(), expected, rtol=1e-13)
    logq = np.log(q + 0.1)
    per = np.exp(logq) * (logq - logp)
    expected = per.sum() / 3 if reduction == "batchmean" else _reduce(per, reduction)
    got = F.kl_div(_t(logp), _t(logq), reduction=reduction, log_target=True).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    target = _t(q, grad=True)
    F.kl_div(_t(logp), target, reduction="sum").backward()
    assert np.isfinite(target.grad.numpy()).all()


def test_kl_div_batchmean_is_the_divergence_per_sample() -> None:
    p, q = np.array([[0.2, 0.8], [0.5, 0.5]]), np.array([[0.4, 0.6], [0.1, 0.9]])
    kl = [sum(qi * math.log(qi / pi) for pi, qi in zip(pr, qr)) for pr, qr in zip(p, q)]
    assert nn.KLDivLoss(reduction="batchmean")(_t(np.log(p)), _t(q)).item() == pytest.approx(sum(kl) / 2, rel=1e-14)
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        nn.KLDivLoss(reduction="avg")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cosine_embedding_and_margin_ranking(reduction: str) -> None:
    cos = np.array([a @ b / math.sqrt((a @ a + 1e-12) * (b @ b + 1e-12)) for a, b in zip(A, B)])
    per = np.where(Y == 1, 1 - cos, np.maximum(0, cos - 0.1))
    got = nn.CosineEmbeddingLoss(margin=0.1, reduction=reduction)(_t(A), _t(B), _t(Y)).numpy()
    np.testing.assert_allclose(got, _reduce(per, reduction), rtol=1e-13)
    per = np.maximum(0, -Y * (A[:, 0] - B[:, 0]) + 0.3)
    got = nn.MarginRankingLoss(0.3, reduction=reduction)(_t(A[:, 0]), _t(B[:, 0]), _t(Y)).numpy()
    np.testing.assert_allclose(got, _reduce(per, reduction), rtol=1e-13)


@pytest.mark.parametrize(("p", "swap"), [(2.0, False), (1.0, True), (3.0, False)])
def test_triplet_margin_loss(p: float, swap: bool) -> None:
    def dist(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (np.abs(u - v + 1e-6) ** p).sum(-1) ** (1 / p)

    neg = np.minimum(dist(A, C), dist(B, C)) if swap else dist(A, C)
    per = np.maximum(dist(A, B) - neg + 1.5, 0)
    for reduction in ("mean", "sum", "none"):
        got = nn.TripletMarginLoss(1.5, p, swap=swap, reduction=reduction)(_t(A), _t(B), _t(C)).numpy()
        np.testing.assert_allclose(got, _reduce(per, reduction), rtol=1e-13)
    np.testing.assert_allclose(F.pairwise_distance(_t(A), _t(B), p).numpy(), dist(A, B), rtol=1e-14)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)


def test_poisson_nll_loss() -> None:
    counts = np.array([[0.0, 1.0, 2.0, 7.0]] * 5)
    per = np.exp(A) - counts * A
    np.testing.assert_allclose(nn.PoissonNLLLoss()(_t(A), _t(counts)).item(), per.mean(), rtol=1e-13)
    rate = np.abs(A) + 0.1
    # full: Stirling's log(k!) ~ k log k - k + 0.5 log(2 pi k), only for counts above 1
    stirling = np.array([k * math.log(k) - k + 0.5 * math.log(2 * math.pi * k) if k > 1 else 0.0 for k in counts[0]])
    per = rate - counts * np.log(rate + 1e-8) + stirling
    got = nn.PoissonNLLLoss(log_input=False, full=True, reduction="none")(_t(rate), _t(counts)).numpy()
    np.testing.assert_allclose(got, per, rtol=1e-13)


def test_gaussian_nll_loss_shapes_and_clamp() -> None:
    var = np.abs(C) + 0.1
    per = 0.5 * (np.log(var) + (A - B) ** 2 / var)
    np.testing.assert_allclose(nn.GaussianNLLLoss()(_t(A), _t(B), _t(var)).item(), per.mean(), rtol=1e-13)
    full = nn.GaussianNLLLoss(full=True, reduction="sum")(_t(A), _t(B), _t(var[:, :1])).item()
    per = 0.5 * (np.log(var[:, :1]) + (A - B) ** 2 / var[:, :1]) + 0.5 * math.log(2 * math.pi)
    assert full == pytest.approx(per.sum(), rel=1e-13)
    same = nn.GaussianNLLLoss(reduction="none")(_t(A), _t(B), _t(var[:, 0])).numpy()
    np.testing.assert_allclose(same, 0.5 * (np.log(var[:, :1]) + (A - B) ** 2 / var[:, :1]), rtol=1e-13)
    # a variance below eps counts as eps in the value, yet its gradient is still computed (at eps)
    v = _t(np.array([1e-9]), grad=True)
    loss = F.gaussian_nll_loss(_t(np.array([1.0])), _t(np.array([0.0])), v, eps=1e-3)
    loss.backward()
    assert loss.item() == pytest.approx(0.5 * (math.log(1e-3) + 1 / 1e-3))
    assert v.grad.item() == pytest.approx(0.5 * (1 / 1e-3 - 1 / 1e-6))
    with pytest.raises(ValueError, match="negative entry"):
        F.gaussian_nll_loss(_t(A), _t(B), _t(-var))
    with pytest.raises(ValueError, match=r"var of shape \(5, 3\)"):
        F.gaussian_nll_loss(_t(A), _t(B), _t(var[:, :3]))


def test_legacy_size_average_and_reduce_map_to_reduction() -> None:
    with pytest.warns(UserWarning, match="deprecated"):
        assert nn.SmoothL1Loss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.MarginRankingLoss(reduce=False).reduction == "none"
    with pytest.warns(UserWarning):
        got = F.smooth_l1_loss(_t(A), _t(B), False).item()
    assert got == pytest.approx(F.smooth_l1_loss(_t(A), _t(B), reduction="sum").item())


def test_huber_loss_weight_scales_each_element() -> None:
    w = np.abs(C)
    d = A - B
    per = np.where(np.abs(d) < 1.0, 0.5 * d * d, np.abs(d) - 0.5) * w
    got = F.huber_loss(_t(A), _t(B), "sum", 1.0, weight=_t(w)).item()
    assert got == pytest.approx(per.sum(), rel=1e-13)
    with pytest.raises(ValueError, match="weight has shape"):
        F.huber_loss(_t(A), _t(B), weight=_t(w[0]))


def test_mse_and_l1_weights_divide_the_mean_by_the_total_weight() -> None:
    w = np.abs(C)
    got = F.mse_loss(_t(A), _t(B), weight=_t(w)).item()
    assert got == pytest.approx(((A - B) ** 2 * w).sum() / w.sum(), rel=1e-13)
    got = F.l1_loss(_t(A), _t(B), reduction="none", weight=_t(w)).numpy()
    np.testing.assert_allclose(got, np.abs(A - B) * w, rtol=1e-13)


def test_every_loss_takes_pytorchs_positional_order() -> None:
    x, y = _t(A), vinsgrad.tensor([0, 1, 2, 3, 0])
    # torch's F.cross_entropy(input, target, weight, size_average, ignore_index, reduce, reduction)
    assert F.cross_entropy(x, y, None, None, 2, None, "sum").item() == pytest.approx(
        F.cross_entropy(x, y, ignore_index=2, reduction="sum").item()
    )
    with pytest.warns(UserWarning, match="deprecated"):
        assert nn.CrossEntropyLoss(None, False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.MSELoss(None, False).reduction == "none"
    # the pre-issue-14 spelling F.mse_loss(x, y, "sum") now lands on size_average: refused, not misread
    with pytest.raises(TypeError, match="size_average must be a bool or None"):
        F.mse_loss(x, _t(B), "sum")  # type: ignore[arg-type]
