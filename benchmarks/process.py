"""Whole-command measurements in a child process: peak memory of a training run, and start-up time."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _vinsgrad() -> list[str]:
    exe = Path(sys.executable).with_name("vinsgrad")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "vinsgrad_cli"]


def train_peak_rss_mb(data_root: Path, out: Path, epochs: int = 1) -> float:
    """Peak resident memory (MB) of `vinsgrad train configs/mlp.yaml` (the only child this process has run
    at that point matters: ru_maxrss of children is the maximum over all waited-for children)."""
    cmd = [
        *_vinsgrad(),
        "train",
        str(ROOT / "configs" / "mlp.yaml"),
        "--quiet",
        "--out",
        str(out),
        "--set",
        f"data.root={data_root}",
        "--set",
        f"train.epochs={epochs}",
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def startup_seconds(repeats: int = 5) -> tuple[float, float]:
    """Best wall time of `vinsgrad --help`, and of a bare `python -c pass` for reference."""

    def best(cmd: list[str]) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        return min(times)

    return best([*_vinsgrad(), "--help"]), best([sys.executable, "-c", "pass"])
