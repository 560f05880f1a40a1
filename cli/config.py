"""The one config schema: a YAML file becomes a validated, resolved, JSON-serialisable dict, and then objects.

```yaml
model:
  layers:                                   # a Sequential; each layer named by its vinsgrad.nn class
    - {type: Linear, in_features: 784, out_features: 128}
    - {type: ReLU}
                                            # or a named architecture of vinsgrad.models: {type: GPT, n_layer: 4}
                                            # (its num_classes / vocab_size comes from the dataset)
loss: {type: CrossEntropyLoss}              # any loss class in vinsgrad.nn
optimizer: {type: SGD, lr: 0.01}            # any class in vinsgrad.optim
scheduler: {type: StepLR, step_size: 2}     # optional; any class in vinsgrad.optim.lr_scheduler (+ interval:
                                            # epoch|step, when to step it; OneCycleLR defaults to step);
                                            # SequentialLR/ChainedScheduler take nested scheduler specs
data: {dataset: mnist, root: ./data, batch_size: 64, shuffle: true, val_split: 0.1,
       transform: [{type: ToTensor}, {type: Flatten}]}     # any class in vinsgrad.vision.transforms
train: {epochs: 5, seed: 0, out: runs/mlp, max_steps: null, clip_grad_norm: null}
```

Text (``data: {dataset: text, path: tiny-shakespeare, block_size: 128, val_fraction: 0.1}``): ``path`` is a file,
an http(s):// URL, or ``tiny-shakespeare``; the last ``val_fraction`` of the text is the held-out split (the
``test`` split of eval; validated after every epoch), and the vocabulary is the training text's characters. An
epoch is ``(training characters - 1) // block_size`` windows, so each epoch predicts about as many characters as
the training text has: windows start at random positions (``shuffle: true``), or tile the text in order.

A scheduler may nest others, as in PyTorch: ``{type: SequentialLR, schedulers: [{type: LinearLR, ...},
{type: CosineAnnealingLR, ...}], milestones: [100], interval: step}`` (a warm-up, then a cosine decay).

Classes are looked up by name and their arguments checked against ``inspect.signature`` (see spec.py), so a class
added to the library is usable here with no CLI code. Every error names the file, the key path and the expectation:
``configs/x.yaml: optimizer.lr: Invalid learning rate: -0.1 (expected lr >= 0)``, the library's own words.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import yaml

import vinsgrad

from .errors import UsageError, one_line
from .spec import (
    LAYER,
    LOSS,
    MODEL,
    OPTIMIZER,
    SCHEDULER,
    TRANSFORM,
    ConfigError,
    Field,
    Kind,
    boolean,
    check_field,
    did_you_mean,
    instantiate,
    is_int,
    is_number,
    jsonable,
    positive_int,
    resolve_spec,
    shown,
    signature_params,
    text,
)

if TYPE_CHECKING:
    from vinsgrad import nn
    from vinsgrad.optim import Optimizer
    from vinsgrad.optim.lr_scheduler import LRScheduler
    from vinsgrad.vision.transforms import Compose

T = TypeVar("T")

SECTIONS = ("model", "loss", "optimizer", "scheduler", "data", "train")
MODEL_KINDS = ("layers", "type")  # a Sequential of layers, or a named architecture of vinsgrad.models
DUMMY_BATCH = 2
STEPPED_PER_BATCH = ("OneCycleLR", "CyclicLR")  # schedulers PyTorch documents as stepped after every batch


# **** fixed sections (data, train) and the dataset registry ****


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset the config can name: how to build it, and what one raw sample looks like (for the dummy batch).

    ``build(config, root, progress)`` returns ``(train, test)`` datasets yielding ``(input, class index)``
    (``progress``: whether a download may show a progress bar); ``sample_shape`` may be a function of the ``data``
    section (text: ``(block_size,)``); ``sequence``: the targets are one class per input position (text). ``options``
    are the extra keys it accepts under ``data:`` (e.g. a toy dataset's ``n`` and ``noise``). ``num_classes`` is a
    function of the ``data`` section where an option sets it (spirals' ``classes``); read it with ``num_classes()``.
    """

    build: Callable[[dict[str, Any], Path, bool], tuple[Any, Any]]
    sample_shape: tuple[int, ...] | Callable[[dict[str, Any]], tuple[int, ...]]
    sample_dtype: str
    num_classes: int | Callable[[dict[str, Any]], int]
    options: dict[str, Field] = field(default_factory=dict)
    sequence: bool = False


