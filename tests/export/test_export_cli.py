"""`vinsgrad export` on every shipped config's checkpoint, in both formats, checked outside vinsgrad's own code:
safetensors files read by the safetensors library, ONNX files run by ONNX Runtime."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import safetensors.numpy
from conftest import NAMES
from typer.testing import CliRunner
from vinsgrad_cli.checkpoint import load_checkpoint, restore_model
from vinsgrad_cli.config import dummy_batch
from vinsgrad_cli.main import app

import vinsgrad

runner = CliRunner()


@pytest.mark.parametrize("name", NAMES)
def test_safetensors_holds_the_state_dict_bit_for_bit(name: str, trained: dict[str, Path], tmp_path: Path) -> None:
    ckpt = load_checkpoint(trained[name])
    out = tmp_path / "w.safetensors"
    result = runner.invoke(app, ["export", str(trained[name]), "--format", "safetensors", "--out", str(out)])
    assert result.exit_code == 0, result.output
    arrays = safetensors.numpy.load_file(str(out))  # the library itself, not vinsgrad's reader
    assert list(arrays) == sorted(ckpt.model_state)
    for key, array in ckpt.model_state.items():
        assert arrays[key].dtype == array.dtype and arrays[key].tobytes() == array.tobytes(), key
    back = vinsgrad.load(out)
    assert all(isinstance(t, vinsgrad.Tensor) and t.numpy().tobytes() == arrays[k].tobytes() for k, t in back.items())
    with safetensors.safe_open(str(out), framework="numpy") as f:
        metadata = f.metadata()
    assert json.loads(metadata["config"]) == ckpt.config
    assert metadata["format"] == "pt" and "rng_state" not in metadata


@pytest.mark.parametrize("name", NAMES)
def test_onnx_runtime_gives_vinsgrads_outputs(name: str, trained: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "m.onnx"
    result = runner.invoke(app, ["export", str(trained[name]), "--format", "onnx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ONNX Runtime vs vinsgrad on a batch of 5: largest difference" in result.stdout
    ckpt = load_checkpoint(trained[name])
    model = restore_model(ckpt, trained[name])
    example = dummy_batch(ckpt.config)[0]
    graph = onnx.load(str(out)).graph
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    first_names = {id(t): k for k, t in reversed(model.state_dict(keep_vars=True).items())}  # a tied one: once
    assert {init.name for init in graph.initializer} >= set(first_names.values())  # under their state_dict names
    rng, shape = np.random.default_rng(1), (7, *example.shape[1:])  # traced with 2, checked by the CLI with 5
    if example.dtype == vinsgrad.int64:  # token ids
        x = rng.integers(0, len(ckpt.meta["classes"]), shape)
    else:
        x = rng.standard_normal(shape).astype(np.float32)
    (got,) = onnxruntime.InferenceSession(str(out)).run(None, {"input": x})
    with vinsgrad.no_grad():
        expected = model(vinsgrad.tensor(x)).numpy()
    assert got.shape == expected.shape and expected.shape[0] == 7
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_default_names_and_the_missing_extra(trained: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path = trained["moons"]
    result = runner.invoke(app, ["export", str(path), "--format", "safetensors"])
    assert result.exit_code == 0, result.output
    assert path.with_suffix(".safetensors").is_file()
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "onnxruntime" else real(n, *a))
    result = runner.invoke(app, ["export", str(path), "--format", "onnx"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --format onnx needs onnxruntime, which is not installed: pip install 'vinsgrad[export]'\n"
    )
    assert not path.with_suffix(".onnx").exists()


def test_init_from_a_safetensors_file_and_the_wrong_architecture(trained: dict[str, Path], tmp_path: Path) -> None:
    weights = tmp_path / "moons.safetensors"
    assert runner.invoke(app, ["export", str(trained["moons"]), "-f", "safetensors", "-o", str(weights)]).exit_code == 0
    result = runner.invoke(app, ["train", "moons", "--out", str(tmp_path / "again"), "-q", "--init-from", str(weights)])
    assert result.exit_code == 0, result.output
    assert f"initialised the weights from {weights}" in result.stdout
    # spirals: the same layer names, other sizes
    result = runner.invoke(app, ["train", "spirals", "--out", str(tmp_path / "s"), "--init-from", str(weights)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert f"Error: --init-from {weights}: its weights do not fit this config's model" in result.stderr
    assert "size mismatch for 0.weight: copying a param with shape (16, 2)" in result.stderr
    assert not (tmp_path / "s").exists()
    # a CNN's weights for an MLP: missing and unexpected keys
    cnn = tmp_path / "cnn.safetensors"
    assert runner.invoke(app, ["export", str(trained["cnn"]), "-f", "safetensors", "-o", str(cnn)]).exit_code == 0
    result = runner.invoke(app, ["train", "moons", "--out", str(tmp_path / "m"), "--init-from", str(cnn)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert 'Missing key(s) in state_dict: "2.weight", "2.bias", "4.weight", "4.bias"' in result.stderr
    assert 'Unexpected key(s) in state_dict: "3.bias", "3.weight", "7.bias", "7.weight"' in result.stderr


def test_unreadable_safetensors_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{not json")
    result = runner.invoke(app, ["train", "moons", "--out", str(tmp_path / "r"), "--init-from", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: weights {bad}: not a readable safetensors file (")
    assert result.stderr.count("\n") == 1


def test_an_onnx_file_that_disagrees_is_an_error_and_removed(
    trained: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vinsgrad_cli.commands import export

    monkeypatch.setattr(export, "TOLERANCE", -1.0)  # any difference, even 0, is too large
    out = tmp_path / "m.onnx"
    result = runner.invoke(app, ["export", str(trained["moons"]), "--format", "onnx", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ONNX Runtime's output differs from vinsgrad's by ")
    assert result.stderr.endswith(f"more than -1; {out} was removed\n")
    assert not out.exists()


def test_out_must_not_be_the_checkpoint(trained: dict[str, Path]) -> None:
    path = trained["moons"]
    result = runner.invoke(app, ["export", str(path), "--format", "onnx", "--out", str(path)])
    assert (
        result.exit_code == 2 and result.stderr == f"Error: --out {path} is the checkpoint itself; name another file\n"
    )
