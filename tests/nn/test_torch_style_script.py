"""A PyTorch-spelled training script built from the issue-14 layers runs unmodified under ``vinsgrad run``."""

from __future__ import annotations

from pathlib import Path

import pytest

from vinsgrad.run import run_script

SCRIPT = Path(__file__).parent / "scripts" / "decoder_script.py"


def test_decoder_script_runs_unmodified_and_learns(capsys: pytest.CaptureFixture) -> None:
    run_script(str(SCRIPT), ["0.05"])
    lines = capsys.readouterr().out.splitlines()
    losses = [float(line.split()[-1]) for line in lines]
    assert [line.split()[1] for line in lines] == ["0", "1", "2", "3", "4"]
    assert losses[-1] < losses[0]  # the same losses as torch's are checked in tests/conformance
