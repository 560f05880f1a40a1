"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells, with PyTorch's parameters and shapes.

A layer's weights are named as in PyTorch (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``,
``..._reverse`` for the backward direction) with the gates stacked in PyTorch's order (LSTM: input, forget,
cell, output; GRU: reset, update, new), so a state_dict copied from PyTorch gives the same outputs. The
recurrences themselves are the fused ops in ``nn/functional/rnn.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import vinsgrad
from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import functional as F
from vinsgrad.nn import init
from vinsgrad.nn.functional.rnn import GRUFn, LSTMFn, RNNFn
from vinsgrad.nn.module import Module, Parameter, factory_dtype

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _check_size(layer: str, name: str, value: Any, minimum: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{layer}: {name} must be an int >= {minimum}, got {value!r}")


def _uniform_init(module: Module, hidden_size: int) -> None:
    bound = 1.0 / math.sqrt(hidden_size)
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def _run_direction(
    mode: str, x: Tensor, weights: Sequence[Tensor | None], h0: Tensor, c0: Tensor | None, reverse: bool
) -> tuple[Tensor, Tensor, Tensor | None]:
    """One layer in one direction over x (T, B, I): (output (T, B, H), h_n (B, H), c_n (B, H) or None).

    ``weights`` are w_ih, w_hh, b_ih, b_hh, the biases None without bias."""
    w_ih, w_hh, b_ih, b_hh = weights
    assert w_ih is not None  # NOTE: for mypy: only the biases may be None
    T, B = x.shape[0], x.shape[1]
    # NOTE: every time step's input projection in one 2-D matmul: NumPy runs (T, B, I) @ (I, G) as T small
    # matmuls, about 3x slower than one (T*B, I) @ (I, G) at char-LSTM sizes.
    x_proj = F.linear(x.reshape(T * B, x.shape[2]), w_ih, b_ih).reshape(T, B, w_ih.shape[0])
    last = 0 if reverse else -1
    if mode == "LSTM":
        hc = LSTMFn.apply(x_proj, w_hh, b_hh, h0, c0, reverse=reverse)
        H = h0.shape[-1]
        return hc[:, :, :H], hc[last, :, :H], hc[last, :, H:]
    if mode == "GRU":
        out = GRUFn.apply(x_proj, w_hh, b_hh, h0, reverse=reverse)
    else:
        nonlinearity = "tanh" if mode == "RNN_TANH" else "relu"
        out = RNNFn.apply(x_proj, w_hh, b_hh, h0, nonlinearity=nonlinearity, reverse=reverse)
    return out, out[last], None


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the stacked, optionally bidirectional layers and their weights."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = "RNN" if mode.startswith("RNN") else mode
        _check_size(name, "input_size", input_size)
        _check_size(name, "hidden_size", hidden_size)
        _check_size(name, "num_layers", num_layers)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(
                f"{name}: dropout should be a number in range [0, 1] representing the probability of an element "
                f"being zeroed, got {dropout!r}"
            )
        dtype = factory_dtype(name, device, dtype)
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional = bidirectional
        gates = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._weight_names: list[list[str]] = []  # per (layer, direction): w_ih, w_hh, b_ih, b_hh
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes: dict[str, tuple[int, ...]] = {
                    "weight_ih": (gates, layer_input),
                    "weight_hh": (gates, hidden_size),
                }
                if bias:
                    shapes |= {"bias_ih": (gates,), "bias_hh": (gates,)}
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, Parameter(xp.empty(shape, dtype=dtype)))
                names = [k + suffix for k in shapes]
                self._weight_names.append(names if bias else [*names, "", ""])
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch does."""
        _uniform_init(self, self.hidden_size)

    def _weights(self, index: int) -> list[Tensor | None]:
        return [getattr(self, n) if n else None for n in self._weight_names[index]]

    def _check_input(self, input: Tensor) -> bool:
        """Validate the input's shape; True when it is batched (3-D)."""
        name = type(self).__name__
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D input")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.shape[-1]}"
            )
        return input.ndim == 3

    def _initial_state(self, state: Tensor | None, batch: int, batched: bool, what: str, like: Tensor) -> Tensor:
        layers = self.num_layers * (2 if self.bidirectional else 1)
        if state is None:
            return vinsgrad.zeros(layers, batch, self.hidden_size, dtype=like.dtype)
        if not isinstance(state, Tensor):
            raise TypeError(f"{type(self).__name__}: {what} must be a Tensor, got {type(state).__name__}")
        if state.ndim != (3 if batched else 2):
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(
                f"{type(self).__name__}: for {kind} input, {what} should also be {3 if batched else 2}-D "
                f"but got {state.ndim}-D tensor"
            )
        state = state if batched else state.unsqueeze(1)
        expected = (layers, batch, self.hidden_size)
        if tuple(state.shape) != expected:
            raise RuntimeError(
                f"{type(self).__name__}: Expected {what} size {expected}, got {list(state.shape)} "
                "(num_layers * num_directions, batch, hidden_size)"
            )
        return state

    def _run(self, input: Tensor, h0: Tensor | None, c0: Tensor | None) -> tuple[Tensor, Tensor, Tensor | None]:
        batched = self._check_input(input)
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        h = self._initial_state(h0, x.shape[1], batched, "hx" if c0 is None else "h0", x)
        c = self._initial_state(c0, x.shape[1], batched, "c0", x) if self.mode == "LSTM" else None
        directions = 2 if self.bidirectional else 1
        h_n: list[Tensor] = []
        c_n: list[Tensor] = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0:
                x = F.dropout(x, self.dropout, self.training)
            outs = []
            for d in range(directions):
                i = layer * directions + d
                out, h_last, c_last = _run_direction(
                    self.mode, x, self._weights(i), h[i], None if c is None else c[i], reverse=d == 1
                )
                outs.append(out)
                h_n.append(h_last)
                if c_last is not None:
                    c_n.append(c_last)
            x = outs[0] if directions == 1 else vinsgrad.cat(outs, dim=2)
        output = x.transpose(0, 1) if batched and self.batch_first else x
        hn, cn = vinsgrad.stack(h_n), vinsgrad.stack(c_n) if c_n else None
        if not batched:
            output, hn = output.squeeze(1), hn.squeeze(1)
            cn = None if cn is None else cn.squeeze(1)
        return output, hn, cn

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """A stack of Elman RNN layers: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu).

    Args:
        input_size, hidden_size: features of x_t and h_t.
        num_layers: stacked layers, each reading the previous one's output sequence.
        nonlinearity: 'tanh' or 'relu'.
        bias: learn b_ih and b_hh.
        batch_first: input and output are (N, L, features) instead of (L, N, features).
        dropout: dropout on the outputs of every layer but the last, in training.
        bidirectional: also run each layer from the last step to the first; outputs are concatenated.

    Shape: input (L, N, input_size) or unbatched (L, input_size); hx (D * num_layers, N, hidden_size) ->
    output (L, N, D * hidden_size), h_n (D * num_layers, N, hidden_size), D = 2 if bidirectional else 1.

    Example::

        rnn = nn.RNN(10, 20, num_layers=2)
        output, h_n = rnn(vinsgrad.randn(5, 3, 10))  # (5, 3, 20), (2, 3, 20)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(
            mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype
        )
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n


class GRU(RNNBase):
    """A stack of GRU layers, PyTorch's gate order (reset, update, new):
    ``r, z = sigmoid(W_i x + b_i + W_h h + b_h)``, ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``,
    ``h' = (1 - z) * n + z * h``.

    Args and shapes as ``nn.RNN`` (without ``nonlinearity``).

    Example::

        gru = nn.GRU(10, 20, batch_first=True)
        output, h_n = gru(vinsgrad.randn(3, 5, 10))  # (3, 5, 20), (1, 3, 20)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype
        )

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n


