"""The training loop: a ``Trainer`` builds what a resolved config describes, trains it and writes the run folder's
files (run.py decides which folder, and whether a resume is allowed).

A run folder holds ``config.yaml`` (the resolved config), ``metrics.jsonl`` (one JSON object per epoch),
``last.npz`` (after every epoch, and on Ctrl-C) and ``best.npz`` (the best epoch by validation, when there is a
validation split: a language model's lowest loss, a classifier's highest accuracy; see ``checkpoint.Best``).
``train.max_steps`` ends a run inside an epoch: that epoch's record is marked ``"partial": true`` and ``last.npz``
holds the position inside it, so a resume with a larger ``max_steps`` finishes the same epoch exactly as an
uninterrupted run would (and replaces the partial record).

Everything random draws from two generators seeded by ``train.seed``: the default one (initialisation, dropout,
random transforms) and the loader's (shuffling). Checkpoints carry both states and the position inside an
interrupted epoch, so a resumed run is bit-identical to an uninterrupted one.
"""

from __future__ import annotations

import json
import math
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import vinsgrad
from vinsgrad.nn.utils import clip_grad_norm_
from vinsgrad.optim import LBFGS
from vinsgrad.optim.lr_scheduler import ReduceLROnPlateau
from vinsgrad.utils.data import DataLoader, RandomSampler

from .checkpoint import Best, Checkpoint, CheckpointError, RunMeta, save_checkpoint
from .config import (
    build_data,
    build_loss,
    build_model,
    build_optimizer,
    build_scheduler,
    dummy_batch,
    num_classes,
    per_position,
)
from .console import PlainReporter, Reporter, number, percent
from .data import dataset_errors
from .errors import CLIError, Interrupted, one_line
from .evaluation import evaluate, summed_loss
from .memory import keep_freed_memory
from .threads import use_threads

LOADER_SEED_OFFSET = 1  # the loader's generator is seeded with seed + 1, so shuffling and init are separate streams


@dataclass
class Progress:
    """Where training stands; saved in every checkpoint's metadata."""

    best: Best  # what picks best.npz, and the best so far
    epoch: int = 0  # finished epochs
    step: int = 0  # optimizer steps taken
    metrics: list[dict[str, Any]] = field(default_factory=list)
    # Inside an unfinished epoch: batches done and the running sums (None at an epoch boundary).
    partial: dict[str, Any] | None = None


@dataclass
class Totals:
    """Running sums over a training epoch: summed loss, correct predictions, samples, batches, seconds."""

    loss: float = 0.0
    correct: int = 0
    seen: int = 0
    batches: int = 0
    seconds: float = 0.0

    def add(self, loss: float, correct: int, n: int) -> None:
        self.loss += loss
        self.correct += correct
        self.seen += n
        self.batches += 1

    @property
    def mean_loss(self) -> float:
        return self.loss / max(self.seen, 1)

    @property
    def accuracy(self) -> float:
        return self.correct / max(self.seen, 1)


