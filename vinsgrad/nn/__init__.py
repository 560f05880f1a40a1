"""Layers, losses and the ``Module`` they are built from, with PyTorch's names, arguments and state_dict keys."""

# **** modules, containers, linear, activations, losses ****

from vinsgrad.nn import functional, init, utils
from vinsgrad.nn.activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from vinsgrad.nn.containers import Flatten, Identity, ModuleList, Sequential
from vinsgrad.nn.linear import Linear
from vinsgrad.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from vinsgrad.nn.module import Module, Parameter

__all__ = [
    "GELU",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Flatten",
    "Identity",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
    "utils",
]

# **** convolution, pooling, normalisation, embedding, dropout ****

# isort: split
from vinsgrad.nn.conv import Conv2d
from vinsgrad.nn.dropout import Dropout
from vinsgrad.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from vinsgrad.nn.pooling import AvgPool2d, MaxPool2d
from vinsgrad.nn.sparse import Embedding

__all__ += ["AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Conv2d", "Dropout", "Embedding", "LayerNorm", "MaxPool2d"]

# **** recurrent layers, attention, transformer ****

# isort: split
from vinsgrad.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: E402
from vinsgrad.nn.transformer import (  # noqa: E402
    MultiheadAttention,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ += ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "MultiheadAttention", "RNNCell"]
__all__ += ["TransformerDecoderLayer", "TransformerEncoder", "TransformerEncoderLayer"]
