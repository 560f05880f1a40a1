"""Run the benchmark suite: `python -m benchmarks [--only seed,large,cnn,micro,memory,startup] [--json FILE]`."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import data, micro, process, workloads

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ("seed", "large", "cnn", "micro", "memory", "startup")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def interleave(group: list[workloads.Workload], epochs: int) -> dict[str, Any]:
    """Train every workload for ``epochs``, one epoch each in turn, the order rotated every epoch (A B C, B C A,
    C A B, ...) so no workload always runs after the same neighbour (whose memory and caches it inherits)."""
    wall: dict[str, list[float]] = {w.name: [] for w in group}
    cpu: dict[str, list[float]] = {w.name: [] for w in group}
    for e in range(epochs):
        for w in group[e % len(group) :] + group[: e % len(group)]:
            seconds, cpu_seconds = w.epoch()
            wall[w.name].append(seconds)
            cpu[w.name].append(cpu_seconds)
            print(f"  epoch {e + 1}/{epochs} {w.name:<12} {seconds:.3f} s (cpu {cpu_seconds:.3f} s)", file=sys.stderr)
    return {
        w.name: {
            "seconds_per_epoch": statistics.median(wall[w.name]),
            "cpu_seconds_per_epoch": statistics.median(cpu[w.name]),
            "epochs": wall[w.name],
            "cpu_epochs": cpu[w.name],
            "test_accuracy": w.accuracy(),
        }
        for w in group
    }


def ratio(result: dict[str, Any], a: str, b: str, key: str = "epochs") -> float | None:
    """Median over epochs of a's time / b's time (paired epochs ran back to back)."""
    if a not in result or b not in result:
        return None
    return statistics.median(x / y for x, y in zip(result[a][key], result[b][key]))


def ratios(result: dict[str, Any], pairs: list[tuple[str, str]]) -> dict[str, float | None]:
    """Wall-time ratios, and the same on process CPU time (less sensitive to other jobs on the machine)."""
    out: dict[str, float | None] = {}
    for a, b in pairs:
        label = f"{a}/{b.split()[-1] if b != 'pytorch' else b}"
        out[label] = ratio(result, a, b)
        out[f"{label} (cpu)"] = ratio(result, a, b, "cpu_epochs")
    return out


def mlp_group(
    root: Path, torch: Any, *, sizes: tuple[int, int, int, int], batch_size: int, epochs: int
) -> dict[str, Any]:
    seed = workloads.Seed(root, sizes=sizes, batch_size=batch_size, seed=0)
    train, test = data.arrays(root, True), data.arrays(root, False)
    group: list[workloads.Workload] = [
        seed,
        workloads.Floor(train, test, initial=seed.initial, batch_size=batch_size, shuffle_state=seed.shuffle_state),
    ]
    if torch is not None:
        group.append(workloads.TorchMLP(torch, train, test, initial=seed.initial, batch_size=batch_size, seed=0))
    result = interleave(group, epochs)
    result["ratios"] = ratios(result, [("vinsgrad", "numpy floor"), ("vinsgrad", "pytorch")])
    return result


def cnn_group(root: Path, torch: Any, epochs: int) -> dict[str, Any]:
    config = workloads.cnn_config(ROOT / "configs" / "cnn.yaml")
    group: list[workloads.Workload] = [workloads.CNN(root, config, seed=0)]
    if torch is not None:
        train, test = data.arrays(root, True), data.arrays(root, False)
        group.append(workloads.TorchCNN(torch, train, test, config, seed=0))
    result = interleave(group, epochs)
    result["ratios"] = ratios(result, [("vinsgrad", "pytorch")])
    return result


def machine(torch: Any) -> dict[str, Any]:
    """What the timings ran with: cores, load, and the thread settings of NumPy's BLAS and of PyTorch."""
    return {
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "numpy": np.__version__,
        **{var: os.environ.get(var, "unset") for var in (*THREAD_VARS, "OPENBLAS_CORETYPE")},
        "torch_threads": None if torch is None else torch.get_num_threads(),
    }


