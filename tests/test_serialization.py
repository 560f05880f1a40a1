"""vinsgrad.save / vinsgrad.load: exact round trips, atomic writes, and refusal of pickles and corrupt files."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

import vinsgrad
from vinsgrad.serialization import META_KEY, SerializationError


def optimizer_like_state() -> dict:
    """Shaped like an Adam state_dict: int keys under `state`, a tuple of betas, mixed scalar types."""
    return {
        "state": {
            0: {"step": 3, "exp_avg": np.arange(6, dtype=np.float32).reshape(2, 3), "exp_avg_sq": np.ones(3)},
            1: {"step": np.int64(3), "momentum_buffer": np.float32(0.5)},
        },
        "param_groups": [
            {
                "lr": 1e-3,
                "betas": (0.9, 0.999),
                "eps": 1e-8,
                "amsgrad": False,
                "maximize": None,
                "name": "body",
                "params": [0, 1],
            }
        ],
    }


def assert_same(a, b) -> None:
    """Equal values AND equal types, recursively (a dict key 0 must not come back as "0")."""
    assert type(a) is type(b), f"{type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert type(k) is type(next(kb for kb in b if kb == k))
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_round_trip_is_exact_including_int_keys_tuples_and_dtypes(tmp_path: Path) -> None:
    state = optimizer_like_state()
    path = tmp_path / "opt.npz"
    vinsgrad.save(state, path)
    assert_same(state, vinsgrad.load(path))


def test_round_trip_of_edge_values(tmp_path: Path) -> None:
    big = 2**127 + 12345  # a PCG64 state is a 128-bit int; JSON keeps it exact
    obj = {
        "nan": float("nan"),
        "inf": -math.inf,
        "big": big,
        "empty": np.zeros((0, 4), dtype=np.float32),
        "zero_d": np.array(7, dtype=np.int64),
        "bools": np.array([True, False]),
        "text": "naïve ✓",
        "nested": [[], {}, (), [None, True]],
        3.5: "float key",
        None: "none key",
        True: "bool key",
        "a/b": np.ones(1),
        "file": np.ones(2),  # np.savez's own argument names must not clash with keys
        "allow_pickle": np.zeros(2),
        "a": {"b": np.zeros(1)},  # joins to the same member name as "a/b"; both must survive
    }
    vinsgrad.save(obj, tmp_path / "x.npz")
    assert_same(obj, vinsgrad.load(tmp_path / "x.npz"))


def test_tensors_come_back_as_tensors_without_history_and_arrays_as_arrays(tmp_path: Path) -> None:
    w = vinsgrad.tensor([[1.0, 2.0]], requires_grad=True)
    y = w * 2
    vinsgrad.save({"weight": w, "y": y, "plain": np.arange(3)}, tmp_path / "t.pt")
    out = vinsgrad.load(tmp_path / "t.pt")
    assert type(out["weight"]) is vinsgrad.Tensor and out["weight"].dtype == vinsgrad.float32
    assert not out["y"].requires_grad and out["y"].grad_fn is None
    np.testing.assert_array_equal(out["y"].numpy(), [[2.0, 4.0]])
    assert type(out["plain"]) is np.ndarray and out["plain"].dtype == np.int64


def test_state_dict_idioms_round_trip_through_a_bytes_buffer() -> None:
    vinsgrad.manual_seed(0)
    model = vinsgrad.nn.Sequential(vinsgrad.nn.Linear(3, 4), vinsgrad.nn.ReLU(), vinsgrad.nn.Linear(4, 2))
    opt = vinsgrad.optim.Adam(model.parameters(), lr=0.01)
    model(vinsgrad.randn(5, 3)).sum().backward()
    opt.step()
    buffer = io.BytesIO()
    vinsgrad.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, buffer)
    buffer.seek(0)
    ckpt = vinsgrad.load(buffer, map_location=vinsgrad.device("cpu"), weights_only=True)
    assert ckpt["epoch"] == 3 and all(isinstance(v, vinsgrad.Tensor) for v in ckpt["model"].values())
    vinsgrad.manual_seed(1)
    fresh = vinsgrad.nn.Sequential(vinsgrad.nn.Linear(3, 4), vinsgrad.nn.ReLU(), vinsgrad.nn.Linear(4, 2))
    fresh_opt = vinsgrad.optim.Adam(fresh.parameters(), lr=0.5)
    fresh.load_state_dict(ckpt["model"])
    fresh_opt.load_state_dict(ckpt["optimizer"])
    for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    assert fresh_opt.param_groups[0]["lr"] == 0.01
    np.testing.assert_array_equal(
        fresh_opt.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"]
    )


def test_version_1_files_still_load_with_their_arrays(tmp_path: Path) -> None:
    meta = {"format": "vinsgrad", "format_version": 1, "root": {"dict": [["w", {"array": "w"}]]}}
    _write_meta(tmp_path / "old.npz", meta, w=np.ones(2, dtype=np.float32))
    out = vinsgrad.load(tmp_path / "old.npz")
    assert type(out["w"]) is np.ndarray and out["w"].tolist() == [1.0, 1.0]


def test_members_have_readable_keys_and_the_name_is_used_exactly(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.ckpt"
    vinsgrad.save({"model": {"fc1.weight": np.ones((2, 2))}, "optimizer": optimizer_like_state()}, path)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint.ckpt"]  # no ".npz" appended, no temp file left
    names = zipfile.ZipFile(path).namelist()
    assert "model/fc1.weight.npy" in names and "optimizer/state/0/exp_avg.npy" in names
    assert f"{META_KEY}.npy" in names


def test_plain_numpy_can_read_the_arrays_without_pickle(tmp_path: Path) -> None:
    vinsgrad.save({"w": np.arange(3.0)}, tmp_path / "f.npz")
    with np.load(tmp_path / "f.npz", allow_pickle=False) as f:
        np.testing.assert_array_equal(f["w"], [0.0, 1.0, 2.0])
        assert json.loads(f[META_KEY].tobytes())["format"] == "vinsgrad"


def test_file_objects_work_too() -> None:
    buffer = io.BytesIO()
    vinsgrad.save({"w": np.ones(2, dtype=np.float32)}, buffer)
    buffer.seek(0)
    assert_same({"w": np.ones(2, dtype=np.float32)}, vinsgrad.load(buffer))


def test_a_crash_while_writing_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "model.npz"
    vinsgrad.save({"version": 1}, path)

    def crash(member, array, **kwargs):
        member.write(b"\x93NUMPY half an array")
        raise KeyboardInterrupt

    monkeypatch.setattr(np.lib.format, "write_array", crash)
    with pytest.raises(KeyboardInterrupt):
        vinsgrad.save({"version": 2}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["model.npz"]
    assert vinsgrad.load(path) == {"version": 1}


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        ({"w": np.array([object()], dtype=object)}, "w: arrays of dtype object"),
        ({"s": {1, 2}}, "s: expected arrays.*got set"),
        ({(1, 2): 0}, r"dict keys must be .*got tuple \(1, 2\)"),
        (object(), "the object: expected arrays"),
    ],
)
def test_unsupported_objects_are_refused_before_writing(tmp_path: Path, obj, match: str) -> None:
    with pytest.raises(SerializationError, match=match):
        vinsgrad.save(obj, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.npz: no such file"):
        vinsgrad.load(tmp_path / "nope.npz")
    with pytest.raises(IsADirectoryError, match="is a folder, expected a file"):
        vinsgrad.load(tmp_path)


def test_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "t.npz"
    vinsgrad.save({"w": np.ones(1000)}, path)
    data = path.read_bytes()
    for size in (0, 10, len(data) // 2, len(data) - 30):
        path.write_bytes(data[:size])
        with pytest.raises(SerializationError, match=r"t\.npz: corrupt or truncated"):
            vinsgrad.load(path)


def test_text_and_npy_files_are_not_vinsgrad_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello, I am not an archive\n")
    with pytest.raises(SerializationError, match=r"a.txt: not an .npz archive"):
        vinsgrad.load(tmp_path / "a.txt")
    np.save(tmp_path / "b.npy", np.ones(2))
    with pytest.raises(SerializationError, match=r"b.npy: not a vinsgrad file \(a single .npy array"):
        vinsgrad.load(tmp_path / "b.npy")
    np.savez(tmp_path / "c.npz", w=np.ones(2))
    with pytest.raises(SerializationError, match=f"c.npz: not a vinsgrad file .*{META_KEY}"):
        vinsgrad.load(tmp_path / "c.npz")


class _Exploit:
    """Unpickling this would create a file: proof that code ran."""

    marker: Path

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickles_never_execute(tmp_path: Path) -> None:
    _Exploit.marker = tmp_path / "pwned"
    with open(tmp_path / "raw.pkl", "wb") as f:
        pickle.dump({"w": _Exploit()}, f)
    with pytest.raises(SerializationError, match=r"raw\.pkl: not an \.npz archive"):
        vinsgrad.load(tmp_path / "raw.pkl")
    # An otherwise valid vinsgrad file with an object array smuggled in as a member.
    path = tmp_path / "evil.npz"
    vinsgrad.save({"w": np.ones(2)}, path)
    with zipfile.ZipFile(path, "a") as z, z.open("w~1.npy", "w") as member:
        np.save(member, np.array([_Exploit()], dtype=object), allow_pickle=True)
    with pytest.raises(SerializationError, match=r"evil\.npz: refusing to load an array of Python objects"):
        vinsgrad.load(path)
    assert not _Exploit.marker.exists()


V1 = {"format": "vinsgrad", "format_version": 1}


def _write_meta(path: Path, meta: object, **arrays: np.ndarray) -> None:
    raw = json.dumps(meta).encode() if not isinstance(meta, bytes) else meta
    np.savez(path, **arrays, **{META_KEY: np.frombuffer(raw, dtype=np.uint8)})


@pytest.mark.parametrize(
    ("meta", "match"),
    [
        (b"\xff\xfe not json", "corrupt vinsgrad file"),
        ({"format": "other", "format_version": 1, "root": 1}, "corrupt vinsgrad file"),
        ({"format": "vinsgrad", "format_version": 99, "root": 1}, "format version 99 is newer .* upgrade vinsgrad"),
        ({**V1, "root": {"array": "gone"}}, "corrupt vinsgrad file: array 'gone' is missing"),
        ({**V1, "root": {"weird": 1}}, "corrupt vinsgrad file: unexpected entry"),
        ({**V1, "root": {"dict": [[1]]}}, "corrupt vinsgrad file"),
        (V1, "corrupt vinsgrad file"),
        ({**V1, "root": {"tuple": 3}}, "corrupt vinsgrad file: unexpected entry"),
        ({**V1, "root": {"array": ["w"]}}, "corrupt vinsgrad file: array"),
    ],
)
def test_corrupt_metadata(tmp_path: Path, meta: object, match: str) -> None:
    _write_meta(tmp_path / "m.npz", meta)
    with pytest.raises(SerializationError, match=f"m.npz: {match}"):
        vinsgrad.load(tmp_path / "m.npz")


def test_adam_resumes_bit_exactly_from_a_saved_state(tmp_path: Path) -> None:
    from vinsgrad import optim
    from vinsgrad.nn import Parameter

    def setup(seed: int) -> tuple[list[Parameter], optim.Adam]:
        g = vinsgrad.Generator(seed)
        params = [Parameter(vinsgrad.randn(3, 2, generator=g)), Parameter(vinsgrad.randn(2, generator=g))]
        return params, optim.Adam(params, lr=0.1, betas=(0.8, 0.99))

    def step(params: list[Parameter], opt: optim.Adam) -> None:
        opt.zero_grad()
        ((params[0] * params[0]).sum() + (params[1] ** 3).sum()).backward()
        opt.step()

    params, opt = setup(0)
    for _ in range(3):
        step(params, opt)
    vinsgrad.save({"params": params, "optimizer": opt.state_dict()}, tmp_path / "s.npz")
    state = vinsgrad.load(tmp_path / "s.npz")
    assert_same(opt.state_dict(), state["optimizer"])

    fresh, fresh_opt = setup(1)
    for p, saved in zip(fresh, state["params"]):
        p._data[...] = saved
    fresh_opt.load_state_dict(state["optimizer"])
    step(params, opt)
    step(fresh, fresh_opt)
    for a, b in zip(params, fresh):
        np.testing.assert_array_equal(a._data, b._data)


def test_pytorch_load_arguments(tmp_path: Path) -> None:
    vinsgrad.save({"w": np.ones(2)}, tmp_path / "w.npz")
    assert_same({"w": np.ones(2)}, vinsgrad.load(tmp_path / "w.npz", map_location="cpu", weights_only=True))
    with pytest.raises(
        RuntimeError, match=r"load\(map_location=...\): vinsgrad runs on the CPU only, got device 'cuda:0'"
    ):
        vinsgrad.load(tmp_path / "w.npz", map_location="cuda:0")
    with pytest.raises(RuntimeError, match="CPU only, got device 'cuda:1'"):
        vinsgrad.load(tmp_path / "w.npz", map_location={"cuda:0": "cuda:1"})
    # weights_only=False loads the same thing: the file can hold nothing but arrays and plain data.
    assert_same(
        {"w": np.ones(2)}, vinsgrad.load(tmp_path / "w.npz", weights_only=False, map_location={"cuda:0": "cpu"})
    )
    vinsgrad.save({"t": vinsgrad.ones(2)}, tmp_path / "t.npz")
    halved = vinsgrad.load(tmp_path / "t.npz", map_location=lambda t, loc: t / 2 if loc == "cpu" else None)
    assert halved["t"].tolist() == [0.5, 0.5]
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['bogus'\]"):
        vinsgrad.load(tmp_path / "t.npz", bogus=1)


def test_model_load_state_dict_takes_what_load_returns(tmp_path: Path) -> None:
    from vinsgrad import nn

    def net() -> nn.Module:
        return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))

    vinsgrad.manual_seed(0)
    model = net()
    model(vinsgrad.randn(8, 4))  # training mode: moves the BatchNorm running stats and its int64 counter
    vinsgrad.save(model.state_dict(), tmp_path / "model.npz")
    vinsgrad.manual_seed(1)
    restored = net()
    restored.load_state_dict(vinsgrad.load(tmp_path / "model.npz"))
    for (name, a), (_, b) in zip(model.state_dict().items(), restored.state_dict().items()):
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    x = vinsgrad.randn(5, 4)
    np.testing.assert_array_equal(model.eval()(x).detach().numpy(), restored.eval()(x).detach().numpy())
