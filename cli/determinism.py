"""`vinsgrad train --check-determinism`: run the first steps twice from the same seed and compare the parameters.

Seeding everything is a promise; this checks it. Each run builds a fresh trainer (which seeds the default
generator and the loader's), hashes every parameter after initialisation and after each step, and the two runs
must agree bit for bit. A difference names the step and the parameters where it first appears.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .console import PlainReporter
from .errors import CLIError
from .trainer import Trainer

if TYPE_CHECKING:
    from vinsgrad import nn


def parameter_hashes(model: nn.Module) -> dict[str, str]:
    """SHA-256 of each parameter's dtype, shape and bytes, by name."""
    hashes = {}
    for name, p in model.named_parameters():
        a = p._data
        digest = hashlib.sha256(f"{a.dtype}{a.shape}".encode())
        digest.update(a.tobytes())
        hashes[name] = digest.hexdigest()
    return hashes


def combined(hashes: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{k}={v};" for k, v in hashes.items()).encode()).hexdigest()


def run_steps(config: dict[str, Any], steps: int, out: Path) -> list[dict[str, str]]:
    """Parameter hashes after initialisation and after each of the first ``steps`` optimizer steps."""
    trainer = Trainer(config, out, PlainReporter(), resume_command="")
    trainer.model.train()
    history = [parameter_hashes(trainer.model)]
    batches = itertools.chain.from_iterable(trainer.train_loader for _ in range(config["train"]["epochs"]))
    for x, y in itertools.islice(batches, steps):
        trainer.train_step(x, y, epoch=1)
        history.append(parameter_hashes(trainer.model))
    return history


def check_determinism(config: dict[str, Any], steps: int, out: Path) -> str:
    """Run the first ``steps`` steps twice; return a one-line verdict, or raise CLIError naming the divergence."""
    first, second = run_steps(config, steps, out), run_steps(config, steps, out)
    seed = config["train"]["seed"]
    for step, (a, b) in enumerate(zip(first, second)):
        differ = [name for name in a if a[name] != b.get(name)]
        if differ:
            when = "right after initialisation" if step == 0 else f"after step {step}"
            raise CLIError(
                f"not deterministic: two runs from seed {seed} differ {when} in {', '.join(differ)}; something "
                "draws randomness outside vinsgrad's generators (seed it through vinsgrad.manual_seed / a Generator)"
            )
    return (
        f"determinism check: {len(first) - 1} steps run twice from seed {seed}, parameters identical "
        f"(sha256 {combined(first[-1])[:16]})"
    )
