"""Run the benchmark suite: `python -m benchmarks [--only GROUP,...] [--threads N|auto] [--json FILE]`."""

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

import vinsgrad
from benchmarks import data, micro, process, workloads
from vinsgrad import threads

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ("seed", "large", "cnn", "step", "gpt", "load", "micro", "memory", "startup")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
STEPS_PER_ROUND = workloads.STEPS_PER_ROUND


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
    root: Path, torch: Any, *, sizes: tuple[int, int, int, int], batch_size: int, epochs: int, setting: int | str
) -> dict[str, Any]:
    seed = workloads.Seed(root, sizes=sizes, batch_size=batch_size, seed=0)
    n = use_threads(setting, torch, seed.model, vinsgrad.zeros(2, sizes[0]), batch_size)
    train, test = data.arrays(root, True), data.arrays(root, False)
    group: list[workloads.Workload] = [
        seed,
        workloads.Floor(train, test, initial=seed.initial, batch_size=batch_size, shuffle_state=seed.shuffle_state),
    ]
    if torch is not None:
        group.append(workloads.TorchMLP(torch, train, test, initial=seed.initial, batch_size=batch_size, seed=0))
    result = interleave(group, epochs)
    result["ratios"] = ratios(result, [("vinsgrad", "numpy floor"), ("vinsgrad", "pytorch")])
    result["threads"] = n
    return result


def use_threads(setting: int | str, torch: Any, model: Any, example: Any, batch_size: int) -> int:
    """Set NumPy's (and PyTorch's) threads for a group: the number given, or vinsgrad's auto rule for its model."""
    n = (
        setting
        if isinstance(setting, int)
        else threads.auto_num_threads(threads.largest_gemm_macs(model, example, batch_size))
    )
    vinsgrad.set_num_threads(n)
    if torch is not None:
        torch.set_num_threads(n)
    return n


def cnn_group(root: Path, torch: Any, epochs: int, setting: int | str) -> dict[str, Any]:
    config = workloads.cnn_config(ROOT / "configs" / "cnn.yaml")
    cnn = workloads.CNN(root, config, seed=0)
    n = use_threads(setting, torch, cnn.model, vinsgrad.zeros(2, 1, 28, 28), cnn.batch_size)
    train, test = data.arrays(root, True), data.arrays(root, False)
    floor = workloads.CNNFloor(train, test, config, initial=cnn.initial, shuffle_state=cnn.shuffle_state)
    group: list[workloads.Workload] = [cnn, floor]
    if torch is not None:
        group.append(workloads.TorchCNN(torch, train, test, config, seed=0))
    result = interleave(group, epochs)
    result["ratios"] = ratios(result, [("vinsgrad", "numpy floor"), ("vinsgrad", "pytorch")])
    result["threads"] = n
    return result


def step_group(torch: Any, rounds: int, setting: int | str) -> dict[str, Any]:
    """configs/cnn.yaml's bare training step (one fixed batch, no data loading), vinsgrad against PyTorch."""
    config = workloads.cnn_config(ROOT / "configs" / "cnn.yaml")
    step = workloads.CNNSteps(config, seed=0)
    n = use_threads(setting, torch, step.model, vinsgrad.zeros(2, 1, 28, 28), step.batch_size)
    group: list[workloads.Workload] = [step]
    if torch is not None:
        group.append(workloads.TorchCNNSteps(torch, config, seed=0))
    result = interleave(group, rounds)
    result["ratios"] = ratios(result, [("vinsgrad", "pytorch")])
    result["threads"] = n
    return result


def gpt_group(torch: Any, rounds: int, setting: int | str, vocab_size: int = 65) -> dict[str, Any]:
    """configs/shakespeare_gpt.yaml's training step (forward, cross-entropy, backward, clip_grad_norm_, AdamW) on one
    random batch, vinsgrad against the same GPT written in PyTorch, from the same weights."""
    config = workloads.gpt_config(ROOT / "configs" / "shakespeare_gpt.yaml")
    step = workloads.GPTSteps(config, vocab_size=vocab_size, seed=0)
    example = vinsgrad.zeros(2, step.block_size, dtype=vinsgrad.int64)
    n = use_threads(setting, torch, step.model, example, step.batch_size)
    group: list[workloads.Workload] = [step]
    if torch is not None:
        group.append(workloads.TorchGPTSteps(torch, config, vocab_size=vocab_size, initial=step.initial))
    for w in group:  # one untimed round each first: allocations, caches and lazy initialisation out of the timings
        w.train_epoch()
    result = interleave(group, rounds)
    tokens = step.batch_size * step.block_size
    for w in group:
        row = result[w.name]
        row["ms_per_step"] = row["seconds_per_epoch"] / workloads.GPT_STEPS_PER_ROUND * 1000
        row["cpu_ms_per_step"] = row["cpu_seconds_per_epoch"] / workloads.GPT_STEPS_PER_ROUND * 1000
        row["tokens_per_second"] = tokens / (row["ms_per_step"] / 1000)
        row["first_loss"] = w.losses[0]  # type: ignore[attr-defined]
    result["ratios"] = ratios(result, [("vinsgrad", "pytorch")])
    result["threads"] = n
    return result


