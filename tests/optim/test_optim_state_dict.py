"""Optimizer state_dict: PyTorch's layout, plain values only, and save/load/continue == uninterrupted."""

from __future__ import annotations

import json

import numpy as np
import pytest

import vinsgrad
from vinsgrad import optim

rng = np.random.default_rng(1)
A = rng.standard_normal((4, 3))
B = rng.standard_normal(5)

CONFIGS = [
    (optim.SGD, {"lr": 0.1}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.Adam, {"lr": 0.05, "amsgrad": True}),
    (optim.AdamW, {"lr": 0.05}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.9, "centered": True}),
    (optim.Adadelta, {"lr": 1.0, "weight_decay": 0.01}),
    (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
    (optim.Adamax, {"lr": 0.05}),
    (optim.NAdam, {"lr": 0.05}),
    (optim.RAdam, {"lr": 0.05}),
    (optim.ASGD, {"lr": 0.05, "t0": 2}),
    (optim.Rprop, {"lr": 0.05}),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(CONFIGS)]


def make(cls, kwargs, a=A, b=B, dtype=np.float64):
    """Two parameters in two groups (the second at half the learning rate) and the optimizer."""
    pa = vinsgrad.tensor(np.array(a, dtype=dtype), requires_grad=True)
    pb = vinsgrad.tensor(np.array(b, dtype=dtype), requires_grad=True)
    opt = cls([{"params": [pa]}, {"params": [pb], "lr": kwargs["lr"] / 2}], **kwargs)
    return (pa, pb), opt


def train(params, opt, steps, start=0):
    pa, pb = params
    for t in range(start, start + steps):
        opt.zero_grad()
        loss = (pa.sin() * (t + 1.0)).sum() + ((pb - 0.5) ** 2).sum()
        loss.backward()
        opt.step()


def snapshot(params):
    return [p._data.copy() for p in params]


