"""The config language: YAML errors, schema checks against class signatures, overrides, the dummy-batch shape check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vinsgrad_cli.config import (
    ConfigError,
    build_loss,
    build_model,
    build_optimizer,
    build_scheduler,
    load_config,
)
from vinsgrad_cli.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "configs").glob("*.yaml"))

GOOD = """\
model:
  layers:
    - {type: Linear, in_features: 784, out_features: 128}
    - {type: ReLU}
    - {type: Linear, in_features: 128, out_features: 10}
optimizer: {type: SGD, lr: 0.01}
data: {transform: [{type: ToTensor}, {type: Flatten}]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    return path


def error_of(path: Path, *overrides: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path, list(overrides))
    assert info.value.exit_code == 2
    return str(info.value)


def test_good_config_is_resolved_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config["optimizer"] == {
        "type": "SGD", "lr": 0.01, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False,
        "maximize": False,
    }  # fmt: skip
    assert config["model"]["layers"][0] == {"type": "Linear", "in_features": 784, "out_features": 128, "bias": True}
    assert config["loss"]["type"] == "CrossEntropyLoss"
    assert config["data"]["batch_size"] == 64 and config["data"]["shuffle"] is True
    assert config["train"] == {"epochs": 5, "seed": 0, "out": None, "max_steps": None, "clip_grad_norm": None}
    assert config["scheduler"] is None
    assert json.loads(json.dumps(config)) == config


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_config_validates(path: Path) -> None:
    config = load_config(path)
    assert config["data"]["root"] == "./data"
    model = build_model(config)
    assert sum(p._data.size for p in model.parameters()) > 0


def test_the_seed_config_is_the_seed_example() -> None:
    config = load_config(ROOT / "configs" / "mlp.yaml")
    sizes = [(layer["in_features"], layer["out_features"]) for layer in config["model"]["layers"][::2]]
    assert sizes == [(784, 128), (128, 64), (64, 10)]
    assert [layer["type"] for layer in config["model"]["layers"][1::2]] == ["ReLU", "ReLU"]
    assert config["optimizer"]["type"] == "SGD" and config["optimizer"]["lr"] == 0.01
    assert config["loss"]["type"] == "CrossEntropyLoss"
    assert (config["data"]["batch_size"], config["data"]["shuffle"], config["train"]["epochs"]) == (64, True, 5)


# **** the file itself ****


def test_missing_file(tmp_path: Path) -> None:
    message = error_of(tmp_path / "nope.yaml")
    assert message.startswith(f"{tmp_path / 'nope.yaml'}: no such file")


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "model:\n  layers: [\n    {type: Linear\noptimizer: x\n"))
    assert message.startswith(f"{tmp_path / 'x.yaml'}: line ")
    assert "malformed YAML" in message


def test_a_list_at_the_top_is_not_a_config(tmp_path: Path) -> None:
    assert "expected a mapping with keys model" in error_of(write(tmp_path, "- 1\n- 2\n"))


# **** keys, types and ranges ****


def test_out_of_range_value_message_is_exact(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("lr: 0.01", "lr: -0.1"))
    assert error_of(path) == f"{path}: optimizer.lr: Invalid learning rate: -0.1 (expected lr >= 0)"


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("lr: 0.01", "lr: fast"))
    assert error_of(path) == f"{path}: optimizer.lr: expected a number, got 'fast' (a string)"


def test_wrong_type_in_a_fixed_section(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "train: {epochs: 2.5}\n")
    assert error_of(path) == f"{path}: train.epochs: expected an integer >= 1, got 2.5"


def test_unknown_section_gets_did_you_mean(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("optimizer:", "optimiser:"))
    assert "optimiser: unknown section; did you mean 'optimizer'?" in error_of(path)


def test_unknown_argument_gets_did_you_mean(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("lr: 0.01", "lr: 0.01, momentun: 0.9"))
    assert error_of(path).startswith(
        f"{path}: optimizer.momentun: SGD has no argument 'momentun'; did you mean 'momentum'?"
    )


def test_unknown_layer_type_gets_did_you_mean(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("{type: ReLU}", "{type: Relu}"))
    assert error_of(path).startswith(
        f"{path}: model.layers.1.type: unknown layer 'Relu' (a string); did you mean 'ReLU'?"
    )


def test_the_do_nothing_transform_base_class_is_not_a_transform(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("{type: Flatten}", "{type: Transform}"))
    assert error_of(path) == (
        f"{path}: data.transform.1.type: unknown transform 'Transform' (a string); did you mean 'ToTensor'?"
    )  # more than 12 transforms now, so the choices are not listed