def transform_field(default: list[dict[str, Any]]) -> Field:
    return Field(default, lambda v: isinstance(v, list), "a list of transforms like [{type: ToTensor}]")


def _vision(name: str) -> Callable[[dict[str, Any], Path, bool], tuple[Any, Any]]:
    def build(config: dict[str, Any], root: Path, progress: bool) -> tuple[Any, Any]:
        from vinsgrad.vision import datasets

        cls = getattr(datasets, name)
        cls.fetch(root, progress=progress)  # download what is missing (mirrors: $VINSGRAD_MIRROR, then official)
        transform = build_transform(config["data"]["transform"])
        return cls(root=root, train=True, transform=transform), cls(root=root, train=False, transform=transform)

    return build


def _toy(make: str, *args: str) -> Callable[[dict[str, Any], Path, bool], tuple[Any, Any]]:
    """A generated 2-D dataset (``vinsgrad.utils.data.toy``) drawn from ``train.seed``; its last ``test_split``
    share is the test set. It needs no files, so ``data.root`` is unused."""

    def build(config: dict[str, Any], root: Path, progress: bool) -> tuple[Any, Any]:
        from vinsgrad.utils.data import TensorDataset, toy

        data = config["data"]
        generator = vinsgrad.Generator(config["train"]["seed"])
        x, y = getattr(toy, make)(**{arg: data[arg] for arg in args}, generator=generator).tensors
        n_test = min(len(y) - 1, max(1, round(len(y) * data["test_split"])))
        return TensorDataset(x[:-n_test], y[:-n_test]), TensorDataset(x[-n_test:], y[-n_test:])

    return build


def non_negative(default: float) -> Field:
    return Field(default, lambda v: is_number(v) and v >= 0, "a number >= 0")


def toy_options(**options: Field) -> dict[str, Field]:
    return {
        "n": Field(1000, lambda v: is_int(v) and v >= 2, "an integer >= 2"),
        **options,
        "test_split": Field(0.2, lambda v: is_number(v) and 0 < v < 1, "a number in (0, 1)"),
    }


def is_centers(v: Any) -> bool:
    pairs = isinstance(v, list) and len(v) >= 2 and all(isinstance(c, list) and len(c) == 2 for c in v)
    return (is_int(v) and v >= 2) or (pairs and all(is_number(a) for c in v for a in c))


def _text(config: dict[str, Any], root: Path, progress: bool) -> tuple[Any, Any]:
    """Character windows of ``data.path``: the training text, and its last ``val_fraction`` (held out)."""
    from vinsgrad.utils.data.text import CharDataset

    data = config["data"]
    block_size = data["block_size"]
    train_text, held_out = split_text(config, root, progress)
    train = CharDataset(train_text, block_size, stride=1 if data["shuffle"] else block_size)
    return train, CharDataset(held_out, block_size, chars=train.chars, stride=block_size, skip_unknown=True)


