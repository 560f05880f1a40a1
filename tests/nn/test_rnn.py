"""RNN, LSTM, GRU and their cells against a float64 NumPy reference written from the published equations."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad as vg
import vinsgrad.nn as nn


def _sig(x):
    return 1 / (1 + np.exp(-x))


def reference_step(mode, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One time step of PyTorch's documented equations, gate by gate."""
    H = h.shape[-1]
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    if mode == "LSTM":
        i, f = _sig(gi[:, :H] + gh[:, :H]), _sig(gi[:, H : 2 * H] + gh[:, H : 2 * H])
        g, o = np.tanh(gi[:, 2 * H : 3 * H] + gh[:, 2 * H : 3 * H]), _sig(gi[:, 3 * H :] + gh[:, 3 * H :])
        c = f * c + i * g
        return o * np.tanh(c), c
    if mode == "GRU":
        r, z = _sig(gi[:, :H] + gh[:, :H]), _sig(gi[:, H : 2 * H] + gh[:, H : 2 * H])
        n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
        return (1 - z) * n + z * h, None
    pre = gi + gh
    return (np.tanh(pre) if mode == "tanh" else np.maximum(pre, 0)), None


def reference_rnn(mode, module, x, h0, c0=None):
    """Stacked, optionally bidirectional recurrence over x (T, B, I) with the module's weights as NumPy arrays."""
    p = {k: v._data.astype(np.float64) for k, v in module.state_dict().items()}
    D = 2 if module.bidirectional else 1
    h_n, c_n = [], []
    for layer in range(module.num_layers):
        outs = []
        for d in range(D):
            s = f"_l{layer}" + ("_reverse" if d else "")
            G = p["weight_hh" + s].shape[0]
            b_ih, b_hh = p.get("bias_ih" + s, np.zeros(G)), p.get("bias_hh" + s, np.zeros(G))
            h, c = h0[layer * D + d], None if c0 is None else c0[layer * D + d]
            out = np.zeros((x.shape[0], x.shape[1], h.shape[-1]))
            for t in reversed(range(x.shape[0])) if d else range(x.shape[0]):
                h, c = reference_step(mode, x[t], h, c, p["weight_ih" + s], p["weight_hh" + s], b_ih, b_hh)
                out[t] = h
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        x = np.concatenate(outs, axis=2)
    return x, np.stack(h_n), (np.stack(c_n) if c0 is not None else None)


def _t(a, requires_grad=False):
    return vg.tensor(a, dtype=vg.float64, requires_grad=requires_grad)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_matches_reference(bidirectional: bool) -> None:
    vg.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=bidirectional, batch_first=True).double()
    rng = np.random.default_rng(0)
    D = 2 if bidirectional else 1
    x, h0, c0 = rng.standard_normal((2, 5, 3)), rng.standard_normal((2 * D, 2, 4)), rng.standard_normal((2 * D, 2, 4))
    out, (h_n, c_n) = lstm(_t(x), (_t(h0), _t(c0)))
    ref_out, ref_h, ref_c = reference_rnn("LSTM", lstm, x.transpose(1, 0, 2), h0, c0)
    assert out.shape == (2, 5, 4 * D) and h_n.shape == c_n.shape == (2 * D, 2, 4)
    np.testing.assert_allclose(out._data, ref_out.transpose(1, 0, 2), atol=1e-12)
    np.testing.assert_allclose(h_n._data, ref_h, atol=1e-12)
    np.testing.assert_allclose(c_n._data, ref_c, atol=1e-12)


def test_gru_and_rnn_match_reference() -> None:
    vg.manual_seed(1)
    rng = np.random.default_rng(1)
    x, h0 = rng.standard_normal((6, 3, 2)), rng.standard_normal((4, 3, 5))
    for module, mode in [
        (nn.GRU(2, 5, num_layers=2, bidirectional=True), "GRU"),
        (nn.RNN(2, 5, num_layers=2, bidirectional=True), "tanh"),
        (nn.RNN(2, 5, num_layers=2, bidirectional=True, nonlinearity="relu", bias=False), "relu"),
    ]:
        out, h_n = module.double()(_t(x), _t(h0))
        ref_out, ref_h, _ = reference_rnn(mode, module, x, h0)
        np.testing.assert_allclose(out._data, ref_out, atol=1e-12, err_msg=mode)
        np.testing.assert_allclose(h_n._data, ref_h, atol=1e-12, err_msg=mode)


def test_zero_initial_state_and_unbatched_input() -> None:
    lstm = nn.LSTM(3, 4, num_layers=2).double()
    x = np.random.default_rng(2).standard_normal((5, 3))
    out, (h_n, c_n) = lstm(_t(x))
    assert out.shape == (5, 4) and h_n.shape == c_n.shape == (2, 4)
    ref_out, _, ref_c = reference_rnn("LSTM", lstm, x[:, None], np.zeros((2, 1, 4)), np.zeros((2, 1, 4)))
    np.testing.assert_allclose(out._data, ref_out[:, 0], atol=1e-12)
    np.testing.assert_allclose(c_n._data, ref_c[:, 0], atol=1e-12)


