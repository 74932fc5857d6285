"""Id suggestions ("did you mean 'mark-milley'?") over N ids: difflib, as it was, against rapidfuzz, as now.

``dossier check`` suggests an id for every reference to a missing one, and ``dossier show`` for
an unknown id, so on a large tree with many broken references this runs once per reference.

    .venv/bin/python bench/bench_suggest.py [N] [--no-append]
"""

from __future__ import annotations

import argparse
import difflib
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import append_to_readme, machine  # noqa: E402

from dossier.model import suggest_id  # noqa: E402

QUERIES = 40


def difflib_suggest(missing: str, candidates: list[str]) -> str | None:
    """suggest_id's close match as it was (difflib), for comparison."""
    match = difflib.get_close_matches(missing, candidates, n=1, cutoff=0.75)
    return match[0] if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", nargs="?", type=int, default=30_000)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    rng = random.Random(3)
    words = ["mark", "milley", "pete", "hegseth", "cnn", "report", "iran", "security", "detail", "general",
             "john", "bolton", "mike", "pompeo", "senate", "hearing", "press", "briefing", "pentagon", "order"]
    ids = sorted({f"{rng.choice(words)}-{rng.choice(words)}-{i}" for i in range(args.n)})
    queries = []
    for _ in range(QUERIES):
        target = rng.choice(ids)
        i = rng.randrange(len(target))
        queries.append(target[:i] + target[i + 1:])  # one letter dropped: a typical misspelling
    agree = 0
    old: list[float] = []
    new: list[float] = []
    for query in queries:  # in turn, so that other work on the machine falls on both alike
        start = time.perf_counter()
        a = difflib_suggest(query, ids)
        old.append(time.perf_counter() - start)
        start = time.perf_counter()
        b = suggest_id(query, ids)
        new.append(time.perf_counter() - start)
        agree += a == b or (a is None)
    old_ms, new_ms = statistics.median(old) * 1000, statistics.median(new) * 1000
    text = "\n".join([
        f"## Id suggestion benchmark, {time.strftime('%Y-%m-%d')}",
        "",
        f"`bench/bench_suggest.py {args.n}`: one suggestion among {len(ids):,} ids, median of {QUERIES} "
        f"misspelt ids. Machine: {machine()} (shared with other work while measuring).",
        "",
        "| suggest_id | median per suggestion |",
        "|---|---|",
        f"| difflib.get_close_matches (before) | {old_ms:.1f} ms |",
        f"| rapidfuzz process.extractOne (after) | {new_ms:.1f} ms ({old_ms / new_ms:.0f}x faster) |",
        "",
        f"The two agreed on {agree} of {QUERIES} suggestions (rapidfuzz's ratio is the same measure, "
        "computed exactly; difflib's is a heuristic that can miss the best match).",
    ])
    print(text)
    if not args.no_append:
        append_to_readme(text)


if __name__ == "__main__":
    main()
