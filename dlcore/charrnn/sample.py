"""Writing with the model, one character at a time, and reading back what it thought.

Stepping ``nn.LSTM`` one character at a time costs about 1 ms per call on a CPU (oneDNN's
per-call set-up), so :class:`Writer` runs the same maths with the same weights as a few
NumPy operations per layer (an LSTM cell as in Hochreiter & Schmidhuber 1997 with a forget
gate, in ``nn.LSTM``'s gate order i, f, g, o):

    i, f, o = sigmoid(...),  g = tanh(W x + U h + b),  c' = f c + i g,  h' = o tanh(c')

Two exact rewrites make it cheap: the first layer's input product ``W_ih E[x]`` is a table
looked up by character, and ``sigmoid(z) = (1 + tanh(z / 2)) / 2`` lets one ``tanh`` serve
all four gates once the i, f, o rows are halved (and put side by side). ``tests/test_charrnn.py`` checks the cell
against ``nn.LSTM`` on the same weights.

Sampling (Karpathy's char-rnn ``sample.lua``): divide the scores by the temperature, keep
the ``top_k`` best, draw from the softmax (:func:`next_char_probs`; drawn by the Gumbel-max
trick); temperature 0 takes the best character (greedy). The draws come from a seeded
NumPy generator, so the same seed writes the same text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from dlcore.charrnn.corpus import ALPHABET, INDEX
from dlcore.charrnn.model import CharRNN

MAX_LENGTH = 5000  # characters one request may write
# Below this temperature softmax(z / T) is already all on the best character in float32
# and float64 (any two different logits are further apart than 1e-7 * T * 700), while
# z / T itself would overflow to inf and nan: such a temperature is greedy (issue 23:
# ?temperature=5e-324 gave nan probabilities).
GREEDY_BELOW = 1e-30


def next_char_probs(logits: np.ndarray, temperature: float = 1.0, top_k: int = 0
                    ) -> np.ndarray:
    """The distribution the sampler draws from: softmax(logits / T) over the ``top_k`` best
    (0: all); temperature 0 puts all the mass on the best character."""
    logits = np.asarray(logits, dtype=np.float64)
    if temperature < GREEDY_BELOW:
        p = np.zeros_like(logits)
        p[np.argmax(logits)] = 1.0
        return p
    z = logits / temperature
    if 0 < top_k < len(z):
        z = np.where(z >= np.partition(z, -top_k)[-top_k], z, -np.inf)
    z = np.exp(z - z.max())
    return z / z.sum()


def draw(logits: np.ndarray, temperature: float, top_k: int, gumbel: np.ndarray,
         work: np.ndarray) -> int:
    """One character drawn from :func:`next_char_probs` given Gumbel(0, 1) noise
    (``work``: a scratch array like ``logits``)."""
    if temperature < GREEDY_BELOW:
        return int(np.argmax(logits))
    np.multiply(logits, 1.0 / temperature, out=work)
    if 0 < top_k < len(work):
        work[work < np.partition(work, -top_k)[-top_k]] = -np.inf
    work += gumbel
    return int(np.argmax(work))


class State:
    """An LSTM's state for :class:`Writer`: every layer's ``h`` side by side in one vector
    (so a layer's input ``[h below | own h]`` is a slice, not a copy), its ``c``, and
    scratch space for the gates; the views are made once, not at every step."""

    def __init__(self, layers: int, size: int):
        H = size
        self.hs = np.zeros(layers * H, np.float32)
        self.c = np.zeros((layers, H), np.float32)
        self.gates = np.zeros((layers, 4 * H), np.float32)
        self.views = []
        for k in range(layers):
            g = self.gates[k]
            inputs = self.hs[:H] if k == 0 else self.hs[(k - 1) * H:(k + 1) * H]
            self.views.append((inputs, g, g[:3 * H], g[:H], g[H:2 * H], g[2 * H:3 * H],
                               g[3 * H:], self.c[k], self.hs[k * H:(k + 1) * H]))

    @property
    def h(self) -> np.ndarray:
        """Every layer's hidden units, ``(layers, size)``."""
        return self.hs.reshape(self.c.shape)


@dataclass
class Trace:
    """What the model thought while reading ``text``: after each character ``t``, the
    scores for the next one (``logits[t]``) and every layer's hidden units
    (``hidden[layer, t]``, each in [-1, 1])."""
    text: str
    logits: np.ndarray  # (len(text), vocab) float32
    hidden: np.ndarray  # (layers, len(text), hidden) float32


class Writer:
    """A trained :class:`CharRNN`'s weights as a fast single-sequence LSTM (NumPy, float32).

    Read-only once built, so one instance may serve every session of the app.
    """

    def __init__(self, model: CharRNN):
        config = model.config
        self.layers, self.size = config.layers, config.hidden
        H = config.hidden
        # Rows reordered from nn.LSTM's (i, f, g, o) to (i, f, o, g), and the sigmoid rows
        # halved, so that one tanh over the gates gives all three sigmoids in a block.
        order = torch.cat([torch.arange(0, 2 * H), torch.arange(3 * H, 4 * H),
                           torch.arange(2 * H, 3 * H)])
        half = torch.ones(4 * H)
        half[:3 * H] = 0.5
        lstm = model.lstm

        def p(name: str, layer: int) -> torch.Tensor:
            return getattr(lstm, f"{name}_l{layer}").detach().float()[order]

        def rows(w: torch.Tensor) -> np.ndarray:
            return (w * (half if w.dim() == 1 else half[:, None])).numpy().copy()

        with torch.no_grad():
            emb = model.embed.weight.detach().float()
            bias = (p("bias_ih", 0) + p("bias_hh", 0))[:, None]
            # (vocab, 4H): the first layer's W_ih E[x] + b, looked up by character
            self.table = rows(p("weight_ih", 0) @ emb.T + bias).T.copy()
            self.w_hh0 = rows(p("weight_hh", 0))
            self.w = [None] + [rows(torch.cat([p("weight_ih", k), p("weight_hh", k)], 1))
                               for k in range(1, self.layers)]
            self.b = [None] + [rows(p("bias_ih", k) + p("bias_hh", k))
                               for k in range(1, self.layers)]
            self.w_head = model.head.weight.detach().float().numpy().copy()
            self.b_head = model.head.bias.detach().float().numpy().copy()
        for a in (self.table, self.w_hh0, self.w_head, self.b_head, *self.w[1:], *self.b[1:]):
            a.setflags(write=False)

    # ------------------------------------------------------------------ the cell
    def new_state(self) -> State:
        return State(self.layers, self.size)

    def step(self, state: State, index: int, logits: np.ndarray) -> None:
        """Read character ``index``: update ``state`` in place, write the next scores."""
        for k, (inputs, g, sig, i, f, o, gg, c, h) in enumerate(state.views):
            if k == 0:
                np.dot(self.w_hh0, inputs, out=g)
                g += self.table[index]
            else:  # inputs = [h of the layer below, already updated | own h, still old]
                np.dot(self.w[k], inputs, out=g)
                g += self.b[k]
            np.tanh(g, out=g)
            sig += 1.0  # sigmoid(x) = (1 + tanh(x / 2)) / 2 on the halved rows
            sig *= 0.5
            c *= f
            i *= gg
            c += i
            np.tanh(c, out=h)
            h *= o
        np.dot(self.w_head, state.views[-1][-1], out=logits)
        logits += self.b_head

    # ------------------------------------------------------------------ reading and writing
    def trace(self, text: str) -> Trace:
        """Read ``text`` (model alphabet only) from a zero state; keep scores and units."""
        state, logits = self.new_state(), np.zeros(len(ALPHABET), np.float32)
        all_logits = np.zeros((len(text), len(ALPHABET)), np.float32)
        hidden = np.zeros((self.layers, len(text), self.size), np.float32)
        for t, ch in enumerate(text):
            self.step(state, INDEX[ch], logits)
            all_logits[t] = logits
            hidden[:, t] = state.h
        return Trace(text, all_logits, hidden)

    def write(self, prime: str, length: int, temperature: float = 1.0, top_k: int = 0,
              seed: int = 0) -> Iterator[str]:
        """Characters written after ``prime`` (model alphabet; empty: a newline), one at a
        time. Same prime, settings and seed: same text."""
        if not 0 <= length <= MAX_LENGTH:
            raise ValueError(f"length must be between 0 and {MAX_LENGTH}")
        prime = prime or "\n"
        state, logits = self.new_state(), np.zeros(len(ALPHABET), np.float32)
        for ch in prime:
            self.step(state, INDEX[ch], logits)
        # Gumbel-max: argmax(z / T + g) with g ~ Gumbel(0, 1) is a draw from softmax(z / T)
        # (Gumbel 1954; Maddison et al. 2014), three array operations per character.
        noise = np.random.default_rng(seed).gumbel(size=(length, len(ALPHABET)))
        noise = noise.astype(np.float32)
        z = np.empty_like(logits)
        for t in range(length):
            index = draw(logits, temperature, top_k, noise[t], z)
            yield ALPHABET[index]
            self.step(state, index, logits)

    def sample(self, prime: str, length: int, temperature: float = 1.0, top_k: int = 0,
               seed: int = 0) -> str:
        return "".join(self.write(prime, length, temperature, top_k, seed))
