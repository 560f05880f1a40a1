"""Every built-in differentiable op, one ``Function`` each with forward and backward side by side, by kind.

A Function's name is its op's name plus ``Fn`` (``ExpFn``, ``SumFn``; in ``nn.functional`` too: ``LinearFn``), so a
Function never reads like a Module. Tensor methods and ``vinsgrad.*`` functions are thin wrappers that call them.

    elementwise.py  arithmetic with broadcasting, unary math, comparisons' differentiable cousins (where, max/min)
    reduce.py       sum, mean, var, amax, logsumexp, softmax, log_softmax
    movement.py     reshape, permute, expand, cat, stack, pad, clone, roll, diagonal, diag_embed, unfold
    index.py        x[index] (PyTorch's placement of index-array dims), x[index] = v, gather, scatter, scatter_reduce
    linalg.py       matmul, einsum, vector norms
"""

from vinsgrad.autograd.ops.elementwise import *  # noqa: F403
from vinsgrad.autograd.ops.index import *  # noqa: F403
from vinsgrad.autograd.ops.linalg import *  # noqa: F403
from vinsgrad.autograd.ops.movement import *  # noqa: F403
from vinsgrad.autograd.ops.reduce import *  # noqa: F403
