"""Hidden units worth looking at, found by measuring, not by eye.

Karpathy's blog shows LSTM cells that track quotes, line length and position in a
sentence; Karpathy, Johnson & Fei-Fei, "Visualizing and Understanding Recurrent Networks"
(2015) find them by correlating each unit with a property of the text. Here the same:
the model reads a passage of the held-out works, and for each property below the unit
whose activation (``h``, in [-1, 1]) correlates best with it, in absolute value, is kept
with that correlation (its sign says which way the unit points).

The properties are the play format's: inside a stage direction ``[...]``, inside a
speaker's name (``Macb.`` on its own line), how far into the line we are, and whether a
letter is inside a word.
"""

from __future__ import annotations

import re

import numpy as np

from dlcore.charrnn.sample import Writer

#: Feature name -> what a high value means, for the page's list.
FEATURES = {
    # The unit found for stage directions is as negative on speakers' names (measured on
    # the held-out works by tests/test_char_rnn_page.py): it marks what is not spoken.
    "stage_direction": "not dialogue: negative in [stage directions] and speakers' names "
                       "alike, positive in the spoken lines",
    "speaker_name": "inside a speaker's name, the line before a speech",
    "line_position": "how far into the line (grows along a line, resets at a newline)",
    "inside_word": "inside a word (letters) rather than between words",
}


def features(text: str) -> dict[str, np.ndarray]:
    """Each property's value at every character of ``text``, as float arrays."""
    n = len(text)
    bracket = np.zeros(n)
    depth = 0
    for t, ch in enumerate(text):
        if ch == "[":
            depth = 1
        bracket[t] = depth
        if ch == "]":
            depth = 0
    speaker = np.zeros(n)
    # A speaker line: after a blank line (or the start), a short name ending in a full stop.
    for m in re.finditer(r"(?:^|\n\n)([A-Z][A-Za-z' ]{0,30}\.)\n", text):
        speaker[m.start(1):m.end(1)] = 1
    position = np.zeros(n)
    col = 0
    for t, ch in enumerate(text):
        col = 0 if ch == "\n" else col + 1
        position[t] = col
    word = np.array([ch.isalpha() for ch in text], dtype=float)
    return {"stage_direction": bracket, "speaker_name": speaker, "line_position": position,
            "inside_word": word}


def correlations(hidden: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson correlation of every unit ``hidden[layer, t, unit]`` with ``feature[t]``."""
    h = hidden - hidden.mean(axis=1, keepdims=True)
    f = feature - feature.mean()
    denom = np.sqrt((h ** 2).sum(axis=1) * (f ** 2).sum()) + 1e-12
    return np.einsum("ltu,t->lu", h, f) / denom


def find(writer: Writer, text: str) -> list[dict]:
    """For each property, the unit that follows it best: layer, unit, correlation."""
    trace = writer.trace(text)
    found = []
    for name, values in features(text).items():
        r = correlations(trace.hidden.astype(np.float64), values)
        layer, unit = np.unravel_index(np.argmax(np.abs(r)), r.shape)
        found.append({"feature": name, "description": FEATURES[name], "layer": int(layer),
                      "unit": int(unit), "correlation": round(float(r[layer, unit]), 3)})
    return found
