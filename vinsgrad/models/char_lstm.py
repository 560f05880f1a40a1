"""``CharLSTM``: a character language model, Embedding -> LSTM -> Linear (the model of char-rnn)."""

from __future__ import annotations

from vinsgrad.autograd.tensor import Tensor
from vinsgrad.nn import LSTM, Dropout, Embedding, Linear, Module


class CharLSTM(Module):
    """(B, T) token ids -> (B, T, ``vocab_size``) next-token logits through a ``num_layers``-deep LSTM.

    Args:
        vocab_size: number of distinct tokens (a config takes it from the dataset).
        embedding_dim: width of the token embedding.
        hidden_size: the LSTM's state size.
        num_layers: stacked LSTM layers.
        dropout: between LSTM layers and before the output layer.

    Example::

        model = CharLSTM(65, embedding_dim=64, hidden_size=256, num_layers=2)
        logits = model(vinsgrad.zeros(2, 10, dtype=vinsgrad.int64))  # (2, 10, 65)
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 64,
        hidden_size: int = 256,
        num_layers: int = 2,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.embedding = Embedding(vocab_size, embedding_dim)
        self.lstm = LSTM(embedding_dim, hidden_size, num_layers, batch_first=True, dropout=dropout)
        self.drop = Dropout(dropout)
        self.fc = Linear(hidden_size, vocab_size)

    def forward(self, idx: Tensor) -> Tensor:
        if idx.ndim != 2:
            raise ValueError(f"CharLSTM: expected token ids of shape (batch, time), got shape {tuple(idx.shape)}")
        output, _ = self.lstm(self.embedding(idx))
        return self.fc(self.drop(output))
