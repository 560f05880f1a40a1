"""Devices (the CPU only, honestly), subpackages as attributes, and `python -m vinsgrad.run` with torch aliases."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import vinsgrad
from vinsgrad.run import MissingAPIError, run_script, torch_aliases

# A PyTorch script, in torch spelling: a linear model fitted by SGD on a mean-squared error, weights set to
# known values so the losses can be derived independently below.
TRAIN_SCRIPT = textwrap.dedent(
    """
    import sys
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim
    from torch.utils.data import DataLoader, TensorDataset
    import torchvision
    from torchvision import datasets, transforms

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x = torch.tensor([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.25], [2.0, 1.0]], device=device)
    y = torch.tensor([[1.0], [-0.5], [0.75], [2.0]]).to(device)
    model = nn.Linear(2, 1).to(device)
    nn.init.constant_(model.weight, 0.1)
    nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=float(sys.argv[1]))
    loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=False)
    for step in range(3):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"step {step} loss {loss.item():.6f}")
    print(__name__, sys.argv[1:], x.device, transforms.__name__)
    """
)


def numpy_losses(lr: float, steps: int = 3) -> list[float]:
    """The same fit by hand in float64: loss = mean((xw + b - y)^2), dL/dw = 2/n x^T r, dL/db = 2/n sum r."""
    x = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.25], [2.0, 1.0]])
    y = np.array([[1.0], [-0.5], [0.75], [2.0]])
    w, b = np.full((2, 1), 0.1), 0.0
    losses = []
    for _ in range(steps):
        r = x @ w + b - y
        losses.append(float(np.mean(r**2)))
        w = w - lr * 2 / len(x) * x.T @ r
        b = b - lr * 2 / len(x) * float(r.sum())
    return losses


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_vinsgrad_gives_subpackages_as_attributes() -> None:
    code = (
        "import vinsgrad; "
        "print(vinsgrad.nn.Linear, vinsgrad.optim.SGD, vinsgrad.utils.data.DataLoader, vinsgrad.autograd.Function)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "Linear" in out and "SGD" in out and "DataLoader" in out and "Function" in out


def test_device_is_the_cpu_only() -> None:
    cpu = vinsgrad.device("cpu")
    assert cpu.type == "cpu" and repr(cpu) == "device(type='cpu')" and str(cpu) == "cpu"
    assert cpu == "cpu" and cpu == vinsgrad.device(cpu) and cpu != "cuda" and cpu != 0
    assert vinsgrad.zeros(2).device == cpu and vinsgrad.tensor([1.0]).device == "cpu"
    for bad in ("cuda", "cuda:0", "mps"):  # a device can be named, as in PyTorch, but not used
        named = vinsgrad.device(bad)
        assert str(named) == bad and named != cpu and named.type == bad.split(":")[0]
        with pytest.raises(RuntimeError, match=f"vinsgrad runs on the CPU only, got device '{bad}'"):
            vinsgrad.ones(2).to(named)
        with pytest.raises(RuntimeError, match=f"vinsgrad runs on the CPU only, got device '{bad}'"):
            vinsgrad.nn.Linear(2, 2).to(named)
        with pytest.raises(RuntimeError, match=f"vinsgrad runs on the CPU only, got device '{bad}'"):
            vinsgrad.zeros(2, device=named)
    assert vinsgrad.device("cuda", 1).index == 1 and repr(vinsgrad.device("cuda:1")) == "device(type='cuda', index=1)"
    with pytest.raises(RuntimeError, match=r"Expected one of cpu, cuda, .* device string: gpu"):
        vinsgrad.device("gpu")
    vinsgrad.set_default_device("cpu")
    assert vinsgrad.get_default_device() == cpu
    with pytest.raises(RuntimeError, match=r"set_default_device\(\): vinsgrad runs on the CPU only, got device 'cuda'"):
        vinsgrad.set_default_device("cuda")


def test_to_and_cpu_accept_the_cpu_device_and_refuse_others() -> None:
    x = vinsgrad.tensor([1.0, 2.0])
    cpu = vinsgrad.device("cpu")
    assert x.to(cpu) is x and x.to("cpu") is x and x.to(device=cpu) is x and x.cpu() is x
    assert x.to(cpu, vinsgrad.float64).dtype == vinsgrad.float64
    for bad in ("cuda", "mps"):
        with pytest.raises(RuntimeError, match="CPU only"):
            x.to(bad)
        with pytest.raises(RuntimeError, match="CPU only"):
            x.to(device=bad)
    model = vinsgrad.nn.Linear(2, 1)
    assert model.to(cpu) is model


@pytest.mark.parametrize(
    "make",
    [
        lambda d: vinsgrad.tensor([1.0], device=d),
        lambda d: vinsgrad.zeros(2, device=d),
        lambda d: vinsgrad.ones(2, device=d),
        lambda d: vinsgrad.full((2,), 3.0, device=d),
        lambda d: vinsgrad.zeros_like(vinsgrad.ones(2), device=d),
        lambda d: vinsgrad.ones_like(vinsgrad.ones(2), device=d),
        lambda d: vinsgrad.full_like(vinsgrad.ones(2), 2.0, device=d),
        lambda d: vinsgrad.arange(3, device=d),
        lambda d: vinsgrad.linspace(0, 1, 3, device=d),
        lambda d: vinsgrad.eye(2, device=d),
        lambda d: vinsgrad.rand(2, device=d),
        lambda d: vinsgrad.randn(2, device=d),
        lambda d: vinsgrad.randint(0, 5, (2,), device=d),
        lambda d: vinsgrad.randperm(3, device=d),
    ],
)
def test_factories_take_device(make) -> None:  # type: ignore[no-untyped-def]
    assert make("cpu").device == "cpu" and make(vinsgrad.device("cpu")).device == "cpu"
    with pytest.raises(RuntimeError, match="CPU only, got device 'cuda'"):
        make("cuda")


def test_no_accelerators() -> None:
    assert vinsgrad.cuda.is_available() is False and vinsgrad.cuda.device_count() == 0
    assert vinsgrad.backends.mps.is_available() is False
    assert vinsgrad.accelerator.is_available() is False and vinsgrad.accelerator.current_accelerator() is None


def test_pytorch_script_runs_in_process_and_losses_match_numpy(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    script = write(tmp_path, "fit.py", TRAIN_SCRIPT)
    run_script(str(script), ["0.1"])
    lines = capsys.readouterr().out.splitlines()
    got = [float(line.split()[-1]) for line in lines[:3]]
    np.testing.assert_allclose(got, numpy_losses(0.1), atol=2e-6)
    assert lines[3] == "__main__ ['0.1'] cpu vinsgrad.vision.transforms"
    assert "torch" not in sys.modules and "torchvision" not in sys.modules


def test_python_dash_m_runs_the_script_in_a_subprocess(tmp_path: Path) -> None:
    script = write(tmp_path, "fit.py", TRAIN_SCRIPT)
    proc = subprocess.run(
        [sys.executable, "-m", "vinsgrad.run", str(script), "0.05"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    got = [float(line.split()[-1]) for line in proc.stdout.splitlines()[:3]]
    np.testing.assert_allclose(got, numpy_losses(0.05), atol=2e-6)


@pytest.mark.parametrize(
    ("line", "api"),
    [
        ("y = torch.fft.fft(x)", "torch.fft"),
        ("import torch.fft", "torch.fft"),
        ("from torch.nn import Transformer", "torch.nn.Transformer"),
        ("y = torch.nn.functional.grid_sample(x, x)", "torch.nn.functional.grid_sample"),
        ("y = x.frobnicate()", "torch.Tensor.frobnicate"),
    ],
)
def test_missing_api_is_one_line_with_file_and_line(tmp_path: Path, line: str, api: str) -> None:
    script = write(tmp_path, "uses.py", f"import torch\nimport torch.nn\nx = torch.ones(2)\n{line}\n")
    with pytest.raises(MissingAPIError) as info:
        run_script(str(script))
    assert str(info.value) == f"{script}:4: {api} is a PyTorch API that vinsgrad does not have"
    assert "torch" not in sys.modules


def test_missing_api_in_a_module_the_script_imports_names_that_module(tmp_path: Path) -> None:
    helper = write(tmp_path, "spectral_helper.py", "import torch\n\n\ndef spectrum(x):\n    return torch.fft.rfft(x)\n")
    script = write(
        tmp_path, "main.py", "import torch\nfrom spectral_helper import spectrum\n\nspectrum(torch.ones(4))\n"
    )
    try:
        with pytest.raises(MissingAPIError, match=rf"^{helper}:5: torch.fft is a PyTorch API that vinsgrad does not"):
            run_script(str(script))
    finally:
        sys.modules.pop("spectral_helper", None)


def test_a_keyword_argument_vinsgrad_lacks_is_one_line_too(tmp_path: Path) -> None:
    script = write(tmp_path, "named.py", "import torch\n\nx = torch.ones(2, names=None)\n")
    with pytest.raises(MissingAPIError) as info:
        run_script(str(script))
    assert (
        str(info.value) == f"{script}:3: argument 'names' of ones() is a PyTorch argument that vinsgrad does not have"
    )


def test_a_bad_keyword_to_the_scripts_own_function_stays_a_type_error(tmp_path: Path) -> None:
    script = write(tmp_path, "own.py", "import torch\n\ndef ones(n):\n    return n\n\nones(2, names=None)\n")
    with pytest.raises(TypeError, match="ones\\(\\) got an unexpected keyword argument 'names'"):
        run_script(str(script))


def test_other_script_errors_propagate_unchanged(tmp_path: Path) -> None:
    script = write(tmp_path, "bad.py", "import torch\nraise KeyError('mine')\n")
    with pytest.raises(KeyError, match="mine"):
        run_script(str(script))


def test_torch_is_not_importable_outside_a_run() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("torch")
    with torch_aliases():
        assert importlib.import_module("torch") is vinsgrad
        assert importlib.import_module("torchvision.datasets") is vinsgrad.vision.datasets
    assert "torch" not in sys.modules and "torchvision.datasets" not in sys.modules
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("torch.nn")
