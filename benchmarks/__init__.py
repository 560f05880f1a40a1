"""vinsgrad's benchmark suite: `python -m benchmarks --help` (or `make bench`).

Every workload runs in one process, interleaved epoch by epoch (A B A B), so machine drift cancels in the ratios.
"""
