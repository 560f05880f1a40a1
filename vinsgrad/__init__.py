"""vinsgrad: a small deep-learning library in pure Python + NumPy, with PyTorch's API and numerics."""

# Subpackages as attributes, as ``import torch`` gives torch.nn, torch.optim and torch.utils.data, and the honest
# device modules (cuda, backends.mps, accelerator): the CPU is the only device.
import vinsgrad.utils.data  # noqa: F401
from vinsgrad import accelerator, autograd, backends, cuda, linalg, nn, optim, utils
from vinsgrad.autograd import (
    Function,
    Tensor,
    enable_grad,
    gradcheck,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from vinsgrad.autograd.creation import (
    arange,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    is_floating_point,
    is_tensor,
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
from vinsgrad.autograd.device import device, get_default_device, set_default_device
from vinsgrad.autograd.dtypes import as_dtype, dtype, finfo, get_default_dtype, iinfo, promote_types
from vinsgrad.autograd.tensor import Size
from vinsgrad.functions import (  # elementwise ops as functions, with out= (issue 13)
    abs,
    absolute,
    acos,
    acosh,
    add,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    cat,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    copysign,
    cos,
    cosh,
    cross,
    div,
    divide,
    einsum,
    erf,
    erfc,
    erfinv,
    exp,
    exp2,
    expm1,
    fix,
    floor,
    floor_divide,
    fmod,
    frac,
    hypot,
    lerp,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    matmul,
    maximum,
    minimum,
    mul,
    multiply,
    nan_to_num,
    neg,
    negative,
    positive,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    sgn,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    stack,
    std_mean,
    sub,
    subtract,
    tan,
    tanh,
    tensordot,
    true_divide,
    trunc,
    var_mean,
    where,
    xlogy,
)
from vinsgrad.random import Generator, get_rng_state, initial_seed, manual_seed, set_rng_state
from vinsgrad.serialization import load, save
from vinsgrad.threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

# The dtypes users see: NumPy's wrapped so they print as vinsgrad.float32 (see autograd/backend.py).
float32, float64, float16 = as_dtype("float32"), as_dtype("float64"), as_dtype("float16")
int8, int16, int32, int64, uint8 = (as_dtype(n) for n in ("int8", "int16", "int32", "int64", "uint8"))
bool = as_dtype("bool")

float = float32
double = float64
long = int64
int = int32
short = int16
half = float16

# Reductions, comparisons and tests as functions too: vinsgrad.sum(x) is x.sum(), as in PyTorch.
numel = Tensor.numel
sum = Tensor.sum
prod = Tensor.prod
mean = Tensor.mean
var = Tensor.var
std = Tensor.std
max = Tensor.max
min = Tensor.min
amax = Tensor.amax
amin = Tensor.amin
argmax = Tensor.argmax
argmin = Tensor.argmin
all = Tensor.all
any = Tensor.any
count_nonzero = Tensor.count_nonzero
norm = Tensor.norm
logsumexp = Tensor.logsumexp
softmax = Tensor.softmax
log_softmax = Tensor.log_softmax
cumsum = Tensor.cumsum
cumprod = Tensor.cumprod
cummax = Tensor.cummax
cummin = Tensor.cummin
logcumsumexp = Tensor.logcumsumexp
sort = Tensor.sort
argsort = Tensor.argsort
topk = Tensor.topk
kthvalue = Tensor.kthvalue
median = Tensor.median
mode = Tensor.mode
lt, le, gt, ge, eq, ne = Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge, Tensor.eq, Tensor.ne
isnan = Tensor.isnan
isinf = Tensor.isinf
isfinite = Tensor.isfinite
isposinf = Tensor.isposinf
isneginf = Tensor.isneginf
isclose = Tensor.isclose
allclose = Tensor.allclose
equal = Tensor.equal
reshape = Tensor.reshape
flatten = Tensor.flatten
unsqueeze = Tensor.unsqueeze
squeeze = Tensor.squeeze
transpose = Tensor.transpose
permute = Tensor.permute
gather = Tensor.gather
# Movement, indexing and linear algebra (issue 13), as functions too.
t = Tensor.t
movedim = moveaxis = Tensor.movedim
swapaxes = swapdims = Tensor.swapaxes
chunk = Tensor.chunk
split = Tensor.split
unbind = Tensor.unbind
flip = Tensor.flip
fliplr = Tensor.fliplr
flipud = Tensor.flipud
roll = Tensor.roll
tril = Tensor.tril
triu = Tensor.triu
diagonal = Tensor.diagonal
diag = Tensor.diag
diag_embed = Tensor.diag_embed
repeat_interleave = Tensor.repeat_interleave
tile = Tensor.tile
unflatten = Tensor.unflatten
narrow = Tensor.narrow
select = Tensor.select
index_select = Tensor.index_select
masked_select = Tensor.masked_select
take = Tensor.take
take_along_dim = Tensor.take_along_dim
nonzero = Tensor.nonzero
unique = Tensor.unique
scatter = Tensor.scatter
scatter_add = Tensor.scatter_add
scatter_reduce = Tensor.scatter_reduce
mm = Tensor.mm
bmm = Tensor.bmm
mv = Tensor.mv
dot = Tensor.dot
outer = ger = Tensor.outer
addmm = Tensor.addmm
baddbmm = Tensor.baddbmm
trace = Tensor.trace

__all__ = [
    "Function",
    "Generator",
    "Size",
    "Tensor",
    "accelerator",
    "arange",
    "autograd",
    "backends",
    "bool",
    "cat",
    "cross",
    "cuda",
    "device",
    "double",
    "dtype",
    "einsum",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "finfo",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_default_device",
    "get_default_dtype",
    "get_num_threads",
    "get_rng_state",
    "gradcheck",
    "half",
    "iinfo",
    "inference_mode",
    "initial_seed",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_floating_point",
    "is_grad_enabled",
    "is_tensor",
    "linalg",
    "linspace",
    "load",
    "logspace",
    "long",
    "manual_seed",
    "matmul",
    "maximum",
    "meshgrid",
    "minimum",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "promote_types",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "save",
    "set_default_device",
    "set_grad_enabled",
    "set_num_threads",
    "set_rng_state",
    "short",
    "stack",
    "tensor",
    "tensordot",
    "tril_indices",
    "triu_indices",
    "uint8",
    "utils",
    "where",
    "zeros",
    "zeros_like",
]

# The function forms (vinsgrad.add, vinsgrad.exp, ...) are public API too.
__all__ += [
    "abs",
    "absolute",
    "acos",
    "acosh",
    "add",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctanh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "copysign",
    "cos",
    "cosh",
    "div",
    "divide",
    "erf",
    "erfc",
    "erfinv",
    "exp",
    "exp2",
    "expm1",
    "fix",
    "floor",
    "floor_divide",
    "fmod",
    "frac",
    "hypot",
    "lerp",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "minimum",
    "mul",
    "multiply",
    "nan_to_num",
    "neg",
    "negative",
    "positive",
    "pow",
    "reciprocal",
    "relu",
    "remainder",
    "round",
    "rsqrt",
    "sgn",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "std_mean",
    "sub",
    "subtract",
    "tan",
    "tanh",
    "true_divide",
    "trunc",
    "var_mean",
    "xlogy",
]
