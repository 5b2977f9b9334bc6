"""The small training core every trained model of the app shares.

What minGPT's trainer and pytorch/examples' ``mnist/main.py`` have in common, once:

* configs are dataclasses with defaults (each model declares its own);
* training loops report through a callback that receives a :class:`Progress`; the command
  line plugs in :func:`progress_bar`, a page plugs in ``st.progress``;
* :func:`save` / :func:`load` keep weights with their metadata (data, seed, metrics) in one
  file that ``torch.load(weights_only=True)`` reads: plain tensors and plain values only,
  never pickled objects;
* :func:`resolve_device` turns ``--device auto|cpu|cuda|cuda:1|mps`` into a device, with a
  clear message when it is not there (the CPU-vs-GPU page and any GPU machine need it);
* :func:`report` prints the one JSON object that ``evaluate`` commands print, and writes it
  to a file with ``--save``;
* :func:`cli` builds the ``train`` / ``evaluate`` command line with the options every model
  has (``--data-dir``, ``--seed``, ``--device``, ``--threads``, ``--dry-run``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch


@dataclass
class Progress:
    """What a training callback hears, after each step (``metrics`` at checkpoints)."""
    step: int
    steps: int
    loss: float
    seconds: float
    epoch: int = 1
    epochs: int = 1
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def fraction(self) -> float:
        return self.step / self.steps if self.steps else 1.0


Callback = Callable[[Progress], None]


def progress_bar(width: int = 30, stream=sys.stderr) -> Callback:
    """A text progress bar, redrawn in place; a line of its own whenever metrics arrive."""

    def show(p: Progress) -> None:
        filled = int(width * p.fraction)
        line = f"\r[{'#' * filled}{'-' * (width - filled)}] {p.step}/{p.steps}"
        if p.epochs > 1:
            line = f"\repoch {p.epoch}/{p.epochs} " + line[1:]
        line += f" loss {p.loss:.4f} {p.seconds:6.0f}s"
        if p.metrics:
            line += " " + " ".join(f"{k} {v:.4g}" for k, v in p.metrics.items()) + "\n"
        stream.write(line)
        if p.step == p.steps and not p.metrics:
            stream.write("\n")
        stream.flush()

    return show


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's and torch's generators; returns a torch generator for data order."""
    random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


class DeviceError(ValueError):
    """The device asked for is not on this machine."""


def resolve_device(name: str = "cpu") -> torch.device:
    """``auto`` (a GPU when torch sees one, else the CPU), ``cpu``, ``cuda[:N]`` or ``mps``."""
    name = (name or "cpu").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError as err:
        raise DeviceError(f"{name!r} is not a device name (cpu, cuda, cuda:1, mps, auto)") from err
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError("torch sees no CUDA GPU on this machine")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(f"there is no {name}: torch sees {torch.cuda.device_count()} GPU(s)")
    elif device.type == "mps" and not (getattr(torch.backends, "mps", None)
                                       and torch.backends.mps.is_available()):
        raise DeviceError("torch sees no Apple GPU (mps) on this machine")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise DeviceError(f"{name!r} is not supported here (cpu, cuda, mps, auto)")
    return device


# --------------------------------------------------------------------------- weights
_PLAIN = (str, int, float, bool, type(None))


def _check_plain(value: Any, where: str = "meta") -> None:
    """Metadata must load under ``weights_only=True``: plain values, lists, dicts, tensors."""
    if isinstance(value, _PLAIN) or isinstance(value, torch.Tensor):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{where} is not a finite number")
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{where} has a key that is not a string: {k!r}")
            _check_plain(v, f"{where}.{k}")
        return
    raise ValueError(f"{where} holds a {type(value).__name__}; save plain values only")


def save(path: str | Path, state_dict: Mapping[str, torch.Tensor], meta: Mapping[str, Any]
         ) -> Path:
    """Write weights and their metadata (config, data, seed, metrics) to one file."""
    _check_plain(dict(meta))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
    torch.save({"state_dict": tensors, "meta": dict(meta)}, path)
    return path


def load(path: str | Path, map_location: str | torch.device = "cpu"
         ) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Weights and metadata saved by :func:`save`, read with ``weights_only=True``.

    Raises FileNotFoundError when the file is missing and ValueError when it is not a
    checkpoint of this format (a corrupt or foreign file), each with the path in the message.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    try:
        blob = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises many kinds for a damaged file
        raise ValueError(f"{path} is not a readable checkpoint ({type(err).__name__})") from err
    if not isinstance(blob, dict) or "state_dict" not in blob:
        raise ValueError(f"{path} is not a checkpoint written by dlcore.training.save")
    return blob["state_dict"], blob.get("meta", {})


def count_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------- command line
def report(result: Mapping[str, Any], save_to: str | Path | None = None) -> None:
    """Print ``result`` as one JSON object on stdout; also write it to ``save_to``."""
    text = json.dumps(dict(result))
    print(text)
    if save_to is not None:
        Path(save_to).write_text(json.dumps(dict(result), indent=1) + "\n")


def cli(prog: str, description: str, *, data_help: str = "the data directory") -> tuple[
        argparse.ArgumentParser, argparse.ArgumentParser, argparse.ArgumentParser]:
    """The ``train`` / ``evaluate`` command line with the options every model has.

    Returns the parser and its two sub-parsers, for the model to add its own options.
    """
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train the model and save its weights")
    evaluate = sub.add_parser("evaluate", help="evaluate the saved model; prints one JSON object")
    for p in (train, evaluate):
        p.add_argument("--data-dir", help=f"{data_help} (default: $DLCORE_DATA_DIR)")
        p.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N, mps or auto")
        p.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--dry-run", action="store_true",
                       help="a few steps to check that everything runs; nothing saved")
    evaluate.add_argument("--save", action="store_true",
                          help="also write the report next to the weights in assets/")
    return parser, train, evaluate
