"""Recurrent and attention layers agree with torch given torch's state_dict (run with `make conformance`).

Each case builds the layer in both libraries, copies torch's state_dict into vinsgrad's, and compares the outputs
and every gradient (of the inputs and parameters) of a fixed weighted sum of the outputs, in float64 and float32.
Skipped as a whole when torch is not installed, so `make test` never needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import vinsgrad as vg  # noqa: E402
import vinsgrad.nn as vnn  # noqa: E402
import vinsgrad.nn.functional as VF  # noqa: E402

TOL = {np.float64: 1e-12, np.float32: 2e-5}


def _causal(n: int, s: int | None = None) -> np.ndarray:
    return np.triu(np.ones((n, s or n), dtype=bool), 1)  # True = not allowed (the nn.* convention)


def _padding() -> np.ndarray:
    m = np.zeros((3, 5), dtype=bool)
    m[0, -2:] = True
    return m


def _outputs(result: Any) -> list[Any]:
    """Flatten (output, (h, c)) / (output, weights-or-None) into a list of tensors."""
    flat: list[Any] = []
    for r in result if isinstance(result, (tuple, list)) else [result]:
        flat.extend(_outputs(r) if isinstance(r, (tuple, list)) else [] if r is None else [r])
    return flat


# name -> (make(lib) -> module, input shapes, extra constant arrays, call(module, *inputs, *constants))
CASES: dict[str, tuple[Callable[[Any], Any], list[tuple[int, ...]], list[np.ndarray], Callable[..., Any]]] = {
    "LSTM 2 layers bidirectional batch_first": (
        lambda nn: nn.LSTM(8, 16, 2, batch_first=True, bidirectional=True),
        [(3, 7, 8)],
        [],
        lambda m, x: m(x),
    ),
    "LSTM (h0, c0) unbatched": (
        lambda nn: nn.LSTM(8, 16),
        [(7, 8), (1, 16), (1, 16)],
        [],
        lambda m, x, h, c: m(x, (h, c)),
    ),
    "GRU 2 layers bidirectional with hx": (
        lambda nn: nn.GRU(8, 16, 2, bidirectional=True),
        [(7, 3, 8), (4, 3, 16)],
        [],
        lambda m, x, h: m(x, h),
    ),
    "RNN relu 2 layers no bias": (
        lambda nn: nn.RNN(8, 16, 2, nonlinearity="relu", bias=False),
        [(7, 3, 8)],
        [],
        lambda m, x: m(x),
    ),
    "LSTMCell": (lambda nn: nn.LSTMCell(8, 16), [(3, 8)], [], lambda m, x: m(x)),
    "GRUCell": (lambda nn: nn.GRUCell(8, 16), [(3, 8), (3, 16)], [], lambda m, x, h: m(x, h)),
    "RNNCell tanh unbatched": (lambda nn: nn.RNNCell(8, 16), [(8,)], [], lambda m, x: m(x)),
    "MultiheadAttention masks, weights": (
        lambda nn: nn.MultiheadAttention(16, 4, batch_first=True),
        [(3, 5, 16)],
        [_causal(5), _padding()],
        lambda m, x, a, k: m(x, x, x, attn_mask=a, key_padding_mask=k),
    ),
    "MultiheadAttention masks, fused": (
        lambda nn: nn.MultiheadAttention(16, 4, batch_first=True),
        [(3, 5, 16)],
        [_causal(5), _padding()],
        lambda m, x, a, k: m(x, x, x, attn_mask=a, key_padding_mask=k, need_weights=False),
    ),
    "MultiheadAttention kdim vdim per-head weights": (
        lambda nn: nn.MultiheadAttention(16, 4, kdim=6, vdim=5),
        [(4, 3, 16), (5, 3, 6), (5, 3, 5)],
        [],
        lambda m, q, k, v: m(q, k, v, average_attn_weights=False),
    ),
    "MultiheadAttention bias_kv zero_attn": (
        lambda nn: nn.MultiheadAttention(16, 4, 0.0, True, True, True),
        [(4, 3, 16), (5, 3, 16)],
        [_causal(4, 5), _padding()],
        lambda m, q, kv, a, k: m(q, kv, kv, attn_mask=a, key_padding_mask=k),
    ),
    "TransformerEncoder post-norm relu causal": (
        lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2),
        [(3, 5, 16)],
        [_causal(5)],
        lambda m, x, a: m(x, mask=a, is_causal=True),
    ),
    "TransformerEncoderLayer pre-norm gelu padding": (
        lambda nn: nn.TransformerEncoderLayer(16, 4, 32, activation="gelu", norm_first=True),
        [(5, 3, 16)],
        [_padding()],
        lambda m, x, k: m(x, src_key_padding_mask=k),
    ),
    "TransformerDecoderLayer post-norm": (
        lambda nn: nn.TransformerDecoderLayer(16, 4, 32),
        [(5, 3, 16), (6, 3, 16)],
        [_causal(5)],
        lambda m, x, mem, a: m(x, mem, tgt_mask=a),
    ),
    "TransformerDecoderLayer pre-norm batch_first": (
        lambda nn: nn.TransformerDecoderLayer(16, 4, 32, norm_first=True, batch_first=True),
        [(3, 5, 16), (3, 6, 16)],
        [_padding()[:, :1].repeat(6, axis=1)],
        lambda m, x, mem, k: m(x, mem, memory_key_padding_mask=k),
    ),
}


def _run(lib: Any, module: Any, arrays: list[np.ndarray], constants: list[np.ndarray], call: Callable) -> tuple:
    tensor = (
        (lambda a, g: torch.tensor(a, requires_grad=g))
        if lib is torch
        else (lambda a, g: vg.tensor(a, requires_grad=g))
    )
    inputs = [tensor(a, True) for a in arrays]
    outs = _outputs(call(module, *inputs, *(tensor(c, False) for c in constants)))
    loss = None
    for o in outs:
        weights = np.linspace(-1, 1, int(np.prod(o.shape))).reshape(tuple(o.shape)).astype(arrays[0].dtype)
        term = (o * tensor(weights, False)).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    values = [o.detach().numpy() if lib is torch else o._data for o in outs]
    grads = [t.grad.numpy() if lib is torch else t.grad._data for t in inputs]
    grads += [p.grad.numpy() if lib is torch else p.grad._data for _, p in module.named_parameters()]
    return values, grads


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(CASES))
def test_layer_agrees_with_torch_given_its_state_dict(name: str, dtype: type) -> None:
    make, shapes, constants, call = CASES[name]
    torch.manual_seed(0)
    t_module = make(torch.nn).to(torch.float64 if dtype is np.float64 else torch.float32).eval()
    v_module = make(vnn).to(vg.float64 if dtype is np.float64 else vg.float32).eval()
    v_module.load_state_dict({k: vg.tensor(v.detach().numpy()) for k, v in t_module.state_dict().items()})
    assert list(v_module.state_dict()) == list(t_module.state_dict())
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    t_values, t_grads = _run(torch, t_module, arrays, constants, call)
    v_values, v_grads = _run(vg, v_module, arrays, constants, call)
    assert len(t_values) == len(v_values) and len(t_grads) == len(v_grads)
    for t, v in zip(t_values + t_grads, v_values + v_grads):
        np.testing.assert_allclose(v, t, atol=TOL[dtype], rtol=TOL[dtype])


@pytest.mark.parametrize("kwargs", [{"is_causal": True}, {"attn_mask": "bool"}, {"attn_mask": "float"}, {"scale": 0.3}])
def test_sdpa_agrees_with_torch(kwargs: dict) -> None:
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((2, 3, 6, 4)) for _ in range(3)]
    mask = rng.random((6, 6)) < 0.5
    mask[1] = False  # a row that attends to nothing: zeros in both
    extra = {"bool": mask, "float": rng.standard_normal((6, 6))}
    results = []
    for lib, fn, tensor in (
        (torch, torch.nn.functional.scaled_dot_product_attention, torch.tensor),
        (vg, VF.scaled_dot_product_attention, vg.tensor),
    ):
        q, k, v = (tensor(a, requires_grad=True) for a in arrays)
        kw = {key: tensor(extra[val]) if key == "attn_mask" else val for key, val in kwargs.items()}
        out = fn(q, k, v, **kw)
        out.backward(tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape))))
        to_np = (lambda t: t.detach().numpy()) if lib is torch else (lambda t: t._data)
        results.append([to_np(out), *(to_np(t.grad) for t in (q, k, v))])
    for t, v in zip(*results):
        np.testing.assert_allclose(v, t, atol=1e-12)
