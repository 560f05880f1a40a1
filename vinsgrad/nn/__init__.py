"""Layers, losses and the ``Module`` they are built from, with PyTorch's names, arguments and state_dict keys."""

# **** modules, containers, linear, activations, losses ****

from vinsgrad.nn.module import Module, Parameter

# **** convolution, pooling, normalisation, embedding, dropout ****
