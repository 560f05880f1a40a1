"""DataLoader(num_workers=N): same batches in the same order, per-worker seeds, errors, sharding, clean shutdown."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

import numpy as np
import pytest

import vinsgrad
from vinsgrad.utils.data import DataLoader, IterableDataset, TensorDataset, get_worker_info

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="tests use fork")


class Squares:
    def __init__(self, n: int, delay: float = 0.0) -> None:
        self.n, self.delay = n, delay

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        if self.delay:
            time.sleep(self.delay)
        return np.full(2, i, dtype=np.float32), i * i

    def __len__(self) -> int:
        return self.n


class Noisy(Squares):
    """Each sample draws from vinsgrad's default generator (as a random transform does) and reports its worker."""

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:  # type: ignore[override]
        info = get_worker_info()
        return vinsgrad.rand(1)._data, -1 if info is None else info.id


class Failing(Squares):
    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        if i == 5:
            raise KeyError("no sample 5")
        return super().__getitem__(i)


class Range(IterableDataset[int]):
    """PyTorch's documented sharding: worker k of N takes start + k, start + k + N, ..."""

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end

    def __iter__(self) -> Any:
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        return iter(range(self.start + info.id, self.end, info.num_workers))


def children() -> set[int]:
    return {p.pid for p in multiprocessing.active_children()}


def flat(loader: DataLoader) -> list[Any]:
    return [[b.tolist() for b in batch] if isinstance(batch, list) else batch.tolist() for batch in loader]


def test_workers_return_the_same_batches_in_the_same_order() -> None:
    data = Squares(23)
    expected = flat(DataLoader(data, batch_size=4))
    assert flat(DataLoader(data, batch_size=4, num_workers=3)) == expected
    assert flat(DataLoader(data, batch_size=4, num_workers=2, prefetch_factor=1)) == expected
    fast = TensorDataset(vinsgrad.arange(10))  # __getitems__ runs in the workers too
    assert flat(DataLoader(fast, batch_size=3, num_workers=2)) == flat(DataLoader(fast, batch_size=3))
    g1, g2 = vinsgrad.Generator().manual_seed(1), vinsgrad.Generator().manual_seed(1)
    shuffled = flat(DataLoader(data, batch_size=5, shuffle=True, drop_last=True, num_workers=2, generator=g1))
    assert shuffled == flat(DataLoader(data, batch_size=5, shuffle=True, drop_last=True, generator=g2))
    assert len(shuffled) == 4 and len({i for _, labels in shuffled for i in labels}) == 20
    vinsgrad.manual_seed(3)  # shuffling from the default generator: epochs reshuffle and repeat from the seed
    epochs = [flat(DataLoader(data, batch_size=4, shuffle=True, num_workers=2)) for _ in range(2)]
    vinsgrad.manual_seed(3)
    assert epochs == [flat(DataLoader(data, batch_size=4, shuffle=True, num_workers=2)) for _ in range(2)]
    assert epochs[0] != epochs[1]


def test_each_worker_is_seeded_base_seed_plus_id_from_the_loaders_generator() -> None:
    def run(seed: int) -> list[Any]:
        loader = DataLoader(Noisy(8), batch_size=2, num_workers=2, generator=vinsgrad.Generator().manual_seed(seed))
        return [(x._data.ravel().tolist(), w.tolist()) for x, w in loader]

    first = run(0)
    assert first == run(0) and first != run(1)  # reproducible, and follows the generator
    # batches go round-robin: 0, 2 to worker 0 and 1, 3 to worker 1; each worker continues its own stream
    assert [w for _, w in first] == [[0, 0], [1, 1], [0, 0], [1, 1]]
    base = int(np.random.Generator(np.random.PCG64(0)).integers(0, 2**63 - 1 - 2))  # PyTorch's rule, by hand
    for worker in (0, 1):
        expected = np.random.Generator(np.random.PCG64(base + worker)).random(4, dtype=np.float32).tolist()
        assert first[worker][0] + first[worker + 2][0] == expected


def test_worker_init_fn_and_worker_info() -> None:
    seen: list[Any] = []

    def init(worker_id: int) -> None:
        info = get_worker_info()
        assert info is not None and info.id == worker_id and info.num_workers == 2
        np.random.seed(100 + worker_id)  # observable through the samples below

    class Legacy(Squares):
        def __getitem__(self, i: int) -> tuple[np.ndarray, int]:  # type: ignore[override]
            return np.array([np.random.randint(1000)]), 0

    out = [x.tolist() for x, _ in DataLoader(Legacy(2), batch_size=1, num_workers=2, worker_init_fn=init)]
    expected = [[[int(np.random.RandomState(100 + w).randint(1000))]] for w in (0, 1)]
    assert out == expected and not seen and get_worker_info() is None