def print_report(report: dict[str, Any]) -> None:
    def fmt(v: Any, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    print("\n" + ", ".join(f"{k}={v}" for k, v in report["machine"].items()) + f", torch={report['torch']}")
    for name in ("seed", "large", "cnn"):
        if name not in report:
            continue
        res = report[name]
        print(f"\n{name} (median over epochs)")
        print(f"  {'workload':<14}{'s/epoch':>10}{'cpu s':>10}{'test acc':>10}")
        for key, row in res.items():
            if key != "ratios":
                print(
                    f"  {key:<14}{row['seconds_per_epoch']:>10.3f}{row['cpu_seconds_per_epoch']:>10.3f}"
                    f"{row['test_accuracy'] * 100:>9.2f}%"
                )
        for key, v in res["ratios"].items():
            print(f"  ratio {key:<24}{fmt(v, '.2f'):>8}")
    if "micro" in report:
        print(f"\nmicro (µs per call, best of 5)\n  {'op':<30}{'numpy':>9}{'vinsgrad':>10}{'pytorch':>9}")
        for row in report["micro"]:
            print(
                f"  {row['op']:<30}{row['numpy_us']:>9.1f}{row['vinsgrad_us']:>10.1f}"
                f"{fmt(row.get('torch_us'), '.1f'):>9}"
            )
    if "memory" in report:
        print(f"\npeak RSS of `vinsgrad train configs/mlp.yaml` (1 epoch): {report['memory']['peak_rss_mb']:.0f} MB")
    if "startup" in report:
        s = report["startup"]
        print(f"`vinsgrad --help`: {s['vinsgrad_help_s']:.3f} s (bare python: {s['python_s']:.3f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--root",
        default=data.default_source(),
        help="folder or mirror URL with the MNIST files (default: $VINSGRAD_MIRROR, else ../shared/data/mnist)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "data",
        help="dataset root to import into (as for vinsgrad train)",
    )
    parser.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated subset of {','.join(GROUPS)}")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of the seed workload")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even when it is importable")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument(
        "--threads",
        type=int,
        help="BLAS/OpenMP threads for NumPy and PyTorch alike (default: their own defaults); on a busy machine "
        "1 avoids threads spinning against other jobs",
    )
    args = parser.parse_args(argv)
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads: expected a positive number of threads, got {args.threads}")
    if args.threads is not None and any(os.environ.get(var) != str(args.threads) for var in THREAD_VARS):
        # BLAS reads its thread count when NumPy is first imported, so re-run this process with it set.
        env = {**os.environ, **{var: str(args.threads) for var in THREAD_VARS}}
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *(sys.argv[1:] if argv is None else argv)], env)
    only = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = sorted(set(only) - set(GROUPS))
    if unknown:
        parser.error(f"--only: unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")

    torch = None
    if not args.no_torch:
        try:
            import torch  # type: ignore[no-redef]
        except ImportError:
            print("note: torch is not importable, PyTorch columns are skipped", file=sys.stderr)
        else:
            if args.threads is not None:
                torch.set_num_threads(args.threads)
    report: dict[str, Any] = {"torch": getattr(torch, "__version__", None), "machine": machine(torch)}
    print(f"machine: {report['machine']}", file=sys.stderr)
    root = data.prepare_root(args.data, args.root) if {"seed", "large", "cnn", "memory"} & set(only) else args.data
    if "seed" in only:
        print("seed: MLP 784-128-64-10, batch 64", file=sys.stderr)
        report["seed"] = mlp_group(root, torch, sizes=(784, 128, 64, 10), batch_size=64, epochs=args.epochs)
    if "large" in only:
        print("large: MLP 784-1024-1024-10, batch 256", file=sys.stderr)
        report["large"] = mlp_group(root, torch, sizes=(784, 1024, 1024, 10), batch_size=256, epochs=1)
    if "cnn" in only:
        print("cnn: configs/cnn.yaml", file=sys.stderr)
        report["cnn"] = cnn_group(root, torch, epochs=1)
    if "micro" in only:
        report["micro"] = micro.micro(torch)
    if "memory" in only:
        with tempfile.TemporaryDirectory() as out:
            report["memory"] = {"peak_rss_mb": process.train_peak_rss_mb(root, Path(out))}
    if "startup" in only:
        help_s, python_s = process.startup_seconds()
        report["startup"] = {"vinsgrad_help_s": help_s, "python_s": python_s}
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
