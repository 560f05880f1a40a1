"""Every conformance case as one pytest test: vinsgrad must agree with torch (run with `make conformance`).

Skipped as a whole when torch is not installed, so `make test` never needs it.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from conformance_cases import CASES  # noqa: E402
from conformance_runner import Case, run  # noqa: E402

import vinsgrad  # noqa: E402


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_agrees_with_torch(c: Case, record_property: pytest.RecordProperty) -> None:
    outcome = run(c, torch, vinsgrad)
    record_property("conformance", (outcome.status, outcome.reason))
    if outcome.status != "agree":
        pytest.fail(f"{outcome.status}: {outcome.reason}", pytrace=False)
