"""The workloads. Each trains for one epoch per ``epoch()`` call and reports test accuracy on ``accuracy()``.

- Seed: the README's seed example exactly as a user writes it.
- Floor: a hand-written NumPy forward/backward of the same network: no autograd, no framework.
- TorchMLP: the same recipe in PyTorch, with its DataLoader over a TensorDataset.
- CNN / TorchCNN: the network of configs/cnn.yaml.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.optim as optim
from vinsgrad.utils.data import DataLoader, RandomSampler
from vinsgrad.vision import datasets, transforms


class Workload:
    name = ""

    def epoch(self) -> tuple[float, float]:
        """Train one epoch; (wall seconds, CPU seconds of the whole process, BLAS threads included)."""
        start, cpu = time.perf_counter(), time.process_time()
        self.train_epoch()
        return time.perf_counter() - start, time.process_time() - cpu

    model: Any
    loader: Any
    criterion: Any
    optimizer: Any

    def train_epoch(self) -> None:
        """The seed example's loop; vinsgrad and PyTorch share the API, so one loop serves both."""
        self.model.train()
        total = 0.0
        for images, labels in self.loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(images), labels)
            loss.backward()
            self.optimizer.step()
            total += loss.item()

    def accuracy(self) -> float:
        raise NotImplementedError


