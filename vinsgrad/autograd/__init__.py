"""Reverse-mode automatic differentiation: ``Tensor``, ``Function``, grad mode and ``gradcheck``."""

# tensor first: it pulls in function and ops, which build on Tensor.
from vinsgrad.autograd.tensor import Tensor  # isort: skip
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from vinsgrad.autograd.gradcheck import GradcheckError, gradcheck

__all__ = [
    "Function",
    "GradcheckError",
    "Tensor",
    "enable_grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
