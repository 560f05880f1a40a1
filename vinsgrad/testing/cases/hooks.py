"""Module hooks: the identity nodes a full backward hook adds around a module must pass gradients through exactly."""

from __future__ import annotations

from vinsgrad import nn
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn.hooks import CaptureGradFn, PackInputsFn
from vinsgrad.testing.registry import case, randn_inputs


class _Mix(nn.Module):
    def forward(self, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
        return (a * b).tanh(), a.exp() + b


def _hooked_mix(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    module = _Mix()
    module.register_full_backward_hook(lambda m, grad_input, grad_output: None)
    return module(a, b)


case("full backward hook, two inputs, two outputs", (PackInputsFn, CaptureGradFn), randn_inputs((2, 3), (2, 3)))(
    _hooked_mix
)
