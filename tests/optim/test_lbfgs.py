"""LBFGS: the fixed-step algorithm against a NumPy two-loop L-BFGS, and the strong-Wolfe line search against the
conditions it promises and against problems with known minima."""

from __future__ import annotations

import json

import numpy as np
import pytest

import vinsgrad
from vinsgrad import optim
from vinsgrad.optim.lbfgs import _cubic_interpolate, _strong_wolfe

rng = np.random.default_rng(3)
M = rng.standard_normal((5, 5))
A = M @ M.T + 5 * np.eye(5)  # symmetric positive definite
B = rng.standard_normal(5)
X0 = rng.standard_normal(5)


def quadratic(x):
    return 0.5 * x @ A @ x - B @ x + np.sum(np.sin(x)), A @ x - B + np.cos(x)


def make(x0=X0, **kwargs):
    x = vinsgrad.tensor(x0.copy(), requires_grad=True)
    a, b = vinsgrad.tensor(A), vinsgrad.tensor(B)
    opt = optim.LBFGS([x], **kwargs)
    evals = []

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ (a @ x)) - (b * x).sum() + x.sin().sum()
        loss.backward()
        evals.append(x._data.copy())
        return loss

    return x, opt, closure, evals


def reference_lbfgs(x, calls, lr=1.0, max_iter=20, history_size=100, tol_grad=1e-7, tol_change=1e-9):
    """L-BFGS with a fixed step (Nocedal & Wright, algorithm 7.4 and 7.5), with PyTorch's step and stopping rules:
    the first step is min(1, 1/|g|_1) * lr, pairs with y.s <= 1e-10 are skipped, H0 = (y.s / y.y) I."""
    pairs, t, d, g_prev, n_iter_total = [], None, None, None, 0
    for _ in range(calls):
        f, g = quadratic(x)
        if np.abs(g).max() <= tol_grad:
            continue
        evals = 1
        for n_iter in range(1, max_iter + 1):
            n_iter_total += 1
            if n_iter_total == 1:
                d, h0 = -g, 1.0
            else:
                y, s = g - g_prev, t * d
                if y @ s > 1e-10:
                    pairs = [*pairs, (s, y)][-history_size:]
                s_last, y_last = pairs[-1]
                h0 = (y_last @ s_last) / (y_last @ y_last)
                q, alphas = g.copy(), []
                for s_i, y_i in reversed(pairs):
                    alphas.append((s_i @ q) / (y_i @ s_i))
                    q = q - alphas[-1] * y_i
                r = h0 * q
                for (s_i, y_i), a_i in zip(pairs, reversed(alphas)):
                    r = r + s_i * (a_i - (y_i @ r) / (y_i @ s_i))
                d = -r
            g_prev, f_prev = g, f
            t = min(1.0, 1.0 / np.abs(g).sum()) * lr if n_iter_total == 1 else lr
            if g @ d > -tol_change:
                break
            x = x + t * d
            if n_iter == max_iter:
                break
            f, g = quadratic(x)
            evals += 1
            if evals >= max_iter * 5 // 4 or np.abs(g).max() <= tol_grad:
                break
            if np.abs(t * d).max() <= tol_change or abs(f - f_prev) < tol_change:
                break
    return x


@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.5, "max_iter": 4}, {"lr": 0.8, "max_iter": 6, "history_size": 2}])
def test_fixed_step_matches_reference(kwargs):
    x, opt, closure, _ = make(**kwargs)
    for _ in range(3):
        opt.step(closure)
    expected = reference_lbfgs(X0.copy(), 3, **kwargs)
    assert np.abs(expected - X0).max() > 0.1
    np.testing.assert_allclose(x._data, expected, rtol=1e-10, atol=1e-12)
    assert len(opt.state[x]["old_dirs"]) <= kwargs.get("history_size", 100)


def test_step_returns_the_first_loss_and_counts_evaluations():
    x, opt, closure, evals = make(max_iter=5)
    first = quadratic(X0)[0]
    assert opt.step(closure).item() == pytest.approx(first)
    state = opt.state[x]
    assert state["func_evals"] == len(evals) == 5 and state["n_iter"] == 5  # no re-evaluation after the last one


def test_strong_wolfe_finds_the_minimum():
    x, opt, closure, _ = make(line_search_fn="strong_wolfe", max_iter=100, tolerance_change=1e-14)
    opt.step(closure)
    np.testing.assert_allclose(quadratic(x._data)[1], 0, atol=1e-6)