def test_lstm_gradients_equal_those_of_a_graph_of_small_ops() -> None:
    """Backprop through time by hand (LSTMFn) against the engine differentiating the same equations op by op."""
    vg.manual_seed(3)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    rng = np.random.default_rng(3)
    x = _t(rng.standard_normal((5, 2, 3)), True)
    out, (h_n, c_n) = lstm(x)
    weights = rng.standard_normal(out.shape)
    ((out * _t(weights)).sum() + h_n.sum() + (c_n * c_n).sum()).backward()
    fused = [x.grad._data] + [p.grad._data for p in lstm.parameters()]

    params = {k: vg.tensor(v._data, requires_grad=True) for k, v in lstm.named_parameters()}
    x2 = _t(x._data, True)
    layer_in, hs, cs = x2, [], []
    for layer in range(2):
        outs = []
        for d, s in enumerate([f"_l{layer}", f"_l{layer}_reverse"]):
            h = c = vg.zeros(2, 4, dtype=vg.float64)
            steps = [None] * 5
            for t in reversed(range(5)) if d else range(5):
                g = layer_in[t] @ params["weight_ih" + s].T + params["bias_ih" + s]
                g = g + h @ params["weight_hh" + s].T + params["bias_hh" + s]
                i, f, gg, o = g[:, :4].sigmoid(), g[:, 4:8].sigmoid(), g[:, 8:12].tanh(), g[:, 12:].sigmoid()
                c = f * c + i * gg
                h = o * c.tanh()
                steps[t] = h
            outs.append(vg.stack(steps))
            hs.append(h)
            cs.append(c)
        layer_in = vg.cat(outs, dim=2)
    c_stack = vg.stack(cs)
    ((layer_in * _t(weights)).sum() + vg.stack(hs).sum() + (c_stack * c_stack).sum()).backward()
    composed = [x2.grad._data] + [params[k].grad._data for k, _ in lstm.named_parameters()]
    for a, b in zip(fused, composed):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_cells_match_reference_one_step() -> None:
    rng = np.random.default_rng(4)
    x, h, c = rng.standard_normal((3, 2)), rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    for cell, mode in [
        (nn.LSTMCell(2, 5), "LSTM"),
        (nn.GRUCell(2, 5), "GRU"),
        (nn.RNNCell(2, 5), "tanh"),
        (nn.RNNCell(2, 5, nonlinearity="relu", bias=False), "relu"),
    ]:
        cell.double()
        p = {k: v._data for k, v in cell.state_dict().items()}
        b = (p.get("bias_ih", 0.0), p.get("bias_hh", 0.0))
        ref_h, ref_c = reference_step(mode, x, h, c, p["weight_ih"], p["weight_hh"], *b)
        got = cell(_t(x), (_t(h), _t(c))) if mode == "LSTM" else cell(_t(x), _t(h))
        got_h = got[0] if mode == "LSTM" else got
        np.testing.assert_allclose(got_h._data, ref_h, atol=1e-12, err_msg=mode)
        if mode == "LSTM":
            np.testing.assert_allclose(got[1]._data, ref_c, atol=1e-12)
        unbatched = cell(_t(x[0]))
        assert (unbatched[0] if mode == "LSTM" else unbatched).shape == (5,)


def test_parameter_names_shapes_and_init_bounds() -> None:
    lstm = nn.LSTM(3, 16, num_layers=2, bidirectional=True)
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    assert list(shapes)[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert shapes["weight_ih_l0_reverse"] == (64, 3) and shapes["weight_ih_l1"] == (64, 32)
    assert shapes["weight_hh_l1_reverse"] == (64, 16) and len(shapes) == 16
    assert all(np.abs(p._data).max() <= 0.25 for p in lstm.parameters())  # U(-1/sqrt(16), 1/sqrt(16))
    assert all(p.dtype == vg.float32 for p in lstm.parameters())
    assert list(nn.GRU(2, 3, bias=False).state_dict()) == ["weight_ih_l0", "weight_hh_l0"]
    assert nn.GRU(2, 3).weight_ih_l0.shape == (9, 2) and nn.RNN(2, 3).weight_hh_l0.shape == (3, 3)
    assert list(nn.LSTMCell(2, 3).state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert repr(nn.GRU(2, 3, num_layers=2, batch_first=True)) == "GRU(2, 3, num_layers=2, batch_first=True)"


def test_dropout_between_layers_only_in_training() -> None:
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = vg.randn(6, 2, 3)
    vg.manual_seed(0)
    a = lstm(x)[0]._data
    vg.manual_seed(0)
    np.testing.assert_array_equal(lstm(x)[0]._data, a)
    lstm.eval()
    ref = reference_rnn("LSTM", lstm, x._data.astype(np.float64), np.zeros((2, 2, 4)), np.zeros((2, 2, 4)))[0]
    np.testing.assert_allclose(lstm(x)[0]._data, ref, atol=1e-5)
    assert np.abs(a - ref).max() > 1e-3


def test_float32_stays_float32_and_gradients_reach_the_initial_state() -> None:
    gru = nn.GRU(3, 4)
    h0 = vg.zeros(1, 2, 4, requires_grad=True)
    out, h_n = gru(vg.randn(5, 2, 3), h0)
    assert out.dtype == h_n.dtype == vg.float32
    out.sum().backward()
    assert h0.grad.dtype == vg.float32 and np.abs(h0.grad._data).sum() > 0


def test_errors() -> None:
    lstm = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match=r"input.size\(-1\) must be equal to input_size. Expected 3, got 2"):
        lstm(vg.randn(5, 2, 2))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D"):
        lstm(vg.randn(1, 5, 2, 3))
    with pytest.raises(RuntimeError, match=r"Expected h0 size \(1, 2, 4\), got \[2, 2, 4\]"):
        lstm(vg.randn(5, 2, 3), (vg.zeros(2, 2, 4), vg.zeros(2, 2, 4)))
    with pytest.raises(RuntimeError, match="hx should also be 2-D"):
        nn.GRU(3, 4)(vg.randn(5, 3), vg.zeros(1, 1, 4))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sin'"):
        nn.RNN(3, 4, nonlinearity="sin")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be an int >= 1, got 0"):
        nn.GRU(3, 0)
    with pytest.raises(RuntimeError, match="inconsistent input_size: got 2 expected 3"):
        nn.LSTMCell(3, 4)(vg.randn(2, 2))
