"""The recurrences of ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU``: one fused op per layer and direction.

The input projection ``x @ W_ih.T + b_ih`` of every time step is one matmul (``linear``) before the recurrence;
what is left is the loop over time, ``h @ W_hh.T + b_hh`` and the gates, which runs here in NumPy with the
whole backpropagation through time written out beside it. One graph node per layer instead of a dozen per
time step keeps a character-level LSTM's step time in its matmuls, not in Python.
"""

from __future__ import annotations

from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.function import Function


def _sigmoid(x: ndarray) -> ndarray:
    # NOTE: the tanh form never overflows (1/(1+exp(-x)) warns for x < -88 in float32) and needs no branch.
    out = xp.tanh(x * x.dtype.type(0.5))
    out *= 0.5
    out += 0.5
    return out


def _steps(n: int, reverse: bool) -> range:
    return range(n - 1, -1, -1) if reverse else range(n)


# ---- LSTM ----


class LSTMFn(Function):
    """One LSTM layer over a sequence, in PyTorch's gate order (input, forget, cell, output).

    Inputs: ``x_proj`` (T, B, 4H) the projected input (with ``b_ih``), ``w_hh`` (4H, H), ``b_hh`` (4H,) or None,
    ``h0`` and ``c0`` (B, H). Output (T, B, 2H): ``[h_t, c_t]`` for every step, so the caller slices the output
    sequence and the final cell state out of one tensor and gradients reach both.

    Per step: gates = x_proj[t] + h W_hh^T + b_hh; i, f, o = sigmoid(...); g = tanh(...);
    c = f c_prev + i g; h = o tanh(c). Backward, from the last step processed to the first:
    dc += dh o (1 - tanh(c)^2); di, df, dg, do = dc g, dc c_prev, dc i, dh tanh(c); through each activation's
    derivative to d(gates); dh_prev = d(gates) W_hh, dc_prev = dc f; dW_hh = sum_t d(gates)^T h_prev.
    """

    @staticmethod
    def forward(ctx, x_proj, w_hh, b_hh, h0, c0, *, reverse=False):
        T, B, H = x_proj.shape[0], x_proj.shape[1], w_hh.shape[1]
        out = xp.empty((T, B, 2 * H), dtype=x_proj.dtype)
        acts = xp.empty((T, B, 4 * H), dtype=x_proj.dtype)  # i, f, g, o after their activations
        h_prev = xp.empty((T, B, H), dtype=x_proj.dtype)
        c_prev = xp.empty((T, B, H), dtype=x_proj.dtype)
        h, c = h0, c0
        w_t = w_hh.T
        for t in _steps(T, reverse):
            h_prev[t], c_prev[t] = h, c
            gates = h @ w_t
            gates += x_proj[t]
            if b_hh is not None:
                gates += b_hh
            a = acts[t]
            a[:, : 2 * H] = _sigmoid(gates[:, : 2 * H])
            a[:, 2 * H : 3 * H] = xp.tanh(gates[:, 2 * H : 3 * H])
            a[:, 3 * H :] = _sigmoid(gates[:, 3 * H :])
            c = a[:, H : 2 * H] * c + a[:, :H] * a[:, 2 * H : 3 * H]
            h = a[:, 3 * H :] * xp.tanh(c)
            out[t, :, :H], out[t, :, H:] = h, c
        ctx.save_for_backward(w_hh, acts, h_prev, c_prev, out)
        ctx.reverse, ctx.has_bias = reverse, b_hh is not None
        return out

    @staticmethod
    def backward(ctx, grad):
        w_hh, acts, h_prev, c_prev, out = ctx.saved_tensors
        T, B, H = h_prev.shape
        d_gates = xp.empty_like(acts)
        dh = xp.zeros((B, H), dtype=grad.dtype)
        dc = xp.zeros((B, H), dtype=grad.dtype)
        for t in _steps(T, not ctx.reverse):
            dh += grad[t, :, :H]
            dc += grad[t, :, H:]
            i, f, g, o = acts[t, :, :H], acts[t, :, H : 2 * H], acts[t, :, 2 * H : 3 * H], acts[t, :, 3 * H :]
            tanh_c = xp.tanh(out[t, :, H:])
            dc += dh * o * (1 - tanh_c * tanh_c)
            d = d_gates[t]
            d[:, :H] = dc * g * i * (1 - i)
            d[:, H : 2 * H] = dc * c_prev[t] * f * (1 - f)
            d[:, 2 * H : 3 * H] = dc * i * (1 - g * g)
            d[:, 3 * H :] = dh * tanh_c * o * (1 - o)
            dh = d @ w_hh
            dc = dc * f
        return _recurrence_grads(ctx, d_gates, d_gates, h_prev, dh, dc)


def _recurrence_grads(ctx, d_xproj, d_hgates, h_prev, dh0, dc0=None) -> tuple:
    """The gradients every recurrence returns: x_proj, W_hh (one matmul over all steps), b_hh, h0 (and c0)."""
    needs = ctx.needs_input_grad
    flat = d_hgates.reshape(-1, d_hgates.shape[-1])
    dw = flat.T @ h_prev.reshape(-1, h_prev.shape[-1]) if needs[1] else None
    db = flat.sum(axis=0) if ctx.has_bias and needs[2] else None
    return (d_xproj, dw, db, dh0, dc0)[: len(needs)]