def text_file(path: str, root: Path, progress: bool, *, download: bool = True) -> Path | None:
    """The file ``data.path`` names: ``tiny-shakespeare`` (fetched if missing), an http(s):// URL (downloaded once
    into ``root/text/``) or a file. With ``download`` False, None for a text that is not on this machine yet."""
    from vinsgrad.utils.data.text import TinyShakespeare, download_text, downloaded_text

    if path == TinyShakespeare.name or path == TinyShakespeare.mirrors[0] + TinyShakespeare.filename:
        return TinyShakespeare.fetch(root, progress=progress) if download else TinyShakespeare.find(root)
    if path.startswith(("http://", "https://")):
        return download_text(path, root, progress=progress) if download else downloaded_text(path, root)
    file = Path(path).expanduser()
    return file if download or file.is_file() else None


def read_text(path: str, root: Path, progress: bool) -> str:
    """The text ``data.path`` names (see ``text_file``), fetched first if it is not here yet."""
    from vinsgrad.vision.datasets import DatasetError

    file = text_file(path, root, progress)
    assert file is not None  # downloaded, or an error
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else "not UTF-8 text"
        raise DatasetError(f"data.path: {file}: {why}; expected a UTF-8 text file, a URL or tiny-shakespeare") from None


def local_vocabulary(config: dict[str, Any]) -> list[str] | None:
    """The vocabulary training builds for a text config (its training dataset's classes), when ``data.path`` is on
    this machine already (a file, or tiny-shakespeare or a URL fetched before); None rather than a download."""
    from vinsgrad.utils.data.text import build_vocab

    data = config["data"]
    if text_file(data["path"], Path(data["root"]), False, download=False) is None:
        return None
    return build_vocab(split_text(config, Path(data["root"]), False)[0])  # as _text's training CharDataset does


def split_text(config: dict[str, Any], root: Path, progress: bool) -> tuple[str, str]:
    """``data.path``'s text cut into the training text and the last ``data.val_fraction`` (at least one window)."""
    data = config["data"]
    text = read_text(data["path"], root, progress)
    n_held_out = max(data["block_size"] + 1, round(len(text) * data["val_fraction"]))
    if len(text) < n_held_out + data["block_size"] + 1:
        raise ValueError(
            f"data.path: the text has {len(text)} characters, too few for a training and a held-out window of "
            f"data.block_size {data['block_size']} (val_fraction {data['val_fraction']}); use more text or a "
            "smaller block_size"
        )
    return text[:-n_held_out], text[-n_held_out:]


TEXT_OPTIONS = {
    "path": text("tiny-shakespeare"),
    "block_size": positive_int(128),
    "val_fraction": Field(0.1, lambda v: is_number(v) and 0 < v < 1, "a number in (0, 1)"),
}
IMAGE_OPTIONS = {"transform": transform_field([{"type": "ToTensor"}])}
CENTERS = Field(3, is_centers, "an integer >= 2 or a list of [x, y] pairs")
DATASETS: dict[str, DatasetSpec] = {
    "mnist": DatasetSpec(_vision("MNIST"), (28, 28), "uint8", 10, IMAGE_OPTIONS),
    "fashion-mnist": DatasetSpec(_vision("FashionMNIST"), (28, 28), "uint8", 10, IMAGE_OPTIONS),
    "moons": DatasetSpec(_toy("make_moons", "n", "noise"), (2,), "float32", 2, toy_options(noise=non_negative(0.1))),
    "spirals": DatasetSpec(
        _toy("make_spirals", "n", "classes", "noise"),
        (2,),
        "float32",
        lambda data: data["classes"],
        toy_options(classes=Field(3, lambda v: is_int(v) and v >= 2, "an integer >= 2"), noise=non_negative(0.05)),
    ),
    # The vocabulary is known once the text is read; until then (the config's dry run, or `graph` before the text is
    # downloaded: see local_vocabulary) 2 characters stand in.
    "text": DatasetSpec(_text, lambda data: (data["block_size"],), "int64", 2, TEXT_OPTIONS, sequence=True),
    "blobs": DatasetSpec(
        _toy("make_blobs", "n", "centers", "std"),
        (2,),
        "float32",
        lambda data: data["centers"] if is_int(data["centers"]) else len(data["centers"]),
        toy_options(centers=CENTERS, std=non_negative(1.0)),
    ),
}


