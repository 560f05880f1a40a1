"""Whole-command measurements in a child process: peak memory of a training run, and start-up time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _vinsgrad() -> list[str]:
    exe = Path(sys.executable).with_name("vinsgrad")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "vinsgrad_cli"]


# Runs a command and prints its peak RSS in KB. A forked child's ru_maxrss starts at the RSS of the process it
# was forked from (the page tables are copied before exec), so the command is forked from this small launcher,
# not from the benchmark process, which holds MNIST copies and possibly torch.
_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def train_peak_rss_mb(data_root: Path, out: Path, epochs: int = 1, config: str = "mlp") -> float:
    """Peak resident memory (MB) of `vinsgrad train configs/<config>.yaml` (it includes the few MB of the small
    launcher's image the command was forked from)."""
    cmd = [
        *_vinsgrad(),
        "train",
        str(ROOT / "configs" / f"{config}.yaml"),
        "--quiet",
        "--out",
        str(out),
        "--set",
        f"data.root={data_root}",
        "--set",
        f"train.epochs={epochs}",
    ]
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], check=True, cwd=ROOT, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024


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