# ---- GRU ----


class GRUFn(Function):
    """One GRU layer over a sequence, in PyTorch's gate order (reset, update, new).

    Inputs as ``LSTMFn`` without ``c0``, with 3H gates; output (T, B, H). Per step, with gx = x_proj[t] and
    gh = h W_hh^T + b_hh: r = sigmoid(gx_r + gh_r), z = sigmoid(gx_z + gh_z), n = tanh(gx_n + r gh_n),
    h = (1 - z) n + z h_prev. The reset gate multiplies gh_n, bias included, as in PyTorch (and cuDNN), so the
    input side and the hidden side of the n gate have different gradients.
    """

    @staticmethod
    def forward(ctx, x_proj, w_hh, b_hh, h0, *, reverse=False):
        T, B, H = x_proj.shape[0], x_proj.shape[1], w_hh.shape[1]
        out = xp.empty((T, B, H), dtype=x_proj.dtype)
        acts = xp.empty((T, B, 3 * H), dtype=x_proj.dtype)  # r, z, n
        gh_n = xp.empty((T, B, H), dtype=x_proj.dtype)
        h_prev = xp.empty((T, B, H), dtype=x_proj.dtype)
        h = h0
        w_t = w_hh.T
        for t in _steps(T, reverse):
            h_prev[t] = h
            gh = h @ w_t
            if b_hh is not None:
                gh += b_hh
            gx = x_proj[t]
            a = acts[t]
            a[:, : 2 * H] = _sigmoid(gx[:, : 2 * H] + gh[:, : 2 * H])
            gh_n[t] = gh[:, 2 * H :]
            a[:, 2 * H :] = xp.tanh(gx[:, 2 * H :] + a[:, :H] * gh_n[t])
            n, z = a[:, 2 * H :], a[:, H : 2 * H]
            h = n + z * (h - n)
            out[t] = h
        ctx.save_for_backward(w_hh, acts, gh_n, h_prev)
        ctx.reverse, ctx.has_bias = reverse, b_hh is not None
        return out

    @staticmethod
    def backward(ctx, grad):
        w_hh, acts, gh_n, h_prev = ctx.saved_tensors
        T, B, H = h_prev.shape
        d_x = xp.empty_like(acts)
        d_h = xp.empty_like(acts)
        dh = xp.zeros((B, H), dtype=grad.dtype)
        for t in _steps(T, not ctx.reverse):
            dh += grad[t]
            r, z, n = acts[t, :, :H], acts[t, :, H : 2 * H], acts[t, :, 2 * H :]
            dn = dh * (1 - z) * (1 - n * n)
            dr = dn * gh_n[t] * r * (1 - r)
            dz = dh * (h_prev[t] - n) * z * (1 - z)
            d_x[t, :, :H] = d_h[t, :, :H] = dr
            d_x[t, :, H : 2 * H] = d_h[t, :, H : 2 * H] = dz
            d_x[t, :, 2 * H :] = dn
            d_h[t, :, 2 * H :] = dn * r
            dh = dh * z + d_h[t] @ w_hh
        return _recurrence_grads(ctx, d_x, d_h, h_prev, dh)


# ---- Elman RNN ----


class RNNFn(Function):
    """One Elman RNN layer over a sequence: h = act(x_proj[t] + h_prev W_hh^T + b_hh), act tanh or relu.

    Inputs as ``GRUFn`` with H gates; output (T, B, H). Backward: d(pre) = dh act'(h), dh_prev = d(pre) W_hh.
    """

    @staticmethod
    def forward(ctx, x_proj, w_hh, b_hh, h0, *, nonlinearity="tanh", reverse=False):
        T = x_proj.shape[0]
        out = xp.empty(x_proj.shape, dtype=x_proj.dtype)
        h_prev = xp.empty(x_proj.shape, dtype=x_proj.dtype)
        h = h0
        w_t = w_hh.T
        for t in _steps(T, reverse):
            h_prev[t] = h
            pre = h @ w_t
            pre += x_proj[t]
            if b_hh is not None:
                pre += b_hh
            h = xp.tanh(pre) if nonlinearity == "tanh" else xp.maximum(pre, 0)
            out[t] = h
        ctx.save_for_backward(w_hh, h_prev, out)
        ctx.reverse, ctx.has_bias, ctx.tanh = reverse, b_hh is not None, nonlinearity == "tanh"
        return out

    @staticmethod
    def backward(ctx, grad):
        w_hh, h_prev, out = ctx.saved_tensors
        d_pre = xp.empty_like(out)
        dh = xp.zeros(out.shape[1:], dtype=grad.dtype)
        for t in _steps(out.shape[0], not ctx.reverse):
            dh += grad[t]
            d_pre[t] = dh * (1 - out[t] * out[t]) if ctx.tanh else dh * (out[t] > 0)
            dh = d_pre[t] @ w_hh
        return _recurrence_grads(ctx, d_pre, d_pre, h_prev, dh)