@pytest.mark.parametrize(
    ("override", "key", "kind", "name"),
    [
        ("model.layers.1={type: Module}", "model.layers.1.type", "layer", "Module"),
        ("model.layers.1={type: Sequential}", "model.layers.1.type", "layer", "Sequential"),
        ("model.layers.1={type: ModuleList}", "model.layers.1.type", "layer", "ModuleList"),
        ("optimizer={type: Optimizer, defaults: {}}", "optimizer.type", "optimizer", "Optimizer"),
        ("scheduler={type: LRScheduler}", "scheduler.type", "scheduler", "LRScheduler"),
        ("data.transform=[{type: Compose, transforms: []}]", "data.transform.0.type", "transform", "Compose"),
        ("data.transform=[{type: Lambda, lambd: 3}]", "data.transform.0.type", "transform", "Lambda"),
    ],
)
def test_base_classes_and_classes_yaml_cannot_build_are_unknown(
    tmp_path: Path, override: str, key: str, kind: str, name: str
) -> None:
    # Lambda and Compose take functions or objects, which YAML cannot write (Lambda used to fail at run time).
    assert error_of(write(tmp_path, GOOD), override).startswith(
        f"{tmp_path / 'x.yaml'}: {key}: unknown {kind} '{name}'"
    )


def test_unknown_data_key_and_dataset(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("data: {", "data: {batchsize: 3, "))
    assert "data.batchsize: unknown key; did you mean 'batch_size'?" in error_of(path)
    path = write(tmp_path, GOOD.replace("data: {", "data: {dataset: mnsit, "))
    assert "data.dataset: unknown dataset 'mnsit' (a string); did you mean 'mnist'?" in error_of(path)


def test_missing_required_argument(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace(", out_features: 10}", "}"))
    assert error_of(path) == f"{path}: model.layers.2: Linear needs the argument 'out_features'"


def test_missing_optimizer(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("optimizer: {type: SGD, lr: 0.01}\n", ""))
    assert error_of(path) == f"{path}: optimizer: missing; every config needs a model and an optimizer"


def test_list_arguments_are_checked_element_wise(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("{type: SGD, lr: 0.01}", "{type: Adam, betas: [0.9, 1.5]}"))
    assert error_of(path) == (
        f"{path}: optimizer.betas: Invalid beta parameter at index 1: 1.5 (expected 0 <= beta < 1)"
    )


def test_errors_raised_by_the_library_are_reported_at_their_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("{type: SGD, lr: 0.01}", "{type: SGD, lr: 0.01, nesterov: true}"))
    message = error_of(path)
    assert message.startswith(f"{path}: optimizer.nesterov: ") and "esterov" in message and "Error" not in message


# **** the model is shape-checked before any data is loaded ****


@pytest.mark.parametrize("loss", ["MSELoss", "L1Loss"])
def test_a_loss_that_would_broadcast_class_indices_is_a_config_error(tmp_path: Path, loss: str) -> None:
    # Two classes and the dummy batch of two: (2, 2) outputs broadcast against (2,) targets, with only a warning.
    path = write(tmp_path, "model: {layers: [{type: Linear, in_features: 2, out_features: 2}]}\n")
    message = error_of(path, "optimizer={type: SGD, lr: 0.1}", "data={dataset: moons, n: 20}", f"loss={{type: {loss}}}")
    assert message.startswith(f"{path}: loss: UserWarning: ")
    assert "target size (2,) differs from input size (2, 2)" in message


def test_layer_size_mismatch_names_the_layer(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("in_features: 128, out_features: 10", "in_features: 64, out_features: 10"))
    assert error_of(path) == (
        f"{path}: model.layers.2 (Linear): fails on input shape (2, 128): linear: input of shape (2, 128) does not "
        "match weight of shape (10, 64): the input's last dim must equal in_features=64"
    )


def test_model_output_must_match_the_number_of_classes(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("out_features: 10", "out_features: 7"))
    assert "the model outputs shape (2, 7), expected (batch, 10)" in error_of(path)


def test_missing_flatten_is_caught_by_the_dummy_batch(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace(", {type: Flatten}", ""))
    assert error_of(path).startswith(f"{path}: model.layers.0 (Linear): fails on input shape (2, 1, 28, 28): linear:")


