"""Worker processes for ``DataLoader(num_workers=N)``: the worker loop, ``get_worker_info`` and error forwarding.

Each worker gets batches of indices on its own queue and puts ``(task, batch)`` on one shared result queue; the
main process puts them back in order. Worker ``i`` seeds vinsgrad's default generator, NumPy's legacy global
generator and Python's ``random`` with ``base_seed + i`` (``base_seed`` is drawn from the loader's generator
each epoch, as in PyTorch), so random transforms differ between workers and repeat from run to run.
"""

from __future__ import annotations

import random
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from vinsgrad.random import manual_seed

_worker_info: WorkerInfo | None = None


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: its ``id``, ``num_workers``, ``seed`` and ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """This worker's ``WorkerInfo``, or None in the main process.

    An ``IterableDataset`` uses it in ``__iter__`` to give each worker its own share of the data.
    """
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process as its type and formatted traceback."""

    def __init__(self, exc: BaseException, where: str) -> None:
        self.exc_type = type(exc)
        self.message = f"Caught {type(exc).__name__} {where}.\nOriginal {traceback.format_exc()}"

    def reraise(self) -> None:
        try:
            error = self.exc_type(self.message)
        except Exception:  # an exception whose constructor needs other arguments
            error = RuntimeError(self.message)
        raise error


class IterableStop:
    """A worker's answer once its share of an ``IterableDataset`` is used up."""


def seed_worker(seed: int) -> None:
    """Seed every generator a dataset or transform is likely to use in this process."""
    manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)


def worker_loop(
    dataset: Any,
    fetch: Any,
    index_queue: Any,
    result_queue: Any,
    worker_id: int,
    num_workers: int,
    seed: int,
    init_fn: Any,
) -> None:
    """Run in a worker process: answer each ``(task, indices)`` with ``(task, batch)`` until sent None."""
    global _worker_info
    seed_worker(seed)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    where = f"in DataLoader worker process {worker_id}"
    state: Any = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        state = fetch.start(dataset)
    except Exception as exc:
        state = ExceptionWrapper(exc, where)
    while True:
        try:
            message = index_queue.get()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        task, indices = message
        if task == "reset":  # a persistent worker starts a new epoch of an iterable dataset
            state = fetch.start(dataset)
            continue
        if isinstance(state, ExceptionWrapper):
            result_queue.put((task, state))
            continue
        try:
            result: Any = fetch(state, indices)
        except StopIteration:
            result = IterableStop()
        except Exception as exc:
            result = ExceptionWrapper(exc, where)
        result_queue.put((task, result))
        del result
