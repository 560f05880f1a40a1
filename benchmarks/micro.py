"""Per-op overhead at batch 64: the framework's call against the bare NumPy (and PyTorch) call."""

from __future__ import annotations

import timeit
from collections.abc import Callable
from typing import Any

import numpy as np

import vinsgrad
import vinsgrad.nn as nn


def _best_us(fn: Callable[[], Any], number: int = 2000, repeat: int = 5) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def micro(torch: Any | None) -> list[dict[str, Any]]:
    """Rows of {op, numpy_us, vinsgrad_us, torch_us}: the best of 7 turns each, the frameworks alternating."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 128), dtype=np.float32)
    b = rng.standard_normal((64, 128), dtype=np.float32)
    w = rng.standard_normal((128, 64), dtype=np.float32)
    x = rng.standard_normal((64, 784), dtype=np.float32)
    logits = rng.standard_normal((64, 10), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    va, vb, vw = vinsgrad.from_numpy(a), vinsgrad.from_numpy(b), vinsgrad.from_numpy(w)
    lin, ce = nn.Linear(784, 128), nn.CrossEntropyLoss()
    vx, vlogits, vy = vinsgrad.from_numpy(x), vinsgrad.tensor(logits, requires_grad=True), vinsgrad.from_numpy(y)
    lw, lb = lin.weight._data, lin.bias._data
    # The large MLP's first product: how the BLAS NumPy ships compares with PyTorch's on the same GEMM.
    big_x = rng.standard_normal((256, 784), dtype=np.float32)
    big_w = rng.standard_normal((1024, 784), dtype=np.float32)
    vbig_x, vbig_w = vinsgrad.from_numpy(big_x), vinsgrad.from_numpy(big_w)

    def np_linear() -> None:  # no input gradient: the input does not require one in the frameworks either
        out = x @ lw.T + lb
        g = np.ones_like(out)
        _ = g.T @ x, g.sum(axis=0)

    def np_ce() -> None:
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        _ = -np.log(p[np.arange(64), y]).mean()
        p[np.arange(64), y] -= 1
        _ = p / 64

    def vg_linear() -> None:
        lin(vx).sum().backward()

    def vg_ce() -> None:
        ce(vlogits, vy).backward()

    rows = [
        {"op": "a + b (64x128)", "numpy": lambda: a + b, "vinsgrad": lambda: va + vb},
        {"op": "a @ w (64x128 @ 128x64)", "numpy": lambda: a @ w, "vinsgrad": lambda: va @ vw},
        {"op": "Linear 784->128 fwd+bwd", "numpy": np_linear, "vinsgrad": vg_linear},
        {"op": "CrossEntropy 64x10 fwd+bwd", "numpy": np_ce, "vinsgrad": vg_ce},
        {
            "op": "x @ W.T 256x784 @ 784x1024",
            "numpy": lambda: big_x @ big_w.T,
            "vinsgrad": lambda: nn.functional.linear(vbig_x, vbig_w),
            "number": 20,
        },
    ]
    if torch is not None:
        ta, tb, tw = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(w)
        tlin, tce = torch.nn.Linear(784, 128), torch.nn.CrossEntropyLoss()
        tx, tl, ty = torch.from_numpy(x), torch.tensor(logits, requires_grad=True), torch.from_numpy(y)
        rows[0]["torch"] = lambda: ta + tb
        rows[1]["torch"] = lambda: ta @ tw
        rows[2]["torch"] = lambda: tlin(tx).sum().backward()
        rows[3]["torch"] = lambda: tce(tl, ty).backward()
        tbig_x, tbig_w = torch.from_numpy(big_x), torch.from_numpy(big_w)
        rows[4]["torch"] = lambda: torch.nn.functional.linear(tbig_x, tbig_w)
    out = []
    for row in rows:
        number = row.get("number", 200 if "Linear" in row["op"] else 2000)
        keys = [key for key in ("numpy", "vinsgrad", "torch") if key in row]
        best = dict.fromkeys(keys, float("inf"))
        for _ in range(7):  # the frameworks take turns, so a slow spell of the machine hits them all alike
            for key in keys:
                best[key] = min(best[key], _best_us(row[key], number=number, repeat=1))
        out.append({"op": row["op"], **{f"{key}_us": round(best[key], 2) for key in keys}})
    return out
