"""Losses: hand-derived values (PyTorch's reduction rules), finite-difference gradients, extreme inputs, errors."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn

LN2, LN3 = math.log(2), math.log(3)


def _f64(values: object, requires_grad: bool = True) -> vinsgrad.Tensor:
    return vinsgrad.tensor(values, dtype=vinsgrad.float64, requires_grad=requires_grad)


def _classes(*values: int) -> vinsgrad.Tensor:
    return vinsgrad.tensor(list(values))


# **** cross entropy ****


def test_cross_entropy_uniform_logits_and_its_gradient() -> None:
    x = _f64([[0.0, 0.0, 0.0]])
    loss = nn.CrossEntropyLoss()(x, _classes(1))
    loss.backward()
    assert loss.item() == pytest.approx(LN3)
    assert x.grad.tolist()[0] == pytest.approx([1 / 3, -2 / 3, 1 / 3])  # softmax - onehot


def test_cross_entropy_weighted_mean_skips_ignored_targets() -> None:
    # rows: uniform (target 0), [1/4, 1/4, 1/2] (target 2), ignored
    x = _f64([[0.0, 0.0, 0.0], [0.0, 0.0, LN2], [5.0, -5.0, 0.0]])
    weight = vinsgrad.tensor([1.0, 2.0, 3.0], dtype=vinsgrad.float64)
    loss = nn.CrossEntropyLoss(weight)(x, _classes(0, 2, -100))
    loss.backward()
    # PyTorch: sum of w[y] * nll over the kept rows, divided by the sum of their weights
    assert loss.item() == pytest.approx((1 * LN3 + 3 * LN2) / (1 + 3))
    assert x.grad.tolist()[0] == pytest.approx([(1 / 3 - 1) / 4, 1 / 12, 1 / 12])
    assert x.grad.tolist()[2] == [0.0, 0.0, 0.0]
    total = nn.CrossEntropyLoss(weight, reduction="sum")(x, _classes(0, 2, -100))
    assert total.item() == pytest.approx(LN3 + 3 * LN2)
    per_row = nn.CrossEntropyLoss(weight, reduction="none")(x, _classes(0, 2, -100))
    assert per_row.tolist() == pytest.approx([LN3, 3 * LN2, 0.0])


def test_cross_entropy_label_smoothing() -> None:
    # logp = ln([1/4, 1/4, 1/2]); loss = (1 - eps) * nll + eps / C * (-sum(logp))
    eps = 0.3
    loss = nn.CrossEntropyLoss(label_smoothing=eps)(_f64([[0.0, 0.0, LN2]]), _classes(0))
    assert loss.item() == pytest.approx((1 - eps) * 2 * LN2 + eps / 3 * 5 * LN2)


def test_cross_entropy_probability_targets() -> None:
    x = _f64([[0.0, 0.0], [0.0, LN3]])
    p = _f64([[0.25, 0.75], [1.0, 0.0]], requires_grad=False)
    loss = nn.CrossEntropyLoss()(x, p)
    assert loss.item() == pytest.approx((LN2 + math.log(4)) / 2)  # mean over rows
    loss.backward()
    assert np.allclose(x.grad._data, [[0.125, -0.125], [-0.375, 0.375]])


def test_cross_entropy_spatial_input_has_class_dim_one() -> None:
    x = vinsgrad.randn(2, 3, 4, 5, dtype=vinsgrad.float64)
    y = vinsgrad.randint(0, 3, (2, 4, 5))
    flat_x = x.permute(0, 2, 3, 1).reshape(-1, 3)
    assert nn.CrossEntropyLoss(reduction="none")(x, y).shape == (2, 4, 5)
    assert nn.CrossEntropyLoss()(x, y).item() == pytest.approx(nn.CrossEntropyLoss()(flat_x, y.reshape(-1)).item())
    assert nn.CrossEntropyLoss()(x[0, :, 0, 0], y[0, 0, 0]).shape == ()  # unbatched (C,) input


def test_cross_entropy_is_finite_on_extreme_logits() -> None:
    x = vinsgrad.tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]], requires_grad=True)
    loss = nn.CrossEntropyLoss()(x, _classes(1, 2))
    loss.backward()
    assert loss.dtype == vinsgrad.float32 and x.grad.dtype == vinsgrad.float32
    assert loss.item() == pytest.approx(1000.0)  # (2000 + 0) / 2
    assert np.isfinite(x.grad._data).all()
    assert np.allclose(x.grad._data, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]])
    smooth = nn.CrossEntropyLoss(label_smoothing=0.1)(x, _classes(1, 2))
    assert np.isfinite(smooth.item())


def test_all_ignored_gives_nan_loss_zero_gradient_and_no_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = vinsgrad.randn(2, 3, requires_grad=True)
        for loss_fn in (nn.CrossEntropyLoss(), nn.CrossEntropyLoss(label_smoothing=0.1), nn.NLLLoss()):
            x.grad = None
            loss = loss_fn(x, _classes(-100, -100))
            loss.backward()
            assert math.isnan(loss.item())
            assert x.grad.tolist() == [[0.0] * 3] * 2  # as in PyTorch: nothing to learn from


def test_cross_entropy_errors() -> None:
    ce = nn.CrossEntropyLoss()
    with pytest.raises(IndexError, match=r"Target 5 is out of bounds"):
        ce(vinsgrad.randn(2, 3), _classes(0, 5))
    with pytest.raises(ValueError, match=r"class-index target has shape \(3,\), expected \(2,\)"):
        ce(vinsgrad.randn(2, 3), _classes(0, 1, 2))
    with pytest.raises(ValueError, match=r"probability target has shape \(2, 4\)"):
        ce(vinsgrad.randn(2, 3), vinsgrad.rand(2, 4))
    with pytest.raises(ValueError, match="ignore_index is only supported for class-index"):
        nn.CrossEntropyLoss(ignore_index=0)(vinsgrad.randn(2, 3), vinsgrad.rand(2, 3))
    with pytest.raises(ValueError, match=r"weight has shape \(2,\), expected \(3,\)"):
        nn.CrossEntropyLoss(vinsgrad.ones(2))(vinsgrad.randn(2, 3), _classes(0, 1))
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(TypeError, match="integer class indices or float probabilities"):
        ce(vinsgrad.randn(2, 3), vinsgrad.tensor([True, False]))


def test_weight_is_a_buffer_in_state_dict() -> None:
    loss = nn.CrossEntropyLoss(vinsgrad.tensor([1.0, 2.0]))
    assert list(loss.state_dict()) == ["weight"] and repr(loss) == "CrossEntropyLoss()"
    assert list(nn.BCEWithLogitsLoss(pos_weight=vinsgrad.ones(2)).state_dict()) == ["pos_weight"]


# **** nll ****


def test_nll_of_log_softmax_equals_cross_entropy() -> None:
    x = vinsgrad.randn(6, 4, dtype=vinsgrad.float64)
    y = _classes(0, 3, -100, 1, 2, 3)
    w = vinsgrad.tensor([0.5, 1.0, 2.0, 3.0])
    for reduction in ("mean", "sum", "none"):
        nll = nn.NLLLoss(w, reduction=reduction)(nn.LogSoftmax(dim=1)(x), y)
        ce = nn.CrossEntropyLoss(w, reduction=reduction)(x, y)
        assert np.allclose(nll._data, ce._data)
    logp = _f64([[-1.0, -2.0], [-3.0, -4.0]])
    nll = nn.NLLLoss()(logp, _classes(1, 0))
    nll.backward()
    assert nll.item() == pytest.approx(2.5) and logp.grad.tolist() == [[0.0, -0.5], [-0.5, 0.0]]
    with pytest.raises(TypeError, match="integer class indices"):
        nn.NLLLoss()(logp, vinsgrad.rand(2))


# **** elementwise losses ****


def test_mse_and_l1_values() -> None:
    x, t = _f64([1.0, 2.0, 4.0]), _f64([1.0, 0.0, 1.0], requires_grad=False)
    mse = nn.MSELoss()(x, t)
    mse.backward()
    assert mse.item() == pytest.approx(13 / 3) and x.grad.tolist() == pytest.approx([0.0, 4 / 3, 2.0])
    assert nn.MSELoss(reduction="sum")(x, t).item() == 13.0
    assert nn.L1Loss()(x, t).item() == pytest.approx(5 / 3)
    assert nn.L1Loss(reduction="none")(x, t).tolist() == [0.0, 2.0, 3.0]
    with pytest.warns(UserWarning, match="target size"):
        nn.MSELoss()(vinsgrad.randn(3, 2), vinsgrad.randn(2))


def test_bce_values_clamping_and_errors() -> None:
    p = _f64([0.5, 0.8])
    loss = nn.BCELoss()(p, _f64([1.0, 0.0], requires_grad=False))
    loss.backward()
    assert loss.item() == pytest.approx((LN2 - math.log(0.2)) / 2)
    assert p.grad.tolist() == pytest.approx([-1.0, 1 / 0.2 / 2])  # (p - t) / (p (1 - p)) / N
    # log is clamped at -100, as in PyTorch: certain-and-wrong costs 100, not inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        edge = nn.BCELoss(reduction="none")(vinsgrad.tensor([0.0, 1.0]), vinsgrad.tensor([1.0, 0.0]))
    assert edge.tolist() == [100.0, 100.0]
    with pytest.raises(ValueError, match="should be between 0 and 1"):
        nn.BCELoss()(vinsgrad.tensor([1.5]), vinsgrad.tensor([1.0]))
    with pytest.raises(ValueError, match=r"target size \(2,\) must equal the input size \(1,\)"):
        nn.BCELoss()(vinsgrad.tensor([0.5]), vinsgrad.tensor([1.0, 0.0]))


def test_bce_with_logits_values_pos_weight_and_extremes() -> None:
    x = _f64([0.3, -1.2, 2.0])
    t = _f64([1.0, 0.0, 0.4], requires_grad=False)
    with_logits = nn.BCEWithLogitsLoss(reduction="none")(x, t)
    assert np.allclose(with_logits._data, nn.BCELoss(reduction="none")(x.sigmoid(), t)._data)
    # pos_weight multiplies the positive term: x = 0, t = 1, pw = 3 -> 3 ln 2
    pw = nn.BCEWithLogitsLoss(pos_weight=vinsgrad.tensor([3.0]))(_f64([0.0]), _f64([1.0], requires_grad=False))
    assert pw.item() == pytest.approx(3 * LN2)
    big = vinsgrad.tensor([1000.0, -1000.0], requires_grad=True)
    loss = nn.BCEWithLogitsLoss(reduction="sum")(big, vinsgrad.tensor([0.0, 1.0]))
    loss.backward()
    assert loss.item() == pytest.approx(2000.0) and big.grad.tolist() == [1.0, -1.0]
    assert big.grad.dtype == vinsgrad.float32


# **** gradients of every loss, by finite differences ****

Case = tuple[Callable[[], nn.Module], Callable[[np.random.Generator], tuple]]


def _logits_and_classes(shape: tuple[int, ...], n_classes: int, ignore: int | None = None) -> Callable:
    def make(rng: np.random.Generator) -> tuple:
        y = rng.integers(0, n_classes, shape[:1] + shape[2:])
        if ignore is not None:
            y.reshape(-1)[0] = ignore
        return _f64(rng.standard_normal(shape)), vinsgrad.tensor(y)

    return make


def _pair(lo: float, hi: float, shape: tuple[int, ...], target_grad: bool = True) -> Callable:
    return lambda rng: (_f64(rng.uniform(lo, hi, shape)), _f64(rng.uniform(0, 1, shape), target_grad))


def _soft(shape: tuple[int, ...]) -> Callable:
    def make(rng: np.random.Generator) -> tuple:
        p = rng.uniform(0.1, 1, shape)
        return _f64(rng.standard_normal(shape)), _f64(p / p.sum(axis=1, keepdims=True))

    return make


W3 = [0.5, 2.0, 1.25]
CASES: dict[str, Case] = {
    "ce": (nn.CrossEntropyLoss, _logits_and_classes((4, 3), 3)),
    "ce weight ignore smooth": (
        lambda: nn.CrossEntropyLoss(vinsgrad.tensor(W3), ignore_index=2, label_smoothing=0.2),
        _logits_and_classes((5, 3), 3, ignore=2),
    ),
    "ce sum 4d": (lambda: nn.CrossEntropyLoss(reduction="sum"), _logits_and_classes((2, 3, 2, 2), 3)),
    "ce none smooth": (
        lambda: nn.CrossEntropyLoss(reduction="none", label_smoothing=0.1),
        _logits_and_classes((4, 3), 3),
    ),
    "ce soft weight smooth": (lambda: nn.CrossEntropyLoss(vinsgrad.tensor(W3), label_smoothing=0.3), _soft((4, 3))),
    "ce soft none 3d": (lambda: nn.CrossEntropyLoss(reduction="none"), _soft((2, 3, 2))),
    "nll weight ignore": (lambda: nn.NLLLoss(vinsgrad.tensor(W3), ignore_index=0), _logits_and_classes((4, 3), 3, 0)),
    "nll sum 3d": (lambda: nn.NLLLoss(reduction="sum"), _logits_and_classes((2, 3, 2), 3)),
    "mse": (nn.MSELoss, _pair(-2, 2, (3, 4))),
    "l1 none": (lambda: nn.L1Loss(reduction="none"), _pair(1.1, 2, (3, 4))),
    "bce weight": (lambda: nn.BCELoss(vinsgrad.tensor([0.5, 2.0, 1.0, 1.5])), _pair(0.1, 0.9, (3, 4))),
    "bce sum": (lambda: nn.BCELoss(reduction="sum"), _pair(0.1, 0.9, (5,))),
    "bce logits weight pos_weight": (
        lambda: nn.BCEWithLogitsLoss(
            vinsgrad.tensor([0.5, 2.0, 1.0, 1.5]), pos_weight=vinsgrad.tensor([3.0, 0.5, 1, 2])
        ),
        _pair(-3, 3, (3, 4)),
    ),
    "bce logits none": (lambda: nn.BCEWithLogitsLoss(reduction="none"), _pair(-3, 3, (5,))),
}


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck(name: str) -> None:
    make_loss, make_inputs = CASES[name]
    loss = make_loss().double()
    assert vinsgrad.gradcheck(loss, make_inputs(np.random.default_rng(0)))


@pytest.mark.parametrize("name", list(CASES))
def test_float32_stays_float32(name: str) -> None:
    make_loss, make_inputs = CASES[name]
    x, t = make_inputs(np.random.default_rng(0))
    x = x.detach().float().requires_grad_()
    t = t.detach().float() if t.dtype == vinsgrad.float64 else t
    out = make_loss()(x, t)
    out.sum().backward()
    assert out.dtype == vinsgrad.float32 and x.grad.dtype == vinsgrad.float32
