"""vinsgrad.safetensors and vinsgrad.load on .safetensors files: files written by the safetensors library under
PyTorch's key names load into the same architecture; bad files and bad state dicts fail in one line, atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.safetensors
from vinsgrad.serialization import SerializationError


class MLP(nn.Module):  # the README's seed MLP: PyTorch names its parameters fc1.weight, fc1.bias, ...
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(4, 3), nn.Linear(3, 2)

    def forward(self, x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        return self.fc2(self.fc1(x).relu())


def test_a_file_from_safetensors_numpy_under_pytorch_names_loads(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    shapes = {"fc1.weight": (3, 4), "fc1.bias": (3,), "fc2.weight": (2, 3), "fc2.bias": (2,)}
    weights = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    safetensors.numpy.save_file(weights, str(tmp_path / "torch.safetensors"))
    model = MLP()
    model.load_state_dict(vinsgrad.load(tmp_path / "torch.safetensors"))
    x = rng.standard_normal((5, 4)).astype(np.float32)
    hidden = np.maximum(x @ weights["fc1.weight"].T + weights["fc1.bias"], 0)
    expected = hidden @ weights["fc2.weight"].T + weights["fc2.bias"]
    with vinsgrad.no_grad():
        np.testing.assert_allclose(model(vinsgrad.tensor(x)).numpy(), expected, rtol=1e-6, atol=1e-6)


def test_round_trip_keeps_bits_dtypes_and_metadata(tmp_path: Path) -> None:
    state = {
        "a": vinsgrad.tensor(np.array([1.5, -0.0, np.nan], dtype=np.float32)),
        "b": np.arange(6, dtype=np.int64).reshape(2, 3),
        "c": np.array([True, False]),
        "d": np.asfortranarray(np.arange(6.0).reshape(2, 3)),  # written C-ordered, same values
    }
    path = tmp_path / "w.safetensors"
    vinsgrad.safetensors.save_file(state, path, metadata={"config": "{}"})
    back = vinsgrad.load(path)
    for key, value in state.items():
        array = value._data if isinstance(value, vinsgrad.Tensor) else value
        assert back[key].dtype == array.dtype and back[key].numpy().tobytes() == np.ascontiguousarray(array).tobytes()
    assert vinsgrad.safetensors.read_metadata(path) == {"config": "{}"}


def test_wrong_architecture_is_refused_naming_every_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    safetensors.numpy.save_file(
        {"fc1.weight": np.zeros((3, 5), np.float32), "head.bias": np.zeros(2, np.float32)}, str(path)
    )
    with pytest.raises(RuntimeError) as info:
        MLP().load_state_dict(vinsgrad.load(path))
    message = str(info.value)
    assert 'Missing key(s) in state_dict: "fc1.bias", "fc2.weight", "fc2.bias"' in message
    assert 'Unexpected key(s) in state_dict: "head.bias"' in message
    assert "size mismatch for fc1.weight: copying a param with shape (3, 5) from checkpoint" in message


def test_failures_leave_no_file_and_say_why(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    with pytest.raises(SerializationError, match="cannot save 'x' to safetensors: expected str keys and numeric"):
        vinsgrad.safetensors.save_file({"x": np.array(["text"])}, path)
    with pytest.raises(SerializationError, match="metadata must map str to str"):
        vinsgrad.safetensors.save_file({"x": np.zeros(2)}, path, metadata={"epoch": 3})  # type: ignore[dict-item]
    assert list(tmp_path.iterdir()) == []
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(SerializationError, match=f"{path}: not a readable safetensors file"):
        vinsgrad.load(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        vinsgrad.load(tmp_path / "missing.safetensors")


def test_the_core_works_without_the_export_extra(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = f"""
import sys
for name in ("safetensors", "onnx", "onnxruntime"):
    sys.modules[name] = None  # as if not installed: importing them raises ImportError
import vinsgrad, vinsgrad.nn as nn
model = nn.Linear(2, 2)
vinsgrad.save(model.state_dict(), {str(tmp_path / "w.npz")!r})
model.load_state_dict(vinsgrad.load({str(tmp_path / "w.npz")!r}))
try:
    vinsgrad.load("w.safetensors")
except ImportError as e:
    print(e)
import vinsgrad.onnx
try:
    vinsgrad.onnx.export(model, vinsgrad.randn(1, 2), "m.onnx")
except ImportError as e:
    print(e)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert result.stdout.splitlines() == [
        "reading and writing .safetensors files needs the safetensors package: pip install 'vinsgrad[export]'",
        "ONNX export needs the onnx package: pip install 'vinsgrad[export]'",
    ]
