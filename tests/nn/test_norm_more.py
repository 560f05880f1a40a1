"""GroupNorm, InstanceNorm1d/2d (values, running statistics, eval), Dropout2d and Unflatten."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F

RNG = np.random.default_rng(9)


def _t(a: np.ndarray, grad: bool = False) -> vinsgrad.Tensor:
    return vinsgrad.tensor(a, dtype=vinsgrad.float64, requires_grad=grad)


def test_group_norm_normalises_each_group_of_channels() -> None:
    x = RNG.standard_normal((2, 6, 3, 4))
    w, b = RNG.standard_normal(6), RNG.standard_normal(6)
    expected = np.empty_like(x)
    for n in range(2):
        for g in range(3):
            part = x[n, 2 * g : 2 * g + 2]
            expected[n, 2 * g : 2 * g + 2] = (part - part.mean()) / np.sqrt(part.var() + 1e-5)
    expected = expected * w[:, None, None] + b[:, None, None]
    np.testing.assert_allclose(F.group_norm(_t(x), 3, _t(w), _t(b)).numpy(), expected, rtol=1e-12)
    gn = nn.GroupNorm(3, 6).double()
    assert [n for n, _ in gn.named_parameters()] == ["weight", "bias"]
    assert repr(gn) == "GroupNorm(3, 6, eps=1e-05, affine=True, bias=True)"
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"):
        nn.GroupNorm(4, 6)
    assert nn.GroupNorm(2, 4, affine=False).state_dict() == {}


def test_instance_norm_statistics_and_running_buffers() -> None:
    x = RNG.standard_normal((3, 2, 4, 5)) * 2 + 1
    mean, var = x.mean((2, 3), keepdims=True), x.var((2, 3), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5)
    norm = nn.InstanceNorm2d(2).double()
    assert norm.state_dict() == {} and norm.weight is None
    np.testing.assert_allclose(norm(_t(x)).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(norm(_t(x[0])).numpy(), expected[0], rtol=1e-12)  # unbatched (C, H, W)
    tracked = nn.InstanceNorm2d(2, momentum=0.2, track_running_stats=True, affine=True).double()
    tracked(_t(x))
    # one update with the batch-mean of the instance means and unbiased instance variances
    unbiased = x.var((2, 3), ddof=1).mean(0)
    np.testing.assert_allclose(tracked.running_mean.numpy(), 0.2 * mean.mean((0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(tracked.running_var.numpy(), 0.8 + 0.2 * unbiased, rtol=1e-12)
    tracked.eval()
    rm, rv = tracked.running_mean.numpy(), tracked.running_var.numpy()
    expected = (x - rm[:, None, None]) / np.sqrt(rv[:, None, None] + 1e-5)
    np.testing.assert_allclose(tracked(_t(x)).detach().numpy(), expected, rtol=1e-12)
    assert (
        repr(tracked) == "InstanceNorm2d(2, eps=1e-05, momentum=0.2, affine=True, bias=True, track_running_stats=True)"
    )
    np.testing.assert_allclose(
        nn.InstanceNorm1d(2).double()(_t(x[:, :, 0])).numpy(),
        (x[:, :, 0] - x[:, :, 0].mean(-1, keepdims=True)) / np.sqrt(x[:, :, 0].var(-1, keepdims=True) + 1e-5),
        rtol=1e-12,
    )
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected 3D or 4D input \(got 2D input\)"):
        norm(vinsgrad.randn(2, 3))


def test_dropout2d_zeroes_whole_channels() -> None:
    vinsgrad.manual_seed(0)
    out = nn.Dropout2d(0.5)(vinsgrad.ones(8, 16, 3, 3))
    per_channel = out.numpy().reshape(8, 16, 9)
    assert set(np.unique(per_channel)) == {0.0, 2.0}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # each plane is all dropped or all kept
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7
    drop = nn.Dropout2d(0.5).eval()
    x = vinsgrad.randn(2, 3, 4, 4)
    assert drop(x) is x and repr(drop) == "Dropout2d(p=0.5, inplace=False)"
    with pytest.warns(UserWarning, match="3-D input"):
        F.dropout2d(vinsgrad.ones(2, 3, 4), 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(1.5)


def test_unflatten_inverts_flatten() -> None:
    x = vinsgrad.randn(4, 12)
    unflat = nn.Unflatten(1, (3, -1))
    assert unflat(x).shape == (4, 3, 4) and np.array_equal(nn.Flatten()(unflat(x)).numpy(), x.numpy())
    assert nn.Unflatten(-1, [2, 2, 3])(x).shape == (4, 2, 2, 3)
    assert repr(unflat) == "Unflatten(dim=1, unflattened_size=(3, -1))"
    with pytest.raises(RuntimeError, match=r"does not multiply to the size 12 of dim 1"):
        nn.Unflatten(1, (5, 2))(x)
    with pytest.raises(TypeError, match="tuple or list of ints"):
        nn.Unflatten(1, 12)  # type: ignore[arg-type]


def test_dropout1d_zeroes_whole_channels_of_sequences() -> None:
    vinsgrad.manual_seed(1)
    out = nn.Dropout1d(0.5)(vinsgrad.ones(8, 16, 5)).numpy()
    assert set(np.unique(out)) == {0.0, 2.0} and (out.min(-1) == out.max(-1)).all()
    unbatched = F.dropout1d(vinsgrad.ones(16, 5), 0.5).numpy()
    assert (unbatched.min(-1) == unbatched.max(-1)).all()
    assert repr(nn.Dropout1d(0.2)) == "Dropout1d(p=0.2, inplace=False)"


def test_norms_take_bias_false_as_torch_2_13() -> None:
    x = RNG.standard_normal((4, 3, 2, 2))
    bn = nn.BatchNorm2d(3, bias=False).double()
    assert bn.bias is None and list(bn.state_dict())[:1] == ["weight"] and "bias=False" in repr(bn)
    bn.weight.data.copy_(vinsgrad.tensor([1.0, 2.0, 3.0], dtype=vinsgrad.float64))
    xhat = (x - x.mean((0, 2, 3), keepdims=True)) / np.sqrt(x.var((0, 2, 3), keepdims=True) + 1e-5)
    np.testing.assert_allclose(bn(_t(x)).detach().numpy(), xhat * np.array([1, 2, 3])[:, None, None], rtol=1e-12)
    assert nn.GroupNorm(1, 3, bias=False).bias is None and nn.InstanceNorm2d(3, affine=True, bias=False).bias is None
