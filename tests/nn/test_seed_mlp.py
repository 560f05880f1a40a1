"""The seed MLP (784-128-64-10, ReLU, CrossEntropyLoss, SGD lr=0.01, batch 64) learns a generated
MNIST-shaped problem in a few seconds, reproducibly."""

from __future__ import annotations

import numpy as np

import vinsgrad
from vinsgrad import nn, optim

N_CLASSES, N_FEATURES = 10, 784


def _toy_digits(n: int, rng: np.random.Generator, prototypes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Noisy copies of ten random 784-pixel prototypes: separable, but only after learning which pixels matter."""
    y = rng.integers(0, N_CLASSES, n)
    x = prototypes[y] + rng.normal(0.0, 1.0, (n, N_FEATURES))
    return x.astype(np.float32), y.astype(np.int64)


def _seed_mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def _train(seed: int, epochs: int = 5) -> tuple[nn.Module, list[float], float]:
    rng = np.random.default_rng(0)
    prototypes = rng.normal(0.0, 1.0, (N_CLASSES, N_FEATURES))
    x_train, y_train = _toy_digits(1024, rng, prototypes)
    x_test, y_test = _toy_digits(512, rng, prototypes)
    vinsgrad.manual_seed(seed)
    model = _seed_mlp()
    opt = optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):  # 5, as in the seed recipe
        for i in range(0, len(x_train), 64):
            loss = loss_fn(model(vinsgrad.from_numpy(x_train[i : i + 64])), vinsgrad.from_numpy(y_train[i : i + 64]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    with vinsgrad.no_grad():
        accuracy = float((model(vinsgrad.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())
    return model, losses, accuracy


def test_seed_mlp_learns_a_generated_problem() -> None:
    model, losses, accuracy = _train(seed=0)
    assert losses[0] > 2.0  # starts near ln(10): chance level
    assert np.mean(losses[-8:]) < 0.5 * losses[0]
    assert accuracy > 0.95
    assert all(p.dtype == vinsgrad.float32 for p in model.parameters())


def test_seed_mlp_training_is_reproducible_under_manual_seed() -> None:
    _, first, _ = _train(seed=1, epochs=1)
    _, again, _ = _train(seed=1, epochs=1)
    _, other, _ = _train(seed=2, epochs=1)
    assert first == again and first != other
