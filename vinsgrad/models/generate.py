"""``generate``: sample tokens one at a time from a language model's next-token logits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from vinsgrad.autograd.grad_mode import no_grad
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import Module
from vinsgrad.random import Generator, rng


def generate(
    model: Module,
    prompt: Sequence[int],
    max_new_tokens: int,
    *,
    block_size: int | None = None,
    temperature: float = 1.0,
    top_k: int | None = None,
    generator: Generator | None = None,
) -> Iterator[int]:
    """Yield ``max_new_tokens`` token ids, each drawn from ``model``'s distribution given the ones before it.

    ``model`` maps (1, T) token ids to (1, T, vocab) logits; it sees at most the last ``block_size`` tokens
    (default: ``model.block_size`` if it has one, else everything). The logits are divided by ``temperature``
    (0 means always the most likely token) and, with ``top_k``, cut to the ``top_k`` most likely tokens. Being
    an iterator, it lets a caller show each token as soon as it exists.

    Example::

        ids = list(generate(model, [0], 100, temperature=0.8, generator=vinsgrad.Generator(1)))
    """
    if len(prompt) == 0:
        raise ValueError("generate: the prompt must hold at least one token")
    if temperature < 0:
        raise ValueError(f"generate: temperature must be >= 0, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"generate: top_k must be >= 1, got {top_k}")
    block_size = block_size or getattr(model, "block_size", None)
    tokens = [int(t) for t in prompt]
    draw = rng(generator)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for _ in range(max_new_tokens):
                context = tokens[-block_size:] if block_size else tokens
                logits = model(Tensor(np.asarray([context], dtype=np.int64)))._data[0, -1].astype(np.float64)
                token = sample_token(logits, temperature, top_k, draw)
                tokens.append(token)
                yield token
    finally:
        model.train(was_training)


def sample_token(logits: np.ndarray, temperature: float, top_k: int | None, draw: np.random.Generator) -> int:
    """One token id from a vector of logits (see ``generate`` for ``temperature`` and ``top_k``)."""
    if temperature == 0:
        return int(logits.argmax())
    logits = logits / temperature
    if top_k is not None and top_k < len(logits):
        cutoff = np.partition(logits, -top_k)[-top_k]
        logits = np.where(logits < cutoff, -np.inf, logits)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return int(draw.choice(len(p), p=p))
