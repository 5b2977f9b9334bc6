"""docs/performance.md's measured tables, from ``run_all.py``'s JSON:

    python benchmarks/run_all.py > benchmarks/results/run_all.json
    python benchmarks/report.py benchmarks/results/run_all.json

rewrites the part of ``docs/performance.md`` between its two ``report.py`` markers (the
hand-written notes around it stay): one table per benchmark, every number it printed,
with the command that measures it, the run's load average and wall time. ``--print``
writes the Markdown to stdout instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DOC = BENCH.parent / "docs" / "performance.md"
BEGIN = "<!-- report.py: generated from run_all.py's JSON; edit by running it, not by hand -->"
END = "<!-- report.py: end -->"
MAX_ROWS = 40  # per benchmark: the JSON of some runs lists every session


def leaves(data, prefix: str = "") -> list[tuple[str, object]]:
    """(dotted path, value) for every number, string and flag in ``data``."""
    if isinstance(data, dict):
        return [pair for k, v in data.items()
                for pair in leaves(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(data, list):
        if data and all(isinstance(v, int | float) and not isinstance(v, bool) for v in data):
            return [(prefix, ", ".join(f"{v:g}" for v in data[:12])
                     + (" ..." if len(data) > 12 else ""))]
        return [pair for i, v in enumerate(data) for pair in leaves(v, f"{prefix}[{i}]")]
    return [(prefix, data)]


def cell(value) -> str:
    if isinstance(value, float):
        value = f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown(run: dict, source: str) -> str:
    """The generated part of docs/performance.md for one ``run_all.py`` result."""
    load = run.get("load_average")
    lines = [BEGIN, "",
             f"From `{source}`: `python benchmarks/run_all.py{' --quick' if run.get('quick') else ''}"
             f"{' --only ' + ' '.join(run['only']) if run.get('only') else ''}`"
             f", {run.get('total_wall_s', '?')} s in all, load average at the end {load}.", ""]
    for name, data in run.get("benchmarks", {}).items():
        lines += [f"### {name}", "",
                  f"`python benchmarks/{name}.py` ({run.get('wall_s', {}).get(name, '?')} s)", "",
                  "| measured | value |", "| --- | --- |"]
        rows = leaves(data)
        lines += [f"| {cell(k)} | {cell(v)} |" for k, v in rows[:MAX_ROWS]]
        if len(rows) > MAX_ROWS:
            lines.append(f"| ... | {len(rows) - MAX_ROWS} more in the JSON |")
        lines.append("")
    for title, key in (("Failed", "failed"), ("Not run", "skipped")):
        if run.get(key):
            lines += [f"**{title}:** " + "; ".join(f"{k} ({cell(v)[:120]})"
                                                   for k, v in run[key].items()), ""]
    return "\n".join(lines + [END])


def rewrite(doc: str, generated: str) -> str:
    """``doc`` with its generated part replaced (appended when it has none)."""
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        return head + generated + rest.split(END, 1)[1]
    return doc.rstrip("\n") + "\n\n" + generated + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", type=Path, help="run_all.py's output")
    parser.add_argument("--print", action="store_true", help="write to stdout only")
    args = parser.parse_args(argv)
    run = json.loads(args.json.read_text())
    try:
        source = args.json.resolve().relative_to(BENCH.parent).as_posix()
    except ValueError:
        source = args.json.name
    generated = markdown(run, source)
    if args.print:
        print(generated)
    else:
        DOC.write_text(rewrite(DOC.read_text() if DOC.exists() else "", generated))
    return 0


if __name__ == "__main__":
    sys.exit(main())
