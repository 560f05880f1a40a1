"""Reverse-mode automatic differentiation: ``Tensor``, ``Function``, grad mode and ``gradcheck``."""

# tensor first: it pulls in function and ops, which build on Tensor.
from vinsgrad.autograd.tensor import Tensor  # isort: skip
from vinsgrad.autograd.function import Function, grad
from vinsgrad.autograd.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from vinsgrad.autograd.gradcheck import GradcheckError, gradcheck

Variable = Tensor  # PyTorch's legacy name: Variable(t) is a Tensor, and every Tensor is a Variable

__all__ = [
    "Function",
    "GradcheckError",
    "Tensor",
    "Variable",
    "enable_grad",
    "grad",
    "gradcheck",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
