"""The PyTorch-style scripts in tests/scripts/ run unchanged under `vinsgrad run`, on generated MNIST and
FashionMNIST served by a loopback HTTP mirror; what they print is checked against independent NumPy computations
where the numbers are deterministic, and for learning where they are not."""

from __future__ import annotations

import functools
import http.server
import math
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import vinsgrad
from vinsgrad.run import run_script

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture(scope="module")
def http_mirror(tmp_path_factory: pytest.TempPathFactory, mnist_mirror: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT/`` serving the generated gzipped IDX files (the real download code path)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(mnist_mirror)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def run(
    http_mirror: str, fake_mnist: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):  # type: ignore[no-untyped-def]
    """Run a script from tests/scripts in a fresh folder, as `vinsgrad run SCRIPT ARGS` does; return its stdout."""
    monkeypatch.setenv("VINSGRAD_MIRROR", http_mirror)
    monkeypatch.chdir(tmp_path)

    def run_it(name: str, *args: str) -> str:
        capsys.readouterr()
        run_script(str(SCRIPTS / name), list(args))
        return capsys.readouterr().out

    return run_it


def numbers_after(label: str, out: str) -> list[float]:
    return [float(m) for m in re.findall(rf"{label}\s*([-\d.e]+)", out)]


def polynomial_numpy(a: float, b: float, c: float, d: float, steps: int, lr: float = 1e-6) -> list[float]:
    """The tensor/autograd polynomial fits, by hand in float64: gradient descent on sum((p(x) - sin x)^2)."""
    x = np.linspace(-math.pi, math.pi, 2000)
    y = np.sin(x)
    for _ in range(steps):
        g = 2.0 * (a + b * x + c * x**2 + d * x**3 - y)
        a, b, c, d = a - lr * g.sum(), b - lr * (g * x).sum(), c - lr * (g * x**2).sum(), d - lr * (g * x**3).sum()
    return [a, b, c, d]


def seeded_coefficients() -> list[float]:
    vinsgrad.manual_seed(0)
    return [vinsgrad.randn(()).item() for _ in range(4)]


@pytest.mark.parametrize("script", ["polynomial_tensor.py", "polynomial_autograd.py"])
def test_polynomial_fits_match_numpy(run, script: str) -> None:  # type: ignore[no-untyped-def]
    out = run(script, "300")
    got = [float(v) for v in re.search(r"Result: y = (\S+) \+ (\S+) x \+ (\S+) x\^2 \+ (\S+) x\^3", out).groups()]
    np.testing.assert_allclose(got, polynomial_numpy(*seeded_coefficients(), steps=300), rtol=1e-4, atol=1e-5)
    assert [line.split()[0] for line in out.splitlines() if line[:1].isdigit()] == ["99", "199", "299"]


def test_polynomial_custom_function_matches_numpy(run) -> None:  # type: ignore[no-untyped-def]
    out = run("polynomial_custom_function.py", "200")
    x = np.linspace(-math.pi, math.pi, 2000)
    y = np.sin(x)
    a, b, c, d = 0.0, -1.0, 0.0, 0.3
    for _ in range(200):  # y = a + b P3(u), u = c + d x, P3(u) = (5u^3 - 3u) / 2, P3'(u) = 1.5 (5u^2 - 1)
        u = c + d * x
        g = 2 * (a + b * 0.5 * (5 * u**3 - 3 * u) - y)
        gu = g * b * 1.5 * (5 * u**2 - 1)
        a, b, c, d = (a - 5e-6 * g.sum(), b - 5e-6 * (g * 0.5 * (5 * u**3 - 3 * u)).sum(),
                      c - 5e-6 * gu.sum(), d - 5e-6 * (gu * x).sum())  # fmt: skip
    got = [float(v) for v in re.search(r"y = (\S+) \+ (\S+) \* P3\((\S+) \+ (\S+) x\)", out).groups()]
    np.testing.assert_allclose(got, [a, b, c, d], rtol=1e-4, atol=1e-5)


def test_polynomial_nn_optim_module_and_dynamic(run) -> None:  # type: ignore[no-untyped-def]
    out = run("polynomial_nn.py", "1000")
    vinsgrad.manual_seed(0)
    layer = vinsgrad.nn.Linear(3, 1)
    w, b = layer.weight.detach().numpy()[0].astype(np.float64), float(layer.bias.item())
    x = np.linspace(-math.pi, math.pi, 2000)
    xx, y = np.stack([x, x**2, x**3], 1), np.sin(x)
    for _ in range(1000):  # SGD by hand on sum((xx w + b - y)^2)
        r = 2 * (xx @ w + b - y)
        w, b = w - 1e-6 * xx.T @ r, b - 1e-6 * r.sum()
    got = re.search(r"nn result: y = (\S+) \+ (\S+) x \+ (\S+) x\^3", out).groups()
    np.testing.assert_allclose([float(v) for v in got], [b, w[0], w[2]], rtol=1e-3, atol=1e-4)
    for kind in ("optim", "module", "dynamic"):
        losses = numbers_after(f"^{kind} \\d+", out) or [
            float(v) for v in re.findall(rf"^{kind} \d+ (\S+)$", out, re.M)
        ]
        assert len(losses) == 2 and losses[1] < losses[0], (kind, out)
    assert out.count("Result: y = ") == 2


def test_quickstart_trains_saves_loads_and_predicts(run) -> None:  # type: ignore[no-untyped-def]
    out = run("quickstart.py", "3")
    assert (
        "Shape of X [N, C, H, W]: vinsgrad.Size([32, 1, 28, 28])" in out
        and "Shape of y: vinsgrad.Size([32]) vinsgrad.int64" in out
    )
    assert "Using cpu device" in out and "(layers): Sequential(" in out
    accuracies = [float(a) for a in re.findall(r"Accuracy: ([\d.]+)%", out)]
    assert len(accuracies) == 3 and accuracies[-1] >= 90  # the generated classes are easy to tell apart
    assert Path("model.pth").is_file() and "restored model gives the same logits: True" in out
    assert re.search(r'Predicted: "[^"]+", Actual: "[^"]+"', out)


def test_tensors_tour(run) -> None:  # type: ignore[no-untyped-def]
    out = run("tensors.py")
    assert "rand_like dtype: vinsgrad.float32 in [0, 1): True" in out
    assert "Device tensor is stored on: cpu" in out and "cat shape: vinsgrad.Size([4, 12])" in out
    assert "matmul agree: True [3.0, 3.0, 3.0, 3.0]" in out and "mul agree: True" in out
    assert "12.0 <class 'float'>" in out  # 16 ones minus the zeroed column
    assert "t: tensor([2., 2., 2., 2., 2.])\nn: [2. 2. 2. 2. 2.]" in out  # the NumPy array shares memory
    assert out.rstrip().endswith("t: tensor([2., 2., 2., 2., 2.], dtype=vinsgrad.float64)")


def test_autograd_basics(run) -> None:  # type: ignore[no-untyped-def]
    out = run("autograd_basics.py")
    assert "Gradient function for z = <AddBackward0>" in out
    assert "grad check: True" in out and "rows equal: True" in out
    assert "True\nFalse\nFalse\n" in out
    # d/d inp of sum((inp + 1)^2) = 2 (inp + 1): 4 on the diagonal, 2 elsewhere; twice after two calls
    first = out.split("First call\n")[1].split("\n\n")[0]
    assert first.startswith("tensor([[4., 2., 2., 2., 2.]")
    assert out.split("Second call\n")[1].startswith("tensor([[8., 4., 4., 4., 4.]")
    assert out.split("Call after zeroing gradients\n")[1].startswith("tensor([[4., 2., 2., 2., 2.]")
    assert "autograd.grad of sum(x^2) is 2x: True" in out


def test_build_model(run) -> None:  # type: ignore[no-untyped-def]
    out = run("build_model.py")
    assert "Using cpu device" in out and "NeuralNetwork(\n  (flatten): Flatten(start_dim=1, end_dim=-1)" in out
    assert (
        "vinsgrad.Size([3, 784])\nvinsgrad.Size([3, 20])" in out
        and "after ReLU, min is 0.0" in out
        and "rows sum to 1: True" in out
    )
    assert "Layer: linear_relu_stack.0.weight | Size: vinsgrad.Size([32, 784]) | first values shape: (2, 784)" in out


def test_nn_really_every_refactoring_step_learns(run) -> None:  # type: ignore[no-untyped-def]
    out = run("nn_really.py", "2")
    assert "vinsgrad.Size([320, 784]) tensor(0) tensor(9)" in out
    before, after = (float(v) for v in re.search(r"before: (\S+) .*\n.*after: (\S+) ", out).groups())
    assert after < before and "F.cross_entropy agrees: True" in out
    validation = [float(v) for v in re.findall(r"^\d (\S+)$", out, re.M)]
    assert len(validation) == 4 and validation[1] < validation[0] and validation[1] < 0.5


def test_mnist_example_with_argparse_adadelta_and_steplr(run) -> None:  # type: ignore[no-untyped-def]
    out = run("mnist_main.py", "--epochs", "2", "--log-interval", "4")
    assert out.count("Train Epoch: 1 [") == 3 and "Train Epoch: 2 [0/320]" in out  # batches 0, 4, 8 of 10
    correct = [int(c) for c in re.findall(r"Accuracy: (\d+)/80", out)]
    assert len(correct) == 2 and correct[-1] >= 60
    assert "final lr: [0.48999999999999994]" in out  # 1.0 * 0.7 * 0.7


def test_mnist_example_help_is_the_scripts_own(run, capsys: pytest.CaptureFixture) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_:
        run("mnist_main.py", "--help")
    assert exit_.value.code == 0
    assert "--log-interval" in capsys.readouterr().out
