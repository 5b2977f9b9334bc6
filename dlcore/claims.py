"""``python -m dlcore.claims``: every checked lesson's words, measured on seeds 0-9.

For each preset and demo listed in :data:`CLAIMS`: the claim as the page words it, the
value measured on the real run at every seed, and whether the claim holds. Prints one
JSON object; ``--only NAME`` measures one claim (``tests/test_lessons.py`` runs each).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable

import torch

SEEDS = tuple(range(10))


def tune_on_test(seeds=SEEDS) -> dict:
    """The splits page's "Tuning on the test set": the spread its words state."""
    from dlcore import lab

    preset = lab.PRESETS["tune-on-test"]
    values = lab.presets.measure_spread("tune-on-test", seeds)
    measured = {m: lab.presets.summary(v) for m, v in values.items()}
    holds = tuple(seeds) == preset.spread.seeds and all(
        all(abs(a - b) < 0.051 for a, b in zip(measured[m], claimed, strict=True))
        for m, claimed in preset.spread.claimed.items())
    return {"page": "/splits (preset 'Tuning on the test set')", "claim": preset.lesson,
            "measured": {"per seed": {m: [round(x, 2) for x in v] for m, v in values.items()},
                         "lowest, highest, mean": measured},
            "holds": holds and measured["world change"][2] < measured["test gain"][2]}


def _network():
    from dlcore.finetune import imagenet

    return imagenet.load_model()


def hotdog(kind: str, seeds=SEEDS, model=None, measured: dict | None = None) -> dict:
    """"Hot dog or not", *Train on examples* with the balanced or the biased examples
    (``measured``: :func:`dlcore.finetune.hotdog.measure`'s answer, if already run)."""
    from dlcore.finetune import hotdog as lesson

    got = (measured or lesson.measure(model or _network(), (kind,), seeds))[kind]
    right = {}  # per seed: share of held-out drawings of each group with the claimed verdict
    for by_setting in got.values():
        for setting, groups in by_setting.items():
            for group, p in groups.items():
                says_hotdog = lesson.claimed_hotdog(kind, setting, group)
                if says_hotdog is not None:
                    share = sum((x >= 0.5) == says_hotdog for x in p) / len(p)
                    right.setdefault(f"{group} on {setting}", []).append(round(share, 3))
    need = lesson.CLAIMED_SHARE[kind]
    return {"page": lesson.LINKS[kind], "claim": lesson.CLAIMS[kind],
            "seeds": list(got),
            "measured": {"share with the claimed verdict, per seed": right,
                         "lowest share": min(min(v) for v in right.values()),
                         "mean share": round(sum(sum(v) for v in right.values())
                                             / sum(len(v) for v in right.values()), 3)},
            "holds": all(min(v) >= need for v in right.values())}


def default_drawing(model=None) -> dict:
    """What the README says of the default drawn hot dog."""
    from dlcore.finetune import demo, imagenet
    from dlcore.finetune import hotdog as lesson

    model = model or _network()
    p = [imagenet.predict(model, demo.hotdog(s)).p_hotdog for s in range(1, 101)]
    default = p[lesson.DEFAULT_DRAWING - 1]
    quartiles = statistics.quantiles(p, n=4)
    return {"page": "/hotdog", "claim": lesson.DEFAULT_CLAIM,
            "measured": {"default p(hot dog)": round(default, 3),
                         "median of drawings 1-100": round(statistics.median(p), 2),
                         "lowest": round(min(p), 2), "highest": round(max(p), 2),
                         "quartiles": [round(q, 2) for q in quartiles]},
            "holds": 0.4 <= default <= 0.6 and statistics.median(p) < 0.5}


def fine_tuning(seeds=SEEDS, model=None) -> dict:
    """"Fine-tuning" at its defaults: fine-tuned against from scratch, held-out pictures."""
    from dlcore.finetune import compare

    model = model or _network()
    d = compare.DEFAULTS
    pool, held = compare.prepare_pool(model, d["classes"], 0)
    gaps, acc = [], {"fine-tuned": [], "from scratch": []}
    for seed in seeds:
        r = compare.curve(model, d["classes"], d["steps"], d["mode"], seed, (d["per_class"],),
                          prepared=(compare.reseeded(pool, seed), held))
        for k in acc:
            acc[k].append(round(r[k][0], 3))
        gaps.append(100 * (r["fine-tuned"][0] - r["from scratch"][0]))
    mean_gap = sum(gaps) / len(gaps)
    return {"page": "/fine_tuning", "claim": compare.CLAIM,
            "measured": {"held-out accuracy per seed": acc,
                         "held-out pictures": len(held),
                         "mean gap (points)": round(mean_gap, 1),
                         "smallest gap (points)": round(min(gaps), 1)},
            "holds": mean_gap >= compare.CLAIMED_GAP}


CLAIMS: dict[str, Callable[[], dict]] = {
    "splits tune-on-test": tune_on_test,
    "hotdog balanced examples": lambda: hotdog("balanced"),
    "hotdog biased examples": lambda: hotdog("biased"),
    "hotdog default drawing": default_drawing,
    "fine-tuning defaults": fine_tuning,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dlcore.claims", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(CLAIMS), help="measure one claim")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    out = {}
    for name in [args.only] if args.only else CLAIMS:
        start = time.perf_counter()
        out[name] = CLAIMS[name]()
        out[name]["seconds"] = round(time.perf_counter() - start, 1)
        print(f"{name}: holds={out[name]['holds']}", file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
