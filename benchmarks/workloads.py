"""The workloads. Each trains for one epoch per ``epoch()`` call and reports test accuracy on ``accuracy()``.

- Seed: the README's seed example exactly as a user writes it.
- Floor: a hand-written NumPy forward/backward of the same network: no autograd, no framework.
- TorchMLP: the same recipe in PyTorch, with its DataLoader over a TensorDataset.
- CNN / CNNFloor / TorchCNN: the network of configs/cnn.yaml, in vinsgrad, hand-written NumPy and PyTorch.
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
        self.initial = cnn_weights(self.model)
        self.criterion = build_loss(config)
        self.optimizer = build_optimizer(config, self.model.parameters())
        self.shuffle_state = vinsgrad.get_rng_state()  # only the loader's shuffling draws from here on

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


def cnn_weights(model: Any) -> list[np.ndarray]:
    """Copies of configs/cnn.yaml's parameters in model order: conv1 (w, b), conv2 (w, b), linear (w, b)."""
    return [p._data.copy() for p in model.parameters()]


def _window_view(xpad: np.ndarray, k: int, out: int) -> np.ndarray:
    """(N, out, out, k, k, C) stride-1 windows of a channels-last (N, H, W, C) array."""
    n, _, _, c = xpad.shape
    sn, sy, sx, sc = xpad.strides
    return np.lib.stride_tricks.as_strided(xpad, (n, out, out, k, k, c), (sn, sy, sx, sy, sx, sc), writeable=False)


