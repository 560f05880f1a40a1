"""Counts the conformance outcomes (agree, missing, disagree) and writes the report of every failing case.

Each test records ``(status, reason)`` as a user property; the properties travel back from pytest-xdist workers
with the reports, so the controller sees them all. The report goes to ``$CONFORMANCE_REPORT``
(default ``conformance-report.txt`` in the rootdir), and only when conformance cases actually ran.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

_OUTCOMES: dict[str, tuple[str, str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "conformance":
            _OUTCOMES[report.nodeid.rsplit("[", 1)[-1].rstrip("]")] = tuple(value)  # type: ignore[assignment]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not _OUTCOMES:
        return
    counts = Counter(status for status, _ in _OUTCOMES.values())
    line = (
        f"conformance: {len(_OUTCOMES)} cases, {counts['agree']} agree, {counts['missing']} missing, "
        f"{counts['disagree']} disagree"
    )
    path = Path(os.environ.get("CONFORMANCE_REPORT", config.rootpath / "conformance-report.txt"))
    failing = sorted((name, status, reason) for name, (status, reason) in _OUTCOMES.items() if status != "agree")
    rows = [f"{name}: {status}: {reason}" for name, status, reason in failing]
    path.write_text("\n".join([line, *rows]) + "\n")
    terminalreporter.write_line(line)
    terminalreporter.write_line(f"conformance report: {path}")
