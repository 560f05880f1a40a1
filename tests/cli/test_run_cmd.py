"""`vinsgrad run SCRIPT [ARGS...]` in a real process: a PyTorch script runs unchanged; a missing API is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VINSGRAD = [sys.executable, "-m", "vinsgrad_cli"]

SCRIPT = """\
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F

w = torch.tensor([[2.0, -1.0]], requires_grad=True)
x = torch.tensor([[1.0, 3.0], [2.0, 0.5]])
loss = F.mse_loss(x @ w.T, torch.zeros(2, 1))
loss.backward()
print(f"{loss.item():.4f} {w.grad.tolist()} {sys.argv[1:]} {__name__}")
"""


def test_run_command_runs_a_torch_script_with_its_arguments(tmp_path: Path) -> None:
    script = tmp_path / "grad.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.run([*VINSGRAD, "run", str(script), "--epochs", "3", "-v"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # x @ w.T = [-1, 3.5]; loss = (1 + 12.25) / 2 = 6.625; dL/dw = (2/2) r^T x = [-1 + 7, -3 + 1.75] = [6, -1.25]
    assert proc.stdout == "6.6250 [[6.0, -1.25]] ['--epochs', '3', '-v'] __main__\n"


def test_run_command_missing_api_is_one_line_exit_1(tmp_path: Path) -> None:
    script = tmp_path / "spectral.py"
    script.write_text("import torch\n\nx = torch.ones(4)\ny = torch.fft.fft(x)\n", encoding="utf-8")
    proc = subprocess.run([*VINSGRAD, "run", str(script)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr == f"Error: {script}:4: torch.fft is a PyTorch API that vinsgrad does not have\n"
    assert proc.stdout == ""


def test_run_command_missing_script_is_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run([*VINSGRAD, "run", str(tmp_path / "nope.py")], capture_output=True, text=True)
    assert proc.returncode == 2 and "nope.py: No such file or directory" in proc.stderr


def test_options_after_the_script_are_the_scripts_own_even_help(tmp_path: Path) -> None:
    script = tmp_path / "cli.py"
    script.write_text(
        "import argparse\np = argparse.ArgumentParser(description='the script')\np.add_argument('--epochs')\n"
        "print(p.parse_args())\n",
        encoding="utf-8",
    )
    proc = subprocess.run([*VINSGRAD, "run", str(script), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: cli.py [-h] [--epochs EPOCHS]")
    assert "the script" in proc.stdout and "vinsgrad run" not in proc.stdout
    own = subprocess.run([*VINSGRAD, "run", "--help"], capture_output=True, text=True)
    assert own.returncode == 0 and "Usage: vinsgrad run" in own.stdout
