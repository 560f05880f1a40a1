"""Optimizers and, in ``vinsgrad.optim.lr_scheduler``, learning-rate schedulers, with PyTorch's arguments, update
rules and state_dict layout.

``foreach=`` is accepted wherever PyTorch has it and has no effect: every update runs the same NumPy code, and
PyTorch's foreach and single-tensor paths compute the same values.
"""

from vinsgrad.optim import lr_scheduler
from vinsgrad.optim.adadelta import Adadelta
from vinsgrad.optim.adagrad import Adagrad
from vinsgrad.optim.adam import Adam, AdamW
from vinsgrad.optim.adamax import Adamax
from vinsgrad.optim.asgd import ASGD
from vinsgrad.optim.lbfgs import LBFGS
from vinsgrad.optim.nadam import NAdam
from vinsgrad.optim.optimizer import Optimizer
from vinsgrad.optim.radam import RAdam
from vinsgrad.optim.rmsprop import RMSprop
from vinsgrad.optim.rprop import Rprop
from vinsgrad.optim.sgd import SGD

__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "lr_scheduler",
]
