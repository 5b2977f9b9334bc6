"""The models that the server caches once for every session (``st.cache_resource``) are never
changed by using them: their weights hash the same before and after a round of heavy use
(drawing sources, sampling text at every stage, classifying every demo photo, fine-tuning
the last block of the shared ImageNet network), and equal the shipped weights.

The pages run in AppTest in this process, so the cached models live here: they are found
among the live objects by their classes, after the pages have loaded them (the char-RNN
page keeps each checkpoint as a NumPy ``Writer``, hashed by its arrays).
"""

from __future__ import annotations

import gc
import hashlib

import numpy as np
import pytest
import torch

from tests.harness import open_page

WATCHED = {"DigitCNN", "DigitMLP", "EfficientNet", "Writer"}


def _arrays(value, name: str):
    if isinstance(value, torch.Tensor):
        yield name, value.detach().cpu().contiguous().numpy()
    elif isinstance(value, np.ndarray):
        yield name, np.ascontiguousarray(value)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _arrays(v, f"{name}.{i}")


def digest(model) -> str:
    """SHA-256 of a model's weights: a module's state_dict, or a Writer's arrays."""
    items = (model.state_dict().items() if isinstance(model, torch.nn.Module)
             else vars(model).items())
    h, n = hashlib.sha256(), 0
    for name, value in sorted(items):
        for key, a in _arrays(value, name):
            h.update(key.encode() + str(a.dtype).encode() + str(a.shape).encode())
            h.update(a.tobytes())
            n += 1
    assert n, f"no weights found in {type(model).__name__}"
    return h.hexdigest()


def cached_models() -> list:
    """Every whole model of the watched kinds alive in this process (not their layers)."""
    return [o for o in gc.get_objects() if type(o).__name__ in WATCHED
            and type(o).__module__.startswith(("dlcore.", "efficientnet_lite_pytorch"))]


def ok(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


@pytest.mark.slow
def test_cached_weights_do_not_change_with_use():
    from dlcore.charrnn import model as charrnn_model
    from dlcore.charrnn.sample import Writer
    from dlcore.digits import model as digits_model
    from dlcore.finetune import imagenet

    for page in ("digits.py", "char_rnn.py", "hotdog.py", "fine_tuning.py"):
        ok(open_page(f"pages/{page}"))
    models = cached_models()
    kinds = {type(m).__name__ for m in models}
    assert kinds == WATCHED, kinds
    assert sum(type(m).__name__ == "Writer" for m in models) >= 4  # every stage
    before = {id(m): digest(m) for m in models}
    # the cached ones hold the shipped weights
    shipped = {digest(digits_model.load(k)[0]) for k in ("cnn", "mlp")} | {
        digest(imagenet.load_model()), digest(Writer(charrnn_model.load()[0]))}
    assert shipped <= set(before.values())
    # the server's cached ones (other tests of a full run may hold models of their own)
    models = [m for m in models if before[id(m)] in shipped or type(m).__name__ == "Writer"]

    for source in ("test digit", "mistakes"):
        ok(open_page("pages/digits.py", {"source": source, "seed": "1", "rotate": "30",
                                         "stroke": "2"}))
    for stage in ("100", "final"):
        ok(open_page("pages/char_rnn.py", {"stage": stage, "prime": "To be, or ",
                                           "temperature": "1.5", "length": "120",
                                           "colour": "true", "seed": "3"}))
    for picture in ("hot dog", "cat", "coffee"):
        ok(open_page("pages/hotdog.py", {"picture": picture}))
    at = open_page("pages/fine_tuning.py", {"mode": "last block", "steps": "5", "per_class": "2"},
                   timeout=300)
    ok(at)
    trained = [b for b in at.button if b.label == "Train both"]
    assert trained, [b.label for b in at.button]
    at = trained[0].click().run(timeout=300)
    ok(at)
    assert not [i for i in at.info if "Train both" in i.value]  # it did train

    after = {id(m): digest(m) for m in models}
    changed = [type(m).__name__ for m in models if before[id(m)] != after[id(m)]]
    assert not changed, f"cached weights changed by use: {changed}"
    assert all(not p.requires_grad for m in models if isinstance(m, torch.nn.Module)
               for p in m.parameters())
