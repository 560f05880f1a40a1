"""The C heap's policy for a run: keep freed memory for the next step rather than give it back to the system."""

from __future__ import annotations

import ctypes
import sys

# glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 << 20  # the largest glibc accepts on 64-bit: arrays up to 32 MiB come from the heap
TRIM_THRESHOLD = 256 << 20  # free memory at the top of the heap kept up to this much


def keep_freed_memory() -> bool:
    """Let glibc reuse freed arrays: True if the policy was set (Linux with glibc), else False and nothing changes.

    By default glibc gives arrays above a threshold their own pages and returns them on free (and trims the heap's
    top), so each training step's large temporaries (im2col columns, activations, gradients: many MB per step)
    page-fault fresh zeroed memory back in: a third of configs/cnn.yaml's step time. Kept, they are reused; peak
    RSS stays what the step needs at once (142 MB for that CNN's bare step, with or without).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