def test_strong_wolfe_on_rosenbrock():
    p = vinsgrad.tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = optim.LBFGS([p], lr=1, max_iter=200, line_search_fn="strong_wolfe", tolerance_change=1e-14)

    def closure():
        opt.zero_grad()
        x, y = p[0], p[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(p._data, [1.0, 1.0], atol=1e-6)
    assert opt.state[p]["n_iter"] < 60  # a quasi-Newton rate, far from gradient descent's thousands


@pytest.mark.parametrize("t0", [1e-3, 0.3, 1.0, 40.0])
def test_strong_wolfe_step_meets_both_conditions(t0):
    x0 = np.array([2.0, -1.0, 0.5, 1.5, -2.0])
    f0, g0 = quadratic(x0)
    d = -g0 * np.array([1.0, 0.2, 3.0, 0.5, 1.0])  # a descent direction that is not the gradient
    gtd = g0 @ d
    assert gtd < 0
    f, g, t, evals = _strong_wolfe(lambda step: quadratic(x0 + step * d), t0, d, f0, g0, gtd)
    f_t, g_t = quadratic(x0 + t * d)
    assert f == pytest.approx(f_t) and np.allclose(g, g_t)
    assert f_t <= f0 + 1e-4 * t * gtd  # sufficient decrease
    assert abs(g_t @ d) <= 0.9 * abs(gtd)  # strong curvature condition
    assert 1 <= evals <= 25


def test_cubic_interpolate_recovers_a_cubic_minimizer():
    # f(x) = x^3 - 3x has its local minimum at 1; the interpolating cubic through two points is f itself.
    f, g = (lambda x: x**3 - 3 * x), (lambda x: 3 * x * x - 3)
    assert _cubic_interpolate(0.0, f(0.0), g(0.0), 2.0, f(2.0), g(2.0)) == pytest.approx(1.0)
    assert _cubic_interpolate(2.0, f(2.0), g(2.0), 0.0, f(0.0), g(0.0)) == pytest.approx(1.0)
    assert _cubic_interpolate(0.0, f(0.0), g(0.0), 2.0, f(2.0), g(2.0), bounds=(1.5, 3.0)) == 1.5
    # x^3 + x is increasing, so it has no minimum: the middle of the interval
    assert _cubic_interpolate(0.0, 0.0, 1.0, 1.0, 2.0, 4.0) == 0.5


def test_state_dict_round_trip_through_json_continues_identically():
    x, opt, closure, _ = make(max_iter=3, history_size=4)
    for _ in range(4):
        opt.step(closure)
    expected = x._data.copy()

    x, opt, closure, _ = make(max_iter=3, history_size=4)
    for _ in range(2):
        opt.step(closure)
    sd = opt.state_dict()
    assert {"d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "n_iter"} <= set(
        sd["state"][0]
    )

    def encode(v):
        if isinstance(v, np.ndarray):
            return v.tolist()
        if isinstance(v, dict):
            return {str(k): encode(u) for k, u in v.items()}
        return [encode(u) for u in v] if isinstance(v, list | tuple) else v

    saved = json.loads(json.dumps(encode(sd)))
    x2, opt2, closure2, _ = make(x._data, max_iter=3, history_size=4)
    opt2.load_state_dict(saved)
    for _ in range(2):
        opt2.step(closure2)
    np.testing.assert_allclose(x2._data, expected, rtol=1e-12)


def test_lbfgs_arguments():
    p = vinsgrad.zeros(2).requires_grad_()
    assert optim.LBFGS([p], max_iter=8).defaults["max_eval"] == 10
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [p]}, {"params": [vinsgrad.zeros(1).requires_grad_()]}])
    with pytest.raises(ValueError, match="only 'strong_wolfe' is supported"):
        optim.LBFGS([p], line_search_fn="armijo")
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.LBFGS([p], lr=-1)
    with pytest.raises(RuntimeError, match="LBFGS requires a closure"):
        optim.LBFGS([p]).step()


def test_float32_stays_float32():
    p = vinsgrad.tensor(np.array([-1.2, 1.0], dtype=np.float32), requires_grad=True)
    opt = optim.LBFGS([p], max_iter=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] * p[0]) ** 2
        loss.backward()
        return loss

    opt.step(closure)
    assert p._data.dtype == np.float32 and opt.state[p]["d"].dtype == np.float32
    np.testing.assert_allclose(p._data, [1.0, 1.0], atol=1e-4)
