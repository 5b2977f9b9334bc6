"""The jargon of the talk and of this app: one plain sentence per term, and the view that
shows it, as a link built from that page's state table (``codec.link_to``).

Links are resolved when drawn (:func:`href`): a page that is not installed gives no link,
and a field its table does not have raises, so a renamed field breaks a test, not a talk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ui import catalog, codec


@dataclass(frozen=True)
class Term:
    id: str  # its link: jargon?term=<id>
    name: str
    sentence: str
    page: str  # url path of the page that shows it
    fields: dict = field(default_factory=dict)  # that page's settings for the view


_TINY_BIG = {"train_size": 200, "width": 512, "depth": 2, "epochs": 40}
TERMS: tuple[Term, ...] = (
    Term("loss", "Loss", "One number that says how wrong the predictions are; training is "
         "making it small.", "gradient_descent"),
    Term("gradient", "Gradient", "The direction in which the loss rises fastest, one slope per "
         "parameter; a step against it lowers the loss.", "gradient_descent", {"mode": "1d"}),
    Term("learning-rate", "Learning rate", "How big a step against the gradient each update "
         "takes: too small crawls, too large overshoots.", "gradient_descent",
         {"opts": ("gd",), "lr_exp": -0.75}),
    Term("optimizer", "Optimizer", "The rule that turns gradients into updates: plain gradient "
         "descent, momentum, Adam...", "gradient_descent"),
    Term("batch", "Batch", "The handful of examples whose average gradient makes one update; "
         "smaller batches give noisier steps.", "gradient_descent",
         {"mode": "model", "opts": ("gd", "momentum"), "lr_exp": -1.3, "batch": 4}),
    Term("epoch", "Epoch", "One pass of training over every example of the training set.",
         "splits"),
    Term("split", "Split (train / validation / test)", "Training examples fit the weights, "
         "validation examples choose the settings, test examples are kept for one final "
         "score.", "splits"),
    Term("accuracy", "Accuracy", "The share of examples the model gets right.", "splits"),
    Term("overfitting", "Overfitting", "Learning the training examples by heart instead of the "
         "pattern: training scores keep rising while validation scores stall or fall.",
         "splits", {**_TINY_BIG, "early_stopping": False}),
    Term("dropout", "Dropout", "Switching off a random share of the units at each training "
         "step, so that no unit can count on another; a regulariser.", "splits",
         {**_TINY_BIG, "early_stopping": False, "dropout": 0.5, "weight_decay": 0.01}),
    Term("early-stopping", "Early stopping", "Stopping training when the validation loss has "
         "not improved for a few epochs, and keeping the best epoch's weights.", "splits",
         {**_TINY_BIG, "early_stopping": True}),
    Term("layer", "Layer", "One stage of a network: it turns its input into a new set of "
         "numbers that the next stage reads.", "digits"),
    Term("mlp", "MLP (multilayer perceptron)", "A network made only of fully connected layers "
         "with non-linearities between them.", "splits", {"depth": 2}),
    Term("fully-connected", "Fully connected (dense) layer", "A layer in which every output is "
         "a weighted sum of every input.", "digits"),
    Term("convolution", "Convolution", "Sliding a small grid of weights (a kernel) over an "
         "image and taking a weighted sum at every position.", "convolution"),
    Term("pooling", "Pooling", "Shrinking an image by keeping one number (the largest, or the "
         "mean) of each small window.", "convolution", {"op": "max-pool"}),
    Term("rnn", "RNN (recurrent network)", "A network that reads a sequence one step at a time, "
         "carrying a memory of what it has read so far.", "char_rnn", {"stage": "100"}),
    Term("lstm", "LSTM", "A recurrent network whose memory has gates that learn what to keep, "
         "what to forget and what to output.", "char_rnn", {"colour": True}),
    Term("temperature", "Temperature", "When sampling, dividing the scores before the softmax: "
         "low temperature plays safe, high temperature takes risks.", "char_rnn",
         {"temperature": 1.5}),
    Term("embedding", "Embedding", "A learned vector of numbers for each word (or item), placed "
         "so that similar meanings lie close together.", "embeddings", {"view": "analogy"}),
    Term("fine-tuning", "Fine-tuning", "Starting from a network trained on a large data set and "
         "training it a little more on a new, smaller task.", "fine_tuning",
         {"mode": "last block"}),
    Term("gpu", "GPU", "A processor with thousands of small cores that multiplies big matrices "
         "far faster than a CPU: what training larger models wants.", "cpu_gpu"),
)
BY_ID = {t.id: t for t in TERMS}


def page_installed(page: str) -> bool:
    return any(c.url_path == page for c in catalog.available())


def page_title(page: str) -> str:
    return next((c.title for c in catalog.CONCEPTS if c.url_path == page), page)


def href(term: Term) -> str | None:
    """The link to the view that shows ``term``; None while its page is not installed."""
    if not page_installed(term.page):
        return None
    return codec.link_to(term.page, **term.fields)


def search(query: str) -> list[Term]:
    """Terms whose name, id or sentence holds ``query`` (any case); all for an empty one."""
    q = " ".join(query.lower().split())
    return [t for t in TERMS if not q or q in t.name.lower() or q in t.id.replace("-", " ")
            or q in t.sentence.lower()]


def random_term(seed: int) -> str:
    """The term a seed draws: the same seed, the same term on every laptop."""
    return TERMS[int(np.random.default_rng(seed).integers(len(TERMS)))].id
