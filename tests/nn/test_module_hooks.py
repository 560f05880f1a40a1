"""Module hooks (forward pre-, forward and full backward, with removable handles) and the dict/list containers."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
from vinsgrad import nn


def linear(w: np.ndarray) -> nn.Linear:
    layer = nn.Linear(w.shape[1], w.shape[0], bias=False).double()
    layer.weight._data[...] = w
    return layer


W = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]])
X = np.array([[0.5, 1.0, -1.5], [2.0, -0.5, 0.25]])


def test_forward_pre_hook_replaces_args_and_forward_hook_replaces_output() -> None:
    layer = linear(W)
    seen = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    post = layer.register_forward_hook(lambda m, args, out: seen.append(args[0].numpy().copy()) or out + 1)
    y = layer(vinsgrad.tensor(X))
    np.testing.assert_allclose(y.detach().numpy(), (2 * X) @ W.T + 1)
    np.testing.assert_allclose(seen[0], 2 * X)  # the forward hook sees the replaced input
    pre.remove()
    post.remove()
    post.remove()  # removing twice is harmless
    np.testing.assert_allclose(layer(vinsgrad.tensor(X)).detach().numpy(), X @ W.T)
    assert not layer._forward_hooks and not layer._forward_pre_hooks


def test_hooks_with_kwargs_prepend_always_call_and_handle_as_context_manager() -> None:
    class Scale(nn.Module):
        def forward(self, x, *, factor=1.0):  # type: ignore[no-untyped-def]
            if factor == 0:
                raise ValueError("factor 0")
            return x * factor

    m = Scale()
    order: list[str] = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: order.append("second"))
    m.register_forward_hook(lambda mod, args, out: order.append("first"), prepend=True)
    with m.register_forward_hook(lambda mod, args, kwargs, out: order.append(f"kw {kwargs}"), with_kwargs=True):
        assert m(vinsgrad.tensor([1.0])).item() == 3.0
    assert order == ["first", "second", "kw {'factor': 3.0}"]
    assert len(m._forward_hooks) == 2
    calls = []
    n = Scale()
    n.register_forward_hook(lambda mod, args, out: calls.append(out), always_call=True)
    with pytest.raises(ValueError, match="factor 0"):
        n(vinsgrad.tensor([1.0]), factor=0)
    assert calls == [None]


def test_full_backward_hook_sees_grad_input_and_grad_output_and_can_replace_grad_input() -> None:
    layer = linear(W)
    x = vinsgrad.tensor(X, requires_grad=True)
    seen = {}

    def hook(module, grad_input, grad_output):  # type: ignore[no-untyped-def]
        seen["in"] = [g.numpy().copy() for g in grad_input]
        seen["out"] = [g.numpy().copy() for g in grad_output]
        return (grad_input[0] * 10,)

    handle = layer.register_full_backward_hook(hook)
    g_out = np.array([[1.0, -1.0], [0.5, 2.0]])
    layer(x).backward(vinsgrad.tensor(g_out))
    np.testing.assert_allclose(seen["out"][0], g_out)
    np.testing.assert_allclose(seen["in"][0], g_out @ W)  # d(xW^T)/dx applied to g_out
    np.testing.assert_allclose(x.grad.numpy(), 10 * g_out @ W)  # the hook's replacement reached x
    np.testing.assert_allclose(layer.weight.grad.numpy(), g_out.T @ X)  # parameters are untouched by the hook
    handle.remove()
    x.grad = None
    layer(x).backward(vinsgrad.tensor(g_out))
    np.testing.assert_allclose(x.grad.numpy(), g_out @ W)


def test_full_backward_hook_with_two_inputs_one_unused_elsewhere_and_an_input_without_grad() -> None:
    class Mix(nn.Module):
        def forward(self, a, b, c):  # type: ignore[no-untyped-def]
            return a * b + c

    a = vinsgrad.tensor([1.0, 2.0], requires_grad=True)
    b = vinsgrad.tensor([3.0, -1.0], requires_grad=True)
    c = vinsgrad.tensor([0.5, 0.5])  # no grad: its entry in grad_input is None
    seen = []
    m = Mix()
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(gi))
    out = m(a, b, c) + a  # a is also used outside the module: grad_input counts only the module's use
    out.sum().backward()
    (ga, gb, gc) = seen[0]
    np.testing.assert_allclose(ga.numpy(), [3.0, -1.0])
    np.testing.assert_allclose(gb.numpy(), [1.0, 2.0])
    assert gc is None and len(seen) == 1
    np.testing.assert_allclose(a.grad.numpy(), [4.0, 0.0])


def test_full_backward_hook_fires_when_no_input_requires_grad() -> None:
    layer = linear(W)
    seen = []
    layer.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go[0].numpy().copy())))
    layer(vinsgrad.tensor(X)).sum().backward()
    assert seen[0][0] == (None,)
    np.testing.assert_allclose(seen[0][1], np.ones((2, 2)))


def test_hooked_module_keeps_its_gradients() -> None:
    # The pack/capture nodes must be exact identities for gradcheck in float64.
    layer = linear(W)
    layer.register_full_backward_hook(lambda mod, gi, go: None)
    x = vinsgrad.tensor(X, requires_grad=True)
    assert vinsgrad.gradcheck(lambda t: layer(t).tanh(), (x,))


def test_hook_must_be_callable() -> None:
    with pytest.raises(TypeError, match="hook must be callable, got int"):
        nn.Linear(2, 2).register_forward_hook(3)  # type: ignore[arg-type]


def test_module_dict_registers_in_order_and_behaves_like_a_dict() -> None:
    d = nn.ModuleDict({"b": nn.Linear(2, 3), "a": nn.ReLU()})
    d["c"] = nn.Linear(3, 1)
    d.update([("d", nn.Tanh())])
    assert list(d) == ["b", "a", "c", "d"] and len(d) == 4 and "c" in d
    assert [n for n, _ in d.named_parameters()] == ["b.weight", "b.bias", "c.weight", "c.bias"]
    assert isinstance(d.pop("d"), nn.Tanh) and list(d.keys()) == ["b", "a", "c"]
    with pytest.raises(KeyError, match="ModuleDict has no key 'z'"):
        d["z"]
    with pytest.raises(TypeError, match="element 0 should be a"):
        d.update([nn.ReLU()])  # type: ignore[list-item]
    d.clear()
    assert len(d) == 0 and list(d.parameters()) == []


def test_parameter_list_and_dict_register_parameters_and_wrap_tensors() -> None:
    pl = nn.ParameterList([nn.Parameter(vinsgrad.ones(2)), vinsgrad.zeros(3)])
    pl.append(vinsgrad.ones(1))
    assert len(pl) == 3 and all(isinstance(p, nn.Parameter) for p in pl)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"] and pl[-1].shape == (1,)
    assert list(pl.state_dict()) == ["0", "1", "2"] and len(pl[1:]) == 2
    with pytest.raises(IndexError, match="index 3 is out of range for ParameterList of length 3"):
        pl[3]
    pd = nn.ParameterDict({"w": vinsgrad.ones(2)})
    pd["b"] = nn.Parameter(vinsgrad.zeros(2))
    assert list(pd) == ["w", "b"] and isinstance(pd["w"], nn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"]
    assert pd.pop("w").shape == (2,) and list(pd.keys()) == ["b"] and "w" not in pd
    with pytest.raises(KeyError, match="ParameterDict has no key 'q'"):
        pd["q"]


def test_containers_print_like_pytorch() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.heads = nn.ModuleDict({"a": nn.Linear(2, 3)})
            self.scales = nn.ParameterList([vinsgrad.ones(3, 4)])

    assert repr(Net()) == (
        "Net(\n"
        "  (heads): ModuleDict(\n"
        "    (a): Linear(in_features=2, out_features=3, bias=True)\n"
        "  )\n"
        "  (scales): ParameterList(\n"
        "    (0): Parameter containing: [vinsgrad.float32 of size 3x4]\n"
        "  )\n"
        ")"
    )


def test_get_submodule_follows_dotted_paths() -> None:
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    assert net.get_submodule("1.1") is net[1][1] and net.get_submodule("") is net
    assert net.get_parameter("1.1.bias") is net[1][1].bias
    with pytest.raises(AttributeError, match=r"Linear has no parameter 'gain'; it has \['weight', 'bias'\]"):
        net.get_parameter("0.gain")
    with pytest.raises(AttributeError, match=r"Sequential \(1\) has no submodule '5'; it has \['0', '1'\]"):
        net.get_submodule("1.5")


def test_cuda_and_to_cuda_say_vinsgrad_runs_on_the_cpu() -> None:
    for call in (lambda: nn.Linear(2, 2).to("cuda"), lambda: nn.Linear(2, 2).cuda(), lambda: vinsgrad.ones(2).cuda()):
        with pytest.raises(RuntimeError, match="vinsgrad runs on the CPU only, got device 'cuda'"):
            call()


def test_remove_duplicate_false_lists_shared_modules_and_parameters_under_every_name() -> None:
    shared = nn.Linear(2, 2)
    net = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in net.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in net.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in net.named_parameters(remove_duplicate=False)] == ["0.weight", "0.bias", "2.weight", "2.bias"]