def to_json_and_back(state_dict):
    """What a JSON round trip does: int keys become strings, arrays (here) lists, tuples lists."""

    def encode(x):
        if isinstance(x, np.ndarray):
            return x.tolist()
        if isinstance(x, dict):
            return {str(k): encode(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [encode(v) for v in x]
        return x

    return json.loads(json.dumps(encode(state_dict)))


@pytest.mark.parametrize("cls, kwargs", CONFIGS, ids=IDS)
@pytest.mark.parametrize("via_json", [False, True])
def test_save_load_continue_equals_uninterrupted(cls, kwargs, via_json):
    params, opt = make(cls, kwargs)
    train(params, opt, 10)
    expected = snapshot(params)

    params, opt = make(cls, kwargs)
    train(params, opt, 4)
    saved = opt.state_dict()
    saved_params = snapshot(params)
    if via_json:
        saved = to_json_and_back(saved)

    resumed, fresh = make(cls, {**kwargs, "lr": 123.0}, *saved_params)  # hyper-parameters come from the state
    fresh.load_state_dict(saved)
    train(resumed, fresh, 6, start=4)
    for got, want in zip(snapshot(resumed), expected):
        np.testing.assert_array_equal(got, want)
    assert [g["lr"] for g in fresh.param_groups] == [kwargs["lr"], kwargs["lr"] / 2]


def plain(x) -> bool:
    if isinstance(x, dict):
        return all(isinstance(k, int | str) and plain(v) for k, v in x.items())
    if isinstance(x, list | tuple):
        return all(plain(v) for v in x)
    return x is None or isinstance(x, np.ndarray | bool | int | float | str)


@pytest.mark.parametrize(
    "cls, kwargs, keys",
    [
        (optim.SGD, {"lr": 0.1}, set()),
        (optim.SGD, {"lr": 0.1, "momentum": 0.9}, {"momentum_buffer"}),
        (optim.Adam, {"lr": 0.1}, {"step", "exp_avg", "exp_avg_sq"}),
        (optim.Adam, {"lr": 0.1, "amsgrad": True}, {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
        (optim.AdamW, {"lr": 0.1}, {"step", "exp_avg", "exp_avg_sq"}),
        (optim.RMSprop, {"lr": 0.1}, {"step", "square_avg"}),
        (
            optim.RMSprop,
            {"lr": 0.1, "momentum": 0.9, "centered": True},
            {"step", "square_avg", "momentum_buffer", "grad_avg"},
        ),
        (optim.Adadelta, {"lr": 0.1}, {"step", "square_avg", "acc_delta"}),
        (optim.Adagrad, {"lr": 0.1}, {"step", "sum"}),
        (optim.Adamax, {"lr": 0.1}, {"step", "exp_avg", "exp_inf"}),
        (optim.NAdam, {"lr": 0.1}, {"step", "mu_product", "exp_avg", "exp_avg_sq"}),
        (optim.RAdam, {"lr": 0.1}, {"step", "exp_avg", "exp_avg_sq"}),
        (optim.ASGD, {"lr": 0.1}, {"step", "eta", "mu", "ax"}),
        (optim.Rprop, {"lr": 0.1}, {"step", "prev", "step_size"}),
    ],
)
def test_layout_is_pytorchs_and_plain(cls, kwargs, keys):
    params, opt = make(cls, kwargs)
    train(params, opt, 3)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == kwargs["lr"] / 2
    assert set(sd["param_groups"][0]) == {*opt.defaults, "params"}
    if keys:
        assert set(sd["state"]) == {0, 1}
        assert all(set(s) == keys for s in sd["state"].values())
    else:
        assert sd["state"] == {}
    if "step" in keys:
        assert sd["state"][0]["step"] == 3 and type(sd["state"][0]["step"]) is int
    assert plain(sd)


def test_state_dict_is_a_snapshot():
    params, opt = make(optim.Adam, {"lr": 0.1})
    train(params, opt, 2)
    sd = opt.state_dict()
    before = sd["state"][0]["exp_avg"].copy()
    train(params, opt, 2, start=2)
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], before)
    assert sd["state"][0]["step"] == 2


def test_load_casts_arrays_to_the_parameter_dtype():
    params, opt = make(optim.Adam, {"lr": 0.1})
    train(params, opt, 2)
    params32, opt32 = make(optim.Adam, {"lr": 0.1}, dtype=np.float32)
    opt32.load_state_dict(opt.state_dict())
    assert all(v.dtype == np.float32 for s in opt32.state.values() for v in s.values() if isinstance(v, np.ndarray))
    train(params32, opt32, 1)
    assert params32[0]._data.dtype == np.float32


def test_load_rejects_mismatches_naming_them():
    params, opt = make(optim.Adam, {"lr": 0.1})
    train(params, opt, 1)
    sd = opt.state_dict()
    one_group = optim.Adam([vinsgrad.tensor(A, requires_grad=True)])
    with pytest.raises(ValueError, match="different number of parameter groups: 2, this optimizer has 1"):
        one_group.load_state_dict(sd)
    _, bigger = make(optim.Adam, {"lr": 0.1})
    bigger.add_param_group({"params": [vinsgrad.ones(2).requires_grad_()]})
    bigger.param_groups.pop(1)
    bigger.param_groups[0]["params"].append(vinsgrad.ones(2).requires_grad_())
    with pytest.raises(ValueError, match="group 0 has 1 parameters there and 2 here"):
        bigger.load_state_dict(sd)
    _, other_shape = make(optim.Adam, {"lr": 0.1}, a=np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"parameter 0 \('exp_avg'\) has shape \(4, 3\), but the parameter has shape"):
        other_shape.load_state_dict(sd)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        other_shape.load_state_dict({"state": {}})


def test_load_validates_loaded_hyperparameters():
    _, opt = make(optim.SGD, {"lr": 0.1})
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match=r"Invalid learning rate: -1\.0"):
        opt.load_state_dict(sd)
