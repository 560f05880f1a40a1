"""A training run, as `vinsgrad train` starts it: the config, the run folder, an optional resume, then the Trainer.

The rules that keep a run folder trustworthy live here:

- ``--resume CKPT`` continues the checkpoint's own run, in its folder, with its config; only ``train.epochs`` and
  ``train.max_steps`` may differ (a config file or ``--set`` that changes anything else is refused, naming the keys
  and both values).
- A new run never silently replaces or shares a folder: ``--out`` over an existing run needs ``--overwrite``, and
  a lock file (``.lock``, holding the PID) keeps a second trainer out while the first runs.
- A new run is written into ``DIR/.pending`` until its first checkpoint; only then are an overwritten run's files
  removed and the new ones moved in. A run that fails before that leaves the folder as it was.
- Paths in the stored config are absolute, so ``eval`` and ``predict`` of a checkpoint work from any folder.

The determinism check is a client of the trainer: it builds its own Trainers before the real one starts.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .checkpoint import CheckpointError, RunMeta, load_checkpoint, load_weights
from .config import find_config, load_config
from .console import make_reporter
from .determinism import check_determinism
from .errors import CLIError, UsageError, one_line
from .rendering import print_boundary, print_summary
from .trainer import Trainer

RUN_FILES = ("config.yaml", "metrics.jsonl", "last.npz", "best.npz")  # what makes a folder a run
PENDING = ".pending"
LOCK = ".lock"
# The keys a resume may change: more epochs or steps keep the run one run, and the thread count changes no result.
RESUMABLE = ("train.epochs", "train.max_steps", "train.threads")


def holds_run(folder: Path) -> list[str]:
    """The run files ``folder`` holds (empty: not a run)."""
    return [name for name in RUN_FILES if (folder / name).exists()]


def default_folder(name: str) -> Path:
    """The first ``runs/<name>``, ``runs/<name>-2``, ... that does not hold a run."""
    base = Path("runs") / name
    candidates = (base if n == 1 else base.with_name(f"{base.name}-{n}") for n in range(1, 10_000))
    return next(c for c in candidates if not holds_run(c) and not (c / LOCK).exists())


def absolute_paths(config: dict[str, Any]) -> dict[str, Any]:
    """The config with ``data.root`` and ``train.out`` made absolute (relative to the current folder)."""
    config["data"]["root"] = str(Path(config["data"]["root"]).expanduser().absolute())
    path = config["data"].get("path")  # text: a file (made absolute), a URL or tiny-shakespeare
    if path is not None and "://" not in path and path != "tiny-shakespeare":
        config["data"]["path"] = str(Path(path).expanduser().absolute())
    if config["train"]["out"] is not None:
        config["train"]["out"] = str(Path(config["train"]["out"]).expanduser().absolute())
    return config


def flat(node: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": [1]}}`` -> ``{"a.b.0": 1}``: every leaf by its key path, as ``--set`` spells it."""
    if isinstance(node, dict):
        return {k: v for key, value in node.items() for k, v in flat(value, f"{prefix}{key}.").items()}
    if isinstance(node, list) and node:
        return {k: v for i, value in enumerate(node) for k, v in flat(value, f"{prefix}{i}.").items()}
    return {prefix.rstrip("."): node}


def resume_config(stored: dict[str, Any], given: dict[str, Any] | None, source: str, ckpt: Path) -> dict[str, Any]:
    """The config a resume trains with: the checkpoint's, with ``train.epochs``, ``max_steps`` and ``threads`` from
    ``given`` (the config file plus ``--set``). Any other difference is refused, naming each key and both values."""
    if given is None:
        return stored
    old, new = flat(stored), flat(given)
    ignored = ("train.out", *RESUMABLE)
    differ = [k for k in sorted(old.keys() | new.keys()) if k not in ignored and old.get(k) != new.get(k)]
    if differ:
        shown = "; ".join(f"{k}: checkpoint {old.get(k)!r}, {source} {new.get(k)!r}" for k in differ)
        raise UsageError(
            f"--resume {ckpt}: the run was trained with another config ({shown}). A resume continues the "
            f"checkpoint's own run and may only change {', '.join(RESUMABLE)}; to train a new run from its "
            f"weights use --init-from {ckpt}"
        )
    train = {**stored["train"], **{k.split(".")[1]: given["train"][k.split(".")[1]] for k in RESUMABLE}}
    return {**stored, "train": train}