def num_classes(config: dict[str, Any]) -> int:
    """How many classes the configured dataset has."""
    count = DATASETS[config["data"]["dataset"]].num_classes
    return count(config["data"]) if callable(count) else count


DATA_FIELDS = {
    "dataset": Field("mnist", lambda v: v in DATASETS, "a dataset name"),
    "root": text("./data"),
    "batch_size": positive_int(64),
    "eval_batch_size": positive_int(1000),
    "shuffle": boolean(True),
    "val_split": Field(0.0, lambda v: is_number(v) and 0 <= v < 1, "a number in [0, 1)"),
}
TRAIN_FIELDS = {
    "epochs": positive_int(5),
    "seed": Field(0, lambda v: is_int(v) and v >= 0, "an integer >= 0"),
    "out": text(None, optional=True),
    # NumPy's BLAS threads: a number, or auto (one thread for small models; see vinsgrad/threads.py for the rule)
    "threads": Field("auto", lambda v: v == "auto" or (is_int(v) and v >= 1), "an integer >= 1 or auto"),
    # Stop after this many optimizer steps (null: after `epochs`); the last epoch may end early.
    "max_steps": Field(None, lambda v: v is None or (is_int(v) and v >= 1), "an integer >= 1 or null"),
    # Scale the gradients so their total 2-norm is at most this (nn.utils.clip_grad_norm_); null: no clipping.
    "clip_grad_norm": Field(None, lambda v: v is None or (is_number(v) and v > 0), "a number > 0 or null"),
}


def resolve_section(raw: Any, fields: dict[str, Field], key: str, source: str) -> dict[str, Any]:
    """Fill a fixed section's defaults and check each key (unknown keys get a did-you-mean)."""
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ConfigError(source, key, f"expected a mapping, got {shown(raw)}")
    for name in raw:
        if name not in fields:
            raise ConfigError(source, f"{key}.{name}", f"unknown key{did_you_mean(name, list(fields))}")
    return {name: check_field(f, raw.get(name, f.default), f"{key}.{name}", source) for name, f in fields.items()}


def resolve_data(raw: Any, source: str) -> dict[str, Any]:
    raw = {} if raw is None else raw
    if isinstance(raw, dict) and "dataset" in raw and raw["dataset"] not in DATASETS:
        name = raw["dataset"]
        raise ConfigError(source, "data.dataset", f"unknown dataset {shown(name)}{did_you_mean(name, list(DATASETS))}")
    dataset = DATASETS[raw.get("dataset", DATA_FIELDS["dataset"].default) if isinstance(raw, dict) else "mnist"]
    data = resolve_section(raw, {**DATA_FIELDS, **dataset.options}, "data", source)
    if dataset.sequence and data["val_split"]:
        raise ConfigError(source, "data.val_split", "text holds out its last part instead; set data.val_fraction")
    if "transform" in data:
        data["transform"] = [
            resolve_spec(t, f"data.transform.{i}", TRANSFORM, source) for i, t in enumerate(data["transform"])
        ]
    return data


def resolve_model(raw: Any, source: str) -> dict[str, Any]:
    if isinstance(raw, dict) and "type" in raw:
        for size in MODEL.supplied:
            if size in raw:
                raise ConfigError(source, f"model.{size}", "is set from the dataset; remove it")
        return resolve_spec(raw, "model", MODEL, source)
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in MODEL_KINDS:
        if isinstance(raw, dict) and len(raw) == 1:
            key = next(iter(raw))
            raise ConfigError(source, f"model.{key}", f"unknown key{did_you_mean(key, MODEL_KINDS)}")
        raise ConfigError(
            source, "model", f"expected {{layers: [...]}} or {{type: GPT, ...}} (vinsgrad.models), got {shown(raw)}"
        )
    layers = raw["layers"]
    if not isinstance(layers, list) or not layers:
        raise ConfigError(source, "model.layers", f"expected a non-empty list of layers, got {shown(layers)}")
    return {"layers": [resolve_spec(spec, f"model.layers.{i}", LAYER, source) for i, spec in enumerate(layers)]}