def load_group(root: Path, rounds: int, setting: int | str) -> dict[str, Any]:
    """The seed epoch on a quiet machine, then with (cores + 1) busy processes running, alternately."""
    seed = workloads.Seed(root, sizes=(784, 128, 64, 10), batch_size=64, seed=0)
    n = use_threads(setting, None, seed.model, vinsgrad.zeros(2, 784), 64)
    busy = (os.cpu_count() or 1) + 1
    quiet, loaded = workloads.Named(seed, "quiet"), workloads.Busy(seed, busy)
    result = interleave([quiet, loaded], rounds)
    result["ratios"] = {
        "loaded/quiet": ratio(result, loaded.name, "quiet"),
        "loaded/quiet (cpu)": ratio(result, loaded.name, "quiet", "cpu_epochs"),  # > 1: time spent spinning
    }
    result["threads"], result["busy_processes"] = n, busy
    return result


def machine(torch: Any) -> dict[str, Any]:
    """What the timings ran with: cores, load, and the thread settings of NumPy's BLAS and of PyTorch."""
    return {
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "numpy": np.__version__,
        **{var: os.environ.get(var, "unset") for var in (*THREAD_VARS, "OPENBLAS_CORETYPE")},
        "blas_threads_default": vinsgrad.get_num_threads(),
    }


