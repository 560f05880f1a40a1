"""A run folder you can trust: resume is exact or refused, folders are never silently replaced or shared, a
SIGTERM or a full disk never loses the last good checkpoint, and the stored config works from any folder.

Every run trains the offline moons config for an epoch or two on a few points, so each test takes well under a
second in-process; SIGTERM and the lock's holder are real processes.
"""

from __future__ import annotations

import errno
import os
import shlex
import signal
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import current_umask, load_checkpoint
from vinsgrad_cli.main import app

import vinsgrad

runner = CliRunner()
MOONS = Path(__file__).resolve().parents[2] / "configs" / "moons.yaml"
SMALL = ("--set", "data.n=200", "--set", "train.epochs=2", "--quiet")


def train(*args: str | Path) -> object:
    return runner.invoke(app, ["train", *map(str, args)])


def trained(out: Path, *args: str) -> Path:
    result = train(MOONS, "--out", out, *SMALL, *args)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return out


def one_line_error(result: object, code: int) -> str:
    assert result.exit_code == code, result.output  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert stderr.count("\n") == 1 and "Error:" in stderr, stderr
    return stderr


# **** resume is exact or refused ****


def test_resume_with_another_optimizer_is_refused_naming_keys_and_values(tmp_path: Path) -> None:
    run = trained(tmp_path / "run")
    before = (run / "last.npz").read_bytes()
    other = tmp_path / "adam.yaml"
    other.write_text(MOONS.read_text().replace("{type: Adam, lr: 0.01}", "{type: SGD, lr: 0.5}"))
    result = train(other, "--resume", run / "last.npz", *SMALL)
    message = one_line_error(result, 2)
    assert f"optimizer.type: checkpoint 'Adam', {other} 'SGD'" in message
    assert f"optimizer.lr: checkpoint 0.01, {other} 0.5" in message
    assert (run / "last.npz").read_bytes() == before  # nothing was trained or written


def test_resume_with_set_of_another_key_is_refused(tmp_path: Path) -> None:
    run = trained(tmp_path / "run")
    message = one_line_error(train("--resume", run / "last.npz", "--set", "optimizer.lr=0.5"), 2)
    assert "optimizer.lr: checkpoint 0.01, --set 0.5" in message and "--init-from" in message


def test_resume_raising_epochs_continues_the_checkpoints_own_run(tmp_path: Path) -> None:
    run = trained(tmp_path / "run")
    result = train("--resume", run / "last.npz", "--set", "train.epochs=3", "--quiet")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "epoch 3/3" in result.stdout and "epoch 2/" not in result.stdout  # type: ignore[attr-defined]
    assert load_checkpoint(run / "last.npz").meta["epoch"] == 3
    assert yaml.safe_load((run / "config.yaml").read_text())["train"]["epochs"] == 3


def test_resume_with_nothing_left_says_so_and_exits_0(tmp_path: Path) -> None:
    run = trained(tmp_path / "run")
    before = (run / "last.npz").read_bytes()
    result = train(MOONS, "--resume", run / "last.npz", *SMALL[:2], "--set", "train.epochs=1")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.stdout.startswith("nothing to do: ") and "finished 2 of 1 epochs" in result.stdout  # type: ignore[attr-defined]
    assert (run / "last.npz").read_bytes() == before


def test_init_from_starts_a_new_run_from_old_weights(tmp_path: Path) -> None:
    run = trained(tmp_path / "run")
    result = train(MOONS, "--out", tmp_path / "new", *SMALL, "--set", "optimizer.lr=0", "--init-from", run / "last.npz")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    old, new = load_checkpoint(run / "last.npz"), load_checkpoint(tmp_path / "new" / "last.npz")
    for name, value in old.model_state.items():  # lr 0: the weights are exactly the ones loaded
        np.testing.assert_array_equal(new.model_state[name], value)
    assert [m["epoch"] for m in new.meta["metrics"]] == [1, 2]  # a new run, counted from 1


def test_init_from_weights_of_another_architecture_is_a_usage_error(tmp_path: Path) -> None:
    run = trained(tmp_path / "run")
    result = train(MOONS, "--out", tmp_path / "new", *SMALL, "--set", "model.layers.0.out_features=8",
                   "--set", "model.layers.2.in_features=8", "--init-from", run / "last.npz")  # fmt: skip
    assert "--init-from" in one_line_error(result, 2)
    assert not (tmp_path / "new").exists()  # a failed run leaves no folder behind


# **** run folders are never silently replaced or shared ****


def test_out_over_an_existing_run_is_refused_without_overwrite(tmp_path: Path) -> None:
    run = trained(tmp_path / "run")
    before = (run / "last.npz").read_bytes()
    message = one_line_error(train(MOONS, "--out", run, *SMALL), 2)
    assert "already holds a run" in message and "--overwrite" in message
    assert (run / "last.npz").read_bytes() == before


def test_overwrite_replaces_the_run_and_no_stale_best_survives(tmp_path: Path) -> None:
    run = trained(tmp_path / "run", "--set", "data.val_split=0.2")
    assert (run / "best.npz").is_file()
    trained(run, "--overwrite", "--set", "train.epochs=1")
    assert sorted(p.name for p in run.iterdir()) == ["config.yaml", "last.npz", "metrics.jsonl"]
    assert load_checkpoint(run / "last.npz").meta["epoch"] == 1


