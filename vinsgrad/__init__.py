"""vinsgrad: a small deep-learning library in pure Python + NumPy, with PyTorch's API and numerics."""

# Subpackages as attributes, as ``import torch`` gives torch.nn, torch.optim and torch.utils.data, and the honest
# device modules (cuda, backends.mps, accelerator): the CPU is the only device.
import vinsgrad.utils.data  # noqa: F401
from vinsgrad import accelerator, autograd, backends, cuda, nn, optim, utils
from vinsgrad.autograd import (
    Function,
    Tensor,
    enable_grad,
    gradcheck,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from vinsgrad.autograd.backend import bool_ as bool
from vinsgrad.autograd.backend import float16, float32, float64, int8, int16, int32, int64, uint8
from vinsgrad.autograd.creation import (
    arange,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    is_floating_point,
    linspace,
    logspace,
    meshgrid,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    tril_indices,
    triu_indices,
    zeros,
    zeros_like,
)
from vinsgrad.autograd.device import device
from vinsgrad.functions import cat, maximum, minimum, stack, where
from vinsgrad.random import Generator, get_rng_state, initial_seed, manual_seed, set_rng_state
from vinsgrad.serialization import load, save
from vinsgrad.threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

float = float32
double = float64
long = int64
int = int32
short = int16
half = float16

# Elementwise ops and reductions as functions too: vinsgrad.exp(x) is x.exp(), as in PyTorch.
exp = Tensor.exp
log = Tensor.log
sqrt = Tensor.sqrt
sin = Tensor.sin
cos = Tensor.cos
tanh = Tensor.tanh
sigmoid = Tensor.sigmoid
relu = Tensor.relu
abs = Tensor.abs
clamp = Tensor.clamp
matmul = Tensor.matmul
sum = Tensor.sum
mean = Tensor.mean
var = Tensor.var
std = Tensor.std
max = Tensor.max
min = Tensor.min
amax = Tensor.amax
amin = Tensor.amin
argmax = Tensor.argmax
argmin = Tensor.argmin
logsumexp = Tensor.logsumexp
softmax = Tensor.softmax
log_softmax = Tensor.log_softmax
reshape = Tensor.reshape
flatten = Tensor.flatten
unsqueeze = Tensor.unsqueeze
squeeze = Tensor.squeeze
transpose = Tensor.transpose
permute = Tensor.permute
gather = Tensor.gather

__all__ = [
    "Function",
    "Generator",
    "Tensor",
    "accelerator",
    "arange",
    "autograd",
    "backends",
    "bool",
    "cat",
    "cuda",
    "device",
    "double",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_num_threads",
    "get_rng_state",
    "gradcheck",
    "half",
    "initial_seed",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_floating_point",
    "is_grad_enabled",
    "linspace",
    "load",
    "logspace",
    "long",
    "manual_seed",
    "maximum",
    "meshgrid",
    "minimum",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "save",
    "set_grad_enabled",
    "set_num_threads",
    "set_rng_state",
    "short",
    "stack",
    "tensor",
    "tril_indices",
    "triu_indices",
    "uint8",
    "utils",
    "where",
    "zeros",
    "zeros_like",
]
