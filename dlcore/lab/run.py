"""One training run of the lab, epoch by epoch: the network, its evaluation, the choice of
the epoch to keep (by validation loss, or, the mistake, by test score) and the one look at
the test set at the end."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from dlcore import training
from dlcore.lab.config import LabConfig
from dlcore.lab.data import load_pool, load_world, split

_INIT_LOCK = threading.Lock()  # torch's global generator is shared by all sessions


class SeededDropout(nn.Module):
    """Inverted dropout (``F.dropout``'s rule) drawing its masks from its own generator,
    so that runs of several sessions in one server do not share torch's global one."""

    def __init__(self, p: float, generator: torch.Generator):
        super().__init__()
        self.p, self.generator = p, generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, generator=self.generator, device=x.device) >= self.p
        return x * keep / (1 - self.p)


def build_model(width: int, depth: int, dropout: float, seed: int) -> nn.Sequential:
    """An MLP: 784 -> [width, ReLU, dropout] x depth -> 10, initialised from ``seed``."""
    masks = torch.Generator().manual_seed(seed + 1)
    layers: list[nn.Module] = []
    with _INIT_LOCK:
        training.seed_everything(seed)
        size = 784
        for _ in range(depth):
            layers += [nn.Linear(size, width), nn.ReLU(), SeededDropout(dropout, masks)]
            size = width
        layers.append(nn.Linear(size, 10))
        return nn.Sequential(*layers)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Mean cross-entropy and accuracy, in eval mode (no dropout)."""
    was = model.training
    model.eval()
    logits = model(x)
    model.train(was)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


# --------------------------------------------------------------------------- the run
@dataclass
class Epoch:
    epoch: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    seconds: float  # since the start of the run
    test_acc: float | None = None  # only when tuning on the test set

    @property
    def gap(self) -> float:
        """Training minus validation accuracy: the overfitting gap."""
        return self.train_acc - self.val_acc


@dataclass
class Outcome:
    history: list[Epoch]
    chosen_epoch: int  # the epoch whose weights are kept
    stop_epoch: int  # where early stopping stops (or would have stopped)
    stopped_by: str  # "epochs", "early stopping" or "time cap"
    test_loss: float
    test_acc: float  # on the test set the run was given (leaked, if asked)
    clean_test_acc: float  # on the test set before planting
    world_acc: float  # on the set-aside digits nobody looked at
    test_looks: int  # how many times the test set was evaluated
    sizes: dict[str, int] = field(default_factory=dict)
    params: int = 0
    # tuning on the test set: what the validation set would have chosen instead
    val_choice: dict[str, float] | None = None

    @property
    def chosen(self) -> Epoch:
        return self.history[self.chosen_epoch - 1]

    def summary(self) -> dict:
        c = self.chosen
        return {"chosen_epoch": self.chosen_epoch, "stop_epoch": self.stop_epoch,
                "stopped_by": self.stopped_by, "epochs_run": len(self.history),
                "train_acc": round(c.train_acc, 4), "val_acc": round(c.val_acc, 4),
                "gap": round(c.gap, 4), "test_acc": round(self.test_acc, 4),
                "clean_test_acc": round(self.clean_test_acc, 4),
                "world_acc": round(self.world_acc, 4), "test_looks": self.test_looks,
                "val_choice": self.val_choice,
                "seconds": round(self.history[-1].seconds, 2) if self.history else 0.0,
                "params": self.params, **self.sizes}


class _Best:
    """The best epoch so far by one score (lower is better), with its weights."""

    def __init__(self) -> None:
        self.score, self.epoch, self.weights = math.inf, 0, {}

    def offer(self, score: float, epoch: int, model: nn.Module) -> None:
        if score < self.score:
            self.score, self.epoch = score, epoch
            self.weights = {k: v.clone() for k, v in model.state_dict().items()}


class Run:
    """One training run: iterate it for the epochs, then :meth:`finish` for the test score.

    >>> run = Run(LabConfig(epochs=3))          # doctest: +SKIP
    >>> for epoch in run: print(epoch.val_acc)  # a page redraws its chart here
    >>> outcome = run.finish()                  # the test set, looked at once
    """

    def __init__(self, cfg: LabConfig, data: tuple[torch.Tensor, torch.Tensor] | None = None,
                 world: tuple[torch.Tensor, torch.Tensor] | None = None,
                 callback: training.Callback | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        self.cfg = cfg.checked()
        self.clock = clock  # seconds; the time cap reads it (a test injects its own)
        self.data = split(*(data if data is not None else load_pool()), self.cfg)
        self.world = world if world is not None else load_world()
        self.model = build_model(self.cfg.width, self.cfg.depth, self.cfg.dropout, self.cfg.seed)
        self.history: list[Epoch] = []
        self.callback = callback
        self.test_looks = 0
        self.stopped_by = "epochs"
        self.by_val, self.by_test = _Best(), _Best()
        self.would_stop: int | None = None  # the epoch where early stopping stops
        self._outcome: Outcome | None = None

    @property
    def selector(self) -> _Best:
        """What picks the epoch: the validation loss, or (the mistake) the test score."""
        return self.by_test if self.cfg.tune_on_test else self.by_val

    def _look_at_test(self) -> tuple[float, float]:
        self.test_looks += 1
        return evaluate(self.model, *self.data.test)

    def __iter__(self) -> Iterator[Epoch]:
        cfg, (x, y) = self.cfg, self.data.train
        opt = torch.optim.Adam(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        order = torch.Generator().manual_seed(cfg.seed + 2)
        steps_per_epoch = math.ceil(len(y) / cfg.batch_size)
        start = self.clock()
        for epoch in range(len(self.history) + 1, cfg.epochs + 1):
            self.model.train()
            for idx in torch.randperm(len(y), generator=order).split(cfg.batch_size):
                opt.zero_grad()
                F.cross_entropy(self.model(x[idx]), y[idx]).backward()
                opt.step()
            train_loss, train_acc = evaluate(self.model, x, y)
            val_loss, val_acc = evaluate(self.model, *self.data.val)
            test_acc = self._look_at_test()[1] if cfg.tune_on_test else None
            e = Epoch(epoch, train_loss, train_acc, val_loss, val_acc,
                      self.clock() - start, test_acc)
            self.history.append(e)
            self.by_val.offer(val_loss, epoch, self.model)
            if test_acc is not None:
                self.by_test.offer(-test_acc, epoch, self.model)
            if self.would_stop is None and epoch - self.selector.epoch >= cfg.patience:
                self.would_stop = epoch
            if self.callback:
                self.callback(training.Progress(
                    epoch * steps_per_epoch, cfg.epochs * steps_per_epoch, train_loss,
                    e.seconds, epoch, cfg.epochs,
                    {"train_acc": train_acc, "val_loss": val_loss, "val_acc": val_acc}))
            yield e
            if cfg.early_stopping and self.would_stop is not None:
                self.stopped_by = "early stopping"
                return
            if e.seconds > cfg.seconds:
                self.stopped_by = "time cap"
                return

    def finish(self) -> Outcome:
        """Keep the chosen epoch's weights and evaluate the test set, once.

        With early stopping the chosen epoch is the one of the lowest validation loss (or,
        tuning on the test set, of the best test score); without it, the last epoch.
        """
        if self._outcome is not None:
            return self._outcome
        if not self.history:
            raise RuntimeError("the run has not trained: iterate it first")
        val_choice = None
        if self.cfg.tune_on_test:  # looked at every epoch: what would validation have said?
            self.model.load_state_dict(self.by_val.weights)
            val_choice = {"epoch": self.by_val.epoch,
                          "test_acc": self.history[self.by_val.epoch - 1].test_acc,
                          "world_acc": evaluate(self.model, *self.world)[1]}
        chosen = len(self.history)
        if self.cfg.early_stopping or self.cfg.tune_on_test:
            chosen = self.selector.epoch
            self.model.load_state_dict(self.selector.weights)
        if self.cfg.tune_on_test:  # no new look: the score is the one it was picked by
            test_loss, test_acc = evaluate(self.model, *self.data.test)[0], -self.by_test.score
        else:
            test_loss, test_acc = self._look_at_test()
        sizes = {"train": len(self.data.train[1]), "val": len(self.data.val[1]),
                 "test": len(self.data.test[1]), "leaked": self.data.leaked}
        self._outcome = Outcome(
            self.history, chosen, self.would_stop or len(self.history), self.stopped_by,
            test_loss, float(test_acc), evaluate(self.model, *self.data.clean_test)[1],
            evaluate(self.model, *self.world)[1], self.test_looks, sizes,
            training.count_params(self.model), val_choice)
        return self._outcome


def train(cfg: LabConfig, callback: training.Callback | None = None, **data) -> Outcome:
    """A whole run at once (commands and tests); ``data`` goes to :class:`Run` (``data``,
    ``world``, ``clock``)."""
    run = Run(cfg, callback=callback, **data)
    for _ in run:
        pass
    return run.finish()
