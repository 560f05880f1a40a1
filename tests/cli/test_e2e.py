"""The whole journey through the installed `vinsgrad` command, each step a real subprocess: download generated MNIST
from a file:// mirror, train one epoch, eval, inspect, resume to a second epoch (bit-identical to training two
epochs straight), and a bad checkpoint.

The subprocesses must accept the generated files, whose checksums differ from the real MNIST's. The library has
no switch for that (rightly), so a ``sitecustomize.py`` on the subprocesses' PYTHONPATH patches ``MNIST.resources``
to the generated files' checksums and empties ``MNIST.mirrors``, so nothing can reach the network.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from vinsgrad_cli.checkpoint import load_checkpoint

SITECUSTOMIZE = """\
from vinsgrad.vision.datasets import MNIST

MNIST.resources = {resources!r}
MNIST.mirrors = ()
"""


@pytest.fixture
def vinsgrad_cmd(tmp_path: Path, mnist_sha256: dict[str, str]):
    site = tmp_path / "site"
    site.mkdir()
    resources = tuple((f"{name}.gz", sha) for name, sha in mnist_sha256.items())
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE.format(resources=resources))
    env = {k: v for k, v in os.environ.items() if k not in ("VINSGRAD_MIRROR", "VINSGRAD_DEBUG")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
    script = Path(sys.executable).parent / "vinsgrad"
    prefix = [str(script)] if script.exists() else [sys.executable, "-m", "vinsgrad_cli"]

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*prefix, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        return result

    return run


def test_download_train_eval_inspect_resume(tmp_path: Path, mnist_mirror: Path, tiny_config: Path, vinsgrad_cmd):
    root = tmp_path / "data"  # tiny_config's data.root
    out = vinsgrad_cmd("download", "mnist", "--root", str(root), "--mirror", mnist_mirror.as_uri() + "/")
    assert out.stdout.strip() == f"mnist: 4 files verified in {root / 'MNIST' / 'raw'}"

    train = vinsgrad_cmd("train", str(tiny_config), "--out", "run", "--set", "train.epochs=1", "--quiet")
    assert (tmp_path / "run" / "last.npz").is_file()
    test_line = re.search(r"test: loss (\S+), accuracy (\S+)% \((\d+) samples\)", train.stdout)
    assert test_line, train.stdout

    report = json.loads(vinsgrad_cmd("eval", "run/last.npz", "--json").stdout)
    # eval rebuilt the model from the checkpoint alone and agrees with the trainer's own test pass.
    assert report["samples"] == int(test_line[3]) == 80
    assert f"{report['loss']:.4f}" == test_line[1] and f"{100 * report['accuracy']:.2f}" == test_line[2]
    assert sum(map(sum, report["confusion_matrix"])) == 80

    plain = vinsgrad_cmd("eval", "run/last.npz", "--split", "train").stdout
    assert "split: train (320 samples)" in plain and "confusion matrix" in plain

    inspected = vinsgrad_cmd("inspect", "run/last.npz").stdout
    assert "epoch: 1\n" in inspected and "parameters: 25,450 (25,450 trainable)" in inspected
    assert "resumable: yes (optimizer state stored)" in inspected

    resumed = vinsgrad_cmd(
        "train", str(tiny_config), "--out", "run", "--resume", "run/last.npz", "--set", "train.epochs=2", "--quiet"
    )
    assert "resumed from run/last.npz (epoch 1" in resumed.stdout
    info = json.loads(vinsgrad_cmd("inspect", "run/last.npz", "--json").stdout)
    assert info["epoch"] == 2 and [m["epoch"] for m in info["metrics"]] == [1, 2]

    vinsgrad_cmd("train", str(tiny_config), "--out", "straight", "--set", "train.epochs=2", "--quiet")
    a, b = load_checkpoint(tmp_path / "run" / "last.npz"), load_checkpoint(tmp_path / "straight" / "last.npz")
    assert a.model_state.keys() == b.model_state.keys()
    for key in a.model_state:
        np.testing.assert_array_equal(a.model_state[key], b.model_state[key], err_msg=key)

    bad = vinsgrad_cmd("eval", "run/missing.npz", code=2)
    assert bad.stdout == "" and bad.stderr == "Error: checkpoint run/missing.npz: no such file\n"
