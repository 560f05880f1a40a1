"""The benchmark harness: its NumPy floor is the same training run as vinsgrad's (so the ratios compare like with
like, and vinsgrad's hot path is checked against an independent hand-written reference), and its bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.optim as optim
from benchmarks import __main__ as bench
from benchmarks import workloads
from vinsgrad.utils.data import DataLoader, TensorDataset


def _images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 4, 4), dtype=np.uint8), rng.integers(0, 3, n).astype(np.int64)


def test_floor_trains_exactly_like_vinsgrad() -> None:
    """Same init, same sample order, same SGD: after two epochs the weights agree to float32 rounding."""
    train, test = _images(200, 0), _images(50, 1)
    vinsgrad.manual_seed(3)
    model = workloads.MLP((16, 8, 6, 3))
    initial = workloads.mlp_weights(model)
    floor = workloads.Floor(train, test, initial=initial, batch_size=32, shuffle_state=vinsgrad.get_rng_state(), lr=0.5)
    x = vinsgrad.from_numpy(train[0].reshape(200, -1).astype(np.float32) / np.float32(255))
    loader = DataLoader(TensorDataset(x, vinsgrad.from_numpy(train[1])), batch_size=32, shuffle=True)
    criterion, optimizer = nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.5)
    for _ in range(2):
        for xb, yb in loader:
            optimizer.zero_grad()
            criterion(model(xb), yb).backward()
            optimizer.step()
        floor.train_epoch()
    for (w, b), (fw, fb) in zip(workloads.mlp_weights(model), floor.params):
        assert w.dtype == fw.dtype == np.float32
        np.testing.assert_allclose(w, fw, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(b, fb, rtol=1e-4, atol=1e-5)
    assert not np.allclose(initial[0][0], floor.params[0][0], atol=1e-3)  # training moved the weights
    assert floor.accuracy() == pytest.approx(_accuracy(model, test))


def _accuracy(model: nn.Module, test: tuple[np.ndarray, np.ndarray]) -> float:
    x = vinsgrad.from_numpy(test[0].reshape(len(test[0]), -1).astype(np.float32) / np.float32(255))
    with vinsgrad.no_grad():
        return float((model(x).argmax(dim=1).numpy() == test[1]).mean())


class _Fake(workloads.Workload):
    def __init__(self, name: str, seconds: list[float], log: list[str]) -> None:
        self.name, self.seconds, self.log = name, iter(seconds), log

    def epoch(self) -> tuple[float, float]:
        self.log.append(self.name)
        s = next(self.seconds)
        return s, s / 2

    def accuracy(self) -> float:
        return 0.5


def test_interleave_rotates_the_order_and_pairs_epochs() -> None:
    log: list[str] = []
    group: list[workloads.Workload] = [_Fake("a", [2.0, 4.0, 9.0], log), _Fake("b", [1.0, 1.0, 1.0], log)]
    result = bench.interleave(group, epochs=3)
    assert log == ["a", "b", "b", "a", "a", "b"]
    assert result["a"]["epochs"] == [2.0, 4.0, 9.0]
    assert result["a"]["seconds_per_epoch"] == 4.0  # the median, robust to one disturbed epoch
    assert result["a"]["cpu_seconds_per_epoch"] == 2.0
    assert bench.ratio(result, "a", "b") == 4.0
    assert bench.ratio(result, "a", "missing") is None


def test_cnn_floor_trains_exactly_like_vinsgrad() -> None:
    """configs/cnn.yaml's network from the same init on the same batches: the hand-written floor's weights after
    Adam steps agree with the library's (both channels-last im2col + GEMM: to float32 rounding)."""
    from pathlib import Path

    from vinsgrad_cli.config import build_loss, build_model, build_optimizer

    config = workloads.cnn_config(Path(__file__).resolve().parents[2] / "configs" / "cnn.yaml")
    rng = np.random.default_rng(3)
    images, labels = rng.integers(0, 256, (96, 28, 28), dtype=np.uint8), rng.integers(0, 10, 96)
    vinsgrad.manual_seed(0)
    model, criterion = build_model(config), build_loss(config)
    optimizer = build_optimizer(config, model.parameters())
    initial = workloads.cnn_weights(model)
    floor = workloads.CNNFloor(
        (images, labels), (images, labels), config, initial=initial, shuffle_state=vinsgrad.get_rng_state()
    )
    for start in range(0, 96, 32):
        x = floor.images(images[start : start + 32])
        floor.step(x, labels[start : start + 32])
        optimizer.zero_grad()
        batch = vinsgrad.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        criterion(model(batch), vinsgrad.from_numpy(labels[start : start + 32])).backward()
        optimizer.step()
    for p, fp in zip(model.parameters(), floor.params):
        np.testing.assert_allclose(p._data, fp, rtol=1e-4, atol=1e-6)
    assert not np.allclose(initial[2], floor.params[2], atol=1e-4)  # the steps moved the weights


@pytest.mark.parametrize("argv", [["--threads", "0"], ["--threads", "many"], ["--only", "seed,nope"]])
def test_bad_arguments_exit_with_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        bench.main(argv)
    assert exc.value.code == 2
    assert argv[1].split(",")[-1] in capsys.readouterr().err


def test_main_runs_the_micro_group_end_to_end() -> None:
    # Runs the command `make bench` runs, so its wiring (argument names, data preparation) cannot silently break.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "micro", "--no-torch"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "a + b (64x128)" in done.stdout and "x @ W.T 256x784 @ 784x1024" in done.stdout
    assert "best of 7 turns; 1 BLAS thread(s)" in done.stdout  # auto's count for per-op costs
