"""The shared training core: weights round-trip with their metadata under weights_only,
foreign files are refused with a message, devices resolve or say why, the bar draws."""

from __future__ import annotations

import io
import json
import pickle

import pytest
import torch

from dlcore import paths, training


def test_save_load_round_trip(tmp_path):
    model = torch.nn.Linear(3, 2)
    meta = {"seed": 3, "val_loss": 1.25, "data": {"works": ["hamlet"]}, "ok": True}
    out = training.save(tmp_path / "m.pt", model.state_dict(), meta)
    state, back = training.load(out)
    assert back == meta
    for k, v in model.state_dict().items():
        assert torch.equal(state[k], v)


def test_save_refuses_objects_that_need_unpickling(tmp_path):
    with pytest.raises(ValueError, match="plain values"):
        training.save(tmp_path / "m.pt", {}, {"config": object()})
    with pytest.raises(ValueError, match="finite"):
        training.save(tmp_path / "m.pt", {}, {"loss": float("nan")})


def test_load_refuses_missing_corrupt_and_pickled_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        training.load(tmp_path / "none.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        training.load(tmp_path / "junk.pt")

    class Evil:
        def __reduce__(self):
            return (print, ("unpickled!",))

    (tmp_path / "evil.pt").write_bytes(pickle.dumps({"state_dict": Evil()}, protocol=2))
    with pytest.raises(ValueError):
        training.load(tmp_path / "evil.pt")
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(ValueError, match="not a checkpoint"):
        training.load(tmp_path / "list.pt")


def test_devices():
    assert training.resolve_device("cpu").type == "cpu"
    assert training.resolve_device("auto").type in ("cpu", "cuda", "mps")
    with pytest.raises(training.DeviceError):
        training.resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(training.DeviceError, match="no CUDA"):
            training.resolve_device("cuda")


def test_progress_bar_and_report(tmp_path, capsys):
    out = io.StringIO()
    bar = training.progress_bar(width=10, stream=out)
    bar(training.Progress(step=5, steps=10, loss=0.5, seconds=1.0))
    bar(training.Progress(step=10, steps=10, loss=0.25, seconds=2.0, metrics={"val": 0.9}))
    text = out.getvalue()
    assert "[#####-----] 5/10" in text and "val 0.9" in text
    training.report({"a": 1}, save_to=tmp_path / "r.json")
    assert json.loads(capsys.readouterr().out) == {"a": 1}
    assert json.loads((tmp_path / "r.json").read_text()) == {"a": 1}


def test_cli_has_the_common_options():
    parser, train, _ = training.cli("prog", "doc")
    args = parser.parse_args(["train", "--seed", "4", "--dry-run", "--device", "auto"])
    assert (args.seed, args.dry_run, args.device, args.threads) == (4, True, "auto", 2)
    args = parser.parse_args(["evaluate", "--save"])
    assert args.save and args.device == "cpu"


def test_data_dir(monkeypatch, tmp_path):
    (tmp_path / "mnist").mkdir()
    assert paths.data_dir("mnist", tmp_path) == tmp_path / "mnist"
    assert paths.data_dir("mnist", tmp_path / "mnist") == tmp_path / "mnist"
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path))
    assert paths.data_dir("shakespeare") == tmp_path / "shakespeare"
    monkeypatch.delenv(paths.ENV_VAR)
    assert paths.data_dir("mnist") == paths.CACHE / "mnist"
