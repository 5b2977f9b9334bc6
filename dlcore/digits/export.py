"""The shipped digit networks as one small binary file a browser can read.

``python -m dlcore.digits export`` reads ``assets/digits_cnn.pt`` and
``assets/digits_mlp.pt`` and writes ``static/digits_nets.bin`` (Streamlit serves the
app's ``static/`` folder at ``app/static/``; the browser caches it). The file is

- 4 bytes ``DGT1``, a little-endian uint32 ``n``, ``n`` bytes of UTF-8 JSON (padded with
  spaces to a multiple of 4), then the float32 tensors, little-endian, back to back;
- the JSON header: each tensor's name, shape and offset (in floats), the input
  normalisation, and the SHA-256 of each source ``.pt`` (a test fails when the weights
  change and the export does not).

Batch norm is stored as it runs in ``eval()``: a per-channel ``scale`` and ``shift``
(``scale = gamma / sqrt(var + eps)``, ``shift = beta - mean * scale``), applied after the
max-pool as in :class:`~dlcore.digits.model.DigitCNN`. Everything else is the state dict
as trained. The JavaScript forward pass that reads it is ``ui/components/digits_net.js``.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import numpy as np
import torch

from dlcore import paths
from dlcore.digits.model import MNIST_MEAN, MNIST_STD, WEIGHTS, DigitCNN, DigitMLP, load

MAGIC = b"DGT1"
OUT = paths.REPO / "static" / "digits_nets.bin"  # served by Streamlit at app/static/


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _cnn_tensors(cnn: DigitCNN) -> dict[str, np.ndarray]:
    out = {}
    for i, block in enumerate(cnn.blocks):
        conv = block[0]
        bn = next(m for m in block if isinstance(m, torch.nn.BatchNorm2d))
        scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
        out[f"cnn.conv{i}.weight"] = conv.weight
        out[f"cnn.conv{i}.scale"] = scale
        out[f"cnn.conv{i}.shift"] = bn.bias.double() - bn.running_mean.double() * scale
    out["cnn.fc.weight"], out["cnn.fc.bias"] = cnn.head[-1].weight, cnn.head[-1].bias
    return out


def _mlp_tensors(mlp: DigitMLP) -> dict[str, np.ndarray]:
    linears = [m for m in mlp.net if isinstance(m, torch.nn.Linear)]
    out = {}
    for i, lin in enumerate(linears):
        out[f"mlp.fc{i}.weight"], out[f"mlp.fc{i}.bias"] = lin.weight, lin.bias
    return out


def build(weights: dict[str, Path] | None = None) -> bytes:
    """The export's bytes, from the two ``.pt`` files (default: the shipped ones)."""
    weights = weights or WEIGHTS
    cnn, _ = load("cnn", weights["cnn"])
    mlp, _ = load("mlp", weights["mlp"])
    tensors = {**_cnn_tensors(cnn), **_mlp_tensors(mlp)}
    arrays = {k: np.ascontiguousarray(torch.as_tensor(v).detach().numpy(), dtype="<f4")
              for k, v in tensors.items()}
    entries, offset = [], 0
    for name, a in arrays.items():
        entries.append({"name": name, "shape": list(a.shape), "offset": offset})
        offset += a.size
    header = {
        "format": "dlcore.digits export 1",
        "source": {kind: {"file": Path(p).name, "sha256": sha256(p)}
                   for kind, p in weights.items()},
        "normalise": {"mean": MNIST_MEAN, "std": MNIST_STD},
        "cnn": {"channels": list(cnn.config.channels), "first_kernel": cnn.config.first_kernel,
                "pool_after": list(cnn.config.pool_after)},
        "mlp": {"hidden": list(mlp.config.hidden)},
        "tensors": entries,
        "floats": offset,
    }
    text = json.dumps(header, sort_keys=True).encode()
    text += b" " * (-len(text) % 4)
    return MAGIC + struct.pack("<I", len(text)) + text + b"".join(
        a.tobytes() for a in arrays.values())


def read(blob: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """Header and tensors of an export (the inverse of :func:`build`, for tests)."""
    if blob[:4] != MAGIC:
        raise ValueError("not a dlcore.digits export (bad magic)")
    (n,) = struct.unpack("<I", blob[4:8])
    header = json.loads(blob[8:8 + n])
    floats = np.frombuffer(blob, dtype="<f4", offset=8 + n)
    tensors = {e["name"]: floats[e["offset"]:e["offset"] + int(np.prod(e["shape"]))]
               .reshape(e["shape"]) for e in header["tensors"]}
    return header, tensors


def header(path: str | Path) -> dict:
    """Only the JSON header of an export file (what the page checks before serving it)."""
    with open(path, "rb") as f:
        start = f.read(8)
        if start[:4] != MAGIC:
            raise ValueError(f"{path} is not a dlcore.digits export")
        (n,) = struct.unpack("<I", start[4:])
        return json.loads(f.read(n))


def is_current(path: str | Path, weights: dict[str, Path] | None = None) -> bool:
    """True when the export at ``path`` was made from these ``.pt`` files (by hash)."""
    weights = weights or WEIGHTS
    try:
        source = header(path)["source"]
        return all(source[k]["sha256"] == sha256(p) for k, p in weights.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def write(out: str | Path, weights: dict[str, Path] | None = None) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build(weights))
    return out
