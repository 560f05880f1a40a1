"""``default_collate``: turn a list of samples into a batch, recursively, with PyTorch's rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from vinsgrad.autograd.backend import float64
from vinsgrad.functions import stack
from vinsgrad.autograd.tensor import Tensor


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch with a new leading dimension.

    Tensors and NumPy arrays are stacked into a Tensor; Python ints become an int64 Tensor, Python floats a
    float64 Tensor (as in PyTorch), NumPy scalars keep their dtype; strings stay a list; dicts, tuples and
    lists are collated field by field (tuples and lists give a list, namedtuples a namedtuple).

    Example::

        images, labels = default_collate([(vinsgrad.zeros(2), 0), (vinsgrad.ones(2), 1)])  # (2, 2), (2,)
    """
    if len(batch) == 0:
        raise ValueError("default_collate expected a non-empty batch, got an empty one")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch))
    if isinstance(elem, np.ndarray):
        _check_numeric(elem.dtype)
        return Tensor(np.stack(batch))
    if isinstance(elem, np.generic):
        _check_numeric(elem.dtype)
        return Tensor(np.array(batch))
    if isinstance(elem, float):
        return Tensor(np.array(batch, dtype=float64))
    if isinstance(elem, (bool, int)):
        return Tensor(np.array(batch))  # bool -> bool, int -> int64 (as_array's rules)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(fields)  # type: ignore[call-arg]  # keeps an OrderedDict an OrderedDict, as PyTorch does
        except TypeError:  # a mapping type that cannot be built from a dict
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError(
                f"each element in list of batch should be of equal size, got sizes {sorted({len(s) for s in batch})}"
            )
        return [default_collate(field) for field in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__} (pass a collate_fn that handles it)"
    )


def _check_numeric(dtype: np.dtype) -> None:
    if dtype.kind in "SaUO":
        raise TypeError(f"default_collate: numpy arrays of dtype {dtype} cannot become tensors; pass a collate_fn")