def test_overwrite_keeps_the_old_run_until_the_new_one_has_a_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = trained(tmp_path / "run")
    files = {p.name: p.read_bytes() for p in run.iterdir()}
    monkeypatch.setattr(vinsgrad.nn.CrossEntropyLoss, "forward", lambda self, x, y: (x * float("nan")).sum())
    one_line_error(train(MOONS, "--out", run, *SMALL, "--overwrite"), 1)  # the loss is nan: the run fails
    assert {p.name: p.read_bytes() for p in run.iterdir()} == files


def test_a_second_trainer_on_a_locked_folder_is_refused_naming_the_holder(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / "run").mkdir()
        (tmp_path / "run" / ".lock").write_text(f"{holder.pid}\n")
        message = one_line_error(train(MOONS, "--out", tmp_path / "run", *SMALL), 2)
        assert f"process {holder.pid}" in message
    finally:
        holder.kill()
        holder.wait()
    result = train(MOONS, "--out", tmp_path / "run", *SMALL)  # the holder is gone: its lock is stale
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert f"took over the stale lock of process {holder.pid}" in result.stdout  # type: ignore[attr-defined]
    assert not (tmp_path / "run" / ".lock").exists()  # released when the run ended


def test_out_naming_a_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert "is a file" in one_line_error(train(MOONS, "--out", tmp_path / "file", *SMALL), 2)


# **** signals and full disks ****


def test_sigterm_saves_prints_the_resume_command_and_exits_143(tmp_path: Path) -> None:
    out = tmp_path / "run"
    command = [sys.executable, "-m", "vinsgrad_cli", "train", str(MOONS), "--out", str(out), "--quiet",
               "--set", "train.epochs=100000", "--set", "data.n=100"]  # fmt: skip
    path = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep) if not Path(d, "vinsgrad").exists())
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PATH": path})  # fmt: skip
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("epoch 2/"):
                break
        child.send_signal(signal.SIGTERM)
        _, stderr = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 143, stderr
    assert stderr.startswith("Interrupted: stopped by SIGTERM in epoch ") and stderr.count("\n") == 1
    resume = shlex.split(stderr.split("Resume with: ")[1])
    assert resume == [sys.executable, "-m", "vinsgrad_cli", "train", "--resume", str(out / "last.npz")]
    assert load_checkpoint(out / "last.npz").meta["epoch"] >= 2


def test_a_full_disk_while_writing_a_checkpoint_keeps_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = trained(tmp_path / "run", "--set", "train.epochs=1")
    before = (run / "last.npz").read_bytes()
    real = np.lib.format.write_array

    def full_disk(fp, array, *args, **kwargs):  # type: ignore[no-untyped-def]
        fp.write(b"\0" * 64)  # part of the file is written, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(np.lib.format, "write_array", full_disk)
    message = one_line_error(train("--resume", run / "last.npz", "--set", "train.epochs=2", "--quiet"), 1)
    monkeypatch.setattr(np.lib.format, "write_array", real)
    assert f"cannot write checkpoint {run / 'last.npz'}: No space left on device" in message
    assert "OSError" not in message
    assert (run / "last.npz").read_bytes() == before and load_checkpoint(run / "last.npz").meta["epoch"] == 1
    assert not list(run.glob("*.tmp"))


def test_checkpoints_get_the_permissions_of_the_other_run_files(tmp_path: Path) -> None:
    run = trained(tmp_path / "run")
    mode = stat.S_IMODE((run / "last.npz").stat().st_mode)
    assert mode == stat.S_IMODE((run / "config.yaml").stat().st_mode) == 0o666 & ~current_umask()


# **** the stored config works from any folder; shipped configs by name ****


def test_stored_paths_are_absolute_and_eval_works_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = train("moons", "--set", "data.root=./data", *SMALL)  # a shipped config, by name
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    run = tmp_path / "runs" / "moons"
    stored = yaml.safe_load((run / "config.yaml").read_text())
    assert stored["data"]["root"] == str(tmp_path / "data")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    evaluated = runner.invoke(app, ["eval", str(run / "last.npz")])
    assert evaluated.exit_code == 0, evaluated.output
    again = train("moons", *SMALL)  # runs/moons holds a run now: the next free name
    assert again.exit_code == 0 and (elsewhere / "runs" / "moons" / "last.npz").is_file()  # type: ignore[attr-defined]
    monkeypatch.chdir(tmp_path)
    assert train("moons", *SMALL).exit_code == 0  # type: ignore[attr-defined]
    assert (tmp_path / "runs" / "moons-2" / "last.npz").is_file()


def test_a_data_root_naming_a_file_is_exit_2_with_the_reason_not_a_class_name(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    config = MOONS.parent / "mlp.yaml"
    result = train(config, "--out", tmp_path / "run", "--set", f"data.root={tmp_path / 'file'}")
    message = one_line_error(result, 2)
    assert message == f"Error: {tmp_path / 'file' / 'MNIST' / 'raw'}: Not a directory\n"
    assert not (tmp_path / "run").exists()
