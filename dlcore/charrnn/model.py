"""The character model: embedding, a stacked LSTM, a linear read-out to 78 characters.

Karpathy's char-rnn (``LSTM.lua``, 2015) in torch: the network reads one character, keeps
a cell state ``c`` and a hidden state ``h`` per layer, and scores every character as the
next one. Checkpoints go through :mod:`dlcore.training` (``weights_only=True``); the
weights are stored in float16 (half the bytes, validation loss unchanged to 1e-4, checked
by ``evaluate``) and used in float32.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from dlcore import training
from dlcore.charrnn.corpus import ALPHABET
from dlcore.paths import asset, read_asset

#: The shipped checkpoints, by training stage; the last one is the model.
FINAL = "charrnn.pt"


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int = len(ALPHABET)
    embed: int = 64
    hidden: int = 256
    layers: int = 2
    dropout: float = 0.1


class CharRNN(nn.Module):
    def __init__(self, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed)
        self.lstm = nn.LSTM(config.embed, config.hidden, config.layers, batch_first=True,
                            dropout=config.dropout if config.layers > 1 else 0.0)
        self.drop = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden, config.vocab_size)

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Logits ``(batch, time, vocab)`` for indices ``x`` ``(batch, time)``, and the state."""
        out, state = self.lstm(self.embed(x), state)
        return self.head(self.drop(out)), state


@torch.no_grad()
def loss_on(model: CharRNN, indices: torch.Tensor, streams: int = 32, chunk: int = 256,
            autocast: bool = False) -> tuple[float, int]:
    """Mean cross-entropy (nats per character) of predicting ``indices[1:]``, and how many.

    The text is cut into ``streams`` contiguous pieces read side by side, the state
    carried from chunk to chunk, so every character after the first of a piece is predicted
    with all of its piece before it (as a reader of the play would).
    """
    model.eval()
    n = (len(indices) - 1) // streams
    x = indices[: n * streams].view(streams, n)
    y = indices[1: n * streams + 1].view(streams, n)
    total, state = 0.0, None
    for i in range(0, n, chunk):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            logits, state = model(x[:, i:i + chunk], state)
        total += F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]),
                                 y[:, i:i + chunk].reshape(-1), reduction="sum").item()
    return total / (n * streams), n * streams


def save(path: str | Path, model: CharRNN, meta: dict[str, Any]) -> Path:
    """Weights in float16 with the config and ``meta`` (stage, metrics, data, seed)."""
    half = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    return training.save(path, half, {"config": asdict(model.config), "alphabet": ALPHABET,
                                      **meta})


def load(path: str | Path | None = None) -> tuple[CharRNN, dict[str, Any]]:
    """A saved model in eval mode (float32) and its metadata; default: the shipped model."""
    def read(path: Path) -> tuple[CharRNN, dict[str, Any]]:
        state, meta = training.load(path)
        if meta.get("alphabet") != ALPHABET:
            raise ValueError(f"{path} was trained on another alphabet")
        model = CharRNN(ModelConfig(**meta["config"]))
        model.load_state_dict({k: v.float() for k, v in state.items()})
        return model.eval(), meta

    return read_asset(asset(FINAL) if path is None else path, read)


def bits(nats: float) -> float:
    return nats / math.log(2)
