"""Layers, losses and the ``Module`` they are built from, with PyTorch's names, arguments and state_dict keys."""

# **** modules, containers, linear, activations, losses ****

from vinsgrad.nn import functional, init, utils
from vinsgrad.nn.activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from vinsgrad.nn.containers import Flatten, Identity, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
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
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ParameterDict",
    "ParameterList",
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
from vinsgrad.nn.conv import Conv1d, Conv2d, ConvTranspose2d
from vinsgrad.nn.dropout import Dropout
from vinsgrad.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from vinsgrad.nn.pooling import AvgPool2d, MaxPool2d
from vinsgrad.nn.sparse import Embedding

__all__ += [
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "Dropout",
    "Embedding",
    "LayerNorm",
    "MaxPool2d",
]

# **** more activations, losses and layers (issue 14) ****

# isort: split
from vinsgrad.nn.activation import (  # noqa: E402
    CELU,
    ELU,
    GLU,
    SELU,
    CosineSimilarity,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PairwiseDistance,
    PReLU,
    ReLU6,
    SiLU,
    Softmax2d,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from vinsgrad.nn.loss import (  # noqa: E402
    CosineEmbeddingLoss,
    GaussianNLLLoss,
    HuberLoss,
    KLDivLoss,
    MarginRankingLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    TripletMarginLoss,
)

__all__ += [
    "CELU",
    "ELU",
    "GLU",
    "SELU",
    "CosineEmbeddingLoss",
    "CosineSimilarity",
    "GaussianNLLLoss",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HuberLoss",
    "KLDivLoss",
    "LogSigmoid",
    "MarginRankingLoss",
    "Mish",
    "PReLU",
    "PairwiseDistance",
    "PoissonNLLLoss",
    "ReLU6",
    "SiLU",
    "SmoothL1Loss",
    "Softmax2d",
    "Softmin",
    "Softplus",
    "Softshrink",
    "Softsign",
    "Tanhshrink",
    "Threshold",
    "TripletMarginLoss",
]

# isort: split
from vinsgrad.nn.dropout import Dropout1d, Dropout2d  # noqa: E402
from vinsgrad.nn.flatten import Unflatten  # noqa: E402
from vinsgrad.nn.normalization import GroupNorm, InstanceNorm1d, InstanceNorm2d  # noqa: E402

__all__ += ["Dropout1d", "Dropout2d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "Unflatten"]

# isort: split
from vinsgrad.nn.padding import (  # noqa: E402
    CircularPad1d,
    CircularPad2d,
    ConstantPad1d,
    ConstantPad2d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReplicationPad1d,
    ReplicationPad2d,
    ZeroPad1d,
    ZeroPad2d,
)
from vinsgrad.nn.pooling import (  # noqa: E402
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    MaxPool1d,
)
from vinsgrad.nn.upsampling import (  # noqa: E402
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

__all__ += [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AvgPool1d",
    "CircularPad1d",
    "CircularPad2d",
    "ConstantPad1d",
    "ConstantPad2d",
    "MaxPool1d",
    "PixelShuffle",
    "PixelUnshuffle",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "ZeroPad1d",
    "ZeroPad2d",
]

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