# **** loading: YAML + --set overrides -> resolved config ****


class YAMLLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that ``1e-3`` is a number as in YAML 1.2 (YAML 1.1 wants ``1.0e-3`` and reads
    ``lr: 1e-3`` as a string, which a learning rate then rejects)."""


YAMLLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789")
)


def load_yaml(text: str) -> Any:
    """Parse YAML text with ``YAMLLoader`` (safe: plain values, lists and mappings only)."""
    return yaml.load(text, Loader=YAMLLoader)


SHIPPED_CONFIGS = Path(__file__).parent / "configs"  # package data: the configs/ folder of the checkout


def shipped_configs() -> dict[str, Path]:
    """The configs that ship with vinsgrad, by name (``mlp`` -> .../configs/mlp.yaml)."""
    return {path.stem: path for path in sorted(SHIPPED_CONFIGS.glob("*.yaml"))}


def find_config(path: Path) -> Path:
    """``path`` itself, or, when no such file exists and it is a bare name (``mlp``), that shipped config."""
    if path.exists() or path.suffix or len(path.parts) > 1:
        return path
    return shipped_configs().get(str(path), path)


def read_yaml(path: Path, source: str) -> dict[str, Any]:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        names = ", ".join(shipped_configs())
        raise ConfigError(source, "", f"no such file; check the path, or name a shipped config ({names})") from None
    except IsADirectoryError:
        raise ConfigError(source, "", "is a folder, expected a YAML file") from None
    except UnicodeDecodeError:
        raise ConfigError(source, "", "is not a text file, expected YAML") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(source, "", f"{where}malformed YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise ConfigError(source, "", f"expected a mapping with keys {', '.join(SECTIONS)}, got {shown(raw)}")
    return raw


def apply_override(config: dict[str, Any], override: str) -> None:
    """Apply one ``KEY=VALUE`` (VALUE parsed as YAML; list items addressed by index: model.layers.0.out_features)."""
    key, sep, value_text = override.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--set expects KEY=VALUE, e.g. --set optimizer.lr=0.1; got '{override}'")
    try:
        value = load_yaml(value_text)
    except yaml.YAMLError:
        raise UsageError(f"--set {key}: the value '{value_text}' is not valid YAML") from None
    *parents, last = key.strip().split(".")
    node: Any = config
    for depth, part in enumerate(parents):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and isinstance(node.get(part), dict | list | None):
            node = node[part] if node.get(part) is not None else node.setdefault(part, {})
        else:
            raise UsageError(f"--set {key}: '{'.'.join(parents[: depth + 1])}' is not a section or a list item")
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise UsageError(f"--set {key}: '{'.'.join(parents)}' is not a section or a list item")


def resolve_scheduler(raw: Any, source: str) -> dict[str, Any]:
    """A scheduler steps after every epoch, except those PyTorch documents as stepped after every batch."""
    scheduler = resolve_spec(raw, "scheduler", SCHEDULER, source)  # a SequentialLR's schedulers resolved with it
    if scheduler.get("schedulers") == []:
        raise ConfigError(source, "scheduler.schedulers", f"expected a list of schedulers, got {shown([])}")
    if scheduler["type"] in STEPPED_PER_BATCH and not (isinstance(raw, dict) and "interval" in raw):
        scheduler["interval"] = "step"
    return scheduler


def resolve(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """Validate a raw config dict and return it with every default filled in."""
    for key in raw:
        if key not in SECTIONS:
            raise ConfigError(source, str(key), f"unknown section{did_you_mean(str(key), SECTIONS)}")
    for key in ("model", "optimizer"):
        if raw.get(key) is None:
            raise ConfigError(source, key, "missing; every config needs a model and an optimizer")
    scheduler = raw.get("scheduler")
    config = {
        "model": resolve_model(raw["model"], source),
        "loss": resolve_spec(raw.get("loss") or "CrossEntropyLoss", "loss", LOSS, source),
        "optimizer": resolve_spec(raw["optimizer"], "optimizer", OPTIMIZER, source),
        "scheduler": None if scheduler is None else resolve_scheduler(scheduler, source),
        "data": resolve_data(raw.get("data"), source),
        "train": resolve_section(raw.get("train"), TRAIN_FIELDS, "train", source),
    }
    if not jsonable(config):
        raise ConfigError(source, "", "holds values that are not plain numbers, strings, lists or mappings")
    return config


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """Read, override, validate and dry-run a config: a resolved JSON-serialisable dict, or a ConfigError."""
    source = str(path)
    raw = read_yaml(Path(path), source)
    for override in overrides:
        apply_override(raw, override)
    config = resolve(raw, source)
    check_objects(config, source)
    return config


# **** building objects from a resolved config ****


def build_model(config: dict[str, Any], outputs: int | None = None) -> nn.Module:
    """The model a resolved config describes: a ``vinsgrad.nn.Sequential`` of its layers, or the named
    architecture with ``outputs`` (the dataset's classes or vocabulary size; default: ``num_classes(config)``)."""
    import vinsgrad.nn as nn

    if "type" in config["model"]:
        return instantiate(config["model"], MODEL, *[num_classes(config) if outputs is None else outputs] * 2)
    return nn.Sequential(*(instantiate(spec, LAYER) for spec in config["model"]["layers"]))


def build_loss(config: dict[str, Any]) -> nn.Module:
    return instantiate(config["loss"], LOSS)


def build_optimizer(config: dict[str, Any], params: Iterable[nn.Parameter]) -> Optimizer:
    return instantiate(config["optimizer"], OPTIMIZER, list(params))


def build_scheduler(config: dict[str, Any], optimizer: Optimizer) -> LRScheduler | None:
    """The learning-rate scheduler, or None; ``config['scheduler']['interval']`` says when the trainer steps it."""
    spec = config["scheduler"]
    return None if spec is None else instantiate(spec, SCHEDULER, optimizer)


def build_transform(specs: list[dict[str, Any]]) -> Compose | None:
    from vinsgrad.vision import transforms

    return transforms.Compose([instantiate(spec, TRANSFORM) for spec in specs]) if specs else None


def build_data(
    config: dict[str, Any], root: str | Path | None = None, *, progress: bool = True
) -> tuple[Any, Any, Any]:
    """``(train, val, test)`` datasets; ``val`` is None unless ``data.val_split`` > 0 (a seeded random split).

    ``root`` overrides ``data.root``; ``progress`` shows a download progress bar on stderr.
    """
    from vinsgrad.utils.data import random_split

    data = config["data"]
    train, test = DATASETS[data["dataset"]].build(config, Path(root if root is not None else data["root"]), progress)
    if DATASETS[data["dataset"]].sequence:  # text holds out its end: validated on during training, eval's test
        return train, test, test
    if data["val_split"] == 0:
        return train, None, test
    n_val = max(1, round(len(train) * data["val_split"]))
    generator = vinsgrad.Generator(config["train"]["seed"])
    train, val = random_split(train, [len(train) - n_val, n_val], generator=generator)
    return train, val, test


def sample_shape(config: dict[str, Any]) -> tuple[int, ...]:
    """The shape of one raw sample of the configured dataset (text: ``(block_size,)`` token ids)."""
    shape = DATASETS[config["data"]["dataset"]].sample_shape
    return tuple(shape(config["data"]) if callable(shape) else shape)


def dummy_batch(config: dict[str, Any]) -> tuple[vinsgrad.Tensor, vinsgrad.Tensor]:
    """A batch shaped like the real one (zeros through the configured transform) and its class labels."""
    spec = DATASETS[config["data"]["dataset"]]
    batch = np.zeros((DUMMY_BATCH, *sample_shape(config)), dtype=spec.sample_dtype)
    if spec.sequence:  # token ids in, the next token id at every position out
        return vinsgrad.tensor(batch), vinsgrad.tensor(batch % num_classes(config))
    transform = build_transform(config["data"].get("transform", []))
    if transform is not None:
        from vinsgrad.vision.transforms import apply_batch

        batch = apply_batch(transform, batch)
    x = batch if isinstance(batch, vinsgrad.Tensor) else vinsgrad.tensor(batch)
    return x, vinsgrad.tensor(np.arange(DUMMY_BATCH) % num_classes(config))


# The layers whose own error on a wrong input size is less clear than this one (Linear's names in_features).
FEATURE_ATTRIBUTES = (("in_channels", 1, "channels"), ("num_features", 1, "features"))


def shape_problem(layer: nn.Module, x: vinsgrad.Tensor) -> str | None:
    """Why ``layer`` cannot take ``x``, judged from its PyTorch-named size attributes, or None."""
    for attr, dim, what in FEATURE_ATTRIBUTES:
        expected = getattr(layer, attr, None)
        if is_int(expected) and x.ndim > 1 and x.shape[dim] != expected:
            return f"expects {expected} {what}, got {x.shape[dim]} (input shape {tuple(x.shape)})"
    return None


def check_model(config: dict[str, Any], source: str) -> tuple[nn.Module, vinsgrad.Tensor, vinsgrad.Tensor]:
    """Build the model and push a dummy batch through it layer by layer, naming the first layer that fails."""
    import vinsgrad.nn as nn

    if "type" in config["model"]:
        return check_architecture(config, source)
    key = "model.layers"
    layers = [  # each layer's own argument checks, reported at the argument they blame
        attempt(f"{key}.{i}", source, lambda s: instantiate(s, LAYER), spec, LAYER)
        for i, spec in enumerate(config["model"]["layers"])
    ]
    model = nn.Sequential(*layers).eval()
    x, y = dummy_batch(config)
    with vinsgrad.no_grad():
        for i, layer in enumerate(model):
            where = f"{key}.{i} ({type(layer).__name__})"
            problem = shape_problem(layer, x)
            if problem is None:
                try:
                    x = layer(x)
                except Exception as error:
                    problem = f"fails on input shape {tuple(x.shape)}: {library_message(error)}"
            if problem:
                raise ConfigError(source, where, problem)
    check_output_shape(config, source, key, x, y)
    return model, x, y


def check_output_shape(config: dict[str, Any], source: str, key: str, x: vinsgrad.Tensor, y: vinsgrad.Tensor) -> None:
    if DATASETS[config["data"]["dataset"]].sequence:  # the vocabulary's size is not known before the text is read
        if x.ndim != 3 or tuple(x.shape[:2]) != tuple(y.shape):
            raise ConfigError(
                source, key, f"the model outputs shape {tuple(x.shape)}, expected (batch, {y.shape[1]}, vocabulary)"
            )
        return
    classes = num_classes(config)
    if x.ndim != 2 or x.shape[1] != classes:
        raise ConfigError(
            source,
            key,
            f"the model outputs shape {tuple(x.shape)}, expected (batch, {classes}) for "
            f"{classes} classes of '{config['data']['dataset']}'; end with a layer of {classes} outputs",
        )


def check_architecture(config: dict[str, Any], source: str) -> tuple[nn.Module, vinsgrad.Tensor, vinsgrad.Tensor]:
    """Build a named architecture (its own argument checks, reported at the argument they blame) and run a dummy
    batch through it."""
    spec, data = config["model"], config["data"]
    context = spec.get("block_size")
    if DATASETS[data["dataset"]].sequence and is_int(context) and data["block_size"] > context:
        raise ConfigError(source, "data.block_size", f"{data['block_size']} is longer than model.block_size {context}")
    model = attempt("model", source, lambda s: instantiate(s, MODEL, *[num_classes(config)] * 2), spec, MODEL).eval()
    x, y = dummy_batch(config)
    with vinsgrad.no_grad():
        try:
            out = model(x)
        except Exception as error:
            raise ConfigError(
                source, f"model ({spec['type']})", f"fails on input shape {tuple(x.shape)}: {library_message(error)}"
            ) from None
    check_output_shape(config, source, "model", out, y)
    return model, out, y


def check_objects(config: dict[str, Any], source: str) -> None:
    """Dry-run the config: shape-check the model, then build the loss, optimizer and scheduler on it.

    The library is the only judge of argument values (``Invalid learning rate: -0.1``); its error is reported at
    the key path of the argument it blames (see ``attempt``)."""
    model, output, target = check_model(config, source)
    loss_fn = attempt("loss", source, lambda s: instantiate(s, LOSS), config["loss"], LOSS)
    with warnings.catch_warnings():
        # A loss that warns here (e.g. MSELoss broadcasting class indices against the outputs) fails in training.
        warnings.simplefilter("error")
        try:
            loss_fn(*per_position(output, target))
        except Exception as error:
            raise ConfigError(source, "loss", library_message(error)) from None
    params = list(model.parameters())
    optimizer = attempt(
        "optimizer", source, lambda s: instantiate(s, OPTIMIZER, params), config["optimizer"], OPTIMIZER
    )
    if config["scheduler"] is not None:
        attempt("scheduler", source, lambda s: instantiate(s, SCHEDULER, optimizer), config["scheduler"], SCHEDULER)


def per_position(logits: vinsgrad.Tensor, target: vinsgrad.Tensor) -> tuple[vinsgrad.Tensor, vinsgrad.Tensor]:
    """A language model's (B, T, V) logits and (B, T) targets as (B*T, V) and (B*T,): every position is one
    prediction (what the loss, the accuracy and the per-character loss count). Other outputs are returned as they
    are."""
    if logits.ndim == 3 and target.ndim == 2:
        return logits.reshape(-1, logits.shape[-1]), target.reshape(-1)
    return logits, target


def library_message(error: BaseException) -> str:
    """A library error's message as one line, without its class name (a warning turned error keeps its kind)."""
    message = one_line(str(error))
    if isinstance(error, Warning):
        return f"{type(error).__name__}: {message}"
    return message or type(error).__name__


def attempt(key: str, source: str, build: Callable[[dict[str, Any]], T], spec: dict[str, Any], kind: Kind) -> T:
    """``build(spec)``; an error from the library (``Invalid learning rate: -0.1``) becomes a ConfigError at the
    key of the argument it blames (``optimizer.lr``), else at ``key``.

    The blamed argument is the one whose default, put back alone, makes the error go away or change: this needs
    no parsing of the library's wording, so the library stays the only place each rule is written.
    """
    try:
        return build(spec)
    except Exception as error:
        message = library_message(error)
        arg = blamed(spec, kind, build, message)
        raise ConfigError(source, f"{key}.{arg}" if arg else key, message) from None


def blamed(spec: dict[str, Any], kind: Kind, build: Callable[[dict[str, Any]], object], message: str) -> str | None:
    """The argument of ``spec`` that, reset to its default, stops ``build`` failing with ``message``."""
    params = signature_params(kind.namespace()[spec["type"]], kind.supplied)
    for arg, value in spec.items():
        param = params.get(arg)
        if param is None or param.default is inspect.Parameter.empty:
            continue
        default = list(param.default) if isinstance(param.default, tuple) else param.default
        if value == default:
            continue
        try:
            build({**spec, arg: default})
        except Exception as error:
            if library_message(error) == message:
                continue
        return arg
    return None