def invoked_as() -> list[str]:
    """How to run `vinsgrad` again from this shell: ``vinsgrad`` if that is on PATH and is this program, else the
    executable as it was invoked (``.venv/bin/vinsgrad``), else ``python -m vinsgrad_cli``."""
    argv0 = sys.argv[0] if sys.argv else ""
    on_path = shutil.which("vinsgrad")
    if on_path and (Path(argv0).name != "vinsgrad" or Path(on_path).resolve() == Path(argv0).resolve()):
        return ["vinsgrad"]
    if Path(argv0).name == "vinsgrad" and Path(argv0).exists():
        return [argv0]
    return [sys.executable, "-m", "vinsgrad_cli"]


def resume_command(out: Path) -> str:
    return shlex.join([*invoked_as(), "train", "--resume", str(out / "last.npz")])


@contextmanager
def run_lock(folder: Path) -> Iterator[str | None]:
    """Hold ``folder/.lock`` (the PID) while the block runs; a live holder is refused (exit 2), a dead one's lock
    taken over (yields a note saying so, else None)."""
    lock, note = folder / LOCK, None
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            holder = lock_holder(lock)
            if holder is not None and process_alive(holder):
                raise UsageError(
                    f"{folder} is in use by another training (process {holder} holds {lock}); wait for it to "
                    "finish, or use another --out"
                ) from None
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
            note = f"took over the stale lock of process {holder if holder is not None else '(unknown)'} in {folder}"
            continue
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()}\n")
        break
    else:
        raise UsageError(f"{folder}: cannot take the lock {lock}; another training is starting there")
    try:
        yield note
    finally:
        with contextlib.suppress(OSError):
            if lock_holder(lock) == os.getpid():
                lock.unlink()


def lock_holder(lock: Path) -> int | None:
    try:
        return int(lock.read_text().strip())
    except (OSError, ValueError):
        return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def promote(out: Path) -> Any:
    """An ``after_save`` hook for a new run written in ``out/.pending``: at its first checkpoint, remove the old
    run's files (``--overwrite``), move the new ones into ``out``, and write there from then on."""

    def hook(trainer: Trainer) -> None:
        pending = trainer.out
        for name in RUN_FILES:
            with contextlib.suppress(FileNotFoundError):
                (out / name).unlink()
        for item in pending.iterdir():
            item.replace(out / item.name)
        pending.rmdir()
        trainer.out, trainer.after_save = out, None

    return hook


def make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"--out {out}: is a file, expected a folder for the run") from None
    except NotADirectoryError:
        raise UsageError(f"--out {out}: a parent of it is a file, expected folders") from None
    except OSError as error:
        raise CLIError(f"cannot create the run folder {out}: {error.strerror or one_line(str(error))}") from None


def train(
    config_path: Path | None,
    *,
    overrides: Sequence[str] = (),
    out: Path | None = None,
    resume: Path | None = None,
    init_from: Path | None = None,
    overwrite: bool = False,
    quiet: bool = False,
    check_steps: int = 0,
) -> Path:
    """Validate the config, then train (or resume) and write the run folder; returns the run folder.

    With ``check_steps``, first run that many steps twice from the seed and stop unless the parameters agree."""
    if resume is not None and init_from is not None:
        raise UsageError("--resume continues a run and --init-from starts a new one; pass one of them")
    if config_path is None and resume is None:
        raise UsageError("say what to train: a config (e.g. configs/mlp.yaml, or a shipped name such as mlp)")
    source = None if config_path is None else find_config(config_path)
    given = None if source is None else absolute_paths(load_config(source, overrides))
    if resume is not None:
        checkpoint = load_checkpoint(resume)
        meta = RunMeta.parse(checkpoint.meta, resume)
        stored = absolute_paths(load_config_dict(checkpoint.config, resume))
        if config_path is None and overrides:
            given = absolute_paths(load_config_dict(checkpoint.config, resume, overrides))
        config = resume_config(stored, given, str(source or "--set"), resume)
        folder = resume.parent
        if out is not None and out.absolute() != folder.absolute():
            raise UsageError(f"--resume {resume} continues the run in {folder}; --out {out} names another folder")
        if overwrite:
            raise UsageError("--overwrite starts a new run; a resume continues its own (drop --overwrite)")
        if meta.epoch >= config["train"]["epochs"]:
            typer_echo(
                f"nothing to do: {resume} has finished {meta.epoch} of {config['train']['epochs']} epochs; "
                "raise train.epochs to train longer, e.g. --set train.epochs="
                f"{meta.epoch + 1}"
            )
            return folder
        max_steps = config["train"].get("max_steps")
        if max_steps is not None and meta.step >= max_steps:
            typer_echo(
                f"nothing to do: {resume} has taken {meta.step} of train.max_steps {max_steps} steps; raise it to "
                f"train longer, e.g. --set train.max_steps={2 * max_steps}"
            )
            return folder
    else:
        assert given is not None and source is not None
        checkpoint, config = None, given
        folder = out or (Path(config["train"]["out"]) if config["train"]["out"] else default_folder(source.stem))
    make_folder(folder)
    with run_lock(folder) as note:
        if resume is None:
            existing = holds_run(folder)
            if existing and not overwrite:
                raise UsageError(
                    f"{folder} already holds a run ({', '.join(existing)}); pass --overwrite to replace it (its "
                    f"files go once the new run has a checkpoint), or resume it with --resume {folder / 'last.npz'}"
                )
        return run(config, folder, checkpoint, resume, init_from, quiet, check_steps, note)