def test_an_error_in_a_worker_is_raised_in_the_main_process_naming_the_worker() -> None:
    loader = DataLoader(Failing(8), batch_size=2, num_workers=2)
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0") as info:
        list(loader)
    assert "no sample 5" in str(info.value)
    assert not children()
    persistent = DataLoader(Failing(8), batch_size=2, num_workers=2, persistent_workers=True)
    with pytest.raises(KeyError, match="worker process 0"):
        list(persistent)
    with pytest.raises(KeyError, match="worker process 0"):  # new workers for the next epoch, the same error
        list(persistent)
    del persistent
    assert not children()


def test_workers_exit_after_an_epoch_early_break_and_with_persistent_workers() -> None:
    before = children()
    list(DataLoader(Squares(10), batch_size=2, num_workers=2))
    assert children() == before
    it = iter(DataLoader(Squares(10), batch_size=2, num_workers=2))
    next(it)
    it.close()  # what a `break` out of the for loop leads to once the iterator is dropped
    assert children() == before
    loader = DataLoader(Squares(9), batch_size=2, num_workers=2, persistent_workers=True)
    first = flat(loader)
    pids = children() - before
    assert len(pids) == 2
    partial = iter(loader)
    next(partial)
    del partial
    assert flat(loader) == first and children() - before == pids  # the same processes, no stale batches
    del loader
    assert children() == before
    for pid in pids:  # reaped, not zombies
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_iterable_dataset_shards_across_workers_and_batches_in_each() -> None:
    data = Range(0, 10)
    assert [b.tolist() for b in DataLoader(data, batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    out = [b.tolist() for b in DataLoader(data, batch_size=2, num_workers=2)]
    assert out == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]  # round-robin over the workers, as PyTorch
    assert sorted(x for b in out for x in b) == list(range(10))
    dropped = [b.tolist() for b in DataLoader(data, batch_size=2, num_workers=2, drop_last=True)]
    assert dropped == [[0, 2], [1, 3], [4, 6], [5, 7]]
    persistent = DataLoader(data, batch_size=5, num_workers=2, persistent_workers=True)
    assert [b.tolist() for b in persistent] == [b.tolist() for b in persistent] == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]


def test_timeout_and_argument_checks() -> None:
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(DataLoader(Squares(2, delay=1.0), num_workers=1, timeout=0.2))
    assert not children()
    data = Squares(4)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(data, num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified in multiprocessing"):
        DataLoader(data, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(data, persistent_workers=True)
    with pytest.raises(ValueError, match="timeout option should be non-negative"):
        DataLoader(data, timeout=-1)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Range(0, 3), shuffle=True)
    loader = DataLoader(data, num_workers=2, pin_memory=True)
    assert loader.prefetch_factor == 2 and loader.pin_memory and flat(loader) == flat(DataLoader(data))


class Pids:
    """Each sample is the id of the process that loaded it."""

    def __len__(self) -> int:
        return 16

    def __getitem__(self, i: int) -> int:
        return os.getpid()


def test_workers_load_in_separate_processes() -> None:
    # Not timed (speed belongs in benchmarks): four workers means four processes, none of them this one.
    pids = {int(p) for batch in DataLoader(Pids(), batch_size=2, num_workers=4) for p in batch}
    assert len(pids) == 4 and os.getpid() not in pids


def test_an_unpicklable_collate_fn_on_spawn_names_the_fix() -> None:
    # spawn pickles the worker's arguments in this process, so the failure comes before any child runs
    loader = DataLoader(Squares(2), num_workers=1, multiprocessing_context="spawn", collate_fn=lambda b: b)
    with pytest.raises(RuntimeError, match="could not start worker 0 with the 'spawn' start method.*picklable"):
        list(loader)
    assert not children()


def test_a_worker_that_dies_is_reported_with_its_pid(monkeypatch: pytest.MonkeyPatch) -> None:
    from vinsgrad.utils.data import dataloader

    class Dies(Squares):
        def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
            os._exit(3)  # a crash no exception handler sees, like a segfault or the OOM killer

    monkeypatch.setattr(dataloader, "POLL_SECONDS", 0.05)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        list(DataLoader(Dies(2), num_workers=1))
    assert not children()


def test_random_transforms_in_workers_differ_per_worker_and_repeat_per_seed() -> None:
    from vinsgrad.vision import transforms as T

    class Augmented(Squares):
        crop = T.RandomCrop(4, padding=4)  # draws from vinsgrad's default generator, reseeded in each worker

        def __getitem__(self, i: int) -> tuple[np.ndarray, int]:  # type: ignore[override]
            return self.crop(np.ones((1, 4, 4), dtype=np.float32)), 0

    def run(seed: int) -> list[list[float]]:
        loader = DataLoader(Augmented(4), batch_size=2, num_workers=2, generator=vinsgrad.Generator().manual_seed(seed))
        return [x._data.sum(axis=(1, 2, 3)).tolist() for x, _ in loader]  # how much of the image each crop kept

    first = run(0)
    assert first == run(0) and first != run(1)
    assert first[0] != first[1]  # worker 0's and worker 1's first crops come from different streams
