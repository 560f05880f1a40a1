"""`make size`: lines of code per package, and a budget for the autograd core a student reads in an afternoon.

The core is the engine, Tensor, grad mode, version counters and gradcheck (``CORE``); the ops by kind
(autograd/ops/), the Tensor methods that only forward to them (below ``OPS_MARKER`` in tensor.py), creation
functions and devices grow with the API and are not in it. Exits 1 when the core exceeds
its budget.
"""

from __future__ import annotations

import sys
from pathlib import Path

CORE = ("backend.py", "function.py", "grad_mode.py", "gradcheck.py", "tensor.py", "versions.py")
CORE_BUDGET = 1400  # lines, blank lines and comments included; 1,092 when op-method wrappers left the count
ROOT = Path(__file__).resolve().parent.parent


OPS_MARKER = "# ======== ops as methods"  # tensor.py below this line forwards to autograd/ops: API, not core


def count(files: list[Path]) -> int:
    return sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)


def core_lines(path: Path) -> int:
    """A core file's lines; for tensor.py only those above the op-method wrappers."""
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = next((i for i, line in enumerate(lines) if line.strip().startswith(OPS_MARKER)), len(lines))
    return cut


def main() -> int:
    packages = sorted({p.parent for p in (ROOT / "vinsgrad").rglob("*.py")} | {ROOT / "cli", ROOT / "cli" / "commands"})
    for package in packages:
        print(f"{count(sorted(package.glob('*.py'))):6d}  {package.relative_to(ROOT)}/")
    core = sum(core_lines(ROOT / "vinsgrad" / "autograd" / name) for name in CORE)
    verdict = "within" if core <= CORE_BUDGET else "OVER"
    files = ", ".join(CORE)
    print(f"{core:6d}  autograd core (vinsgrad/autograd/: {files}): {verdict} its budget of {CORE_BUDGET}")
    return 0 if core <= CORE_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