def _pool_relu(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max pool of channels-last ``h``, then ReLU; returns the output and the first-max offset (4 where the
    max is <= 0, so the backward scatter skips it: ReLU's mask folded in)."""
    taps = [h[:, i::2, j::2] for i in range(2) for j in range(2)]
    best = np.maximum(np.maximum(taps[0], taps[1]), np.maximum(taps[2], taps[3]))
    arg = np.full(best.shape, 3, dtype=np.uint8)
    for k in (2, 1, 0):
        arg -= (taps[k] == best).view(np.uint8) * (arg - np.uint8(k))
    arg[best <= 0] = 4
    np.maximum(best, 0, out=best)
    return best, arg


def _unpool(g: np.ndarray, arg: np.ndarray) -> np.ndarray:
    """The gradient of _pool_relu: ``g`` written at each window's recorded offset."""
    n, h, w, c = g.shape
    out = np.empty((n, 2 * h, 2 * w, c), dtype=g.dtype)
    for k in range(4):
        np.multiply(g, arg == k, out=out[:, k // 2 :: 2, k % 2 :: 2])
    return out


CNN_LAYERS = ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]


class CNNFloor(Workload):
    """Hand-written NumPy for configs/cnn.yaml: the fastest im2col + GEMM training step we could write, channels-last
    throughout, ReLU folded into the max pool, the stride-1 input gradient as a GEMM of the padded gradient with
    the flipped kernel, Adam as the library computes it; same initial weights, sample order and per-batch uint8
    conversion as the vinsgrad run it is paired with."""

    def __init__(
        self,
        train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray],
        config: dict[str, Any],
        *,
        initial: list[np.ndarray],
        shuffle_state: dict[str, Any],
    ) -> None:
        self.name = "numpy floor"
        self.x, self.y, self.test = train[0], train[1], test
        self.batch_size = int(config["data"]["batch_size"])
        opt = config["optimizer"]
        if opt["type"] != "Adam" or [s["type"] for s in config["model"]["layers"]] != CNN_LAYERS:
            raise ValueError("benchmarks: the CNN floor is written for configs/cnn.yaml's network and Adam")
        self.lr, self.eps = float(opt["lr"]), float(opt.get("eps", 1e-8))
        self.beta1, self.beta2 = opt.get("betas", (0.9, 0.999))
        norm = next(t for t in config["data"]["transform"] if t["type"] == "Normalize")
        self.mean, self.std = np.float32(norm["mean"][0]), np.float32(norm["std"][0])
        self.params = [p.copy() for p in initial]
        self.moments = [(np.zeros_like(p), np.zeros_like(p)) for p in self.params]
        self.steps = 0
        self.generator = vinsgrad.Generator()
        self.generator.set_state(shuffle_state)

    def images(self, raw: np.ndarray) -> np.ndarray:
        x = raw.astype(np.float32) / np.float32(255)  # as ToTensor, then Normalize
        return ((x - self.mean) / self.std)[..., None]  # (N, 28, 28, 1)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[Any]]:
        w1, b1, w2, b2, w3, b3 = self.params
        n = len(x)
        xpad = np.zeros((n, 30, 30, 1), np.float32)
        xpad[:, 1:29, 1:29] = x
        cols1 = _window_view(xpad, 3, 28).transpose(3, 4, 5, 0, 1, 2).reshape(9, -1).T  # one channel: offset-major
        h1 = (cols1 @ w1.reshape(16, 9).T).reshape(n, 28, 28, 16)
        h1 += b1
        p1, arg1 = _pool_relu(h1)
        p1pad = np.zeros((n, 16, 16, 16), np.float32)
        p1pad[:, 1:15, 1:15] = p1
        cols2 = _window_view(p1pad, 3, 14).reshape(n * 196, 144)
        w2k = w2.transpose(2, 3, 1, 0).reshape(144, 32)
        h2 = (cols2 @ w2k).reshape(n, 14, 14, 32)
        h2 += b2
        p2, arg2 = _pool_relu(h2)
        flat = p2.transpose(0, 3, 1, 2).reshape(n, -1)  # the model flattens NCHW
        return flat @ w3.T + b3, [cols1, arg1, p1, cols2, arg2, flat]

    def train_epoch(self) -> None:
        order = np.fromiter(RandomSampler(range(len(self.x)), generator=self.generator), dtype=np.int64)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            self.step(self.images(self.x[idx]), self.y[idx])

    def step(self, x: np.ndarray, y: np.ndarray) -> None:
        w2, w3 = self.params[2], self.params[4]
        n = len(x)
        logits, (cols1, arg1, _, cols2, arg2, flat) = self.forward(x)
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(n), y] -= 1
        g = p / np.float32(n)
        grads: list[np.ndarray] = [None] * 6  # type: ignore[list-item]
        grads[4], grads[5] = g.T @ flat, g.sum(axis=0)
        g2 = _unpool((g @ w3).reshape(n, 32, 7, 7).transpose(0, 2, 3, 1), arg2).reshape(n * 196, 32)
        ones = np.ones(len(g2), np.float32)
        grads[2] = (cols2.T @ g2).reshape(3, 3, 16, 32).transpose(3, 2, 0, 1)
        grads[3] = ones @ g2
        gpad = np.zeros((n, 18, 18, 32), np.float32)  # the padded gradient against the flipped kernel
        gpad[:, 2:16, 2:16] = g2.reshape(n, 14, 14, 32)
        flipped = w2[:, :, ::-1, ::-1].transpose(2, 3, 0, 1).reshape(288, 16)
        gp1 = (_window_view(gpad[:, 1:17, 1:17], 3, 14).reshape(n * 196, 288) @ flipped).reshape(n, 14, 14, 16)
        g1 = _unpool(gp1, arg1).reshape(n * 784, 16)
        grads[0] = (cols1.T @ g1).T.reshape(16, 1, 3, 3)
        grads[1] = np.ones(len(g1), np.float32) @ g1
        self.adam(grads)

    def adam(self, grads: list[np.ndarray]) -> None:
        self.steps += 1
        step_size = self.lr / (1 - self.beta1**self.steps)
        correction = (1 - self.beta2**self.steps) ** 0.5
        for param, grad, (m, v) in zip(self.params, grads, self.moments):
            m += (grad - m) * (1 - self.beta1)
            v *= self.beta2
            v += grad * grad * (1 - self.beta2)
            param -= m / (np.sqrt(v) / correction + self.eps) * step_size

    def accuracy(self) -> float:
        correct = 0
        for s in range(0, len(self.test[0]), 1000):
            logits, _ = self.forward(self.images(self.test[0][s : s + 1000]))
            correct += int((logits.argmax(axis=1) == self.test[1][s : s + 1000]).sum())
        return correct / len(self.test[0])


STEPS_PER_ROUND = 50


class CNNSteps(Workload):
    """configs/cnn.yaml's bare training step: one fixed random batch, ``STEPS_PER_ROUND`` steps per ``epoch()``."""

    def __init__(self, config: dict[str, Any], *, seed: int) -> None:
        from vinsgrad_cli.config import build_loss, build_model, build_optimizer

        self.name = "vinsgrad"
        vinsgrad.manual_seed(seed)
        self.batch_size = int(config["data"]["batch_size"])
        rng = np.random.default_rng(seed)
        self.x = vinsgrad.from_numpy(rng.standard_normal((self.batch_size, 1, 28, 28), dtype=np.float32))
        self.y = vinsgrad.from_numpy(rng.integers(0, 10, self.batch_size))
        self.model = build_model(config)
        self.criterion = build_loss(config)
        self.optimizer = build_optimizer(config, self.model.parameters())

    def train_epoch(self) -> None:
        self.model.train()
        for _ in range(STEPS_PER_ROUND):
            self.optimizer.zero_grad()
            self.criterion(self.model(self.x), self.y).backward()
            self.optimizer.step()

    def accuracy(self) -> None:  # type: ignore[override]
        return None


class TorchCNNSteps(CNNSteps):
    def __init__(self, torch: Any, config: dict[str, Any], *, seed: int) -> None:
        self.name = "pytorch"
        torch.manual_seed(seed)
        self.batch_size = int(config["data"]["batch_size"])
        rng = np.random.default_rng(seed)
        self.x = torch.from_numpy(rng.standard_normal((self.batch_size, 1, 28, 28), dtype=np.float32))
        self.y = torch.from_numpy(rng.integers(0, 10, self.batch_size))
        self.model = torch_module(torch, config)
        opt = dict(config["optimizer"])
        self.optimizer = getattr(torch.optim, opt.pop("type"))(self.model.parameters(), **opt)
        self.criterion = torch.nn.CrossEntropyLoss()


class Named(Workload):
    """Another workload's epochs under another name (the quiet half of the load group)."""

    def __init__(self, inner: Workload, name: str) -> None:
        self.inner, self.name = inner, name

    def train_epoch(self) -> None:
        self.inner.train_epoch()

    def accuracy(self) -> None:  # type: ignore[override]
        return None


class Busy(Named):
    """Another workload's epochs while ``processes`` CPU-bound processes spin, started and stopped around each
    (outside the timed epoch: only the inner workload's epoch is timed)."""

    def __init__(self, inner: Workload, processes: int) -> None:
        super().__init__(inner, f"{processes} busy")
        self.processes = processes

    def epoch(self) -> tuple[float, float]:
        import os
        import subprocess
        import sys

        spin = f"import os\nwhile os.getppid() == {os.getpid()}: pass"  # spins until stopped or orphaned
        spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(self.processes)]
        try:
            time.sleep(0.5)  # let them reach the CPU before the epoch starts
            return self.inner.epoch()
        finally:
            for p in spinners:
                p.kill()
            for p in spinners:
                p.wait()


