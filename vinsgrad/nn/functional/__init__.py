"""The math of every layer and loss, as functions: a Module holds parameters and calls these.

Each file here is named after the ``nn`` file whose Modules it serves (``nn/conv.py``'s ``Conv2d`` calls
``functional/conv.py``'s ``conv2d``). An op that needs its own backward, fused for speed or numerical stability, is a
``Function`` named with an ``Fn`` suffix (``Conv2dFn``), right beside the function that applies it.
"""

from vinsgrad.nn.functional.activation import *  # noqa: F403
from vinsgrad.nn.functional.attention import *  # noqa: F403
from vinsgrad.nn.functional.conv import *  # noqa: F403
from vinsgrad.nn.functional.dropout import *  # noqa: F403
from vinsgrad.nn.functional.linear import *  # noqa: F403
from vinsgrad.nn.functional.loss import *  # noqa: F403
from vinsgrad.nn.functional.normalization import *  # noqa: F403
from vinsgrad.nn.functional.padding import *  # noqa: F403
from vinsgrad.nn.functional.pooling import *  # noqa: F403
from vinsgrad.nn.functional.rnn import *  # noqa: F403
from vinsgrad.nn.functional.sparse import *  # noqa: F403
