"""Training the character model: truncated backpropagation through time on side-by-side
streams of the training works, as in Karpathy's char-rnn, with what makes it fit an hour on
a CPU core: Adam with warm-up and cosine decay, gradient-norm clipping, a little dropout,
bfloat16 autocast (about 1.7x faster than float32 on this CPU).

The training text is cut into ``batch_size`` contiguous streams; each step reads the next
``seq_len`` characters of every stream and carries the LSTM state to the next step
(detached), so the network learns from context longer than one window. Checkpoints are
saved at the stages of :attr:`TrainConfig.stages` and at the end, each with its loss on the
held-out works, for the page's training-stage slider.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from dlcore import training
from dlcore.charrnn import corpus
from dlcore.charrnn.model import FINAL, CharRNN, ModelConfig, loss_on, save


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 4000
    batch_size: int = 64
    seq_len: int = 128
    lr: float = 2e-3
    final_lr_fraction: float = 0.03  # cosine decay to lr * this at the last step
    warmup: int = 50
    clip: float = 1.0  # gradient-norm clipping
    weight_decay: float = 0.0
    bf16: bool = True
    stages: tuple[int, ...] = (100, 300, 1000)  # checkpoints besides the final one
    eval_every: int = 500
    seed: int = 0
    # A wall-clock budget instead of a step count (0: none). The schedule then follows the
    # fraction of the budget spent, and training ends when it is spent (or at ``steps``):
    # on a shared machine the time is known in advance, the speed is not.
    minutes: float = 0.0


PARTIAL = "charrnn_partial.pt"


def stage_file(step: int) -> str:
    return f"charrnn_step{step}.pt"


def learning_rate(step: int, done: float, config: TrainConfig) -> float:
    """Linear warm-up over the first steps, then cosine decay as ``done`` goes 0 -> 1."""
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    t = done
    low = config.lr * config.final_lr_fraction
    return low + (config.lr - low) * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))


def train(train_text: str, val_text: str, config: TrainConfig | None = None,
          model_config: ModelConfig | None = None, out_dir: str | Path | None = None,
          callback: training.Callback | None = None, meta: dict[str, Any] | None = None
          ) -> tuple[CharRNN, list[dict[str, float]]]:
    """Train a model on ``train_text``; check it on ``val_text`` at every stage.

    With ``out_dir`` the stage checkpoints and the final model are written there. Returns
    the model (eval mode) and the history of held-out losses.
    """
    config = config or TrainConfig()
    generator = training.seed_everything(config.seed)
    model = CharRNN(model_config or ModelConfig())
    data = torch.tensor(corpus.encode(train_text), dtype=torch.long)
    val = torch.tensor(corpus.encode(val_text), dtype=torch.long)
    n = (len(data) - 1) // config.batch_size
    if n <= config.seq_len:
        raise ValueError(f"{len(data)} characters is too little for {config.batch_size} "
                         f"streams of {config.seq_len}")
    # Streams start at a random rotation of the text, so no run begins every stream at a
    # work's title page.
    shift = int(torch.randint(len(data), (1,), generator=generator))
    data = torch.roll(data, -shift)
    x_all = data[: n * config.batch_size].view(config.batch_size, n)
    y_all = data[1: n * config.batch_size + 1].view(config.batch_size, n)
    windows = (n - 1) // config.seq_len

    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(0.9, 0.99),
                                 weight_decay=config.weight_decay)
    history: list[dict[str, float]] = []
    state = None
    start = time.perf_counter()
    budget = config.minutes * 60

    def done(step: int) -> float:  # fraction of the run behind us
        by_steps = (step - config.warmup) / max(1, config.steps - config.warmup)
        return max(by_steps, (time.perf_counter() - start) / budget if budget else 0.0)

    last = False
    for step in range(1, config.steps + 1):
        w = (step - 1) % windows
        if w == 0:
            state = None  # a new pass over the text: the streams restart
        model.train()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step - 1, done(step - 1), config)
        x = x_all[:, w * config.seq_len:(w + 1) * config.seq_len]
        y = y_all[:, w * config.seq_len:(w + 1) * config.seq_len]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
            logits, state = model(x, state)
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        optimizer.step()
        state = tuple(s.detach().float() for s in state)

        last = step == config.steps or done(step) >= 1.0
        metrics = {}
        if last or step in config.stages or step % config.eval_every == 0:
            val_loss, _ = loss_on(model, val, autocast=config.bf16)
            metrics = {"val_loss": val_loss}
            history.append({"step": step, "seconds": time.perf_counter() - start,
                            "train_loss": loss.item(), "val_loss": val_loss})
            if out_dir is not None:
                # The latest state of an unfinished run is kept too (removed at the end), so
                # a run stopped early still leaves its best model.
                name = (FINAL if last else stage_file(step)
                        if step in config.stages else PARTIAL)
                save(Path(out_dir) / name, model,
                     {**(meta or {}), "train": asdict(config), "stage": step,
                      "val_loss": val_loss, "seconds": round(time.perf_counter() - start, 1)})
        if callback is not None:
            expected = step if last else config.steps if not budget else \
                min(config.steps, round(step / max(done(step), 1e-9)))
            callback(training.Progress(step, expected, loss.item(),
                                       time.perf_counter() - start, metrics=metrics))
        if last:
            break
    if out_dir is not None:
        (Path(out_dir) / PARTIAL).unlink(missing_ok=True)
    return model.eval(), history
