"""Checkpoints: a model's weights, the optimizer and scheduler state, and the run's metadata in one file.

The file is written by ``vinsgrad.save`` (pickle-free ``.npz``, written atomically), holding::

    {"model": model.state_dict(), "optimizer": ... or None, "scheduler": ... or None, "meta": {...}}

so arrays sit under readable keys (``model/fc1.weight``, ``optimizer/state/0/exp_avg``). ``meta`` carries
``format_version``, ``vinsgrad_version`` and what ``RunMeta`` below describes (the resolved ``config``, progress,
generator states, class names, input shape): enough to evaluate or resume from the file alone. For a text
dataset the class names are the vocabulary (class ``i`` is character ``classes[i]``), so ``sample`` and ``eval``
need nothing but the file.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .console import number, percent
from .errors import UsageError, one_line

if TYPE_CHECKING:
    import numpy as np

    from vinsgrad import nn
    from vinsgrad.optim import Optimizer
    from vinsgrad.optim.lr_scheduler import LRScheduler

FORMAT_VERSION = 1
BEST_METRICS = {"val_loss": "min", "val_acc": "max"}  # what can pick best.npz, and which way is better


@dataclass
class Best:
    """What picks ``best.npz``: a metrics.jsonl key, whether lower (``min``) or higher (``max``) is better, and the
    best value so far with its epoch (None before the first validation). ``for_config`` is the rule."""

    metric: str
    mode: str
    value: float | None = None
    epoch: int | None = None

    @classmethod
    def for_config(cls, config: dict[str, Any]) -> Best:
        """A language model (a sequence dataset: text) keeps its lowest validation loss in nats/char, what sampling
        and perplexity depend on (the accuracy of its top guess may peak elsewhere); a classifier its highest
        validation accuracy."""
        from .config import DATASETS

        metric = "val_loss" if DATASETS[config["data"]["dataset"]].sequence else "val_acc"
        return cls(metric, BEST_METRICS[metric])

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> Best:
        """The ``best`` entry of a checkpoint's metadata; a checkpoint from before it was picked by accuracy (and
        stored only ``best_val_acc``), so resuming one keeps that rule and the best.npz it wrote stays the best."""
        best = meta.get("best")
        if best is None:
            value = meta.get("best_val_acc")
            epochs = [
                m.get("epoch") for m in meta.get("metrics") or [] if value is not None and m.get("val_acc") == value
            ]
            return cls("val_acc", "max", value, epochs[0] if epochs else None)
        if not isinstance(best, dict) or (best.get("metric"), best.get("mode")) not in BEST_METRICS.items():
            raise TypeError(
                f"best: expected {{metric: val_loss, mode: min}} or {{metric: val_acc, mode: max}}, got {best!r}"
            )
        return cls(best["metric"], best["mode"], best.get("value"), best.get("epoch"))

    def improves(self, record: dict[str, Any]) -> bool:
        """Whether an epoch's ``record`` beats the best so far (a record without the metric, or NaN, never does)."""
        value = record.get(self.metric)
        if value is None or not math.isfinite(value):
            return False
        return self.value is None or (value < self.value if self.mode == "min" else value > self.value)

    def describe(self) -> str:
        """``lowest val loss 1.6484 (epoch 8)``; before any validation, the rule alone."""
        rule = f"{'lowest' if self.mode == 'min' else 'highest'} {self.metric.replace('_', ' ')}"
        if self.value is None:
            return rule
        value = percent(self.value) if self.metric.endswith("acc") else number(self.value)
        return f"{rule} {value}" + (f" (epoch {self.epoch})" if self.epoch is not None else "")