def load_config_dict(config: dict[str, Any], path: Path, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """A checkpoint's stored config, resolved again (and ``--set`` applied) as a config file would be."""
    from .config import apply_override, resolve

    raw = copy_tree(config)
    for override in overrides:
        apply_override(raw, override)
    return resolve(raw, f"checkpoint {path}: stored config")


def copy_tree(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: copy_tree(v) for k, v in node.items()}
    return [copy_tree(v) for v in node] if isinstance(node, list) else node


def typer_echo(text: str) -> None:
    import typer

    typer.echo(text)


def run(
    config: dict[str, Any],
    folder: Path,
    checkpoint: Any,
    resume: Path | None,
    init_from: Path | None,
    quiet: bool,
    check_steps: int,
    note: str | None,
) -> Path:
    """Train in ``folder`` (locked by the caller): a new run through ``.pending``, a resume in place."""
    pending = folder / PENDING
    write_to = folder if resume is not None else pending
    if resume is None:
        shutil.rmtree(pending, ignore_errors=True)  # a killed run's leftovers
        make_folder(pending)
    config_yaml = yaml.safe_dump(config, sort_keys=False)
    reporter = make_reporter(quiet)
    finished = False
    try:
        if note:
            reporter.line(note)
        (write_to / "config.yaml").write_text(config_yaml, encoding="utf-8")
        if check_steps:
            reporter.line(check_determinism(config, check_steps, write_to))
        trainer = Trainer(config, write_to, reporter, resume_command(folder))
        if resume is None:
            trainer.after_save = promote(folder)
        if checkpoint is not None and resume is not None:
            trainer.restore(checkpoint, resume)
            reporter.line(f"resumed from {resume} (epoch {trainer.progress.epoch}, step {trainer.progress.step})")
        if init_from is not None:
            init_weights(trainer, init_from)
            reporter.line(f"initialised the weights from {init_from}")
        reporter.line(f"run folder: {folder}")
        auto = " (auto)" if config["train"]["threads"] == "auto" else ""
        reporter.line(f"threads: {trainer.threads}{auto}")
        trainer.fit()
        finished = True
    finally:
        reporter.close()  # before the test line, so the epoch table stays above it on a terminal
        if resume is None and pending.exists():  # failed before the first checkpoint: leave the folder as it was
            shutil.rmtree(pending, ignore_errors=True)
            with contextlib.suppress(OSError):
                if not finished and not any(p.name != LOCK for p in folder.iterdir()):
                    (folder / LOCK).unlink()
                    folder.rmdir()
    reporter.line(trainer.test_line())
    print_boundary(trainer.model, trainer.test_loader.dataset, trainer.classes, split="test", plain=quiet)
    best = (folder / "best.npz", trainer.progress.best)
    print_summary(trainer.progress.metrics, folder / "metrics.jsonl", best, plain=quiet)
    return folder


def init_weights(trainer: Trainer, path: Path) -> None:
    """Load a model's weights from ``path`` into the trainer's fresh model (optimizer state stays new)."""
    state = load_weights(path)
    try:
        trainer.model.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError, TypeError) as error:
        raise CheckpointError(
            f"--init-from {path}: its weights do not fit this config's model ({one_line(str(error))})"
        ) from None
