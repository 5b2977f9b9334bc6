"""The browser's digit readers (``ui/components/digits_net.js``) against torch, in Chromium.

The same 28x28 input gives the same ten probabilities as ``dlcore.digits.model`` within
1e-4 (the 300 shipped test digits, both networks), the browser's preparation of a canvas
gives the same 28x28 as ``dlcore.digits.preprocess`` (within 1e-3 before rounding, so at
most one grey level apart after) and the same reasons for an empty canvas, and the file the
browser reads was exported from the shipped ``.pt`` files (by SHA-256).
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from dlcore import paths
from dlcore.digits import export, preprocess
from dlcore.digits import model as digits_model
from tests.harness import REPO, STROKES, canvas

pytestmark = pytest.mark.browser
NET_JS = REPO / "ui" / "components" / "digits_net.js"


def test_the_exported_file_is_the_shipped_weights():
    assert export.OUT.exists(), "run python -m dlcore.digits export"
    assert export.is_current(export.OUT), (
        "static/digits_nets.bin was not exported from the shipped .pt files: "
        "run python -m dlcore.digits export")
    assert export.OUT.read_bytes() == export.build()  # and holds exactly their tensors
    assert export.OUT.stat().st_size < 1_000_000  # the page's first open grows < 1 MB


def test_a_changed_weight_file_is_noticed(tmp_path):
    changed = tmp_path / "digits_cnn.pt"
    changed.write_bytes(digits_model.WEIGHTS["cnn"].read_bytes() + b"\0")
    assert not export.is_current(export.OUT, {**digits_model.WEIGHTS, "cnn": changed})
    assert not export.is_current(tmp_path / "missing.bin")


@pytest.fixture(scope="module")
def net_page(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.add_script_tag(content=NET_JS.read_text() + "\nwindow.DigitNet = DigitNet;")
    pg.evaluate("""b64 => {
        const bin = atob(b64), bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        window.nets = DigitNet.parse(bytes.buffer);
    }""", base64.b64encode(export.OUT.read_bytes()).decode())
    yield pg
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_browser_probabilities_equal_torch(net_page, kind):
    sample = np.load(paths.asset("mnist_sample.npz"))["images"]
    model, _ = digits_model.load(kind)
    torch_probs = digits_model.predict_proba(model, sample)
    browser_probs = np.array(net_page.evaluate(
        "([kind, digits]) => digits.map(d => DigitNet.probabilities(nets, kind, d))",
        [kind, sample.reshape(len(sample), -1).tolist()]))
    assert browser_probs.shape == (300, 10)
    assert np.abs(browser_probs - torch_probs).max() < 1e-4
    assert (browser_probs.argmax(1) == torch_probs.argmax(1)).all()


def drawings() -> dict[str, np.ndarray]:
    """Canvas drawings (RGBA, the ink in alpha) of several digits, sizes, places and pens."""
    out = {}
    for digit, strokes in STROKES.items():
        for scale, offset, width in [(1.0, (0, 0), 20), (0.5, (20, 30), 12), (0.7, (90, 10), 26),
                                     (0.35, (160, 150), 8), (1.0, (-40, 0), 20)]:
            out[f"{digit}@{scale},{offset},{width}"] = canvas(strokes, offset=offset,
                                                            scale=scale, width=width)
    out["dot"] = canvas([[(140, 140), (142, 141)]], width=10)
    out["empty"] = canvas([])
    out["painted"] = canvas([[(0, y), (280, y)] for y in range(0, 280, 20)], width=30)
    return out


@pytest.mark.slow
def test_browser_preparation_equals_preprocess(net_page):
    pictures = drawings()
    results = net_page.evaluate(
        """pics => pics.map(b64 => {
            const a = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const r = DigitNet.prepare(a, 280, 280);
            return r.digit ? {digit: Array.from(r.digit), field: Array.from(r.field)}
                           : {reason: r.reason};
        })""", [base64.b64encode(p[..., 3].tobytes()).decode() for p in pictures.values()])
    for (name, picture), got in zip(pictures.items(), results, strict=True):
        steps = preprocess.preprocess(picture)
        if steps.digit is None:
            assert got.get("reason") == steps.empty_reason, name
            continue
        assert "field" in got, f"{name}: the browser said {got.get('reason')}"
        field = preprocess.centre_by_mass(steps.scaled)
        assert np.abs(np.array(got["field"]).reshape(28, 28) - field).max() < 1e-3, name
        diff = np.abs(np.array(got["digit"]).reshape(28, 28).astype(int) - steps.digit.astype(int))
        assert diff.max() <= 1, name
    assert sum("reason" not in r for r in results) >= 15
