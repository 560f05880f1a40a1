"""Module and Parameter: registration, iteration, modes, state_dict round trips and errors, casting, repr."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(vinsgrad.ones(3))
        self.register_buffer("running", vinsgrad.zeros(3))
        self.register_buffer("scratch", vinsgrad.zeros(2), persistent=False)

    def forward(self, x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        return x * self.scale


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.block = Block()
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(3, 2))

    def forward(self, x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        return self.head(self.block(self.fc(x)))


def test_parameters_buffers_and_modules_are_registered_in_definition_order() -> None:
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "fc.weight",
        "fc.bias",
        "block.scale",
        "head.1.weight",
        "head.1.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == ["block.running", "block.scratch"]
    assert [n for n, _ in net.named_children()] == ["fc", "block", "head"]
    assert [n for n, _ in net.named_modules()] == ["", "fc", "block", "head", "head.0", "head.1"]
    assert list(net.children())[1] is net.block and next(net.modules()) is net
    assert [n for n, _ in net.named_parameters(recurse=False)] == []
    assert [n for n, _ in net.block.named_parameters(prefix="b")] == ["b.scale"]
    assert net.fc._parameters["weight"] is net.fc.weight


def test_shared_parameters_and_modules_are_yielded_once() -> None:
    net = nn.Module()
    shared = nn.Linear(2, 2)
    net.a = shared
    net.b = shared
    assert len(list(net.parameters())) == 2
    assert [n for n, _ in net.named_modules()] == ["", "a"]
    # state_dict keeps both names, as PyTorch does
    assert list(net.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


def test_setattr_moves_names_between_kinds_and_rejects_wrong_types() -> None:
    m = nn.Module()
    m.w = nn.Parameter(vinsgrad.ones(2))
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'w'"):
        m.w = vinsgrad.ones(2)
    m.w = None
    assert "w" in m._parameters and m.w is None and list(m.parameters()) == []
    m.sub = nn.ReLU()
    with pytest.raises(TypeError, match="child module 'sub'"):
        m.sub = 3
    m.register_buffer("b", vinsgrad.zeros(1))
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.b = [1.0]
    m.b = vinsgrad.ones(1)
    assert m.b.item() == 1.0 and m.state_dict()["b"].item() == 1.0
    m.plain = 5
    assert m.plain == 5 and "plain" not in m._parameters
    m.plain = nn.Parameter(vinsgrad.zeros(1))  # a plain attribute can become a parameter
    assert "plain" in m._parameters and "plain" not in m.__dict__


def test_getattr_and_delattr() -> None:
    m = Block()
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'nope'"):
        _ = m.nope
    del m.scale
    del m.running
    assert list(m.named_parameters()) == [] and list(m.state_dict()) == []
    assert "running" not in dir(m) and "forward" in dir(m)


def test_registration_errors_are_clear() -> None:
    m = nn.Module()
    with pytest.raises(KeyError, match="must be non-empty"):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="parameter 'p'"):
        m.register_parameter("p", vinsgrad.ones(1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.register_buffer("b", np.ones(1))  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("forward", None)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)  # type: ignore[arg-type]

    class NoInit(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(vinsgrad.ones(1))

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        NoInit()


def test_forward_missing_and_call_dispatches_to_forward() -> None:
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward"'):
        nn.Module()(1)
    net = Net()
    x = vinsgrad.randn(4, 3)
    assert net(x).shape == (4, 2)


def test_train_eval_recurse_and_return_self() -> None:
    net = Net()
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.head.train()
    assert net.head[0].training and not net.training
    assert all(m.training for m in net.train().modules())
    with pytest.raises(ValueError, match="bool"):
        net.train("no")  # type: ignore[arg-type]


def test_zero_grad_apply_and_requires_grad() -> None:
    net = Net()
    net(vinsgrad.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad._data.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())

    seen: list[str] = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Block", "ReLU", "Linear", "Sequential", "Net"]  # children before parents

    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_state_dict_has_dotted_keys_shares_memory_and_skips_non_persistent_buffers() -> None:
    net = Net()
    sd = net.state_dict()
    expected = ["fc.weight", "fc.bias", "block.scale", "block.running", "head.1.weight", "head.1.bias"]
    assert list(sd) == expected
    assert not sd["fc.weight"].requires_grad and type(sd["fc.weight"]) is vinsgrad.Tensor
    assert np.shares_memory(sd["fc.weight"]._data, net.fc.weight._data)
    assert net.state_dict(keep_vars=True)["fc.weight"] is net.fc.weight


def test_load_state_dict_round_trip_with_tensors_and_numpy_arrays() -> None:
    vinsgrad.manual_seed(0)
    a, b = Net(), Net()
    weight_before = b.fc.weight
    sd = {k: v._data.copy() for k, v in a.state_dict().items()}  # plain NumPy arrays
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b.fc.weight is weight_before  # copied in place: optimizers keep pointing at the same Parameter
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert np.array_equal(x._data, y._data), name
    b.load_state_dict({k: v * 2 for k, v in a.state_dict().items()})  # Tensors
    assert np.allclose(b.fc.bias._data, 2 * a.fc.bias._data)
    assert b.fc.weight.dtype == vinsgrad.float32


def test_load_state_dict_names_every_problem_in_one_error() -> None:
    net = Net()
    sd = net.state_dict()
    del sd["fc.bias"], sd["block.running"]
    sd["fc.weight"] = vinsgrad.zeros(2, 3)
    sd["extra.weight"] = vinsgrad.zeros(1)
    before = net.head[1].weight._data.copy()
    sd["head.1.weight"] = vinsgrad.zeros(2, 3)
    with pytest.raises(RuntimeError) as err:
        net.load_state_dict(sd)
    msg = str(err.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:")
    assert 'Missing key(s) in state_dict: "fc.bias", "block.running"' in msg
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in msg
    assert (
        "size mismatch for fc.weight: copying a param with shape (2, 3) from checkpoint, the shape in current " in msg
    )
    assert np.array_equal(net.head[1].weight._data, before)  # nothing is loaded when anything is wrong


def test_load_state_dict_non_strict_reports_keys_but_still_rejects_shapes() -> None:
    net = Net()
    sd = net.state_dict()
    del sd["fc.bias"]
    sd["other"] = vinsgrad.zeros(1)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc.bias"] and result.unexpected_keys == ["other"]
    sd["fc.weight"] = vinsgrad.zeros(1)
    with pytest.raises(RuntimeError, match=r"size mismatch for fc\.weight"):
        net.load_state_dict(sd, strict=False)
    with pytest.raises(TypeError, match="dict-like"):
        net.load_state_dict([1, 2])  # type: ignore[arg-type]
    sd = net.state_dict()
    sd["fc.bias"] = np.array(["a", "b", "c"])
    with pytest.raises(RuntimeError, match=r"value for fc\.bias"):
        net.load_state_dict(sd)


def test_to_double_float_cast_floating_parameters_buffers_and_grads_in_place() -> None:
    m = Block()
    m.register_buffer("count", vinsgrad.tensor(3))
    m(vinsgrad.ones(3)).sum().backward()
    scale = m.scale
    assert m.double() is m
    assert m.scale is scale and m.scale.dtype == vinsgrad.float64 and m.scale.grad.dtype == vinsgrad.float64
    assert m.running.dtype == vinsgrad.float64 and m.count.dtype == vinsgrad.int64  # integers stay
    m.float()
    assert m.scale.dtype == vinsgrad.float32
    assert m.to("cpu", dtype=vinsgrad.float64).scale.dtype == vinsgrad.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        m.to("cuda")
    with pytest.raises(TypeError, match="floating point"):
        m.to(vinsgrad.int64)


def test_repr_prints_the_tree_like_pytorch() -> None:
    expected = (
        "Net(\n"
        "  (fc): Linear(in_features=3, out_features=3, bias=True)\n"
        "  (block): Block()\n"
        "  (head): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Linear(in_features=3, out_features=2, bias=True)\n"
        "  )\n"
        ")"
    )
    assert repr(Net()) == expected

    class TwoLine(nn.Module):
        def extra_repr(self) -> str:
            return "a=1,\nb=2"

    assert repr(TwoLine()) == "TwoLine(\n  a=1,\n  b=2\n)"


def test_parameter_wraps_data_without_copying() -> None:
    t = vinsgrad.ones(2)
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and np.shares_memory(p._data, t._data)
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert repr(p) == "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    assert nn.Parameter().shape == (0,)
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(vinsgrad.tensor([1, 2]))


def test_deepcopy_and_pickle_give_independent_modules() -> None:
    net = Net()
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert type(clone.fc.weight) is nn.Parameter
        assert not np.shares_memory(clone.fc.weight._data, net.fc.weight._data)
        assert list(clone.state_dict()) == list(net.state_dict())
        x = vinsgrad.randn(2, 3)
        assert np.array_equal(clone(x)._data, net(x)._data)