GPT_STEPS_PER_ROUND = 5


def gpt_config(path: Path) -> dict[str, Any]:
    """configs/shakespeare_gpt.yaml's model and training settings, read as the CLI reads them."""
    return cnn_config(path)


class GPTSteps(Workload):
    """configs/shakespeare_gpt.yaml's bare training step (forward, cross-entropy, backward, clip_grad_norm_, AdamW)
    on one fixed random (batch, block_size) int64 batch, ``GPT_STEPS_PER_ROUND`` steps per ``epoch()``."""

    def __init__(self, config: dict[str, Any], *, vocab_size: int, seed: int) -> None:
        from vinsgrad.models import GPT

        self.name = "vinsgrad"
        vinsgrad.manual_seed(seed)
        spec = {k: v for k, v in config["model"].items() if k != "type"}
        self.batch_size, self.block_size = int(config["data"]["batch_size"]), int(spec["block_size"])
        self.clip = float(config["train"]["clip_grad_norm"])
        x, y = gpt_batch(self.batch_size, self.block_size, vocab_size, seed)
        self.model = GPT(vocab_size, **spec)
        self.initial = {k: v._data.copy() for k, v in self.model.state_dict().items()}
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = optim.AdamW(self.model.parameters(), lr=float(config["optimizer"]["lr"]))
        self.x, self.y = vinsgrad.from_numpy(x), vinsgrad.from_numpy(y)
        self.losses: list[float] = []

    def clip_grad_norm(self) -> None:
        nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)

    def train_epoch(self) -> None:
        self.model.train()
        for _ in range(GPT_STEPS_PER_ROUND):
            self.optimizer.zero_grad()
            logits = self.model(self.x)
            loss = self.criterion(logits.reshape(-1, logits.shape[-1]), self.y.reshape(-1))
            loss.backward()
            self.clip_grad_norm()
            self.optimizer.step()
            self.losses.append(loss.item())

    def accuracy(self) -> None:  # type: ignore[override]
        return None


