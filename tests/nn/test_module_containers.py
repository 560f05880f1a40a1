"""Sequential, ModuleList, Identity and Flatten: names, indexing, editing, forward and repr as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn


def _mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))


def test_sequential_applies_modules_in_order_and_names_them_by_position() -> None:
    model = _mlp()
    x = vinsgrad.randn(5, 4)
    assert model(x).allclose(model[2](model[1](model[0](x))))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(model) == 3 and [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert model[-1] is model[2]
    with pytest.raises(IndexError, match="index 3 is out of range for Sequential of length 3"):
        model[3]
    named = nn.Sequential({"fc": nn.Linear(2, 2), "act": nn.ReLU()})
    assert [n for n, _ in named.named_children()] == ["fc", "act"] and named.fc is named[0]
    assert nn.Sequential()(x) is x


def test_sequential_slicing_keeps_names_and_editing_renumbers() -> None:
    model = _mlp()
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and [n for n, _ in tail.named_children()] == ["1", "2"]
    assert tail[1] is model[2]
    model.append(nn.Tanh())
    assert [n for n, _ in model.named_children()] == ["0", "1", "2", "3"]
    del model[1]
    assert [n for n, _ in model.named_children()] == ["0", "1", "2"]
    assert [type(m).__name__ for m in model] == ["Linear", "Linear", "Tanh"]
    model.insert(1, nn.ReLU())
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "Tanh"]
    model[3] = nn.Sigmoid()
    assert isinstance(model[3], nn.Sigmoid)
    del model[::2]
    assert [type(m).__name__ for m in model] == ["ReLU", "Sigmoid"]


def test_module_list_registers_modules_and_prints_runs_compactly() -> None:
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    blocks += [nn.ReLU()]
    assert len(blocks) == 4 and len(list(blocks.parameters())) == 6
    assert isinstance(blocks[1:3], nn.ModuleList) and len(blocks[1:3]) == 2
    assert repr(blocks) == (
        "ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n  (3): ReLU()\n)"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"
    with pytest.raises(NotImplementedError):
        blocks(vinsgrad.ones(2))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        blocks.append(3)  # type: ignore[arg-type]


def test_identity_and_flatten() -> None:
    x = vinsgrad.randn(2, 3, 4, 5)
    assert nn.Identity(54, unused=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Flatten(start_dim=2)(x).shape == (2, 3, 20)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)" and repr(nn.Identity()) == "Identity()"
    y = vinsgrad.randn(2, 3, 4, requires_grad=True)
    nn.Flatten()(y).sum().backward()
    assert y.grad.shape == (2, 3, 4)


def test_sequential_relu_then_max_pool_matches_the_layers_run_one_by_one() -> None:
    # Sequential runs ReLU -> MaxPool2d as pool then relu; values and gradients must be those of the two layers.
    # Ties at zero (a window of negatives and zeros) and a NaN are where a wrong swap would show.
    data = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    data[0, 0, :2, :2] = [[-1.0, 0.0], [0.0, -2.0]]
    data[1, 2, 2, 3] = np.nan
    model = nn.Sequential(nn.ReLU(), nn.MaxPool2d(2))
    fused_x, plain_x = vinsgrad.tensor(data, requires_grad=True), vinsgrad.tensor(data, requires_grad=True)
    fused = model(fused_x)
    plain = model[1](model[0](plain_x))
    assert fused.grad_fn.op_name() == "ReLU" and plain.grad_fn.op_name() == "MaxPool2d"
    np.testing.assert_array_equal(fused._data, plain._data)
    g = np.random.default_rng(1).standard_normal(fused.shape)
    fused.backward(g)
    plain.backward(g)
    np.testing.assert_array_equal(fused_x.grad._data, plain_x.grad._data)


@pytest.mark.parametrize("hooked", [0, 1])
def test_sequential_runs_hooked_relu_and_max_pool_in_their_own_order(hooked: int) -> None:
    # A forward hook sees its own layer's input and output: the ReLU's output is >= 0, the pool's input too.
    model = nn.Sequential(nn.ReLU(), nn.MaxPool2d(2))
    seen: list[tuple[float, float]] = []
    model[hooked].register_forward_hook(lambda m, args, out: seen.append((float(args[0].min()), float(out.min()))))
    x = vinsgrad.tensor(np.random.default_rng(0).standard_normal((1, 2, 4, 4)), requires_grad=True)
    out = model(x)
    assert len(seen) == 1
    if hooked == 0:
        assert seen[0][0] < 0 and seen[0][1] >= 0  # the ReLU saw the raw input
    else:
        assert seen[0][0] >= 0  # the pool saw the ReLU's output
    assert out.grad_fn.op_name() == "MaxPool2d"
