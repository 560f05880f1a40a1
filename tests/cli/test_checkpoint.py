"""save_checkpoint / load_checkpoint: the training state round-trips; each bad file is a one-line exit-2 error."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from vinsgrad_cli.checkpoint import FORMAT_VERSION, Best, CheckpointError, RunMeta, load_checkpoint, save_checkpoint

import vinsgrad
from vinsgrad import nn


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(vinsgrad.randn(3, 2))
        self.register_buffer("running_mean", vinsgrad.zeros(3))


class FakeOptimizer:
    """Only the state_dict shape matters here: int keys under `state`, a tuple of betas."""

    def state_dict(self) -> dict[str, Any]:
        return {
            "state": {0: {"step": 4, "exp_avg": np.full((3, 2), 0.5, dtype=np.float32)}},
            "param_groups": [{"lr": 0.01, "betas": (0.9, 0.999), "params": [0]}],
        }


class FakeScheduler:
    def state_dict(self) -> dict[str, Any]:
        return {"last_epoch": 4, "base_lrs": [0.1], "_last_lr": [0.01]}


def meta() -> dict[str, Any]:
    return {
        "config": {"model": {"name": "mlp", "hidden": [8]}, "optimizer": {"name": "adam", "lr": 0.01}},
        "epoch": 2,
        "step": 40,
        "metrics": [{"epoch": 1, "train_loss": 1.5, "val_accuracy": 0.5}, {"epoch": 2, "train_loss": 0.9}],
        "rng_state": vinsgrad.get_rng_state(),
        "classes": [str(i) for i in range(10)],
        "input_shape": [1, 28, 28],
    }


def test_round_trip(tmp_path: Path) -> None:
    model, path, info = Tiny(), tmp_path / "run" / "last.npz", meta()
    expected = vinsgrad.rand(4).numpy()  # what the stream gives right after the state was taken
    save_checkpoint(path, model=model, optimizer=FakeOptimizer(), scheduler=FakeScheduler(), meta=info)
    ckpt = load_checkpoint(path)
    assert sorted(ckpt.model_state) == ["running_mean", "weight"]
    np.testing.assert_array_equal(ckpt.model_state["weight"], model.weight._data)
    assert ckpt.model_state["weight"].dtype == np.float32
    assert ckpt.optimizer_state is not None and ckpt.optimizer_state["param_groups"][0]["betas"] == (0.9, 0.999)
    np.testing.assert_array_equal(ckpt.optimizer_state["state"][0]["exp_avg"], np.full((3, 2), 0.5))
    assert ckpt.scheduler_state == FakeScheduler().state_dict()
    assert ckpt.meta == {**info, "format_version": FORMAT_VERSION, "vinsgrad_version": vinsgrad.__version__}
    assert ckpt.config == info["config"]
    vinsgrad.set_rng_state(ckpt.meta["rng_state"])  # the stored RNG state restores the exact stream
    np.testing.assert_array_equal(vinsgrad.rand(4).numpy(), expected)


def test_optional_states_and_readable_keys(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "a.npz", model=Tiny(), meta=meta())
    ckpt = load_checkpoint(tmp_path / "a.npz")
    assert ckpt.optimizer_state is None and ckpt.scheduler_state is None
    save_checkpoint(tmp_path / "b.npz", model=Tiny(), optimizer=FakeOptimizer(), meta=meta())
    names = set(zipfile.ZipFile(tmp_path / "b.npz").namelist())
    assert {"model/weight.npy", "model/running_mean.npy", "optimizer/state/0/exp_avg.npy"} <= names
    assert sorted(os.listdir(tmp_path)) == ["a.npz", "b.npz"]  # no temporary files left behind


def test_meta_cannot_forge_the_format_version(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "c.npz", model=Tiny(), meta={**meta(), "format_version": 999})
    assert load_checkpoint(tmp_path / "c.npz").meta["format_version"] == FORMAT_VERSION


def test_unwritable_destination_is_a_runtime_failure(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(CheckpointError, match="cannot write checkpoint") as info:
        save_checkpoint(tmp_path / "file" / "x.npz", model=Tiny(), meta=meta())
    assert info.value.exit_code == 1


def test_a_run_folder_instead_of_its_checkpoint_gets_a_hint(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "run" / "last.npz", model=Tiny(), meta=meta())
    with pytest.raises(
        CheckpointError, match=r"run: is a folder, expected a checkpoint file; did you mean .*last\.npz\?"
    ):
        load_checkpoint(tmp_path / "run")


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "good.npz"
    save_checkpoint(path, model=Tiny(), optimizer=FakeOptimizer(), meta=meta())
    return path


def _truncated(tmp_path: Path) -> Path:
    path = _good(tmp_path)
    path.write_bytes(path.read_bytes()[:-100])
    return path


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.npz"
    path.write_text("epoch 1: loss 0.3\n")
    return path


def _pickled(tmp_path: Path) -> Path:
    path = _good(tmp_path)
    with zipfile.ZipFile(path, "a") as z, z.open("model/evil.npy", "w") as member:
        np.save(member, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    return path


def _state_dict_only(tmp_path: Path) -> Path:
    path = tmp_path / "weights.npz"
    vinsgrad.save(Tiny().state_dict(), path)
    return path


def _future(tmp_path: Path) -> Path:
    path = tmp_path / "future.npz"
    vinsgrad.save({"model": {}, "meta": {"format_version": FORMAT_VERSION + 1, "config": {}}}, path)
    return path


def _no_config(tmp_path: Path) -> Path:
    path = tmp_path / "noconfig.npz"
    vinsgrad.save({"model": {}, "meta": {"format_version": FORMAT_VERSION}}, path)
    return path


def _bad_state(tmp_path: Path) -> Path:
    path = tmp_path / "badstate.npz"
    vinsgrad.save({"model": {"weight": [1, 2]}, "meta": {"format_version": FORMAT_VERSION, "config": {}}}, path)
    return path


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda tmp: tmp / "missing.npz", r"missing\.npz: no such file"),
        (lambda tmp: tmp, "is a folder, expected a checkpoint file$"),
        (_truncated, r"good\.npz: corrupt or truncated"),
        (_text, r"notes\.npz: not an \.npz archive"),
        (_pickled, r"good\.npz: refusing to load an array of Python objects"),
        (_state_dict_only, r"weights\.npz: a vinsgrad file but not a checkpoint"),
        (_future, r"future\.npz: checkpoint format 2 is not supported"),
        (_no_config, r"noconfig\.npz: its metadata has no training config"),
        (_bad_state, r"badstate\.npz: the model state must map parameter names to arrays"),
    ],
)
def test_bad_files_are_one_line_usage_errors(tmp_path: Path, make, match: str) -> None:
    with pytest.raises(CheckpointError, match=f"^checkpoint .*{match}") as info:
        load_checkpoint(make(tmp_path))
    assert info.value.exit_code == 2
    assert "\n" not in str(info.value)


def test_run_meta_parse_reads_back_what_build_wrote(tmp_path: Path) -> None:
    best = Best("val_loss", "min", 0.5, 1)
    run = RunMeta({"a": 1}, 2, 30, [{"epoch": 1}], best, None, {"s": [1]}, {"s": [2]}, ["x", "y"], [2])
    save_checkpoint(tmp_path / "r.npz", model=Tiny(), meta=run.build())
    assert RunMeta.parse(load_checkpoint(tmp_path / "r.npz").meta, "r.npz") == run


def test_run_meta_of_a_checkpoint_without_progress_is_a_checkpoint_error() -> None:
    with pytest.raises(CheckpointError, match=r"cannot resume from w.npz: .*no 'rng_state' entry.*--init-from"):
        RunMeta.parse({"config": {}}, "w.npz")
