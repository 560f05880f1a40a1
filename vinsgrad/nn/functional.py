"""The math of every layer and loss, as functions: a Module holds parameters and calls these.

Ops that need their own backward (fused for speed or numerical stability) are ``Function`` subclasses right
beside the function that applies them.
"""

from __future__ import annotations

# **** linear, activations and losses ****

# **** convolution, pooling, normalisation, embedding, dropout ****
