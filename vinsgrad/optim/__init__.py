"""Optimizers (``SGD``, ``Adam``, ``AdamW``, ``RMSprop``) and, in ``vinsgrad.optim.lr_scheduler``, learning-rate
schedulers, with PyTorch's arguments, update rules and state_dict layout."""

from vinsgrad.optim import lr_scheduler
from vinsgrad.optim.adam import Adam, AdamW
from vinsgrad.optim.optimizer import Optimizer
from vinsgrad.optim.rmsprop import RMSprop
from vinsgrad.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
