"""The Optimizer base: construction, parameter groups, hyper-parameter validation and zero_grad."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
from vinsgrad import optim


def param(*shape: int) -> vinsgrad.Tensor:
    return vinsgrad.ones(*shape).requires_grad_()


# **** hyper-parameter validation, with PyTorch's messages ****


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (optim.SGD, {"lr": -0.1}, "Invalid learning rate: -0.1"),
        (optim.SGD, {"momentum": -0.5}, "Invalid momentum value: -0.5"),
        (optim.SGD, {"weight_decay": -1e-4}, "Invalid weight_decay value: -0.0001"),
        (optim.SGD, {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
        (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov momentum requires a momentum"),
        (optim.Adam, {"lr": -1.0}, "Invalid learning rate: -1.0"),
        (optim.Adam, {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
        (optim.Adam, {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
        (optim.Adam, {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
        (optim.Adam, {"betas": (0.9,)}, "betas must be a pair"),
        (optim.AdamW, {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
        (optim.RMSprop, {"alpha": -0.9}, "Invalid alpha value: -0.9"),
        (optim.RMSprop, {"momentum": -0.9}, "Invalid momentum value: -0.9"),
        (optim.RMSprop, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
        (optim.Adadelta, {"lr": -0.1}, "Invalid learning rate: -0.1"),
        (optim.Adadelta, {"rho": 1.5}, "Invalid rho value: 1.5"),
        (optim.Adadelta, {"eps": -1e-6}, "Invalid epsilon value: -1e-06"),
        (optim.Adadelta, {"weight_decay": -1}, "Invalid weight_decay value: -1"),
        (optim.Adagrad, {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
        (optim.Adagrad, {"initial_accumulator_value": -1}, "Invalid initial_accumulator_value value: -1"),
        (optim.Adagrad, {"eps": -1}, "Invalid epsilon value: -1"),
        (optim.Adamax, {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
        (optim.Adamax, {"lr": -2}, "Invalid learning rate: -2"),
        (optim.NAdam, {"momentum_decay": -0.1}, "Invalid momentum_decay value: -0.1"),
        (optim.NAdam, {"betas": (-0.1, 0.9)}, "Invalid beta parameter at index 0: -0.1"),
        (optim.RAdam, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
        (optim.RAdam, {"weight_decay": -0.5}, "Invalid weight_decay value: -0.5"),
        (optim.ASGD, {"lr": -0.01}, "Invalid learning rate: -0.01"),
        (optim.ASGD, {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
        (optim.Rprop, {"etas": (1.5, 1.2)}, "Invalid eta values: 1.5, 1.2"),
        (optim.Rprop, {"etas": (0.5, 0.9)}, "Invalid eta values: 0.5, 0.9"),
        (optim.Rprop, {"lr": -1.0}, "Invalid learning rate: -1.0"),
    ],
)
def test_invalid_hyperparameters_are_rejected_up_front(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls([param(2)], **kwargs)


def test_a_string_hyperparameter_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match=r"Invalid learning rate: '1e-3' is a str, expected a number"):
        optim.Adam([param(2)], lr="1e-3")


def test_group_hyperparameters_are_validated_too():
    opt = optim.SGD([param(2)], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        opt.add_param_group({"params": [param(2)], "lr": -1})


def test_flags_are_keyword_only():
    with pytest.raises(TypeError):
        optim.SGD([param(2)], 0.1, 0.9, 0, 0, False, True)  # maximize positionally
    with pytest.raises(TypeError):
        optim.Adam([param(2)], 0.1, (0.9, 0.99), 1e-8, 0, False, True)


def test_defaults_match_pytorch():
    assert optim.SGD([param(1)]).defaults == {
        "lr": 1e-3,
        "momentum": 0,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        "maximize": False,
        "foreach": None,
    }
    adam = optim.Adam([param(1)]).defaults
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"], adam["amsgrad"]) == (
        1e-3,
        (0.9, 0.999),
        1e-8,
        0,
        False,
    )
    assert optim.AdamW([param(1)]).defaults["weight_decay"] == 1e-2
    assert optim.AdamW([param(1)]).defaults["decoupled_weight_decay"] is True
    rms = optim.RMSprop([param(1)]).defaults
    assert (rms["lr"], rms["alpha"], rms["eps"], rms["weight_decay"], rms["momentum"], rms["centered"]) == (
        1e-2,
        0.99,
        1e-8,
        0,
        0,
        False,
    )


@pytest.mark.parametrize(
    "cls, expected",
    [
        (optim.Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0}),
        (optim.Adagrad, {"lr": 1e-2, "lr_decay": 0, "weight_decay": 0, "initial_accumulator_value": 0, "eps": 1e-10}),
        (optim.Adamax, {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0}),
        (
            optim.NAdam,
            {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "momentum_decay": 4e-3},
        ),
        (optim.RAdam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0}),
        (optim.ASGD, {"lr": 1e-2, "lambd": 1e-4, "alpha": 0.75, "t0": 1e6, "weight_decay": 0}),
        (optim.Rprop, {"lr": 1e-2, "etas": (0.5, 1.2), "step_sizes": (1e-6, 50)}),
        (optim.LBFGS, {"lr": 1, "max_iter": 20, "max_eval": 25, "tolerance_grad": 1e-7, "tolerance_change": 1e-9}),
    ],
)
def test_new_optimizer_defaults_match_pytorch(cls, expected):
    defaults = cls([param(1)]).defaults
    assert {k: defaults[k] for k in expected} == expected
    if cls is not optim.LBFGS:
        assert defaults["maximize"] is False and defaults["foreach"] is None


def test_positional_order_matches_pytorch():
    # foreach is the last positional argument of these, as in PyTorch; maximize stays keyword-only
    assert optim.Adadelta([param(1)], 0.5, 0.8, 1e-5, 0.1, True).defaults["foreach"] is True
    assert optim.Adagrad([param(1)], 0.1, 0.01, 0, 0.1, 1e-8, True).defaults["foreach"] is True
    assert optim.Adamax([param(1)], 0.1, (0.8, 0.9), 1e-8, 0, True).defaults["foreach"] is True
    assert optim.NAdam([param(1)], 0.1, (0.8, 0.9), 1e-8, 0.1, 0.01, True).defaults["decoupled_weight_decay"] is True
    assert optim.RAdam([param(1)], 0.1, (0.8, 0.9), 1e-8, 0.1, True).defaults["decoupled_weight_decay"] is True
    assert optim.ASGD([param(1)], 0.1, 1e-3, 0.5, 10, 0, None, True).defaults["maximize"] is True
    with pytest.raises(TypeError):
        optim.Adadelta([param(1)], 0.5, 0.8, 1e-5, 0.1, None, True)


def test_adagrad_state_exists_from_construction():
    p = param(3)
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state[p]["step"] == 0
    np.testing.assert_array_equal(opt.state[p]["sum"], np.full(3, 0.25, dtype=np.float32))


# **** parameters and groups ****


def test_bad_params_arguments():
    p = param(2)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got a Tensor"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(TypeError, match=r"one of the params is tuple \(pass model.parameters\(\)"):
        optim.SGD([("w", p)], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="'params' entry"):
        optim.SGD([param(2)], lr=0.1).add_param_group({"lr": 0.1})
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)


def test_param_groups_take_defaults_for_missing_keys():
    a, b = param(2), param(3)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]
    assert opt.param_groups[1]["params"] == [b]  # a single Tensor becomes a list
    c = param(1)
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0
    assert opt.param_groups[2]["params"][0] is c


def test_accepts_a_generator_of_tensors():
    ps = [param(2), param(3)]
    opt = optim.Adam(p for p in ps)
    assert opt.param_groups[0]["params"] == ps


def test_repr_lists_groups():
    text = repr(optim.SGD([param(2)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


# **** zero_grad ****


def test_zero_grad_sets_to_none_by_default():
    p = param(3)
    (p * 2).sum().backward()
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad()
    assert p.grad is None


def test_zero_grad_in_place():
    p = param(3)
    (p * 2).sum().backward()
    grad = p.grad
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad is grad
    np.testing.assert_array_equal(p.grad._data, np.zeros(3, dtype=np.float32))
    (p * 3).sum().backward()  # accumulates into the zeroed buffer
    np.testing.assert_array_equal(p.grad._data, np.full(3, 3.0, dtype=np.float32))
