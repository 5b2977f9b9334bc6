"""The map of the talk: one row per concept, in the order of the slides.

``ui/shell.py`` builds the navigation from it, the home page draws a card per row, and
the tests build their page lists from it. A row whose page module does not exist is left
out of all of them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class Concept:
    file: str  # page script in pages/
    title: str
    icon: str  # an emoji: material icons fetch a web font, and the app works offline
    slide: str  # the talk slide it makes live
    blurb: str

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file

    @property
    def url_path(self) -> str:
        return Path(self.file).stem

    @property
    def module(self) -> str:
        """The page's module: its ``main()`` is the page, its ``view(state)`` the view."""
        return f"pages.{self.url_path}"


CONCEPTS: tuple[Concept, ...] = (
    Concept("talk.py", "The talk, live", "🎤", "Every slide",
            "The slides in order with their live views; the room's screens follow yours."),
    Concept("gradient_descent.py", "Gradient descent", "⛰️",
            "Recall: Minimization / Gradient Descent",
            "Tune the parameters to minimise L: x' = x - ε∇f(x), live on a loss surface."),
    Concept("digits.py", "Draw a digit", "✍️", "MNIST - Hello (Deep Learning) World",
            "Draw a digit; a CNN trained on MNIST reads it, and you see what it sees."),
    Concept("convolution.py", "Convolution", "🔲", "Convolution",
            "Slide a kernel over an image, one output cell at a time, with the sums written out."),
    Concept("embeddings.py", "Word embeddings", "🧭", "Word Embeddings (word2vec, GloVe etc.)",
            "Words as vectors: neighbours, analogies, a map of meaning."),
    Concept("char_rnn.py", "Char-RNN", "🎭", "NLP – Char-RNN",
            "A recurrent network that writes Shakespeare, one character at a time."),
    Concept("hotdog.py", "Hot dog or not", "🌭", "Example",
            "A pretrained ImageNet model answers the talk's first question."),
    Concept("splits.py", "Splits and overfitting", "✂️", "Split your data / Overfitting",
            "Train, validation, test: watch a model memorise instead of learn."),
    Concept("fine_tuning.py", "Fine-tuning", "🔧", "Fine-Tuning",
            "Start from a pretrained network and teach it new classes."),
    Concept("cpu_gpu.py", "CPU vs GPU", "⚡", "GPU vs CPU",
            "The same work timed on the processors you have."),
    Concept("jargon.py", "The jargon", "📖", "Learn the jargon",
            "Loss, epoch, learning rate, dropout...: each word next to the page that shows it."),
)


@functools.cache
def available() -> tuple[Concept, ...]:
    """The concepts whose page exists, in talk order. Looked up once per process: the
    pages are the app's code, and every run of every session builds the navigation from
    this (eleven file lookups a run, 6% of a room's server samples on a slide change)."""
    return tuple(c for c in CONCEPTS if c.path.exists())