class Trainer:
    """Builds everything a resolved config describes and trains it, writing the run folder as it goes."""

    def __init__(self, config: dict[str, Any], out: Path, reporter: Reporter, resume_command: str) -> None:
        self.config, self.out, self.reporter, self.resume_command = config, out, reporter, resume_command
        self.after_save: Callable[[Trainer], None] | None = None
        seed = config["train"]["seed"]
        vinsgrad.manual_seed(seed)
        with dataset_errors():  # first, since a named architecture's size comes from the data (a text's vocabulary)
            train, val, test = build_data(config, progress=not isinstance(reporter, PlainReporter))
        self.classes = [str(c) for c in getattr(test, "classes", range(num_classes(config)))]
        self.model = build_model(config, len(self.classes))
        self.loss_fn = build_loss(config)
        self.optimizer = build_optimizer(config, self.model.parameters())
        self.scheduler = build_scheduler(config, self.optimizer)
        example = dummy_batch(config)[0]
        self.input_shape = list(example.shape[1:])
        self.threads = use_threads(config["train"]["threads"], self.model, example, config["data"]["batch_size"])
        keep_freed_memory()
        data = config["data"]
        self.loader_generator = vinsgrad.Generator(seed + LOADER_SEED_OFFSET)
        epoch_size = getattr(train, "samples_per_epoch", None)  # text: a pass's worth of random windows
        sampler = None
        if data["shuffle"] and epoch_size is not None:
            sampler = RandomSampler(train, num_samples=epoch_size, generator=self.loader_generator)
        self.train_loader = DataLoader(
            train,
            batch_size=data["batch_size"],
            shuffle=data["shuffle"] and sampler is None,
            sampler=sampler,
            generator=self.loader_generator,
        )
        self.val_loader = None if val is None else DataLoader(val, batch_size=data["eval_batch_size"])
        self.test_loader = DataLoader(test, batch_size=data["eval_batch_size"])
        self.progress = Progress(Best.for_config(config))
        # The generators' states at the last consistent point: the loader's at the start of the current epoch,
        # the default one's after the last finished step.
        self.loader_state = self.loader_generator.get_state()
        self.rng_state = vinsgrad.get_rng_state()

    # **** checkpoints ****

    def meta(self) -> RunMeta:
        p = self.progress
        return RunMeta(
            self.config,
            p.epoch,
            p.step,
            p.metrics,
            p.best,
            p.partial,
            self.rng_state,
            self.loader_state,
            self.classes,
            self.input_shape,
        )

    def save(self, name: str) -> Path:
        path = self.out / name
        save_checkpoint(
            path, model=self.model, optimizer=self.optimizer, scheduler=self.scheduler, meta=self.meta().build()
        )
        if self.after_save is not None:  # run.py moves a new run into its folder once it has a checkpoint
            self.after_save(self)
        return self.out / name

    def restore(self, checkpoint: Checkpoint, path: Path) -> None:
        """Load weights, optimizer and scheduler state, progress and RNG states from a checkpoint."""
        meta = RunMeta.parse(checkpoint.meta, path)
        try:
            self.model.load_state_dict(checkpoint.model_state)
            if checkpoint.optimizer_state is not None:
                self.optimizer.load_state_dict(checkpoint.optimizer_state)
            if self.scheduler is not None and checkpoint.scheduler_state is not None:
                self.scheduler.load_state_dict(checkpoint.scheduler_state)
            metrics = [m for m in meta.metrics if not m.get("partial")]  # an epoch that max_steps cut short goes on
            self.progress = Progress(meta.best, meta.epoch, meta.step, metrics, meta.partial)
            recorded = meta.metrics[-1].get("threads") if meta.metrics else None
            if self.config["train"]["threads"] == "auto" and isinstance(recorded, int):
                # NOTE: BLAS results can differ with the thread count, so auto keeps the count the run had
                self.threads = use_threads(recorded, self.model, None, 0)
            self.rng_state, self.loader_state = meta.rng_default, meta.rng_loader
            vinsgrad.set_rng_state(self.rng_state)
            self.loader_generator.set_state(self.loader_state)
        except (KeyError, ValueError, RuntimeError, TypeError) as error:
            raise CheckpointError(
                f"cannot resume from {path}: it does not fit this config ({one_line(str(error))})"
            ) from None

    # **** the loop ****

    def steps_left(self) -> bool:
        max_steps = self.config["train"]["max_steps"]
        return max_steps is None or self.progress.step < max_steps

    def fit(self) -> None:
        epochs, max_steps = self.config["train"]["epochs"], self.config["train"]["max_steps"]
        if max_steps is not None:  # the epochs that max_steps leaves room for (the last one may be cut short)
            epochs = min(epochs, math.ceil(max_steps / max(len(self.train_loader), 1)))
        self.write_metrics()
        with stop_requests() as stop:
            try:
                while self.progress.epoch < epochs and self.steps_left():
                    self.train_epoch(self.progress.epoch + 1, epochs, stop)
            except KeyboardInterrupt:
                path = self.save("last.npz")
                p = self.progress
                by = " by SIGTERM" if stop["signal"] == signal.SIGTERM else ""
                raise Interrupted(
                    f"stopped{by} in epoch {p.epoch + 1} after step {p.step}; saved {path}. "
                    f"Resume with: {self.resume_command}",
                    exit_code=128 + int(stop["signal"] or signal.SIGINT),
                ) from None

    def test_line(self) -> str:
        """The final evaluation on the test set, as one line."""
        test = evaluate(self.model, self.test_loader, self.loss_fn)
        if self.config["data"]["dataset"] == "text":  # the held-out end of the text
            return (
                f"held-out text: loss {number(test.loss)} nats/char ({number(test.loss / math.log(2))} bits/char, "
                f"perplexity {test.loss and number(math.exp(test.loss))}), accuracy {percent(test.accuracy)} "
                f"({test.samples} characters)"
            )
        return f"test: loss {number(test.loss)}, accuracy {percent(test.accuracy)} ({test.samples} samples)"

    def train_epoch(self, epoch: int, epochs: int, stop: dict[str, int | None]) -> None:
        partial = self.progress.partial or {}
        totals = Totals(**partial.get("totals", {}))
        batches = iter(self.train_loader)
        if partial:  # resuming inside this epoch: replay the same shuffle, skip what was done, restore RNG
            for _ in range(totals.batches):
                next(batches)
            vinsgrad.set_rng_state(self.rng_state)
        self.reporter.epoch_start(epoch, epochs, len(self.train_loader), totals.batches)
        started = time.perf_counter() - totals.seconds
        self.model.train()
        for x, y in batches:
            loss, correct, n = self.train_step(x, y, epoch)  # n: predictions (samples, or characters of text)
            totals.add(loss, correct, n)
            self.progress.step += 1
            totals.seconds = time.perf_counter() - started
            self.progress.partial = {"totals": vars(totals).copy()}
            self.rng_state = vinsgrad.get_rng_state()
            self.reporter.batch(totals.mean_loss, totals.accuracy, n)
            if stop["signal"] is not None:
                raise KeyboardInterrupt
            if not self.steps_left():
                break
        finished = totals.batches == len(self.train_loader)
        self.end_epoch(epoch, totals, time.perf_counter() - started, finished)

    def train_step(self, x: vinsgrad.Tensor, target: vinsgrad.Tensor, epoch: int) -> tuple[float, int, int]:
        logits, y = per_position(self.model(x), target)
        loss = self.loss_fn(logits, y)
        value = loss.item()
        if not math.isfinite(value):
            last = self.out / "last.npz"
            kept = f"the last good checkpoint is {last}" if last.exists() else "no checkpoint was saved yet"
            raise CLIError(
                f"the loss is {value} at epoch {epoch}, step {self.progress.step + 1}; training stopped and {kept}. "
                "Try a smaller optimizer.lr"
            )
        self.optimizer.zero_grad()
        loss.backward()
        if self.config["train"]["clip_grad_norm"] is not None:
            clip_grad_norm_(self.model.parameters(), self.config["train"]["clip_grad_norm"])
        if isinstance(self.optimizer, LBFGS):  # it re-evaluates the loss on this batch several times per step
            self.optimizer.step(lambda: self.batch_loss(x, target))
        else:
            self.optimizer.step()
        if self.scheduler is not None and self.config["scheduler"]["interval"] == "step":
            self.scheduler.step()
        return summed_loss(self.loss_fn, value, len(y)), count_correct(logits, y), len(y)

    def batch_loss(self, x: vinsgrad.Tensor, target: vinsgrad.Tensor) -> vinsgrad.Tensor:
        """The closure LBFGS calls: the loss on this batch, with fresh gradients."""
        self.optimizer.zero_grad()
        loss = self.loss_fn(*per_position(self.model(x), target))
        loss.backward()
        return loss

    def end_epoch(self, epoch: int, totals: Totals, seconds: float, finished: bool = True) -> None:
        """Validate, record and checkpoint; an epoch cut short by max_steps (``finished`` False) stays open in the
        checkpoint, so a resume continues inside it."""
        record: dict[str, Any] = {
            "epoch": epoch,
            "step": self.progress.step,
            "lr": self.optimizer.param_groups[0]["lr"],
            "train_loss": totals.mean_loss,
            "train_acc": totals.accuracy,
            "threads": self.threads,
        }
        if self.val_loader is not None:
            val = evaluate(self.model, self.val_loader, self.loss_fn)
            record.update(val_loss=val.loss, val_acc=val.accuracy)
        record.update(seconds=round(seconds, 3), samples_per_s=round(totals.seen / max(seconds, 1e-9), 1))
        p = self.progress
        if finished:
            self.step_scheduler(record)
            p.epoch, p.partial = epoch, None
            self.loader_state = self.loader_generator.get_state()
        else:
            record["partial"] = True
        p.metrics.append(record)
        improved = p.best.improves(record)
        if improved:
            p.best.value, p.best.epoch = record[p.best.metric], epoch
        self.write_metrics()
        self.save("last.npz")
        if improved:
            self.save("best.npz")
        self.reporter.epoch_end(record)

    def step_scheduler(self, record: dict[str, Any]) -> None:
        if self.scheduler is None or self.config["scheduler"]["interval"] != "epoch":
            return
        if isinstance(self.scheduler, ReduceLROnPlateau):  # it steps on a metric, as in PyTorch
            self.scheduler.step(record.get("val_loss", record["train_loss"]))
        else:
            self.scheduler.step()

    def write_metrics(self) -> None:
        lines = "".join(json.dumps(record) + "\n" for record in self.progress.metrics)
        (self.out / "metrics.jsonl").write_text(lines, encoding="utf-8")


def count_correct(logits: vinsgrad.Tensor, y: vinsgrad.Tensor) -> int:
    return int((logits._data.argmax(axis=1) == y._data).sum())


@contextmanager
def stop_requests() -> Iterator[dict[str, int | None]]:
    """Turn the first Ctrl-C (SIGINT) or SIGTERM (what schedulers and `timeout` send) into a request to stop after
    the current step, so the checkpoint is consistent; a second one interrupts at once. ``stop["signal"]`` is the
    signal that asked."""
    stop: dict[str, int | None] = {"signal": None}

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop["signal"] is not None:
            raise KeyboardInterrupt
        stop["signal"] = signum

    try:
        previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: Ctrl-C arrives as a plain KeyboardInterrupt
        yield stop
        return
    try:
        yield stop
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
