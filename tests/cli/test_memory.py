"""The heap policy of a run (cli/memory.py): freed arrays are reused instead of page-faulted back in every step."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from vinsgrad_cli import trainer
from vinsgrad_cli.config import load_config
from vinsgrad_cli.console import PlainReporter
from vinsgrad_cli.memory import keep_freed_memory

MOONS = Path(__file__).resolve().parents[2] / "configs" / "moons.yaml"
STEPS = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    if sys.argv[1] == "keep":
        from vinsgrad_cli.memory import keep_freed_memory
        assert keep_freed_memory()
    def step():  # ten 4 MiB temporaries alive at once, then all freed, as in a training step
        arrays = [np.empty(1 << 20, np.float32) for _ in range(10)]
        for a in arrays:
            a.fill(1)
    step(); step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        step()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 5)
    """
)


def page_faults_per_step(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", STEPS, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


@pytest.mark.skipif(not keep_freed_memory(), reason="needs glibc (Linux)")
def test_freed_arrays_are_reused_not_faulted_back_in() -> None:
    assert page_faults_per_step("default") > 1000  # 40 MiB of fresh pages a step without the policy (4 KiB pages)
    assert page_faults_per_step("keep") < 100


def test_training_sets_the_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(trainer, "keep_freed_memory", lambda: calls.append(True) or True)
    config = load_config(MOONS, ["data.n=50", "train.epochs=1"])
    trainer.Trainer(config, tmp_path / "run", PlainReporter(), resume_command="")
    assert calls == [True]
