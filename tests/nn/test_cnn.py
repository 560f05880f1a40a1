"""A small CNN built from these layers learns a generated image task, and its state_dict round-trips."""

from __future__ import annotations

import numpy as np

import vinsgrad as vg
import vinsgrad.nn as nn
from vinsgrad.optim import Adam


def bars(n: int, seed: int) -> tuple[vg.Tensor, vg.Tensor]:
    """8x8 noisy images of one vertical (class 0) or horizontal (class 1) bar at a random place."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(0.0, 0.3, (n, 1, 8, 8)).astype(np.float32)
    where = rng.integers(0, 8, n)
    for i in range(n):
        if y[i] == 0:
            x[i, 0, :, where[i]] += 1
        else:
            x[i, 0, where[i], :] += 1
    return vg.tensor(x), vg.tensor(y)


def cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.1),
        nn.Linear(8 * 2 * 2, 2),
    )


def test_small_cnn_learns_bars_and_round_trips_its_state() -> None:
    vg.manual_seed(0)
    model = cnn()
    x, y = bars(64, seed=1)
    x_test, y_test = bars(200, seed=2)
    optimizer = Adam(model.parameters(), lr=0.02)
    loss_fn = nn.CrossEntropyLoss()
    first = None
    for _ in range(40):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        first = loss.item() if first is None else first
    assert loss.item() < 0.1 * first
    model.eval()
    with vg.no_grad():
        logits = model(x_test)
    assert (logits.argmax(dim=1)._data == y_test._data).mean() >= 0.95

    state = model.state_dict()
    assert list(state) == [
        "0.weight", "0.bias",
        "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        "4.weight", "4.bias",
        "9.weight", "9.bias",
    ]  # fmt: skip
    assert state["1.num_batches_tracked"].item() == 40
    clone = cnn()
    clone.load_state_dict(state)
    clone.eval()
    with vg.no_grad():
        np.testing.assert_array_equal(clone(x_test)._data, logits._data)
