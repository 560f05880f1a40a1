"""Gradient checks of the creation functions that are differentiable (``meshgrid``)."""

from __future__ import annotations

import vinsgrad
from vinsgrad.autograd import ops
from vinsgrad.testing.registry import case, randn_inputs

case("meshgrid ij (3),(2)", (ops.ExpandFn, ops.ReshapeFn), randn_inputs((3,), (2,)))(
    lambda x, y: vinsgrad.meshgrid(x, y, indexing="ij")
)
case("meshgrid xy (3),(2),(4)", (ops.ExpandFn, ops.ReshapeFn), randn_inputs((3,), (2,), (4,)))(
    lambda x, y, z: vinsgrad.meshgrid(x, y, z, indexing="xy")
)
