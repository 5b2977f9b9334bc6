"""A word2vec trained here, on Shakespeare, in well under a minute on two CPU cores.

Mikolov et al. 2013, "Efficient Estimation of Word Representations in Vector Space":
continuous bag of words (predict a word from the words around it) with negative
sampling, through gensim's ``Word2Vec``. One worker thread, so that a seed gives the same
vectors bit for bit (gensim's threads interleave updates in a different order each run).
The vectors go to ``assets/`` in word2vec's own binary format, readable by gensim
(``KeyedVectors.load_word2vec_format(path, binary=True)``) and by the original C tools.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from gensim.models import Word2Vec
from gensim.models.callbacks import CallbackAny2Vec

from dlcore import training
from dlcore.embeddings.corpus import corpus


@dataclass
class Config:
    vector_size: int = 100
    window: int = 5
    min_count: int = 5
    sg: int = 0  # 0: CBOW, 1: skip-gram
    negative: int = 5
    epochs: int = 10
    seed: int = 0
    workers: int = 1


class _Report(CallbackAny2Vec):
    """Turns gensim's epoch ends into :class:`dlcore.training.Progress` for a callback."""

    def __init__(self, epochs: int, callback: training.Callback | None):
        self.epochs, self.callback, self.epoch = epochs, callback, 0
        self.start, self.loss_before = time.perf_counter(), 0.0

    def on_epoch_end(self, model):
        self.epoch += 1
        total = model.get_latest_training_loss()
        loss, self.loss_before = total - self.loss_before, total
        if self.callback:
            self.callback(training.Progress(self.epoch, self.epochs, loss,
                                            time.perf_counter() - self.start,
                                            epoch=self.epoch, epochs=self.epochs))


def train(data_dir: str | Path, config: Config | None = None,
          callback: training.Callback | None = None, dry_run: bool = False
          ) -> tuple[Word2Vec, dict]:
    """Train on the Shakespeare archive in ``data_dir``; returns the model and its card facts.

    ``dry_run`` trains one epoch on the first 500 speeches, to check that everything runs.
    """
    config = config or Config()
    sentences = corpus(data_dir)
    epochs = 1 if dry_run else config.epochs
    if dry_run:
        sentences = sentences[:500]
    start = time.perf_counter()
    params = {k: v for k, v in asdict(config).items() if k != "epochs"}
    model = Word2Vec(sentences, **params, epochs=epochs, compute_loss=True,
                     callbacks=[_Report(epochs, callback)])
    facts = {
        "config": asdict(config) | {"epochs": epochs},
        "speeches": len(sentences),
        "tokens": sum(map(len, sentences)),
        "vocabulary": len(model.wv),
        "seconds": round(time.perf_counter() - start, 1),
    }
    return model, facts