class LSTM(RNNBase):
    """A stack of LSTM layers, PyTorch's gate order (input, forget, cell, output):
    ``i, f, o = sigmoid(...)``, ``g = tanh(...)``, each ``W_i x + b_i + W_h h + b_h``;
    ``c' = f * c + i * g``, ``h' = o * tanh(c')``.

    Args as ``nn.RNN`` (without ``nonlinearity``; ``proj_size`` is not supported).

    Shape: input (L, N, input_size); (h_0, c_0) each (D * num_layers, N, hidden_size), zeros if omitted ->
    output (L, N, D * hidden_size), (h_n, c_n) each (D * num_layers, N, hidden_size).

    Example::

        lstm = nn.LSTM(10, 20, num_layers=2)
        output, (h_n, c_n) = lstm(vinsgrad.randn(5, 3, 10))  # (5, 3, 20), (2, 3, 20), (2, 3, 20)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype
        )

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0) of two Tensors, got {type(hx).__name__}")
        h0, c0 = (None, None) if hx is None else hx
        if (h0 is None) != (c0 is None):
            raise TypeError("LSTM: pass both h_0 and c_0 in hx, or neither")
        output, h_n, c_n = self._run(input, h0, c0)
        assert c_n is not None
        return output, (h_n, c_n)


# **** cells: one time step ****


class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` (G*H, input_size), ``weight_hh`` (G*H, H), ``bias_ih``, ``bias_hh``."""

    def __init__(
        self, mode: str, input_size: int, hidden_size: int, bias: bool, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        name = type(self).__name__
        _check_size(name, "input_size", input_size)
        _check_size(name, "hidden_size", hidden_size)
        dtype = factory_dtype(name, device, dtype)
        self.mode, self.input_size, self.hidden_size, self.bias = mode, input_size, hidden_size, bias
        gates = _GATES[mode] * hidden_size
        self.weight_ih = Parameter(xp.empty((gates, input_size), dtype=dtype))
        self.weight_hh = Parameter(xp.empty((gates, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(xp.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(xp.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch does."""
        _uniform_init(self, self.hidden_size)

    def _step(self, input: Tensor, h: Tensor | None, c: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}"
            )
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        states = [self._state(s, x, batched) for s in ((h, c) if self.mode == "LSTM" else (h,))]
        weights = [self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh]
        c0 = states[1] if self.mode == "LSTM" else None
        _, h1, c1 = _run_direction(self.mode, x.unsqueeze(0), weights, states[0], c0, reverse=False)
        if not batched:
            h1 = h1.squeeze(0)
            c1 = None if c1 is None else c1.squeeze(0)
        return h1, c1

    def _state(self, state: Tensor | None, x: Tensor, batched: bool) -> Tensor:
        expected = (x.shape[0], self.hidden_size)
        if state is None:
            return vinsgrad.zeros(*expected, dtype=x.dtype)
        state = state if batched else state.unsqueeze(0)
        if tuple(state.shape) != expected:
            raise RuntimeError(
                f"{type(self).__name__}: hidden state has shape {list(state.shape)}, expected {list(expected)} "
                "(batch, hidden_size), or (hidden_size,) for unbatched input"
            )
        return state

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        return s


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu).

    Shape: input (N, input_size) or (input_size,), hx likewise with hidden_size (zeros if omitted) -> h'.

    Example::

        cell = nn.RNNCell(10, 20)
        h = cell(vinsgrad.randn(3, 10))  # (3, 20)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity: {nonlinearity}")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)[0]


class GRUCell(RNNCellBase):
    """One GRU step, the equations of ``nn.GRU``.

    Example::

        cell = nn.GRUCell(10, 20)
        h = cell(vinsgrad.randn(3, 10))  # (3, 20)
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step, the equations of ``nn.LSTM``; returns ``(h', c')``.

    Example::

        cell = nn.LSTMCell(10, 20)
        h, c = cell(vinsgrad.randn(3, 10))  # (3, 20), (3, 20)
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        h0, c0 = (None, None) if hx is None else hx
        h, c = self._step(input, h0, c0)
        assert c is not None
        return h, c
