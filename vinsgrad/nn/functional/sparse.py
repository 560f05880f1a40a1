"""``embedding``: rows of a weight matrix picked by integer indices."""

from __future__ import annotations

from vinsgrad.autograd.backend import xp
from vinsgrad.autograd.function import Function
from vinsgrad.autograd.tensor import Tensor


class EmbeddingFn(Function):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None):
        ctx.indices, ctx.shape, ctx.padding_idx = indices, weight.shape, padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        gw = xp.zeros(ctx.shape, dtype=grad.dtype)
        idx, rows = ctx.indices.reshape(-1), grad.reshape(-1, ctx.shape[1])
        if idx.size:
            # NOTE: np.add.at is ~10x slower than sorting the rows by index and summing each run with reduceat;
            # the stable sort keeps every row's additions in their original order (the same sums as add.at)
            order = xp.argsort(idx, kind="stable")
            idx = idx[order]
            starts = xp.flatnonzero(xp.concatenate(([True], idx[1:] != idx[:-1])))
            gw[idx[starts]] = xp.add.reduceat(rows[order], starts, axis=0)
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0  # the padding row never learns
        return gw, None


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ``input`` (any shape).

    Example::

        w = vinsgrad.randn(10, 3)
        F.embedding(vinsgrad.tensor([[1, 2], [4, 9]]), w).shape  # (2, 2, 3)
    """
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got {tuple(weight.shape)}")
    indices = input._data if isinstance(input, Tensor) else xp.asarray(input)
    num = weight.shape[0]
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must hold integer indices, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= num):
        raise IndexError(
            f"embedding: index out of range: indices must be in [0, {num}), got [{indices.min()}, {indices.max()}]"
        )
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"padding_idx must be within [{-num}, {num}) for {num} embeddings, got {padding_idx}")
        padding_idx %= num
    return EmbeddingFn.apply(weight, indices, padding_idx=padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor of shape ``(*tensor.shape, num_classes)`` with 1 at each index of ``tensor`` and 0 elsewhere
    (``num_classes=-1`` takes one more than the largest index).

    Example::

        F.one_hot(vinsgrad.tensor([0, 2]), 3)  # tensor([[1, 0, 0], [0, 0, 1]])
    """
    idx = tensor._data
    if idx.dtype != xp.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of dtype int64, got {idx.dtype}")
    if idx.size and idx.min() < 0:
        raise RuntimeError("one_hot: class values must be non-negative")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("one_hot: can not infer total number of classes from empty tensor")
        num_classes = int(idx.max()) + 1
    elif idx.size and idx.max() >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes={num_classes}, got {idx.max()}")
    return Tensor((idx[..., None] == xp.arange(num_classes)).astype(xp.int64))
