"""A training run, as `vinsgrad train` starts it: the config, the run folder, an optional resume, then the Trainer.

The determinism check is a client of the trainer: it builds its own Trainers before the real one starts.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .checkpoint import load_checkpoint
from .config import load_config
from .console import make_reporter
from .determinism import check_determinism
from .errors import CLIError
from .rendering import print_boundary, print_summary
from .trainer import Trainer


def run_folder(config: dict[str, Any], config_path: Path, out: Path | None, resume: Path | None) -> Path:
    """``--out``, else the resumed checkpoint's folder, else ``train.out``, else the first free ``runs/<name>[-N]``."""
    if out is not None:
        return out
    if resume is not None:
        return resume.parent
    if config["train"]["out"] is not None:
        return Path(config["train"]["out"])
    base = Path("runs") / config_path.stem
    candidates = (base if n == 1 else base.with_name(f"{base.name}-{n}") for n in range(1, 10_000))
    return next(c for c in candidates if not (c / "last.npz").exists() and not (c / "metrics.jsonl").exists())


def resume_command(config_path: Path, overrides: Sequence[str], out: Path) -> str:
    args = ["vinsgrad", "train", str(config_path), *(a for o in overrides for a in ("--set", o))]
    return shlex.join([*args, "--out", str(out), "--resume", str(out / "last.npz")])


def train(
    config_path: Path,
    *,
    overrides: Sequence[str] = (),
    out: Path | None = None,
    resume: Path | None = None,
    quiet: bool = False,
    check_steps: int = 0,
) -> Path:
    """Validate the config, then train (or resume) and write the run folder; returns the run folder.

    With ``check_steps``, first run that many steps twice from the seed and stop unless the parameters agree."""
    config = load_config(config_path, overrides)
    checkpoint = load_checkpoint(resume) if resume is not None else None
    out = run_folder(config, config_path, out, resume)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    except OSError as error:
        raise CLIError(f"cannot write the run folder {out}: {error}") from None
    reporter = make_reporter(quiet)
    try:
        if check_steps:
            reporter.line(check_determinism(config, check_steps, out))
        trainer = Trainer(config, out, reporter, resume_command(config_path, overrides, out))
        if checkpoint is not None and resume is not None:
            trainer.restore(checkpoint, resume)
            reporter.line(f"resumed from {resume} (epoch {trainer.progress.epoch}, step {trainer.progress.step})")
        reporter.line(f"run folder: {out}")
        trainer.fit()
    finally:
        reporter.close()  # before the test line, so the epoch table stays above it on a terminal
    reporter.line(trainer.test_line())
    print_boundary(trainer.model, trainer.test_loader.dataset, trainer.classes, split="test", plain=quiet)
    print_summary(trainer.progress.metrics, out / "metrics.jsonl", plain=quiet)
    return out