@dataclass
class RunMeta:
    """The metadata `vinsgrad train` stores in every checkpoint: enough to evaluate, inspect or resume from the file
    alone. ``build`` writes it and ``parse`` reads it back, so the format's keys are written down only here."""

    config: dict[str, Any]  # the resolved config
    epoch: int  # finished epochs
    step: int  # optimizer steps taken
    metrics: list[dict[str, Any]]  # one record per finished epoch
    best: Best  # what picks best.npz, and the best so far
    partial: dict[str, Any] | None  # inside an unfinished epoch: the running sums; None at an epoch boundary
    rng_default: dict[str, Any]  # the default generator's state after the last finished step
    rng_loader: dict[str, Any]  # the loader generator's state at the start of the current epoch
    classes: list[str]
    input_shape: list[int]

    def build(self) -> dict[str, Any]:
        """The JSON-ready ``meta`` entry (``save_checkpoint`` adds the format and vinsgrad versions)."""
        return {
            "config": self.config,
            "epoch": self.epoch,
            "step": self.step,
            "metrics": self.metrics,
            "best": asdict(self.best),
            "partial": self.partial,
            "rng_state": {"default": self.rng_default, "loader": self.rng_loader},
            "classes": self.classes,
            "input_shape": self.input_shape,
        }

    @classmethod
    def parse(cls, meta: dict[str, Any], path: str | os.PathLike[str]) -> RunMeta:
        """Read what ``build`` wrote; a checkpoint without it (not written by `vinsgrad train`) is a CheckpointError."""
        try:
            rng = meta["rng_state"]
            return cls(
                config=meta["config"],
                epoch=int(meta["epoch"]),
                step=int(meta["step"]),
                metrics=list(meta["metrics"]),
                best=Best.from_meta(meta),
                partial=meta.get("partial"),
                rng_default=rng["default"],
                rng_loader=rng["loader"],
                classes=[str(c) for c in meta.get("classes") or []],
                input_shape=list(meta.get("input_shape") or []),
            )
        except (KeyError, TypeError, ValueError) as error:
            missing = f"no '{error.args[0]}' entry" if isinstance(error, KeyError) else one_line(str(error))
            raise CheckpointError(
                f"cannot resume from {path}: its metadata is not a training run's ({missing}); "
                "start a new run from its weights with --init-from"
            ) from None


class CheckpointError(UsageError):
    """A checkpoint that is missing, unreadable, or does not fit the model its config describes (exit 2)."""


@dataclass
class Checkpoint:
    """What ``load_checkpoint`` returns: plain arrays and dicts, ready for ``load_state_dict``."""

    model_state: dict[str, np.ndarray]
    optimizer_state: dict[str, Any] | None
    scheduler_state: dict[str, Any] | None
    meta: dict[str, Any]

    @property
    def config(self) -> dict[str, Any]:
        return self.meta["config"]


def class_names(meta: dict[str, Any], n: int) -> list[str]:
    """The names of a model's ``n`` classes as its checkpoint's metadata stores them, else ``'0'`` .. ``'n-1'``."""
    names = meta.get("classes")
    return [str(c) for c in names] if isinstance(names, list) and len(names) == n else [str(i) for i in range(n)]


def vocabulary(checkpoint: Checkpoint, path: str | os.PathLike[str]) -> list[str]:
    """A language model's characters (its class names); a CheckpointError for a model not trained on text."""
    dataset = checkpoint.config.get("data", {}).get("dataset")
    chars = checkpoint.meta.get("classes")
    if dataset != "text" or not isinstance(chars, list) or not all(isinstance(c, str) and len(c) == 1 for c in chars):
        raise CheckpointError(
            f"checkpoint {path}: not a language model (trained on '{dataset}'); train one on text first, e.g. "
            "vinsgrad train configs/shakespeare_gpt.yaml"
        )
    return chars


