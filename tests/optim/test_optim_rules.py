"""Each optimizer's ten-step trajectory against its published update rule, written here in plain NumPy.

The gradients are computed analytically in NumPy and handed to the optimizer as ``p.grad``, so these tests check
the optimizers alone; one test at the end runs the same problem end to end through ``backward()``.
"""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
from vinsgrad import optim

STEPS = 10
rng = np.random.default_rng(0)
X = rng.standard_normal((8, 3))
Y = rng.standard_normal((8, 2))
W0 = rng.standard_normal((3, 2))
B0 = rng.standard_normal(2)


def gradients(w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d/dw and d/db of mean((X @ w + b - Y) ** 2) + sum(sin(w)), by hand."""
    r = X @ w + b - Y
    return 2 * X.T @ r / r.size + np.cos(w), 2 * r.sum(0) / r.size


# **** reference update rules (PyTorch's documented algorithms), one parameter at a time ****


def ref_sgd(theta, g, st, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * theta
    if momentum:
        st["b"] = g if "b" not in st else momentum * st["b"] + (1 - dampening) * g
        g = g + momentum * st["b"] if nesterov else st["b"]
    return theta - lr * g


def ref_adam(
    theta, g, st, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False, adamw=False
):
    b1, b2 = betas
    st["t"] = t = st.get("t", 0) + 1
    if maximize:
        g = -g
    if weight_decay and adamw:
        theta = theta - lr * weight_decay * theta
    elif weight_decay:
        g = g + weight_decay * theta
    st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
    st["v"] = b2 * st.get("v", 0) + (1 - b2) * g * g
    m_hat = st["m"] / (1 - b1**t)
    if amsgrad:
        st["v_max"] = np.maximum(st.get("v_max", 0), st["v"])
        v_hat = st["v_max"] / (1 - b2**t)
    else:
        v_hat = st["v"] / (1 - b2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def ref_rmsprop(theta, g, st, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False):
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * theta
    st["v"] = alpha * st.get("v", 0) + (1 - alpha) * g * g
    v = st["v"]
    if centered:
        st["g_avg"] = alpha * st.get("g_avg", 0) + (1 - alpha) * g
        v = v - st["g_avg"] ** 2
    if momentum > 0:
        st["b"] = momentum * st.get("b", 0) + g / (np.sqrt(v) + eps)
        return theta - lr * st["b"]
    return theta - lr * g / (np.sqrt(v) + eps)


def ref_adamw(theta, g, st, lr, weight_decay=1e-2, **kw):
    return ref_adam(theta, g, st, lr, weight_decay=weight_decay, adamw=True, **kw)


REFERENCES = {optim.SGD: ref_sgd, optim.Adam: ref_adam, optim.AdamW: ref_adamw, optim.RMSprop: ref_rmsprop}

CASES = [
    (optim.SGD, {"lr": 0.1}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    (optim.SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    (optim.SGD, {"lr": 0.1, "weight_decay": 0.1}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05, "maximize": True}),
    (optim.SGD, {"lr": 0.1, "maximize": True}),
    (optim.Adam, {"lr": 0.1}),
    (optim.Adam, {"lr": 0.1, "betas": (0.8, 0.9), "eps": 1e-3}),
    (optim.Adam, {"lr": 0.1, "amsgrad": True}),
    (optim.Adam, {"lr": 0.1, "weight_decay": 0.1}),
    (optim.Adam, {"lr": 0.1, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    (optim.AdamW, {"lr": 0.1}),
    (optim.AdamW, {"lr": 0.1, "weight_decay": 0.3, "amsgrad": True}),
    (optim.AdamW, {"lr": 0.1, "weight_decay": 0.3, "maximize": True}),
    (optim.RMSprop, {"lr": 0.01}),
    (optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-3}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.9}),
    (optim.RMSprop, {"lr": 0.01, "centered": True}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    (optim.RMSprop, {"lr": 0.01, "centered": True, "maximize": True}),
]


def reference_trajectory(cls, kwargs, dtype=np.float64):
    ref = REFERENCES[cls]
    w, b = W0.astype(dtype).astype(np.float64), B0.astype(dtype).astype(np.float64)
    sw, sb, out = {}, {}, []
    for _ in range(STEPS):
        gw, gb = gradients(w, b)
        w, b = ref(w, gw, sw, **kwargs), ref(b, gb, sb, **kwargs)
        out.append((w, b))
    return out


def run(cls, kwargs, dtype=np.float64):
    w, b = vinsgrad.tensor(W0.astype(dtype), requires_grad=True), vinsgrad.tensor(B0.astype(dtype), requires_grad=True)
    opt = cls([w, b], **kwargs)
    out = []
    for _ in range(STEPS):
        opt.zero_grad()
        gw, gb = gradients(w._data.astype(np.float64), b._data.astype(np.float64))
        w.grad, b.grad = vinsgrad.tensor(gw.astype(dtype)), vinsgrad.tensor(gb.astype(dtype))
        opt.step()
        out.append((w._data.copy(), b._data.copy()))
    return out, opt


def case_id(case):
    cls, kwargs = case
    return cls.__name__ + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("cls, kwargs", CASES, ids=[case_id(c) for c in CASES])
def test_trajectory_matches_reference_rule(cls, kwargs):
    got, _ = run(cls, kwargs)
    expected = reference_trajectory(cls, kwargs)
    moved = np.abs(expected[-1][0] - W0).max()
    assert moved > 1e-2  # the problem is not degenerate: the parameters really move
    for (w, b), (rw, rb) in zip(got, expected):
        np.testing.assert_allclose(w, rw, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(b, rb, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls, kwargs", CASES[1::3], ids=[case_id(c) for c in CASES[1::3]])
def test_float32_stays_float32(cls, kwargs):
    got, opt = run(cls, kwargs, dtype=np.float32)
    expected = reference_trajectory(cls, kwargs, dtype=np.float32)
    for (w, b), (rw, rb) in zip(got, expected):
        assert w.dtype == np.float32 and b.dtype == np.float32
        np.testing.assert_allclose(w, rw, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(b, rb, rtol=1e-4, atol=1e-5)
    for state in opt.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


def test_param_groups_each_follow_their_own_hyperparameters():
    w, b = vinsgrad.tensor(W0, requires_grad=True), vinsgrad.tensor(B0, requires_grad=True)
    opt = optim.SGD([{"params": [w]}, {"params": b, "lr": 0.01, "momentum": 0.5}], lr=0.1, momentum=0.9)
    rw, rb, sw, sb = W0, B0, {}, {}
    for _ in range(STEPS):
        gw, gb = gradients(w._data, b._data)
        w.grad, b.grad = vinsgrad.tensor(gw), vinsgrad.tensor(gb)
        opt.step()
        rgw, rgb = gradients(rw, rb)
        rw, rb = ref_sgd(rw, rgw, sw, lr=0.1, momentum=0.9), ref_sgd(rb, rgb, sb, lr=0.01, momentum=0.5)
    np.testing.assert_allclose(w._data, rw, rtol=1e-12)
    np.testing.assert_allclose(b._data, rb, rtol=1e-12)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop])
def test_params_without_grad_are_skipped(cls):
    used, unused = vinsgrad.tensor(W0, requires_grad=True), vinsgrad.tensor(B0, requires_grad=True)
    opt = (
        cls([used, unused], lr=0.1, momentum=0.9) if cls in (optim.SGD, optim.RMSprop) else cls([used, unused], lr=0.1)
    )
    used.grad = vinsgrad.tensor(np.ones_like(W0))
    opt.step()
    opt.step()
    np.testing.assert_array_equal(unused._data, B0)
    assert unused not in opt.state
    assert not np.array_equal(used._data, W0)


def test_update_is_in_place_on_the_parameter_array():
    for cls in (optim.SGD, optim.Adam, optim.RMSprop):
        w = vinsgrad.tensor(W0.copy(), requires_grad=True)
        data = w._data
        w.grad = vinsgrad.tensor(np.ones_like(W0))
        cls([w], lr=0.1).step()
        assert w._data is data and not np.array_equal(data, W0)


def test_step_does_not_modify_the_gradient():
    w = vinsgrad.tensor(W0, requires_grad=True)
    g = np.full_like(W0, 0.5)
    w.grad = vinsgrad.tensor(g.copy())
    opt = optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True, maximize=True)
    for _ in range(3):
        opt.step()
    np.testing.assert_array_equal(w.grad._data, g)
    assert opt.state[w]["momentum_buffer"] is not w.grad._data


def test_end_to_end_with_backward():
    """The same problem with the loss built from vinsgrad ops and differentiated by backward()."""
    w, b = vinsgrad.tensor(W0, requires_grad=True), vinsgrad.tensor(B0, requires_grad=True)
    x, y = vinsgrad.tensor(X), vinsgrad.tensor(Y)
    kwargs = {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1}
    opt = optim.Adam([w, b], **kwargs)
    for _ in range(STEPS):
        opt.zero_grad()
        loss = (((x @ w + b) - y) ** 2).mean() + w.sin().sum()
        loss.backward()
        opt.step()
    rw, rb = reference_trajectory(optim.Adam, kwargs)[-1]
    np.testing.assert_allclose(w._data, rw, rtol=1e-10)
    np.testing.assert_allclose(b._data, rb, rtol=1e-10)


def test_closure_is_evaluated_with_grad_enabled_and_its_loss_returned():
    w = vinsgrad.tensor(W0, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with vinsgrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx((W0 * W0).sum())
    np.testing.assert_allclose(w._data, W0 - 0.1 * 2 * W0)