class MLP(nn.Module):
    """The README's seed model, with its three layer sizes as a parameter."""

    def __init__(self, sizes: tuple[int, int, int, int]) -> None:
        super().__init__()
        self.fc1, self.fc2, self.fc3 = (
            nn.Linear(sizes[0], sizes[1]),
            nn.Linear(sizes[1], sizes[2]),
            nn.Linear(sizes[2], sizes[3]),
        )
        self.relu = nn.ReLU()

    def forward(self, x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


def mlp_weights(model: MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight, bias) copies of each Linear, so every baseline starts from the same initial network."""
    return [(m.weight._data.copy(), m.bias._data.copy()) for m in model.modules() if isinstance(m, nn.Linear)]


class Seed(Workload):
    """The seed example, verbatim apart from the sizes."""

    def __init__(self, root: Path, *, sizes: tuple[int, int, int, int], batch_size: int, seed: int) -> None:
        self.name = "vinsgrad"
        vinsgrad.manual_seed(seed)
        transform = transforms.Compose([transforms.ToTensor(), transforms.Flatten()])
        train = datasets.MNIST(root=str(root), train=True, transform=transform, download=True)
        self.test = datasets.MNIST(root=str(root), train=False, transform=transform)
        self.loader = DataLoader(train, batch_size=batch_size, shuffle=True)
        self.model = MLP(sizes)
        self.initial = mlp_weights(self.model)
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = optim.SGD(self.model.parameters(), lr=0.01)
        # Only the loader's shuffling draws from the default generator from here on (no dropout), so a generator
        # started from this state reproduces the sample order of every epoch.
        self.shuffle_state = vinsgrad.get_rng_state()

    def accuracy(self) -> float:
        self.model.eval()
        correct = 0
        with vinsgrad.no_grad():
            for images, labels in DataLoader(self.test, batch_size=1000):
                correct += int((self.model(images).argmax(dim=1) == labels).sum().item())
        return correct / len(self.test)


class Floor(Workload):
    """Hand-written NumPy: the same MLP, init, batch size, SGD, per-batch uint8->float32 conversion, and the
    same sample order as the vinsgrad run it is paired with (so the two should reach the same accuracy)."""

    def __init__(
        self,
        train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray],
        *,
        initial: list[tuple[np.ndarray, np.ndarray]],
        batch_size: int,
        shuffle_state: dict[str, Any],
        lr: float = 0.01,
    ) -> None:
        self.name = "numpy floor"
        self.lr = np.float32(lr)
        self.x, self.y = train[0].reshape(len(train[0]), -1), train[1]
        self.test = (test[0].reshape(len(test[0]), -1), test[1])
        self.params = [(w.copy(), b.copy()) for w, b in initial]
        self.batch_size = batch_size
        self.generator = vinsgrad.Generator()
        self.generator.set_state(shuffle_state)  # the paired vinsgrad run's sample order, epoch after epoch

    def forward(self, x: np.ndarray) -> list[np.ndarray]:
        acts = [x]
        for i, (w, b) in enumerate(self.params):
            h = acts[-1] @ w.T + b
            acts.append(np.maximum(h, 0) if i < len(self.params) - 1 else h)
        return acts

    def train_epoch(self) -> None:
        lr = self.lr
        order = np.fromiter(RandomSampler(range(len(self.x)), generator=self.generator), dtype=np.int64)
        total = 0.0
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            x = self.x[idx].astype(np.float32) / np.float32(255)
            y = self.y[idx]
            acts = self.forward(x)
            z = acts[-1]
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
            total += float(-np.log(p[np.arange(len(y)), y]).mean())
            p[np.arange(len(y)), y] -= 1
            grad = p / np.float32(len(y))
            for i in reversed(range(len(self.params))):
                w, b = self.params[i]
                gw, gb = grad.T @ acts[i], grad.sum(axis=0)
                if i > 0:
                    grad = (grad @ w) * (acts[i] > 0)
                w -= lr * gw
                b -= lr * gb

    def accuracy(self) -> float:
        x, y = self.test
        logits = self.forward(x.astype(np.float32) / np.float32(255))[-1]
        return float((logits.argmax(axis=1) == y).mean())


class TorchMLP(Workload):
    """The same recipe in PyTorch: DataLoader over a TensorDataset, nn.Sequential, SGD."""

    def __init__(
        self,
        torch: Any,
        train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray],
        *,
        initial: list[tuple[np.ndarray, np.ndarray]],
        batch_size: int,
        seed: int,
    ) -> None:
        self.name = "pytorch"
        self.torch = torch
        torch.manual_seed(seed)
        tn = torch.nn
        layers: list[Any] = []
        for i, (w, b) in enumerate(initial):
            lin = tn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
            layers += [lin] + ([tn.ReLU()] if i < len(initial) - 1 else [])
        self.model = tn.Sequential(*layers)
        x = torch.from_numpy(train[0].reshape(len(train[0]), -1).astype(np.float32) / 255)
        dataset = torch.utils.data.TensorDataset(x, torch.from_numpy(train[1]))
        self.loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)
        self.test = (
            torch.from_numpy(test[0].reshape(len(test[0]), -1).astype(np.float32) / 255),
            torch.from_numpy(test[1]),
        )
        self.criterion = tn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.01)

    def accuracy(self) -> float:
        with self.torch.no_grad():
            return float((self.model(self.test[0]).argmax(dim=1) == self.test[1]).float().mean())


def cnn_config(path: Path) -> dict[str, Any]:
    from vinsgrad_cli.config import load_config

    return load_config(path, [])


class CNN(Workload):
    """configs/cnn.yaml's network and optimizer, trained with the library's own loop (no CLI output)."""

    def __init__(self, root: Path, config: dict[str, Any], *, seed: int) -> None:
        from vinsgrad_cli.config import build_loss, build_model, build_optimizer, build_transform

        self.name = "vinsgrad"
        vinsgrad.manual_seed(seed)
        transform = build_transform(config["data"]["transform"])
        train = datasets.MNIST(root=str(root), train=True, transform=transform)
        self.test = datasets.MNIST(root=str(root), train=False, transform=transform)
        self.batch_size = int(config["data"]["batch_size"])
        self.loader = DataLoader(train, batch_size=self.batch_size, shuffle=True)
        self.model = build_model(config)
        self.criterion = build_loss(config)
        self.optimizer = build_optimizer(config, self.model.parameters())

    def accuracy(self) -> float:
        self.model.eval()
        correct = 0
        with vinsgrad.no_grad():
            for images, labels in DataLoader(self.test, batch_size=1000):
                correct += int((self.model(images).argmax(dim=1) == labels).sum().item())
        return correct / len(self.test)


def torch_module(torch: Any, spec: dict[str, Any]) -> Any:
    """The PyTorch twin of a config's layer list: the config language uses PyTorch's class names."""
    layers = []
    for layer in spec["model"]["layers"]:
        kwargs = {k: v for k, v in layer.items() if k != "type"}
        layers.append(getattr(torch.nn, layer["type"])(**kwargs))
    return torch.nn.Sequential(*layers)


def torch_images(images: np.ndarray, config: dict[str, Any]) -> np.ndarray:
    """uint8 (N, 28, 28) images as the config's ToTensor (+ Normalize) makes them, converted once up front (the
    usual PyTorch TensorDataset recipe; vinsgrad's loader converts every batch)."""
    x = images[:, None].astype(np.float32) / np.float32(255)
    for spec in config["data"]["transform"]:
        if spec["type"] == "Normalize":
            mean, std = (np.asarray(spec[k], dtype=np.float32).reshape(1, -1, 1, 1) for k in ("mean", "std"))
            x = (x - mean) / std
        elif spec["type"] != "ToTensor":
            raise ValueError(f"benchmarks: the PyTorch CNN twin knows ToTensor and Normalize, not {spec['type']}")
    return x


class TorchCNN(Workload):
    def __init__(
        self,
        torch: Any,
        train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray],
        config: dict[str, Any],
        *,
        seed: int,
    ) -> None:
        self.name = "pytorch"
        self.torch = torch
        torch.manual_seed(seed)
        self.model = torch_module(torch, config)
        x = torch.from_numpy(torch_images(train[0], config))
        dataset = torch.utils.data.TensorDataset(x, torch.from_numpy(train[1]))
        self.loader = torch.utils.data.DataLoader(dataset, batch_size=int(config["data"]["batch_size"]), shuffle=True)
        self.test = (torch.from_numpy(torch_images(test[0], config)), torch.from_numpy(test[1]))
        opt = dict(config["optimizer"])
        self.optimizer = getattr(torch.optim, opt.pop("type"))(self.model.parameters(), **opt)
        self.criterion = torch.nn.CrossEntropyLoss()

    def accuracy(self) -> float:
        self.model.eval()
        with self.torch.no_grad():
            return float((self.model(self.test[0]).argmax(dim=1) == self.test[1]).float().mean())
