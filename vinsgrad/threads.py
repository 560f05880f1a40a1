"""How many threads NumPy's BLAS runs: ``set_num_threads`` / ``get_num_threads`` as in PyTorch, and ``auto``.

vinsgrad computes on NumPy, whose matrix products run in a BLAS (OpenBLAS in NumPy's wheels) with one thread per
core by default. Those threads pay off only on large products; on the small ones of a small model they only
synchronise, and OpenBLAS's idle threads busy-wait for work, so on a machine shared with other CPU-bound jobs an
epoch can take many times its quiet time. The count is set through ``threadpoolctl``, which changes the live BLAS
(no environment variables, no restart).

The ``auto`` rule (``auto_num_threads``), from ``make bench`` measurements on a 2-core machine:

- one thread when the model's largest matrix product has under ``SMALL_GEMM_MACS`` multiply-adds per step
  (the seed MLP's largest is 6.4 M at batch 64: 2 threads were no faster than 1 even on a quiet machine; the CNN
  of configs/cnn.yaml's largest is 59 M, tall and thin products that scale poorly);
- otherwise one thread per core that is idle right now (cores minus the 1-minute load average, at least 1), so
  threads are never started against other work.

What threadpoolctl cannot change is how long OpenBLAS's idle threads spin before sleeping: that is its
``OPENBLAS_THREAD_TIMEOUT`` environment variable, read once when the library loads, which is why the rule keeps
to one thread wherever more do not clearly pay.

Example::

    vinsgrad.set_num_threads(1)
    vinsgrad.get_num_threads()  # 1
"""

from __future__ import annotations

import os
from typing import Any

from threadpoolctl import threadpool_info, threadpool_limits

SMALL_GEMM_MACS = 100_000_000


def get_num_threads() -> int:
    """The number of threads NumPy's BLAS uses (1 when no threaded BLAS is loaded)."""
    counts = [int(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts, default=1)


def set_num_threads(n: int) -> None:
    """Run NumPy's BLAS (and any OpenMP pool loaded) with ``n`` threads, from now on."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a number of threads >= 1, got {n!r}")
    threadpool_limits(limits=n)


def idle_cores() -> int:
    """Cores not busy right now: the core count minus the 1-minute load average, at least 1."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform: assume the machine is busy
        return 1
    return max(1, min(cores, cores - round(load)))


def auto_num_threads(largest_gemm_macs: int) -> int:
    """The ``auto`` thread count for a model whose largest matrix product has ``largest_gemm_macs`` multiply-adds
    per step (see the module docstring for the rule and its measurements)."""
    return 1 if largest_gemm_macs < SMALL_GEMM_MACS else idle_cores()


def largest_gemm_macs(model: Any, example: Any, batch_size: int) -> int:
    """Multiply-adds of the largest matrix product in a forward pass of ``model`` at ``batch_size``, found by
    running ``example`` (a small batch of the right shape) through it without recording.

    Linear and Conv2d layers are sized from their output; for a model that is not a Sequential the weights are
    counted as if every one were used once per sample (exact for Linear layers)."""
    import vinsgrad
    from vinsgrad import nn

    per_sample = 0
    layers = list(model) if isinstance(model, nn.Sequential) else [model]
    x = example
    # NOTE: in eval mode and with the generator's state put back, so the probe changes nothing a run computes:
    # no dropout draws, no batch-norm running statistics from the example batch
    modes, rng_state = [(m, m.training) for m in model.modules()], vinsgrad.get_rng_state()
    model.eval()
    try:
        with vinsgrad.no_grad():
            for layer in layers:
                x = layer(x)
                if isinstance(layer, nn.Linear):
                    macs = layer.in_features * x.numel() // len(example)
                elif isinstance(layer, nn.Conv2d):
                    kh, kw = layer.weight.shape[2:]
                    macs = layer.in_channels // layer.groups * kh * kw * x.numel() // len(example)
                elif layer is model:
                    macs = max((p.numel() for p in model.parameters() if p.ndim >= 2), default=0)
                else:
                    continue
                per_sample = max(per_sample, macs)
    finally:
        for module, training in modes:
            module.training = training
        vinsgrad.set_rng_state(rng_state)
    return per_sample * batch_size
