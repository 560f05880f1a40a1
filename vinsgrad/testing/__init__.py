"""Testing tools users can run too: the gradient-check registry behind ``vinsgrad selftest`` (as ``torch.testing``
holds PyTorch's OpInfo).

``CASES`` holds every registered case once ``vinsgrad.testing.cases`` is imported, which importing this package does.
"""

from vinsgrad.testing import cases as _cases  # noqa: F401  (registers every case)
from vinsgrad.testing.registry import ATOL, CASES, Case, CaseResult, case, randn_inputs, run_all, run_case

__all__ = ["ATOL", "CASES", "Case", "CaseResult", "case", "randn_inputs", "run_all", "run_case"]
