"""vinsgrad.onnx.export: each mapped Function checked by running the file in ONNX Runtime at a batch size other than
the traced one; refusals (no mapping, values that bypass the recorded Functions) leave no file behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

import vinsgrad
import vinsgrad.nn as nn
import vinsgrad.nn.functional as F
import vinsgrad.onnx
from vinsgrad.autograd import Function
from vinsgrad.onnx import ExportError


class Lambda(nn.Module):
    def __init__(self, fn: Callable[[vinsgrad.Tensor], vinsgrad.Tensor], **layers: nn.Module) -> None:
        super().__init__()
        self.fn = fn
        for name, layer in layers.items():
            setattr(self, name, layer)

    def forward(self, x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        return self.fn(x)


def run_both(model: nn.Module, shape: tuple[int, ...], path: Path, *, opset: int = 17, ints: int = 0) -> float:
    """Export traced at batch 2, run at batch 3 in ONNX Runtime and in vinsgrad; the largest difference."""
    rng = np.random.default_rng(0)

    def batch(n: int) -> np.ndarray:
        if ints:
            return rng.integers(0, ints, size=(n, *shape))
        return rng.standard_normal((n, *shape)).astype(np.float32)

    model.train()  # export traces in eval mode and puts the mode back
    vinsgrad.onnx.export(model, vinsgrad.tensor(batch(2)), path, opset_version=opset)
    assert model.training
    model.eval()
    x = batch(3)
    (got,) = onnxruntime.InferenceSession(str(path)).run(None, {"input": x})
    with vinsgrad.no_grad():
        expected = model(vinsgrad.tensor(x)).numpy()
    assert got.shape == expected.shape and got.dtype == expected.dtype
    return float(np.max(np.abs(got.astype(np.float64) - expected)))


def mha(x: vinsgrad.Tensor, m: Lambda, causal: bool) -> vinsgrad.Tensor:
    b, t, c = x.shape
    q, k, v = (m.qkv(x).reshape(b, t, 3, 2, c // 2).permute(2, 0, 3, 1, 4)[i] for i in range(3))
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal).transpose(1, 2).reshape(b, t, c)


vinsgrad.manual_seed(0)
CASES: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...]]] = {
    "conv_pool_bn": (
        lambda: nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1, stride=2),
            nn.BatchNorm2d(4),
            nn.LeakyReLU(0.2),
            nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
            nn.AvgPool2d(2, padding=1, count_include_pad=False),
            nn.Conv2d(4, 4, 1, groups=2, bias=False),
            nn.Flatten(),
        ),
        (2, 9, 9),
    ),
    "gelu_layernorm_softmax": (
        lambda: nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.LayerNorm(8), nn.Linear(8, 5), nn.LogSoftmax(dim=1)),
        (6,),
    ),
    "gelu_tanh_3d_linear": (lambda: nn.Sequential(nn.Linear(6, 8), nn.GELU("tanh"), nn.Softmax(dim=-1)), (4, 6)),
    "reductions": (
        lambda: Lambda(
            lambda x: vinsgrad.cat(
                [x.sum(1), x.mean(dim=(1, 2), keepdim=True).squeeze(2), x.amax(1), x.var(1), x.logsumexp(1)], dim=1
            )
        ),
        (3, 4),
    ),
    "elementwise": (
        lambda: Lambda(
            lambda x: (
                ((x.abs() + 1).sqrt().log() * x.exp().clamp(max=2.0) - x.sin() / (x.cos() + 3)) ** 2
                + vinsgrad.maximum(x.tanh(), x.sigmoid())
                - vinsgrad.minimum(x.relu(), 2 - x)
                + 2**x
            )
        ),
        (5,),
    ),
    "movement_and_indexing": (
        lambda: Lambda(
            lambda x: (
                vinsgrad.stack([x[:, 1:3, ::2], F.pad(x, (1, 0))[:, :2, 1:4], x[:, None, -1, :3].expand(-1, 2, 3)], 2)
                .permute(0, 3, 1, 2)
                .reshape(x.shape[0], -1)
                .masked_fill(vinsgrad.tensor(np.arange(18) % 5 == 0), -1.0)
                .gather(1, vinsgrad.tensor(np.arange(6)[None]).expand(x.shape[0], 6))
                .clone()
                .double()
            )
        ),
        (4, 6),
    ),
    "batch_dependent_constant_shape": (
        lambda: Lambda(lambda x: vinsgrad.cat([x, vinsgrad.zeros(x.shape[0], 2) + 1.5], 1)),
        (3,),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_mapped_functions_match_onnx_runtime(name: str, tmp_path: Path) -> None:
    make, shape = CASES[name]
    assert run_both(make(), shape, tmp_path / "m.onnx") < 1e-5


@pytest.mark.parametrize("opset", [17, 20])
def test_gpt_block_embedding_and_causal_attention(opset: int, tmp_path: Path) -> None:
    vinsgrad.manual_seed(0)
    model = Lambda(
        lambda x: model.head(model.norm(mha(model.tok(x) + model.pos(vinsgrad.arange(x.shape[1])), model, True))),
        tok=nn.Embedding(11, 8),
        pos=nn.Embedding(6, 8),
        qkv=nn.Linear(8, 24),
        norm=nn.LayerNorm(8),
        head=nn.Linear(8, 11),
    )
    assert run_both(model, (6,), tmp_path / "gpt.onnx", opset=opset, ints=11) < 1e-5
    ops = {node.op_type for node in onnx.load(str(tmp_path / "gpt.onnx")).graph.node}
    assert {"Gather", "MatMul", "Softmax", "Where", "LayerNormalization"} <= ops


def test_parameters_are_initializers_under_state_dict_names(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).eval()
    vinsgrad.onnx.export(model, vinsgrad.randn(2, 3), tmp_path / "m.onnx")
    graph = onnx.load(str(tmp_path / "m.onnx")).graph
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in graph.initializer}
    assert set(inits) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    np.testing.assert_array_equal(inits["2.weight"], model[2].weight.detach().numpy())
    assert [n.op_type for n in graph.node] == ["Gemm", "Relu", "Gemm", "Identity"]
    assert graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"


class SquareFn(Function):
    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (Lambda(lambda x: SquareFn.apply(x) + 1), "export: SquareFn has no ONNX mapping"),
        (Lambda(lambda x: x * (x > 0)), "export: MulFn takes a value that follows the input or the batch size"),
        (Lambda(lambda x: x + vinsgrad.tensor(np.arange(x.shape[0] * 3.0).reshape(-1, 3))), "export: AddFn takes a"),
        (Lambda(lambda x: x.reshape(2, -1)), "export: the model fails on a batch of 5 after running on 4 (reshape"),
    ],
)
def test_refusals_are_one_line_and_leave_no_file(model: nn.Module, message: str, tmp_path: Path) -> None:
    with pytest.raises(ExportError) as info:
        vinsgrad.onnx.export(model, vinsgrad.randn(4, 3), tmp_path / "m.onnx")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(tmp_path: Path) -> None:
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="opset_version must be an int from 17 to 21, got 12"):
        vinsgrad.onnx.export(model, vinsgrad.randn(2, 2), tmp_path / "m.onnx", opset_version=12)
    with pytest.raises(ValueError, match="example_input must be a Tensor with a batch dimension"):
        vinsgrad.onnx.export(model, np.zeros((2, 2)), tmp_path / "m.onnx")  # type: ignore[arg-type]


class Recurrent(nn.Module):
    def __init__(self, kind: str, **options: object) -> None:
        super().__init__()
        self.rnn = getattr(nn, kind)(3, 5, num_layers=2, batch_first=True, **options)

    def forward(self, x: vinsgrad.Tensor) -> vinsgrad.Tensor:
        return self.rnn(x)[0]


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("LSTM", {}),
        ("LSTM", {"bidirectional": True}),
        ("GRU", {"bidirectional": True}),
        ("RNN", {"nonlinearity": "relu"}),
    ],
)
def test_recurrences_unrolled_over_time(kind: str, options: dict[str, object], tmp_path: Path) -> None:
    vinsgrad.manual_seed(0)
    assert run_both(Recurrent(kind, **options), (4, 3), tmp_path / "rnn.onnx") < 1e-5


def test_the_model_zoo_sequence_models(tmp_path: Path) -> None:
    from vinsgrad.models import GPT, CharLSTM

    vinsgrad.manual_seed(0)
    assert run_both(CharLSTM(11, 8, 16, num_layers=2), (6,), tmp_path / "lstm.onnx", ints=11) < 1e-5
    assert run_both(GPT(11, block_size=6, n_layer=2, n_head=2, n_embd=8), (6,), tmp_path / "gpt.onnx", ints=11) < 1e-5


@pytest.mark.parametrize("opset", [18, 20, 21])
@pytest.mark.parametrize("name", ["gelu_layernorm_softmax", "gelu_tanh_3d_linear", "reductions"])
def test_later_opsets(name: str, opset: int, tmp_path: Path) -> None:
    make, shape = CASES[name]
    assert run_both(make(), shape, tmp_path / "m.onnx", opset=opset) < 1e-5
    ops = {node.op_type for node in onnx.load(str(tmp_path / "m.onnx")).graph.node}
    if name.startswith("gelu"):  # one operator from opset 20, the formula before
        assert ("Gelu" in ops) == (opset >= 20)
