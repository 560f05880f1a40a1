"""`vinsgrad train` in a real process: download from a file:// mirror, train, resume, and a real Ctrl-C (SIGINT).

The generated files' checksums reach the child through a tiny launcher that patches ``MNIST.resources`` before
running the app (the library has no environment switch to weaken verification, by design).
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

LAUNCHER = """\
import json, os
from vinsgrad.vision import datasets
datasets.MNIST.resources = tuple(tuple(r) for r in json.loads(os.environ["TEST_MNIST_RESOURCES"]))
from vinsgrad_cli.main import app
app(prog_name="vinsgrad")
"""


@pytest.fixture
def child_env(mnist_mirror: Path, mnist_sha256: dict[str, str]) -> dict[str, str]:
    resources = [[f"{name}.gz", sha] for name, sha in mnist_sha256.items()]
    return {
        **os.environ,
        "VINSGRAD_MIRROR": mnist_mirror.as_uri() + "/",
        "TEST_MNIST_RESOURCES": json.dumps(resources),
        "PATH": os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep) if not Path(d, "vinsgrad").exists()),
    }


def vinsgrad(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", LAUNCHER, *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_download_train_and_resume_in_a_real_process(
    tiny_config: Path, tmp_path: Path, child_env: dict[str, str]
) -> None:
    out = tmp_path / "run"
    first = vinsgrad(child_env, "train", tiny_config, "--out", out)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "data" / "MNIST" / "raw" / "train-images-idx3-ubyte.gz").is_file()  # downloaded
    assert "epoch 1/1  train loss" in first.stdout and "test: loss" in first.stdout
    resumed = vinsgrad(child_env, "train", tiny_config, "--resume", out / "last.npz", "--set", "train.epochs=2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed from {out / 'last.npz'} (epoch 1, step 10)" in resumed.stdout
    assert "epoch 2/2  train loss" in resumed.stdout and "epoch 1/" not in resumed.stdout
    assert [json.loads(line)["epoch"] for line in (out / "metrics.jsonl").read_text().splitlines()] == [1, 2]


def test_ctrl_c_in_a_real_process_saves_and_exits_130(
    tiny_config: Path, tmp_path: Path, child_env: dict[str, str]
) -> None:
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-c",
        LAUNCHER,
        "train",
        str(tiny_config),
        "--out",
        str(out),
        "--set",
        "train.epochs=100000",
    ]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env)
    try:
        assert child.stdout is not None
        for line in child.stdout:  # wait until training is under way
            if line.startswith("epoch 2/"):
                break
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130, stderr
    assert stderr.startswith("Interrupted: stopped in epoch ") and f"saved {out / 'last.npz'}" in stderr
    assert stderr.count("\n") == 1  # one line, and no download progress bars when stdout is not a terminal
    resume = shlex.split(stderr.split("Resume with: ")[1])
    # Launched as `python -c ...`, so not as `vinsgrad`: the printed command runs the same Python.
    assert resume == [sys.executable, "-m", "vinsgrad_cli", "train", "--resume", str(out / "last.npz")]
    assert (out / "last.npz").is_file() and not list(out.glob("*.tmp*"))