def save_checkpoint(
    path: str | os.PathLike[str],
    *,
    model: nn.Module,
    optimizer: Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    meta: dict[str, Any],
) -> None:
    """Write a checkpoint to ``path`` atomically (a crash never leaves a half-written file under that name)."""
    import vinsgrad

    payload = {
        "model": model.state_dict(),
        "optimizer": None if optimizer is None else optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "meta": {**meta, "format_version": FORMAT_VERSION, "vinsgrad_version": vinsgrad.__version__},
    }
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        vinsgrad.save(payload, path)  # atomic: a failure part-way leaves the previous file under this name
        os.chmod(path, 0o666 & ~current_umask())  # as the other run files get (vinsgrad.save's temp file is 0600)
    except (OSError, ValueError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else one_line(str(e))
        raise CheckpointError(
            f"cannot write checkpoint {path}: {why}; the previous checkpoint there, if any, is unchanged", exit_code=1
        ) from None


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def load_weights(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """A model's ``state_dict`` from a weights file, for ``vinsgrad train --init-from``.

    Reads a vinsgrad checkpoint (.npz), or a .safetensors file (weights from `vinsgrad export` or from PyTorch).
    """
    if str(path).endswith(".safetensors"):
        return load_safetensors_weights(path)
    return load_checkpoint(path).model_state


def load_safetensors_weights(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """The arrays of a .safetensors file by name; any problem is a one-line ``CheckpointError``."""
    import vinsgrad
    from vinsgrad.serialization import SerializationError

    try:
        return {key: tensor._data for key, tensor in vinsgrad.load(path).items()}
    except (SerializationError, OSError) as e:
        message = str(e) if str(e).startswith(str(path)) else f"{path}: {e}"
        raise CheckpointError(f"weights {message}") from None
    except ImportError as e:
        raise CheckpointError(str(e), exit_code=1) from None


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint written by ``save_checkpoint``; any problem is a one-line ``CheckpointError``."""
    import vinsgrad
    from vinsgrad.serialization import SerializationError

    try:
        obj = vinsgrad.load(path)
    except IsADirectoryError:
        found = [Path(path, name) for name in ("best.npz", "last.npz") if Path(path, name).is_file()]
        hint = f"; did you mean {found[0]}?" if found else ""  # a run folder holds them
        raise CheckpointError(f"checkpoint {path}: is a folder, expected a checkpoint file{hint}") from None
    except (SerializationError, OSError) as e:
        message = str(e) if str(e).startswith(str(path)) else f"{path}: {e}"  # load's own errors name the file
        raise CheckpointError(f"checkpoint {message}") from None
    return _checked(obj, path)


def _checked(obj: Any, path: str | os.PathLike[str]) -> Checkpoint:
    import numpy as np

    import vinsgrad

    def bad(why: str) -> CheckpointError:
        return CheckpointError(f"checkpoint {path}: {why}")

    if not isinstance(obj, dict) or not isinstance(obj.get("meta"), dict) or not isinstance(obj.get("model"), dict):
        raise bad("a vinsgrad file but not a checkpoint (no 'model' and 'meta' entries, as `vinsgrad train` writes)")
    meta = obj["meta"]
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise bad(f"checkpoint format {version!r} is not supported (this vinsgrad reads up to {FORMAT_VERSION})")
    if not isinstance(meta.get("config"), dict):
        raise bad("its metadata has no training config, so the model cannot be rebuilt")
    # A model's state_dict holds Tensors, which load back as Tensors; the checkpoint keeps their arrays.
    state = {k: v.numpy() if isinstance(v, vinsgrad.Tensor) else v for k, v in obj["model"].items()}
    if not all(isinstance(k, str) and isinstance(v, np.ndarray) for k, v in state.items()):
        raise bad("the model state must map parameter names to arrays")
    return Checkpoint(state, obj.get("optimizer"), obj.get("scheduler"), meta)


def restore_model(checkpoint: Checkpoint, path: str | os.PathLike[str]) -> nn.Module:
    """The model its config describes, with the checkpoint's weights loaded (in eval mode)."""
    from .config import build_model, resolve

    try:  # validate first: a config from another vinsgrad version gets the config's own precise errors
        outputs = len(checkpoint.meta.get("classes") or []) or None  # a text's vocabulary size, say
        model = build_model(resolve(checkpoint.config, f"checkpoint {path}: stored config"), outputs)
    except UsageError:
        raise
    except Exception as e:  # valid, yet the layers refuse their arguments: the file is bad, not the code
        raise CheckpointError(f"checkpoint {path}: its config does not build a model ({one_line(str(e))})") from None
    try:
        model.load_state_dict(checkpoint.model_state)
    except (RuntimeError, KeyError, ValueError, TypeError) as e:
        detail = one_line(str(e)) or type(e).__name__
        raise CheckpointError(
            f"checkpoint {path}: weights do not fit the architecture in its config ({detail})"
        ) from None
    return model.eval()