def print_report(report: dict[str, Any]) -> None:
    def fmt(v: Any, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    print("\n" + ", ".join(f"{k}={v}" for k, v in report["machine"].items()) + f", torch={report['torch']}")
    for name in ("seed", "large", "cnn", "step", "gpt", "load"):
        if name not in report:
            continue
        res = report[name]
        steps = {"step": STEPS_PER_ROUND, "gpt": workloads.GPT_STEPS_PER_ROUND}.get(name)
        unit = f"s/{steps} steps" if steps else "s/epoch"
        print(f"\n{name} (median over epochs; {res['threads']} BLAS thread(s))")
        print(f"  {'workload':<14}{unit:>16}{'cpu s':>10}{'test acc':>10}")
        for key, row in res.items():
            if isinstance(row, dict) and key != "ratios":
                acc = row["test_accuracy"]
                print(
                    f"  {key:<14}{row['seconds_per_epoch']:>16.3f}{row['cpu_seconds_per_epoch']:>10.3f}"
                    f"{'-' if acc is None else format(acc * 100, '.2f') + '%':>10}"
                )
        if name == "gpt":
            for key, row in res.items():
                if isinstance(row, dict) and key != "ratios":
                    print(
                        f"  {key:<14}{row['ms_per_step']:>9.1f} ms/step (cpu {row['cpu_ms_per_step']:.1f} ms)"
                        f"{row['tokens_per_second']:>10.0f} tokens/s, first loss {row['first_loss']:.4f}"
                    )
        for key, v in res["ratios"].items():
            print(f"  ratio {key:<24}{fmt(v, '.2f'):>8}")
    if "micro" in report:
        print(
            f"\nmicro (µs per call, best of 7 turns; {report['micro_threads']} BLAS thread(s))\n"
            f"  {'op':<30}{'numpy':>9}{'vinsgrad':>10}{'pytorch':>9}"
        )
        for row in report["micro"]:
            print(
                f"  {row['op']:<30}{row['numpy_us']:>9.1f}{row['vinsgrad_us']:>10.1f}"
                f"{fmt(row.get('torch_us'), '.1f'):>9}"
            )
    if "memory" in report:
        for name, mb in report["memory"].items():
            print(f"\npeak RSS of `vinsgrad train configs/{name}.yaml` (1 epoch): {mb:.0f} MB", end="")
        print()
    if "startup" in report:
        s = report["startup"]
        print(f"`vinsgrad --help`: {s['vinsgrad_help_s']:.3f} s (bare python: {s['python_s']:.3f} s)")
    print("\ntargets of issues 17 and 18 (ratios from this run)")
    for label, value in targets(report).items():
        print(f"  {label:<52}{fmt(value, '.2f'):>8}")


def targets(report: dict[str, Any]) -> dict[str, float | None]:
    """The figures tables of issues 17 and 18 ask for, picked out of this run's groups."""

    def get(group: str, key: str) -> float | None:
        return report.get(group, {}).get("ratios", {}).get(key)

    micro_add = next((r for r in report.get("micro", []) if r["op"].startswith("a + b")), {})
    add = micro_add.get("vinsgrad_us"), micro_add.get("torch_us")
    return {
        "cnn epoch vs PyTorch": get("cnn", "vinsgrad/pytorch"),
        "cnn epoch vs hand NumPy floor": get("cnn", "vinsgrad/floor"),
        "cnn bare training step vs PyTorch": get("step", "vinsgrad/pytorch"),
        "gpt training step vs PyTorch (issue 17: <= 1.5)": get("gpt", "vinsgrad/pytorch"),
        "seed epoch vs PyTorch": get("seed", "vinsgrad/pytorch"),
        "large MLP vs PyTorch": get("large", "vinsgrad/pytorch"),
        "seed epoch with cores+1 busy processes vs quiet": get("load", "loaded/quiet"),
        "peak RSS of `vinsgrad train configs/cnn.yaml` (MB)": report.get("memory", {}).get("cnn"),
        "`a + b` per call vs PyTorch": add[0] / add[1] if add[0] and add[1] else None,
    }


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
    parser.add_argument("--gpt-rounds", type=int, default=5, help="rounds of the gpt group (5 steps each)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even when it is importable")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument(
        "--threads",
        default="auto",
        metavar="N|auto",
        help="BLAS threads for NumPy and PyTorch alike, per group: a number, or auto (default: vinsgrad's rule for "
        "the group's model, as `vinsgrad train` picks; see vinsgrad/threads.py)",
    )
    args = parser.parse_args(argv)
    setting: int | str = args.threads
    if args.threads != "auto":
        if not args.threads.isdigit() or int(args.threads) < 1:
            parser.error(f"--threads: expected a number of threads >= 1 or auto, got {args.threads!r}")
        setting = int(args.threads)
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
    from vinsgrad_cli.memory import keep_freed_memory

    # the heap policy `vinsgrad train` runs with, for every workload of this process alike
    report: dict[str, Any] = {"torch": getattr(torch, "__version__", None), "machine": machine(torch)}
    report["machine"]["keep_freed_memory"] = keep_freed_memory()
    print(f"machine: {report['machine']}", file=sys.stderr)
    needs_data = {"seed", "large", "cnn", "load", "memory"} & set(only)
    root = data.prepare_root(args.data, args.root) if needs_data else args.data
    if "seed" in only:
        print("seed: MLP 784-128-64-10, batch 64", file=sys.stderr)
        report["seed"] = mlp_group(
            root, torch, sizes=(784, 128, 64, 10), batch_size=64, epochs=args.epochs, setting=setting
        )
    if "large" in only:
        print("large: MLP 784-1024-1024-10, batch 256", file=sys.stderr)
        report["large"] = mlp_group(root, torch, sizes=(784, 1024, 1024, 10), batch_size=256, epochs=3, setting=setting)
    if "cnn" in only:
        print("cnn: configs/cnn.yaml", file=sys.stderr)
        report["cnn"] = cnn_group(root, torch, epochs=3, setting=setting)
    if "step" in only:
        print(f"step: configs/cnn.yaml's training step on one batch, {STEPS_PER_ROUND} steps a round", file=sys.stderr)
        report["step"] = step_group(torch, rounds=5, setting=setting)
    if "gpt" in only:
        print(
            f"gpt: configs/shakespeare_gpt.yaml's training step on one 32x128 batch, vocab 65, "
            f"{workloads.GPT_STEPS_PER_ROUND} steps a round",
            file=sys.stderr,
        )
        report["gpt"] = gpt_group(torch, rounds=args.gpt_rounds, setting=setting)
    if "load" in only:
        print("load: the seed epoch quiet, then with cores+1 busy processes", file=sys.stderr)
        report["load"] = load_group(root, rounds=5, setting=setting)
    if "micro" in only:
        # per-op costs, at the thread count auto picks for ops this small (or the one given)
        report["micro_threads"] = use_threads(setting if isinstance(setting, int) else 1, torch, None, None, 0)
        report["micro"] = micro.micro(torch)
    if "memory" in only:
        with tempfile.TemporaryDirectory() as out:
            report["memory"] = {
                name: process.train_peak_rss_mb(root, Path(out) / name, config=name) for name in ("mlp", "cnn")
            }
    if "startup" in only:
        help_s, python_s = process.startup_seconds()
        report["startup"] = {"vinsgrad_help_s": help_s, "python_s": python_s}
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
