"""Search latency with the forgiving fallbacks, and the cost of the queries fault 13 refuses.

Generates a tree of N entries (bench/generate.py, default 20,000) in a temporary folder, builds
its index, then, each in a fresh process:

* latency: the index benchmark's 20 queries plus plain-word queries that take the fallbacks
  (typos, missing words, whole questions), 5 warm rounds after a cold one: median, p95, max;
* fault 13: each huge query shape with the guard (refused: how long until the message) and
  without it (the query as Whoosh ran it before the guard, stopped after ``--cap`` seconds).

    .venv/bin/python bench/bench_search.py [N] [--cap SECONDS] [--append]

``--append`` adds the tables to bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_index import QUERIES  # noqa: E402
from common import append_to_readme, machine, median, p95  # noqa: E402

FORGIVING = [
    "milly security detail",  # a typo, corrected
    "sanctons russia",  # a typo in a common word
    "secruity detail revoked",  # a swapped pair
    "when was the security detail revoked",  # question words and stopwords
    "pentagon sanctions ocelots",  # a word in no entry: the fallback
    "ukraine military aid frozen",  # an irregular form
    "who ordered the strike on the general in baghdad",  # a whole question
    "election fraud lawsuit dismissed judge",  # many words, few entries with all
]

HUGE = {
    "one 100 KB token": "x" * 100_000,
    "2,000-word phrase": '"' + " ".join(f"word{n}" for n in range(2_000)) + '"',
    "2,000 words": " ".join(f"word{n}" for n in range(2_000)),
    "300 OR'd fuzzy terms": " OR ".join(f"milley{n}~2" for n in range(300)),
    "100 leading wildcards": " ".join(f"*ley{n}" for n in range(100)),
}


def open_index(tree: str, ix_dir: str):
    from dossier.index import Index
    from dossier.store import Store

    index = Index.open(Store(tree), Path(ix_dir))
    index.reconcile()
    return index


def child_latency(tree: str, ix_dir: str, out: multiprocessing.Queue) -> None:
    index = open_index(tree, ix_dir)
    queries = QUERIES + FORGIVING
    per: dict[str, list[float]] = {q: [] for q in queries}
    fallbacks: dict[str, str] = {}
    for round_ in range(6):
        for query in queries:
            started = time.perf_counter()
            hits = index.search(query, limit=50)
            elapsed = (time.perf_counter() - started) * 1000
            if round_:
                per[query].append(elapsed)
            else:
                fallbacks[query] = "; ".join(filter(None, [hits.fallback, ", ".join(
                    f"{a}->{b}" for a, b in hits.corrected.items())])) or f"{len(hits)} hits"
    every = [t for ts in per.values() for t in ts]
    plain = [t for q in FORGIVING for t in per[q]]
    standard = [t for q in QUERIES for t in per[q]]
    out.put({"median": median(every), "p95": p95(every), "max": max(every),
             "standard_median": median(standard), "standard_p95": p95(standard),
             "forgiving_median": median(plain), "forgiving_p95": p95(plain),
             "per_query": {q: median(ts) for q, ts in per.items()}, "what": fallbacks})


def child_huge(tree: str, ix_dir: str, shape: str, guarded: bool, out: multiprocessing.Queue) -> None:
    from dossier.index import QueryError, query

    index = open_index(tree, ix_dir)
    if not guarded:
        query.check_query_cost = lambda text: None  # the program as it was before the guard
    started = time.perf_counter()
    try:
        index.search(HUGE[shape])
        outcome = "ran"
    except QueryError as exc:
        outcome = exc.message
    out.put({"seconds": time.perf_counter() - started, "outcome": outcome})


def in_child(target, *args, cap: float | None = None) -> dict | None:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, queue))
    process.start()
    process.join(cap)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return queue.get() if not queue.empty() else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--cap", type=float, default=90.0)
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--work", type=Path, help="a folder of an earlier run (tree/ and ix/): not generated again")
    parser.add_argument("--latency-only", action="store_true", help="skip fault 13's query shapes")
    args = parser.parse_args()
    from generate import generate

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-search-"))
    tree, ix_dir = work / "tree", work / "ix"
    if args.work is None:
        ids = generate(args.n, tree)
        entries = sum(len(v) for v in ids.values())
    else:
        entries = sum(1 for kind in ("actors", "events", "sources") for _ in (tree / kind).iterdir())
    started = time.perf_counter()
    open_index(str(tree), str(ix_dir)).close()
    print(f"{entries} entries, index built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    latency = in_child(child_latency, str(tree), str(ix_dir))
    assert latency is not None
    rows = []
    for shape in [] if args.latency_only else HUGE:
        after = in_child(child_huge, str(tree), str(ix_dir), shape, True, cap=args.cap)
        before = in_child(child_huge, str(tree), str(ix_dir), shape, False, cap=args.cap)
        rows.append((shape, before, after))
        print(shape, before, after, file=sys.stderr)

    def seconds(result: dict | None) -> str:
        return f"> {args.cap:.0f} s (stopped)" if result is None else f"{result['seconds']:.2f} s"

    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    lines = [
        f"## Search benchmark (issue 14, fault 13 of issue 11), {time.strftime('%Y-%m-%d')}",
        "",
        f"`.venv/bin/python bench/bench_search.py {args.n}` on {entries:,} generated entries"
        + (" (latency re-measured on the same tree with `--work DIR --latency-only`)" if args.work else "")
        + f"; {machine()}.",
        "The machine was shared with other agents (2 cores): figures are noisy; medians quoted "
        f"(load average at the end: {' '.join(load)}).",
        "",
        "| query latency, 5 warm rounds | median | p95 | max | target |",
        "|---|---|---|---|---|",
        f"| all {len(QUERIES) + len(FORGIVING)} queries (the index benchmark's 20 + {len(FORGIVING)} plain-word "
        f"queries that take the fallbacks) | {latency['median']:.1f} ms | {latency['p95']:.1f} ms | "
        f"{latency['max']:.0f} ms | median < 20 ms, p95 < 100 ms |",
        f"| the {len(FORGIVING)} plain-word queries alone | {latency['forgiving_median']:.1f} ms | "
        f"{latency['forgiving_p95']:.1f} ms | | |",
        f"| floor, same run: the index benchmark's {len(QUERIES)} queries alone | "
        f"{latency['standard_median']:.1f} ms | {latency['standard_p95']:.1f} ms | | |",
        "",
        "Per-query median (ms): " + ", ".join(
            f"`{q}` {ms:.1f}" for q, ms in sorted(latency["per_query"].items(), key=lambda x: -x[1])),
        "",
        "What the plain-word queries did: " + "; ".join(f"`{q}`: {latency['what'][q]}" for q in FORGIVING),
        "",
        "| fault 13 query shape | before (no guard) | after | after: the message |",
        "|---|---|---|---|",
    ]
    for shape, before, after in rows:
        message = after["outcome"] if after else "?"
        lines.append(f"| {shape} | {seconds(before)} | {seconds(after)} | {message} |")
    text = "\n".join(lines)
    print(text)
    print(json.dumps({"latency": latency}), file=sys.stderr)
    if args.append:
        append_to_readme(text)


if __name__ == "__main__":
    main()
