"""The training lab's engine: the split, the planted leak, seeded runs and every preset's
lesson on its real seeded run; the hardware timings run without a GPU."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
import torch
from torch.nn import functional as F

from dlcore import hardware, lab, training

pytestmark = pytest.mark.slow  # trains the lab's presets (a module fixture)


@pytest.fixture(scope="module")
def pool():
    return lab.load_pool(), lab.load_world()


@pytest.fixture(scope="module")
def outcomes(pool):
    """Each preset's seeded run, once for the module. On an injected clock (1 ms a reading)
    the time cap never cuts a lesson short: on a loaded machine the real clock's 20 s cap
    stopped the regularised run at epoch 32 and its lesson failed."""
    torch.set_num_threads(1)
    data, world = pool
    return {name: lab.train(lab.preset(name), data=data, world=world,
                            clock=itertools.count(0, 0.001).__next__) for name in lab.PRESETS}


def _rows(x: torch.Tensor) -> set[bytes]:
    return {r.numpy().tobytes() for r in x}


def test_pool_and_world_are_disjoint_draws(pool):
    (x, y), (wx, wy) = pool
    assert x.shape == (lab.POOL_SIZE, 784) and wx.shape == (lab.WORLD_SIZE, 784)
    assert 0 <= x.min() and x.max() <= 1 and set(y.tolist()) == set(range(10))
    assert not _rows(x) & _rows(wx)


def test_split_is_three_way_disjoint_and_sized(pool):
    (x, y), _ = pool
    cfg = lab.LabConfig(val_pct=20, test_pct=10, train_size=10_000)
    s = lab.split(x, y, cfg)
    assert (len(s.train[1]), len(s.val[1]), len(s.test[1])) == (2100, 600, 300)
    assert lab.split_sizes(cfg) == {"train": 2100, "unused": 0, "val": 600, "test": 300,
                                    "leaked": 0}  # what the page's bar draws
    tr, va, te = _rows(s.train[0]), _rows(s.val[0]), _rows(s.test[0])
    assert not (tr & va) and not (tr & te) and not (va & te) and s.leaked == 0
    small = lab.split(x, y, lab.LabConfig(train_size=50))
    assert len(small.train[1]) == 50 and len(small.test[1]) == 300


def test_leak_plants_copies_of_training_digits_in_the_test_set(pool):
    (x, y), _ = pool
    s = lab.split(x, y, lab.LabConfig(train_size=200, leak_pct=50))
    assert s.leaked == 150
    planted = [i for i in range(len(s.test[1]))
               if s.test[0][i].numpy().tobytes() in _rows(s.train[0])]
    assert len(planted) == 150
    # the labels travel with the copies, and the clean test set is left as it was
    train_label = {r.numpy().tobytes(): int(label) for r, label in zip(*s.train, strict=True)}
    assert all(train_label[s.test[0][i].numpy().tobytes()] == s.test[1][i] for i in planted)
    assert not _rows(s.clean_test[0]) & _rows(s.train[0])


def test_dropout_follows_torchs_rule():
    g = torch.Generator().manual_seed(0)
    drop = lab.SeededDropout(0.3, g)
    x = torch.ones(200, 500)
    out = drop(x)
    kept = out != 0
    # F.dropout's inverted rule: survivors scaled by 1/(1-p), zeros elsewhere
    torch.testing.assert_close(out, F.dropout(x, 0.0) * kept / 0.7)
    assert abs(kept.float().mean().item() - 0.7) < 0.01
    drop.eval()
    assert torch.equal(drop(x), x)


def test_config_limits():
    for bad in ({"epochs": 0}, {"epochs": 500}, {"width": 4096}, {"dropout": 1.0},
                {"val_pct": 40, "test_pct": 40}, {"train_size": 3}, {"leak_pct": 101}):
        with pytest.raises(ValueError):
            dataclasses.replace(lab.LabConfig(), **bad).checked()
    assert lab.LabConfig(seconds=1e9).checked().seconds == lab.LIMITS["seconds"]


def test_runs_are_seeded_stream_epochs_and_look_at_the_test_set_once(pool):
    data, world = pool
    cfg = lab.LabConfig(train_size=100, width=16, epochs=3, dropout=0.2)
    heard: list[training.Progress] = []
    run = lab.Run(cfg, data=data, world=world, callback=heard.append)
    epochs = [e.epoch for e in run]
    first = run.finish()
    assert epochs == [1, 2, 3] and [p.epoch for p in heard] == [1, 2, 3]
    assert "val_acc" in heard[-1].metrics and heard[-1].fraction == 1.0
    assert run.finish() is first and first.test_looks == 1
    again = lab.train(cfg, data=data, world=world)
    assert [dataclasses.astuple(e)[:5] for e in again.history] == \
        [dataclasses.astuple(e)[:5] for e in first.history]


def test_time_cap_ends_a_run(pool):
    data, world = pool
    ticks = iter(range(1000))

    def clock() -> float:  # an injected clock: 0.04 s per reading
        return next(ticks) * 0.04

    out = lab.train(lab.LabConfig(epochs=80, early_stopping=False, seconds=0.01),
                    data=data, world=world, clock=clock)
    # The cap has a floor of 0.1 s: the run stops after the first epoch that passes it
    # (readings 0, 0.04, 0.08, 0.12: the third epoch).
    assert out.stopped_by == "time cap"
    assert [round(e.seconds, 2) for e in out.history] == [0.04, 0.08, 0.12]


def test_memorise_lesson(outcomes):
    o = outcomes["memorise"]
    last, best_val = o.history[-1], min(e.val_loss for e in o.history)
    assert o.chosen_epoch == len(o.history) == 40  # no early stopping: the last epoch
    assert last.train_acc == 1.0 and last.val_acc < 0.9 and last.gap > 0.1
    assert last.val_loss > 1.1 * best_val  # the validation loss climbed back up
    assert o.stop_epoch < 25  # early stopping would have stopped long before


def test_regularised_lesson(outcomes):
    big, reg = outcomes["memorise"].history[-1], outcomes["regularised"].history
    assert reg[-1].val_loss < 1.06 * min(e.val_loss for e in reg)  # no climb back up
    assert reg[-1].val_loss < big.val_loss - 0.1
    assert reg[-1].val_loss - reg[-1].train_loss < big.val_loss - big.train_loss


def test_leak_lesson(outcomes):
    o = outcomes["leak"]
    assert o.sizes["leaked"] == 150
    assert o.test_acc > o.clean_test_acc + 0.05  # too good a score
    assert o.test_acc > o.world_acc + 0.05  # and the world does not deliver it
    assert o.clean_test_acc == outcomes["memorise"].test_acc  # same training, clean test


def test_tune_on_test_lesson(outcomes):
    o = outcomes["tune-on-test"]
    assert o.test_looks == len(o.history) == 40
    # This seed's run lies inside the spread the words state over seeds 0-9
    # (tests/test_lessons.py runs them all).
    spread = lab.PRESETS["tune-on-test"].spread
    for name, (lo, hi, _) in spread.claimed.items():
        assert lo - 0.05 <= lab.presets.MEASURES[name](o) <= hi + 0.05


def test_hardware_without_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    found = hardware.describe()
    assert found["gpu"] is None and found["cpu_cores"] >= 1 and found["cpu"]
    out = hardware.compare((32, 64), batch=16, budget_s=0.05)
    assert out["gpu_used"] is None and out["gpu_speedup"] == {}
    tasks = [(t["task"], t["size"], t["device"]) for t in out["timings"]]
    assert tasks == [("matmul", 32, "cpu"), ("matmul", 64, "cpu"), ("train step", 16, "cpu")]
    assert all(t["ms"] > 0 and t["repeats"] >= 1 for t in out["timings"])
    with pytest.raises(ValueError):
        hardware.time_matmul(hardware.MAX_SIZE + 1, torch.device("cpu"))
