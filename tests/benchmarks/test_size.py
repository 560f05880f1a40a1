"""`make size` passes within the budget and fails (exit 1) over it."""

from __future__ import annotations

import pytest

from benchmarks import size


def test_core_is_within_its_budget(capsys: pytest.CaptureFixture[str]) -> None:
    assert size.main() == 0
    out = capsys.readouterr().out
    assert "vinsgrad/autograd/" in out and "within its budget" in out


def test_over_budget_fails(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(size, "CORE_BUDGET", 100)
    assert size.main() == 1
    assert "OVER its budget of 100" in capsys.readouterr().out