def test_conv_channel_mismatch(tmp_path: Path) -> None:
    cnn = (ROOT / "configs" / "cnn.yaml").read_text().replace("in_channels: 16", "in_channels: 8")
    path = write(tmp_path, cnn)
    assert error_of(path).startswith(f"{path}: model.layers.3 (Conv2d): expects 8 channels, got 16")


# **** --set overrides ****


def test_overrides_are_parsed_as_yaml(tmp_path: Path) -> None:
    overrides = ["optimizer.lr=0.1", "train.epochs=2", "model.layers.0.out_features=64", "data.shuffle=no"]
    path = write(tmp_path, GOOD.replace("in_features: 128", "in_features: 64"))
    config = load_config(path, overrides)
    assert config["optimizer"]["lr"] == 0.1 and config["train"]["epochs"] == 2
    assert config["model"]["layers"][0]["out_features"] == 64 and config["data"]["shuffle"] is False


def test_exponent_notation_is_a_number_in_files_and_overrides(tmp_path: Path) -> None:
    # PyYAML follows YAML 1.1, where 1e-3 (no dot) is a string; configs are written the YAML 1.2 / Python way.
    config = load_config(write(tmp_path, GOOD.replace("lr: 0.01", "lr: 1e-3, weight_decay: 5E-4")))
    assert config["optimizer"]["lr"] == 0.001 and config["optimizer"]["weight_decay"] == 0.0005
    assert load_config(write(tmp_path, GOOD), ["optimizer.lr=2e-2"])["optimizer"]["lr"] == 0.02
    assert error_of(write(tmp_path, GOOD), "train.epochs=1e1").endswith(
        "train.epochs: expected an integer >= 1, got 10.0"
    )


def test_override_can_add_a_section(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ["scheduler={type: StepLR, step_size: 2}"])
    assert config["scheduler"]["type"] == "StepLR" and config["scheduler"]["interval"] == "epoch"


def test_one_cycle_steps_after_every_batch_unless_told_otherwise(tmp_path: Path) -> None:
    one_cycle = "scheduler={type: OneCycleLR, max_lr: 0.1, total_steps: 100}"
    assert load_config(write(tmp_path, GOOD), [one_cycle])["scheduler"]["interval"] == "step"
    config = load_config(write(tmp_path, GOOD), [one_cycle, "scheduler.interval=epoch"])
    assert config["scheduler"]["interval"] == "epoch"
    assert "scheduler.interval: expected 'epoch' or 'step', got 'batch'" in error_of(
        write(tmp_path, GOOD), one_cycle, "scheduler.interval=batch"
    )


def test_override_errors_are_checked_like_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    expected = f"{path}: optimizer.lr: Invalid learning rate: -0.1 (expected lr >= 0)"
    assert error_of(path, "optimizer.lr=-0.1") == expected
    assert "train.epoch: unknown key; did you mean 'epochs'?" in error_of(path, "train.epoch=3")


@pytest.mark.parametrize("bad", ["optimizer.lr", "=3", "model.layers.0.type.x=1"])
def test_malformed_override_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    with pytest.raises(UsageError, match="--set"):
        load_config(write(tmp_path, GOOD), [bad])


# **** building objects ****


def test_builders_make_library_objects_with_pytorch_names(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, GOOD),
        ["optimizer={type: Adam, lr: 0.002, betas: [0.8, 0.9]}", "scheduler={type: StepLR, step_size: 3}"],
    )
    model = build_model(config)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    optimizer = build_optimizer(config, model.parameters())
    assert type(optimizer).__name__ == "Adam"
    assert optimizer.param_groups[0]["lr"] == 0.002 and tuple(optimizer.param_groups[0]["betas"]) == (0.8, 0.9)
    scheduler = build_scheduler(config, optimizer)
    assert type(scheduler).__name__ == "StepLR" and scheduler.step_size == 3
    assert type(build_loss(config)).__name__ == "CrossEntropyLoss"


def test_a_zero_learning_rate_is_accepted_as_the_library_accepts_it(tmp_path: Path) -> None:
    # The library is the only judge of values: SGD(params, lr=0) is valid, so the config is too.
    path = write(tmp_path, GOOD)
    assert load_config(path, ["optimizer.lr=0"])["optimizer"]["lr"] == 0


def test_a_library_error_is_reported_at_the_argument_it_blames(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("{type: SGD, lr: 0.01}", "{type: SGD, lr: 0.01, momentum: -1}"))
    assert error_of(path) == f"{path}: optimizer.momentum: Invalid momentum value: -1 (expected momentum >= 0)"
