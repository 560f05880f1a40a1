"""`make size`: lines of code per package, and a budget for the autograd core a student reads in an afternoon.

The core is the engine, Tensor, grad mode, version counters and gradcheck (``CORE``); the ops by kind
(autograd/ops/), creation functions and devices grow with the API and are not in it. Exits 1 when the core exceeds
its budget.
"""

from __future__ import annotations

import sys
from pathlib import Path

CORE = ("backend.py", "function.py", "grad_mode.py", "gradcheck.py", "tensor.py", "versions.py")
CORE_BUDGET = 1700  # lines, blank lines and comments included; 1,442 when the budget was set
ROOT = Path(__file__).resolve().parent.parent


def count(files: list[Path]) -> int:
    return sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)


def main() -> int:
    packages = sorted({p.parent for p in (ROOT / "vinsgrad").rglob("*.py")} | {ROOT / "cli", ROOT / "cli" / "commands"})
    for package in packages:
        print(f"{count(sorted(package.glob('*.py'))):6d}  {package.relative_to(ROOT)}/")
    core = count([ROOT / "vinsgrad" / "autograd" / name for name in CORE])
    verdict = "within" if core <= CORE_BUDGET else "OVER"
    files = ", ".join(CORE)
    print(f"{core:6d}  autograd core (vinsgrad/autograd/: {files}): {verdict} its budget of {CORE_BUDGET}")
    return 0 if core <= CORE_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
