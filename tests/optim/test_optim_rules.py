"""Each optimizer's ten-step trajectory against its published update rule, written here in plain NumPy.

The gradients are computed analytically in NumPy and handed to the optimizer as ``p.grad``, so these tests check
the optimizers alone; one test at the end runs the same problem end to end through ``backward()``.
"""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
from vinsgrad import optim

STEPS = 30
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


def ref_adadelta(theta, g, st, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * theta
    st["v"] = rho * st.get("v", 0) + (1 - rho) * g * g
    dx = np.sqrt(st.get("u", 0) + eps) / np.sqrt(st["v"] + eps) * g
    st["u"] = rho * st.get("u", 0) + (1 - rho) * dx * dx
    return theta - lr * dx


def ref_adagrad(
    theta, g, st, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False
):
    st["t"] = t = st.get("t", 0) + 1
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * theta
    lr_t = lr / (1 + (t - 1) * lr_decay)
    st["sum"] = st.get("sum", initial_accumulator_value) + g * g
    return theta - lr_t * g / (np.sqrt(st["sum"]) + eps)


def ref_adamax(theta, g, st, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    b1, b2 = betas
    st["t"] = t = st.get("t", 0) + 1
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * theta
    st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
    st["u"] = np.maximum(b2 * st.get("u", 0), np.abs(g) + eps)
    return theta - lr * st["m"] / ((1 - b1**t) * st["u"])


def ref_nadam(
    theta,
    g,
    st,
    lr=2e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    momentum_decay=4e-3,
    decoupled_weight_decay=False,
    maximize=False,
):
    b1, b2 = betas
    st["t"] = t = st.get("t", 0) + 1
    if maximize:
        g = -g
    if weight_decay and decoupled_weight_decay:
        theta = theta - lr * weight_decay * theta
    elif weight_decay:
        g = g + weight_decay * theta
    mus = [b1 * (1 - 0.5 * 0.96 ** (i * momentum_decay)) for i in range(1, t + 2)]  # mu_1 .. mu_{t+1}
    st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
    st["v"] = b2 * st.get("v", 0) + (1 - b2) * g * g
    m_hat = mus[t] * st["m"] / (1 - np.prod(mus)) + (1 - mus[t - 1]) * g / (1 - np.prod(mus[:t]))
    v_hat = st["v"] / (1 - b2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def ref_radam(
    theta, g, st, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False, maximize=False
):
    b1, b2 = betas
    st["t"] = t = st.get("t", 0) + 1
    if maximize:
        g = -g
    if weight_decay and decoupled_weight_decay:
        theta = theta - lr * weight_decay * theta
    elif weight_decay:
        g = g + weight_decay * theta
    st["m"] = b1 * st.get("m", 0) + (1 - b1) * g
    st["v"] = b2 * st.get("v", 0) + (1 - b2) * g * g
    m_hat = st["m"] / (1 - b1**t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
    st.setdefault("rectified", []).append(rho_t > 5)
    if rho_t > 5:
        adaptive = np.sqrt(1 - b2**t) / (np.sqrt(st["v"]) + eps)
        r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return theta - lr * m_hat * r * adaptive
    return theta - lr * m_hat


def ref_asgd(theta, g, st, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False):
    st["t"] = t = st.get("t", 0) + 1
    eta, mu = st.get("eta", lr), st.get("mu", 1.0)
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * theta
    theta = theta * (1 - lambd * eta) - eta * g
    st["ax"] = theta if mu == 1 else st["ax"] + mu * (theta - st["ax"])
    st["eta"] = lr / (1 + lambd * lr * t) ** alpha
    st["mu"] = 1 / max(1, t - t0)
    return theta


def ref_rprop(theta, g, st, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    """The docs' per-element loop, literally."""
    if maximize:
        g = -g
    g = np.array(g, dtype=np.float64)
    eta = st.setdefault("eta", np.full(g.shape, lr))
    prev = st.setdefault("prev", np.zeros(g.shape))
    theta = np.array(theta, dtype=np.float64)
    for i in np.ndindex(g.shape):
        if prev[i] * g[i] > 0:
            eta[i] = min(eta[i] * etas[1], step_sizes[1])
        elif prev[i] * g[i] < 0:
            eta[i] = max(eta[i] * etas[0], step_sizes[0])
            g[i] = 0
        theta[i] -= eta[i] * np.sign(g[i])
        prev[i] = g[i]
    st["bounds_hit"] = st.get("bounds_hit", set()) | {b for b in step_sizes if (eta == b).any()}
    return theta


REFERENCES = {
    optim.SGD: ref_sgd,
    optim.Adam: ref_adam,
    optim.AdamW: ref_adamw,
    optim.RMSprop: ref_rmsprop,
    optim.Adadelta: ref_adadelta,
    optim.Adagrad: ref_adagrad,
    optim.Adamax: ref_adamax,
    optim.NAdam: ref_nadam,
    optim.RAdam: ref_radam,
    optim.ASGD: ref_asgd,
    optim.Rprop: ref_rprop,
}

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
    (optim.Adadelta, {}),
    (optim.Adadelta, {"lr": 0.5, "rho": 0.8, "eps": 1e-3, "weight_decay": 0.1}),
    (optim.Adadelta, {"lr": 2.0, "maximize": True, "foreach": True}),
    (optim.Adagrad, {"lr": 0.1}),
    (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.3, "eps": 1e-3}),
    (optim.Adagrad, {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    (optim.Adamax, {"lr": 0.05}),
    (optim.Adamax, {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1}),
    (optim.Adamax, {"lr": 0.05, "maximize": True}),
    (optim.NAdam, {"lr": 0.05}),
    (optim.NAdam, {"lr": 0.05, "betas": (0.8, 0.95), "momentum_decay": 0.05, "weight_decay": 0.1}),
    (optim.NAdam, {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True, "maximize": True}),
    (optim.RAdam, {"lr": 0.05}),
    (optim.RAdam, {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    (optim.RAdam, {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True, "maximize": True}),
    (optim.ASGD, {"lr": 0.05}),
    (optim.ASGD, {"lr": 0.05, "lambd": 0.1, "alpha": 0.5, "t0": 4, "weight_decay": 0.1}),
    (optim.ASGD, {"lr": 0.05, "lambd": 0.05, "t0": 2, "maximize": True}),
    (optim.Rprop, {"lr": 0.01}),
    (optim.Rprop, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (0.02, 0.1)}),
    (optim.Rprop, {"lr": 0.01, "maximize": True}),
]


def reference_trajectory(cls, kwargs, dtype=np.float64, states=None):
    ref = REFERENCES[cls]
    kwargs = {k: v for k, v in kwargs.items() if k != "foreach"}  # foreach changes nothing
    w, b = W0.astype(dtype).astype(np.float64), B0.astype(dtype).astype(np.float64)
    sw, sb, out = {}, {}, []
    for _ in range(STEPS):
        gw, gb = gradients(w, b)
        w, b = ref(w, gw, sw, **kwargs), ref(b, gb, sb, **kwargs)
        out.append((w, b))
    if states is not None:
        states.extend([sw, sb])
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


@pytest.mark.parametrize("kwargs", [case[1] for case in CASES if case[0] is optim.SGD], ids=str)
def test_sgd_on_a_parameter_larger_than_cache_blocks_is_bit_exact(kwargs):
    """A parameter of many cache blocks (with a ragged last one) is updated a block at a time: the values must be
    exactly those of the whole-array rule, in float32, for every variant; a strided parameter takes the plain path."""
    from vinsgrad.autograd.ops._utils import CACHE_BLOCK

    r = np.random.default_rng(1)
    big = r.standard_normal(5 * CACHE_BLOCK + 123, dtype=np.float32)
    strided = r.standard_normal((600, 1000), dtype=np.float32)[:, ::2]
    for start in (big, strided):
        w = vinsgrad.tensor(start.copy(), requires_grad=True)
        opt = optim.SGD([w], **kwargs)
        theta, st = start.copy(), {}
        for step in range(3):
            g = r.standard_normal(start.shape, dtype=np.float32)
            w.grad = vinsgrad.tensor(g)
            opt.step()
            theta = ref_sgd(theta, g, st, **kwargs).astype(np.float32)
            np.testing.assert_array_equal(w._data, theta, err_msg=f"step {step}")


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


ALL_OPTIMIZERS = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adadelta, optim.Adagrad, optim.Adamax]
ALL_OPTIMIZERS += [optim.NAdam, optim.RAdam, optim.ASGD, optim.Rprop]


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda c: c.__name__)
def test_maximize_is_minimizing_the_negated_objective(cls):
    """maximize=True with gradient g moves exactly as maximize=False with gradient -g, and differently from
    maximize=False with g (so the flag really flips the update)."""
    kwargs = {"lr": 0.05} if cls is not optim.Adadelta else {}
    runs = {}
    for maximize, sign in [(True, 1.0), (False, -1.0), (False, 1.0)]:
        w = vinsgrad.tensor(W0, requires_grad=True)
        opt = cls([w], maximize=maximize, **kwargs)
        for _ in range(5):
            w.grad = vinsgrad.tensor(sign * gradients(w._data, B0)[0])
            opt.step()
        runs[maximize, sign] = w._data.copy()
    np.testing.assert_array_equal(runs[True, 1.0], runs[False, -1.0])
    assert np.abs(runs[True, 1.0] - runs[False, 1.0]).max() > 1e-3


def test_asgd_average_and_step_schedule_match_the_reference():
    kwargs = {"lr": 0.05, "lambd": 0.1, "alpha": 0.5, "t0": 4, "weight_decay": 0.1}
    states = []
    reference_trajectory(optim.ASGD, kwargs, states=states)
    _, opt = run(optim.ASGD, kwargs)
    for state, ref in zip(opt.state.values(), states):
        assert state["step"] == STEPS
        assert state["eta"] == pytest.approx(ref["eta"], rel=1e-12) and state["mu"] == pytest.approx(1 / (STEPS - 4))
        np.testing.assert_allclose(state["ax"], ref["ax"], rtol=1e-10)
        assert not np.allclose(state["ax"], W0 if state["ax"].ndim == 2 else B0)


def test_radam_reference_covers_both_branches():
    states = []
    reference_trajectory(optim.RAdam, {"lr": 0.05, "betas": (0.8, 0.9)}, states=states)
    assert states[0]["rectified"][:5] == [False] * 5 and all(states[0]["rectified"][6:])


def test_rprop_reference_sees_sign_flips_and_the_step_bounds():
    states = []
    reference_trajectory(optim.Rprop, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (0.02, 0.1)}, states=states)
    assert states[0]["bounds_hit"] == {0.02, 0.1}  # both clamps and (0.05 * 0.3 < 0.02) a sign flip happened
    _, opt = run(optim.Rprop, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (0.02, 0.1)})
    np.testing.assert_allclose(opt.state[opt.param_groups[0]["params"][0]]["step_size"], states[0]["eta"])


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda c: c.__name__)
def test_foreach_is_accepted_and_changes_nothing(cls):
    kwargs = {"lr": 0.05} if cls is not optim.Adadelta else {}
    results = []
    for foreach in (None, True, False):
        got, opt = run(cls, {**kwargs, "foreach": foreach})
        assert opt.defaults["foreach"] is foreach
        results.append(got[-1][0])
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])
