"""``DataLoader``: iterate over a dataset in (shuffled) batches, in this process or in worker processes."""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any

from vinsgrad.random import Generator, rng
from vinsgrad.utils.data.collate import default_collate
from vinsgrad.utils.data.dataset import IterableDataset
from vinsgrad.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler
from vinsgrad.utils.data.worker import ExceptionWrapper, IterableStop, worker_loop

POLL_SECONDS = 1.0  # how often a waiting loader checks that its workers are still alive


class DataLoader:
    """Batches of ``dataset``, reshuffled every epoch when ``shuffle`` is set, optionally loaded by worker processes.

    When ``collate_fn`` is the default and the dataset defines ``__getitems__(indices)``, a batch is fetched
    with that one call (the fast path: one NumPy fancy-index for a batch of images); otherwise the loader calls
    ``dataset[i]`` for each index and passes the list of samples to ``collate_fn``. With ``num_workers=0`` (the
    default) this happens in the calling process, which is the fastest choice for in-memory datasets.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``) or an ``IterableDataset``.
        batch_size: samples per batch.
        shuffle: visit the samples in a new random order each epoch.
        sampler: the order of indices (mutually exclusive with ``shuffle``).
        batch_sampler: yields whole lists of indices (mutually exclusive with the four arguments before it).
        num_workers: how many worker processes load batches (0: load in this process). Batches still come
            back in the sampler's order. Workers are started with ``fork`` where the platform has it; on
            ``spawn`` platforms (Windows, macOS by default) the dataset, ``collate_fn`` and ``worker_init_fn``
            must be picklable (no lambdas) and the script needs an ``if __name__ == "__main__":`` guard.
            Workers pay off when ``__getitem__`` waits (reads files) or runs Python per sample; an in-memory
            dataset is faster with 0, since a batch is one fancy-index and a worker must pickle it back.
            NumPy's BLAS is already multi-threaded: for matmul-heavy samples start the program with
            ``OPENBLAS_NUM_THREADS=1`` (PyTorch likewise runs its workers on one thread each).
        collate_fn: turns a list of samples into a batch (``default_collate`` when None).
        pin_memory: accepted for PyTorch compatibility; vinsgrad runs on the CPU, where it has no effect.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        timeout: seconds to wait for a batch from the workers before raising (0: wait for ever).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker after seeding, before loading.
        multiprocessing_context: a start method name (``"fork"``, ``"spawn"``, ``"forkserver"``) or context.
        generator: where shuffling and the workers' base seed draw their randomness (the default generator
            when None, so ``vinsgrad.manual_seed`` makes the order and the workers' seeds reproducible).
            The first epoch's shuffled order is the same whatever ``num_workers`` is: the workers' base seed
            is drawn after the sampler has drawn that order. Later epochs differ from ``num_workers=0``, whose
            loop draws no seed (PyTorch draws one in every case, before the order; we keep the in-process
            random stream as it was). Persistent workers draw it once, as in PyTorch.
        prefetch_factor: batches each worker loads ahead (2 when ``num_workers > 0``).
        persistent_workers: keep the workers alive between epochs instead of starting new ones.

    Example::

        loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        for xb, yb in loader: ...
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[Sequence[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
    ) -> None:
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        self.dataset = dataset
        self.batch_size: int | None = batch_size
        self.drop_last = drop_last
        self.generator = generator
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = prefetch_factor if prefetch_factor is not None or num_workers == 0 else 2
        self.persistent_workers = persistent_workers
        self._workers: _WorkerPool | None = None
        if isinstance(dataset, IterableDataset):
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, but got {name}={value!r}"
                    )
            self.sampler = self.batch_sampler = None
            return
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(
                "DataLoader expected a map-style dataset (with __getitem__ and __len__) or an IterableDataset, "
                f"got {type(dataset).__name__}"
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle; shuffle in the sampler instead")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            self.batch_size = None  # as in PyTorch: the batch sampler decides
        else:
            if sampler is None:
                sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler

    def __iter__(self) -> Iterator[Any]:
        fetch = self._fetcher()
        if self.num_workers == 0:
            state = fetch.start(self.dataset)
            if self.batch_sampler is None:
                return _until_stop(lambda: fetch(state, None))
            return (fetch(state, indices) for indices in self.batch_sampler)
        # The sampler draws its order before the workers' base seed is drawn from the same generator, so the
        # order is the same whatever num_workers is.
        tasks = None if self.batch_sampler is None else _started(self.batch_sampler)
        if not self.persistent_workers:
            return _WorkerPool(self, fetch).epoch(tasks)  # owned by the iterator, which ends it
        if self._workers is None or not self._workers.workers:  # none yet, or shut down by an error
            self._workers = _WorkerPool(self, fetch)
        return self._workers.epoch(tasks)

    def _fetcher(self) -> Any:
        if self.batch_sampler is None:
            return _IterableFetcher(self.collate_fn, self.batch_size or 1, self.drop_last)
        fast = self.collate_fn is default_collate and hasattr(self.dataset, "__getitems__")
        return _MapFetcher(self.collate_fn, fast)

    def __len__(self) -> int:
        if self.batch_sampler is None:  # an IterableDataset: PyTorch's estimate, from the dataset's own length
            n, size = len(self.dataset), self.batch_size or 1
            return n // size if self.drop_last else -(-n // size)
        return len(self.batch_sampler)  # type: ignore[arg-type]

    def __del__(self) -> None:
        if getattr(self, "_workers", None) is not None:
            self._workers.shutdown()  # type: ignore[union-attr]


def _check_workers(num_workers: int, timeout: float, prefetch_factor: int | None, persistent: bool) -> None:
    if not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(
            f"num_workers option should be non-negative; use num_workers=0 to disable multiprocessing (got {num_workers!r})"
        )
    if timeout < 0:
        raise ValueError(f"timeout option should be non-negative, got timeout={timeout!r}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing. "
            "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError(f"prefetch_factor option should be non-negative, got prefetch_factor={prefetch_factor!r}")
    if persistent and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _started(batches: Iterable[Sequence[int]]) -> Iterator[Sequence[int]]:
    """An iterator over ``batches`` whose first element has already been drawn (so a sampler's order is fixed)."""
    it = iter(batches)
    try:
        first = next(it)
    except StopIteration:
        return iter(())
    return chain([first], it)


def _until_stop(step: Callable[[], Any]) -> Iterator[Any]:
    while True:
        try:
            batch = step()
        except StopIteration:
            return
        yield batch


class _MapFetcher:
    """One batch of a map-style dataset: ``__getitems__`` in one call, or one ``dataset[i]`` per index, collated."""

    def __init__(self, collate_fn: Callable[[list[Any]], Any], fast: bool) -> None:
        self.collate_fn, self.fast = collate_fn, fast

    def start(self, dataset: Any) -> Any:
        return dataset

    def __call__(self, dataset: Any, indices: Sequence[int]) -> Any:
        if self.fast:
            return dataset.__getitems__(indices)
        return self.collate_fn([dataset[i] for i in indices])


class _IterableFetcher:
    """The next ``batch_size`` samples of an iterable dataset, collated; StopIteration when it is used up."""

    def __init__(self, collate_fn: Callable[[list[Any]], Any], batch_size: int, drop_last: bool) -> None:
        self.collate_fn, self.batch_size, self.drop_last = collate_fn, batch_size, drop_last

    def start(self, dataset: Any) -> Iterator[Any]:
        return iter(dataset)

    def __call__(self, it: Iterator[Any], indices: Any) -> Any:
        samples = list(islice(it, self.batch_size))
        if not samples or (self.drop_last and len(samples) < self.batch_size):
            raise StopIteration
        return self.collate_fn(samples)


class _WorkerPool:
    """The worker processes of one loader (for one epoch, or for all of them with ``persistent_workers``)."""

    def __init__(self, loader: DataLoader, fetch: Any) -> None:
        context = loader.multiprocessing_context
        if context is None:
            methods = multiprocessing.get_all_start_methods()
            context = "fork" if "fork" in methods else methods[0]
        ctx: Any = multiprocessing.get_context(context) if isinstance(context, str) else context
        self.timeout = loader.timeout
        self.outstanding_per_worker = max(1, loader.prefetch_factor or 1)
        self.iterable = loader.batch_sampler is None
        # As in PyTorch: one draw from the loader's generator per pool; worker i is seeded base_seed + i.
        self.base_seed = int(rng(loader.generator).integers(0, 2**63 - 1 - loader.num_workers))
        self.result_queue = ctx.Queue()
        self.index_queues = [ctx.Queue() for _ in range(loader.num_workers)]
        self.workers = []
        for i, index_queue in enumerate(self.index_queues):
            args = (loader.dataset, fetch, index_queue, self.result_queue, i, loader.num_workers)
            worker = ctx.Process(target=worker_loop, args=(*args, self.base_seed + i, loader.worker_init_fn))
            worker.daemon = True
            try:
                worker.start()
            except Exception as exc:  # spawn pickles the dataset and functions: a lambda fails here
                self.shutdown()
                raise RuntimeError(
                    f"DataLoader could not start worker {i} with the {ctx.get_start_method()!r} start method ({exc}); "
                    "the dataset, collate_fn and worker_init_fn must be picklable (no lambdas or local classes)"
                ) from exc
            self.workers.append(worker)
        self.persistent = loader.persistent_workers
        self.epochs = 0

    def epoch(self, batch_sampler: Iterable[Sequence[int]] | None) -> Iterator[Any]:
        if self.epochs and self.iterable:
            for index_queue in self.index_queues:
                index_queue.put(("reset", None))
        self.epochs += 1
        try:
            yield from self._batches(batch_sampler)
        finally:
            if not self.persistent:
                self.shutdown()

    def _batches(self, batch_sampler: Iterable[Sequence[int]] | None) -> Iterator[Any]:
        n = len(self.workers)
        tasks: Iterator[Any] = iter(batch_sampler) if batch_sampler is not None else iter(lambda: None, 0)
        active = list(range(n))  # workers still given tasks (an iterable worker drops out when its share ends)
        owner: dict[int, int] = {}
        done: dict[int, Any] = {}
        sent = next_task = 0
        exhausted = False
        epoch = self.epochs

        def send() -> None:
            nonlocal sent, exhausted
            if exhausted or not active:
                return
            try:
                indices = next(tasks)
            except StopIteration:
                exhausted = True
                return
            worker = active[sent % len(active)]
            owner[sent] = worker
            self.index_queues[worker].put(((epoch, sent), indices))
            sent += 1

        for _ in range(n * self.outstanding_per_worker):
            send()
        while next_task < sent:
            while next_task not in done:
                (task_epoch, task), result = self._get()
                if task_epoch == epoch:  # else left over from an epoch the caller stopped early
                    done[task] = result
            result = done.pop(next_task)
            next_task += 1
            if isinstance(result, IterableStop):
                if owner[next_task - 1] in active:
                    active.remove(owner[next_task - 1])
                send()
                continue
            if isinstance(result, ExceptionWrapper):
                self.shutdown()
                result.reraise()
            send()
            yield result

    def _get(self) -> tuple[tuple[int, int], Any]:
        waited = 0.0
        while True:
            try:
                return self.result_queue.get(timeout=POLL_SECONDS if not self.timeout else self.timeout)
            except queue.Empty:
                waited += self.timeout or POLL_SECONDS
                if self.timeout and waited >= self.timeout:
                    self.shutdown(wait=0)  # a stuck worker would not answer a polite request
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds") from None
                dead = [str(w.pid) for w in self.workers if not w.is_alive()]
                if dead:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(dead)}) exited unexpectedly") from None

    def shutdown(self, wait: float = 5) -> None:
        """Ask every worker to stop, wait up to ``wait`` seconds, terminate any still running; release the queues."""
        for index_queue, worker in zip(self.index_queues, self.workers):
            if worker.is_alive():
                index_queue.put(None)
        for worker in self.workers:
            worker.join(timeout=wait)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for q in (*self.index_queues, self.result_queue):
            q.cancel_join_thread()
            q.close()
        self.workers = []
        self.index_queues = []
