"""``GPT``: a decoder-only transformer for characters (nanoGPT's shape), every line of it readable here.

Token and position embeddings are summed, go through ``n_layer`` pre-norm blocks (causal self-attention, then an
MLP with GELU, each added back to its input), a final LayerNorm, and a head that shares its weight with the token
embedding. The initialisation matters as much as the code: every Linear and Embedding weight is drawn from
N(0, 0.02), biases start at zero, and the projections that write back into the residual stream from
N(0, 0.02 / sqrt(2 n_layer)), so the residual stream's variance does not grow with depth (GPT-2's recipe).
PyTorch's default N(0, 1) embedding makes the same model train several times slower.
"""

from __future__ import annotations

import math

from vinsgrad.autograd.creation import arange
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import GELU, Dropout, Embedding, LayerNorm, Linear, Module, ModuleList, init
from vinsgrad.nn import functional as F


class CausalSelfAttention(Module):
    """Multi-head self-attention where position t sees positions <= t; q, k and v come from one Linear."""

    def __init__(self, n_embd: int, n_head: int, dropout: float, bias: bool) -> None:
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"GPT: n_embd ({n_embd}) must be divisible by n_head ({n_head})")
        self.n_head, self.dropout = n_head, dropout
        self.c_attn = Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = Linear(n_embd, n_embd, bias=bias)
        self.resid_dropout = Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        B, T, C = x.shape
        # (B, T, 3C) -> (3, B, heads, T, head size): one permute, then q, k, v are views along the first axis
        qkv = self.c_attn(x).reshape(B, T, 3, self.n_head, C // self.n_head).permute(2, 0, 3, 1, 4)
        dropout_p = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], dropout_p=dropout_p, is_causal=True)
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).reshape(B, T, C)))


class MLP(Module):
    """The block's feed-forward part: Linear to 4x the width, GELU, Linear back."""

    def __init__(self, n_embd: int, dropout: float, bias: bool) -> None:
        super().__init__()
        self.c_fc = Linear(n_embd, 4 * n_embd, bias=bias)
        self.gelu = GELU(approximate="tanh")  # GPT-2's GELU; the exact one needs erf, slow in NumPy
        self.c_proj = Linear(4 * n_embd, n_embd, bias=bias)
        self.dropout = Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(Module):
    """A pre-norm transformer block: ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``."""

    def __init__(self, n_embd: int, n_head: int, dropout: float, bias: bool) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, bias=bias)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout, bias)
        self.ln_2 = LayerNorm(n_embd, bias=bias)
        self.mlp = MLP(n_embd, dropout, bias)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(Module):
    """A character-level GPT: (B, T) token ids with T <= ``block_size`` -> (B, T, ``vocab_size``) next-token logits.

    Args:
        vocab_size: number of distinct tokens (a config takes it from the dataset).
        block_size: the longest context; position embeddings exist for positions 0..block_size-1.
        n_layer, n_head, n_embd: depth, attention heads per block, width (divisible by ``n_head``).
        dropout: on the embeddings, the attention weights, and each residual branch (0 for small data).
        bias: whether the Linear and LayerNorm layers have biases.

    Example::

        model = GPT(65, block_size=128, n_layer=4, n_head=4, n_embd=128)
        logits = model(vinsgrad.zeros(2, 10, dtype=vinsgrad.int64))  # (2, 10, 65)
    """

    def __init__(
        self,
        vocab_size: int,
        block_size: int = 128,
        n_layer: int = 4,
        n_head: int = 4,
        n_embd: int = 128,
        dropout: float = 0.0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("block_size", block_size), ("n_layer", n_layer),
                            ("n_head", n_head), ("n_embd", n_embd)):  # fmt: skip
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"GPT: {name} must be a positive integer, got {value!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"GPT: dropout must be in [0, 1), got {dropout}")
        self.vocab_size, self.block_size = vocab_size, block_size
        self.wte = Embedding(vocab_size, n_embd)
        self.wpe = Embedding(block_size, n_embd)
        self.drop = Dropout(dropout)
        self.h = ModuleList([Block(n_embd, n_head, dropout, bias) for _ in range(n_layer)])
        self.ln_f = LayerNorm(n_embd, bias=bias)
        self.lm_head = Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied: one matrix embeds tokens and scores them
        self.reset_parameters(n_layer)

    def reset_parameters(self, n_layer: int) -> None:
        """N(0, 0.02) weights, zero biases, N(0, 0.02 / sqrt(2 n_layer)) for the residual projections."""
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layer))
            elif name.endswith("bias"):  # LayerNorm biases start at zero anyway
                init.zeros_(p)
            elif p.ndim == 2:
                init.normal_(p, 0.0, 0.02)

    def forward(self, idx: Tensor) -> Tensor:
        if idx.ndim != 2:
            raise ValueError(f"GPT: expected token ids of shape (batch, time), got shape {tuple(idx.shape)}")
        T = idx.shape[1]
        if self.block_size < T:
            raise ValueError(f"GPT: sequence length {T} exceeds block_size {self.block_size}; crop the context")
        x = self.drop(self.wte(idx) + self.wpe(arange(T)))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))