def gpt_batch(batch_size: int, block_size: int, vocab_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A random (inputs, targets) pair of (batch_size, block_size) int64 token ids."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, vocab_size, (batch_size, block_size), dtype=np.int64),
        rng.integers(0, vocab_size, (batch_size, block_size), dtype=np.int64),
    )


def torch_gpt(torch: Any, vocab_size: int, *, n_layer: int, n_head: int, n_embd: int, block_size: int) -> Any:
    """The same GPT in PyTorch (written here, parameter names as vinsgrad.models.GPT's): token and position
    embeddings, pre-norm blocks of causal scaled_dot_product_attention and a tanh-GELU MLP, tied head."""
    tn, F = torch.nn, torch.nn.functional
    Base: Any = tn.Module

    class Attention(Base):
        def __init__(self) -> None:
            super().__init__()
            self.c_attn, self.c_proj = tn.Linear(n_embd, 3 * n_embd), tn.Linear(n_embd, n_embd)

        def forward(self, x: Any) -> Any:
            B, T, C = x.shape
            qkv = self.c_attn(x).reshape(B, T, 3, n_head, C // n_head).permute(2, 0, 3, 1, 4)
            y = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_causal=True)
            return self.c_proj(y.transpose(1, 2).reshape(B, T, C))

    class Mlp(Base):
        def __init__(self) -> None:
            super().__init__()
            self.c_fc, self.c_proj = tn.Linear(n_embd, 4 * n_embd), tn.Linear(4 * n_embd, n_embd)
            self.gelu = tn.GELU(approximate="tanh")

        def forward(self, x: Any) -> Any:
            return self.c_proj(self.gelu(self.c_fc(x)))

    class Block(Base):
        def __init__(self) -> None:
            super().__init__()
            self.ln_1, self.attn, self.ln_2, self.mlp = tn.LayerNorm(n_embd), Attention(), tn.LayerNorm(n_embd), Mlp()

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class Gpt(Base):
        def __init__(self) -> None:
            super().__init__()
            self.wte, self.wpe = tn.Embedding(vocab_size, n_embd), tn.Embedding(block_size, n_embd)
            self.h = tn.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f = tn.LayerNorm(n_embd)
            self.lm_head = tn.Linear(n_embd, vocab_size, bias=False)
            self.lm_head.weight = self.wte.weight

        def forward(self, idx: Any) -> Any:
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    return Gpt()


class TorchGPTSteps(GPTSteps):
    """The same step in PyTorch, from the vinsgrad model's initial weights, on the same batch."""

    def __init__(self, torch: Any, config: dict[str, Any], *, vocab_size: int, initial: dict[str, np.ndarray]) -> None:
        self.name = "pytorch"
        self.torch = torch
        spec = {k: config["model"][k] for k in ("n_layer", "n_head", "n_embd", "block_size")}
        if config["model"].get("dropout", 0.0) != 0.0 or not config["model"].get("bias", True):
            raise ValueError("benchmarks: the PyTorch GPT twin is written without dropout and with biases")
        self.batch_size, self.block_size = int(config["data"]["batch_size"]), int(spec["block_size"])
        self.clip = float(config["train"]["clip_grad_norm"])
        self.model = torch_gpt(torch, vocab_size, **spec)
        self.model.load_state_dict({k: torch.from_numpy(v) for k, v in initial.items()})
        x, y = gpt_batch(self.batch_size, self.block_size, vocab_size, 0)
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)
        self.criterion = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=float(config["optimizer"]["lr"]))
        self.losses = []

    def clip_grad_norm(self) -> None:
        self.torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
