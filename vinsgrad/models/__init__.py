"""Named architectures: the models vinsgrad's configs ship with, as ordinary Modules a reader can open.

Each takes the size of its output first (``num_classes`` or ``vocab_size``, which a config gets from the dataset),
so ``model: {type: GPT, n_layer: 4}`` in a config is ``GPT(vocab_size, n_layer=4)`` here. The language models map
a (B, T) int64 batch of token ids to (B, T, vocab_size) logits; ``generate`` samples from them.

Example::

    model = vinsgrad.models.GPT(vocab_size=65, n_layer=2, n_head=2, n_embd=32, block_size=64)
    logits = model(vinsgrad.zeros(4, 64, dtype=vinsgrad.int64))  # (4, 64, 65)
"""

from vinsgrad.models.char_lstm import CharLSTM
from vinsgrad.models.cnn import CNN
from vinsgrad.models.generate import generate
from vinsgrad.models.gpt import GPT
from vinsgrad.models.mlp import MLP

__all__ = ["CNN", "GPT", "MLP", "CharLSTM", "generate"]
