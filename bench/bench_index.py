"""Benchmark the search index: rebuild, reconcile, save-to-searchable, a 1,000-file batch, queries.

    .venv/bin/python bench/bench_index.py [N ...]     (default: 2000 20000)

For each N it generates a tree (bench/generate.py) in a temporary folder and
measures, each in a fresh process so that peak memory is that of the task:

* two floors: reading and parsing every file with no indexing; bare Whoosh
  indexing the same entries (reading included) with a minimal schema (id,
  title, body) and its fastest settings (procs/multisegment/limitmb measured);
* a full rebuild (peak memory, index size);
* a reconcile on open with nothing changed (open + reconcile);
* one file saved (atomic write) to searchable, with the watcher running;
* a git-checkout-like batch of 1,000 changed files (each deleted and
  recreated) to searchable, and the same 1,000 entries indexed alone;
* query latency over 20 fixed queries of every kind (5 rounds, warm).

It prints a table and appends it to bench/README.md with the machine noted.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import append_to_readme, dir_size_mb, machine, median, p95, peak_rss_mb, run_child  # noqa: E402

SCRIPT = Path(__file__).resolve()

QUERIES = [
    "security",
    "sanctions russia",
    '"security detail"',
    "pentagon AND iran",
    "china OR russia",
    "election NOT fraud",
    "actor:mark-milley-0",
    "tag:retaliation",
    "type:person",
    "status:disputed",
    "importance:>=8",
    "date:[2020 TO 2021]",
    "secur*",
    "milly~",
    "*ley",
    "title:report",
    "kind:event tag:iran",
    "outlet:cnn",
    '"national security" AND importance:>=5',
    "trump~ AND date:2017",
]


# ----------------------------------------------------------------- children


def child_floor_read(tree: str) -> dict:
    from dossier.store import Store

    store = Store(tree)
    started = time.perf_counter()
    scan = store.scan()
    for loc in scan.locations:
        store.read_kind_file(loc)
        for stamp in loc.texts:
            store.read_text_file(stamp.path)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb(), "entries": len(scan.locations)}


def child_floor_whoosh(tree: str, ix_dir: str, procs: str, multisegment: str) -> dict:
    from whoosh import fields, index

    from dossier.store import Store

    schema = fields.Schema(id=fields.ID(stored=True, unique=True), title=fields.TEXT(), body=fields.TEXT())
    store = Store(tree)
    started = time.perf_counter()
    ix = index.create_in(ix_dir, schema)
    kwargs = {"limitmb": 256}
    if int(procs) > 1:
        kwargs.update(procs=int(procs), multisegment=multisegment == "1")
    writer = ix.writer(**kwargs)
    scan = store.scan()
    for loc in scan.locations:
        data, _text, _ = store.read_kind_file(loc)
        data = data or {}
        title = data.get("name") or data.get("title") or loc.id
        body = [str(data.get("summary", ""))]
        for stamp in loc.texts:
            body.append(store.read_text_file(stamp.path).text or "")
        writer.add_document(id=loc.id, title=str(title), body="\n".join(body))
    writer.commit()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb(), "size_mb": dir_size_mb(Path(ix_dir))}


def child_rebuild(tree: str, ix_dir: str) -> dict:
    import resource

    from dossier.index import Index
    from dossier.index.bulk import worker_count
    from dossier.store import Store

    started = time.perf_counter()
    index = Index.open(Store(tree), Path(ix_dir))
    # As `dossier index` builds (in worker processes for a large tree), here rather than in a child followed.
    index.build_apart = False
    index.workers = worker_count()
    changes = index.reconcile()
    seconds = time.perf_counter() - started
    index.close()
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker
    return {"seconds": seconds, "peak_mb": max(peak_rss_mb(), workers_mb), "added": len(changes.added),
            "size_mb": dir_size_mb(Path(ix_dir))}


def child_reconcile(tree: str, ix_dir: str) -> dict:
    from dossier.index import Index
    from dossier.store import Store

    started = time.perf_counter()
    index = Index.open(Store(tree), Path(ix_dir))
    opened = time.perf_counter()
    changes = index.reconcile()
    done = time.perf_counter()
    scan_started = time.perf_counter()
    Store(tree).scan()
    scan_seconds = time.perf_counter() - scan_started
    assert not changes, changes
    return {"open": opened - started, "reconcile": done - opened, "total": done - started, "scan": scan_seconds,
            "peak_mb": peak_rss_mb()}


def _live(tree: str, ix_dir: str, applied: list):
    """The index with a watcher; ``applied`` gets (time, changed ids) after each batch is committed."""
    from dossier.index import Index
    from dossier.store import Store
    from dossier.watch import IndexWatcher

    index = Index.open(Store(tree), Path(ix_dir))
    index.reconcile()
    watcher = IndexWatcher(index, lambda ch: applied.append((time.perf_counter(), ch.ids)), quiet=0.3, max_delay=1.0)
    watcher.start()
    time.sleep(0.5)  # let the observer set its watches (not part of any figure)
    return index, watcher


def _wait(condition, timeout: float = 600.0) -> float:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("not searchable in time")
        time.sleep(0.01)
    return time.perf_counter()


def child_save(tree: str, ix_dir: str) -> dict:
    from dossier.store import Store, atomic_write

    applied: list = []
    index, watcher = _live(tree, ix_dir, applied)
    store = Store(tree)
    locations = [loc for loc in store.scan().locations if loc.kind.value == "actor"][:5]
    times = []
    for i, loc in enumerate(locations):
        word = f"savedword{i}x"
        path = store.root / loc.main_file
        content = path.read_text(encoding="utf-8") + f'\nremark = "{word}"\n'
        started = time.perf_counter()
        atomic_write(path, content.encode("utf-8"))
        # Searchable once the batch holding it is committed (the watcher says so; no polling
        # searches competing for the interpreter), then checked with a search.
        found = _wait(lambda i=loc.id: any(i in ids for _t, ids in applied))
        assert index.search(word), word
        times.append(found - started)
        time.sleep(0.5)
    watcher.stop()
    return {"times": times, "median": median(times), "max": max(times), "peak_mb": peak_rss_mb()}


def child_batch(tree: str, ix_dir: str, ids_file: str) -> dict:
    from dossier.store import Store

    applied: list = []
    index, watcher = _live(tree, ix_dir, applied)
    store = Store(tree)
    wanted = set(json.loads(Path(ids_file).read_text()))
    locations = [loc for loc in store.scan().locations if loc.id in wanted]
    started = time.perf_counter()
    for loc in locations:  # like git checkout: every changed file deleted and recreated
        path = store.root / loc.main_file
        text = path.read_text(encoding="utf-8")
        path.unlink()
        path.write_text(text + '\nbranch = "zzbranchword"\n', encoding="utf-8")
    written = time.perf_counter()
    ids = {loc.id for loc in locations}
    found = _wait(lambda: ids <= set().union(*(i for _t, i in applied)) if applied else False)
    assert len(index.search("zzbranchword", limit=5000)) == len(locations)
    watcher.stop()
    return {"files": len(locations), "write": written - started, "after_last_write": found - written,
            "total": found - started, "batches": watcher.batches, "peak_mb": peak_rss_mb()}


def child_alone(tree: str, ix_dir: str) -> dict:
    return child_rebuild(tree, ix_dir)


def child_queries(tree: str, ix_dir: str) -> dict:
    from dossier.index import Index
    from dossier.store import Store

    index = Index.open(Store(tree), Path(ix_dir))
    index.reconcile()
    first: dict[str, float] = {}
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    counts = {}
    for round_ in range(6):
        for query in QUERIES:
            started = time.perf_counter()
            hits = index.search(query, limit=50)
            elapsed = (time.perf_counter() - started) * 1000
            if round_ == 0:
                first[query] = elapsed
                counts[query] = len(hits)
            else:
                per_query[query].append(elapsed)
    all_times = [t for ts in per_query.values() for t in ts]
    rows_started = time.perf_counter()
    for _ in range(5):
        index.rows()
        index.rows(text="mil")
    rows_ms = (time.perf_counter() - rows_started) * 1000 / 10
    return {
        "median": median(all_times), "p95": p95(all_times), "max": max(all_times),
        "first_median": median(list(first.values())), "first_max": max(first.values()),
        "per_query": {q: median(ts) for q, ts in per_query.items()}, "counts": counts,
        "rows_ms": rows_ms, "peak_mb": peak_rss_mb(),
    }


CHILDREN = {
    "floor-read": child_floor_read,
    "floor-whoosh": child_floor_whoosh,
    "rebuild": child_rebuild,
    "reconcile": child_reconcile,
    "save": child_save,
    "batch": child_batch,
    "alone": child_alone,
    "queries": child_queries,
}


# ------------------------------------------------------------------- parent


def bench(n: int, work: Path) -> dict:
    from generate import generate

    tree = work / f"tree-{n}"
    ids = generate(n, tree)
    print(f"N={n}: generated {sum(len(v) for v in ids.values())} entries", file=sys.stderr)
    r: dict = {"n": n}
    r["floor_read"] = run_child(SCRIPT, "floor-read", str(tree))
    floors = {}
    for procs, multi in (("1", "0"), ("2", "1"), ("2", "0")):
        ix = work / f"floor-{n}-{procs}-{multi}"
        ix.mkdir()
        floors[f"procs={procs} multisegment={multi == '1'}"] = run_child(
            SCRIPT, "floor-whoosh", str(tree), str(ix), procs, multi)
        shutil.rmtree(ix)
    r["floor_whoosh"] = floors
    print(f"N={n}: floors {json.dumps({k: round(v['seconds'], 1) for k, v in floors.items()})}", file=sys.stderr)
    ix = work / f"ix-{n}"
    r["rebuild"] = run_child(SCRIPT, "rebuild", str(tree), str(ix))
    print(f"N={n}: rebuild {r['rebuild']['seconds']:.1f} s", file=sys.stderr)
    runs = [run_child(SCRIPT, "reconcile", str(tree), str(ix)) for _ in range(3)]
    r["reconcile"] = {k: median([run[k] for run in runs]) for k in runs[0]}
    r["queries"] = run_child(SCRIPT, "queries", str(tree), str(ix))
    r["save"] = run_child(SCRIPT, "save", str(tree), str(ix))
    # 1,000 changed files: events and sources, spread over the tree
    changed = (ids["event"][::3] + ids["source"][::2] + ids["actor"][::2])[:1000]
    ids_file = work / f"batch-{n}.json"
    ids_file.write_text(json.dumps(changed))
    alone_tree = work / f"alone-{n}"
    for kind, entry_ids in ids.items():
        for entry_id in entry_ids:
            if entry_id in set(changed):
                shutil.copytree(tree / f"{kind}s" / entry_id, alone_tree / f"{kind}s" / entry_id)
    r["alone"] = run_child(SCRIPT, "alone", str(alone_tree), str(work / f"ix-alone-{n}"))
    r["batch"] = run_child(SCRIPT, "batch", str(tree), str(ix), str(ids_file))
    r["size_mb"] = dir_size_mb(ix)
    print(f"N={n}: done", file=sys.stderr)
    return r


def table(results: list[dict]) -> str:
    lines = [
        "| measure | " + " | ".join(f"N = {r['n']:,}" for r in results) + " | target at 20,000 |",
        "|---|" + "---|" * len(results) + "---|",
    ]

    def row(name: str, values: list[str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(values) + f" | {target} |")

    def best_floor(r: dict) -> tuple[str, dict]:
        return min(r["floor_whoosh"].items(), key=lambda kv: kv[1]["seconds"])

    row("floor: read + parse every file", [f"{r['floor_read']['seconds']:.1f} s" for r in results])
    for key in results[0]["floor_whoosh"]:
        row(f"floor: bare Whoosh (id, title, body), {key}",
            [f"{r['floor_whoosh'][key]['seconds']:.1f} s, {r['floor_whoosh'][key]['peak_mb']:.0f} MB"
             for r in results])
    row("full rebuild", [
        f"{r['rebuild']['seconds']:.1f} s ({r['rebuild']['seconds'] / best_floor(r)[1]['seconds']:.2f}x floor)"
        for r in results], "≤ 1.5x bare-Whoosh floor")
    row("full rebuild: peak memory", [f"{r['rebuild']['peak_mb']:.0f} MB" for r in results], "< 400 MB")
    row("reconcile on open, nothing changed (open + reconcile)",
        [f"{r['reconcile']['total']:.2f} s ({r['reconcile']['open']:.2f} + {r['reconcile']['reconcile']:.2f})"
         for r in results], "< 0.5 s")
    row("  of which Store.scan()", [f"{r['reconcile']['scan']:.2f} s" for r in results])
    row("one file saved to searchable (debounce 0.3 s included), median / max",
        [f"{r['save']['median']:.2f} / {r['save']['max']:.2f} s" for r in results], "< 1 s")
    row("1,000 files changed (git-checkout-like) to searchable, after the last write",
        [f"{r['batch']['after_last_write']:.1f} s ({r['batch']['after_last_write'] / r['alone']['seconds']:.2f}x"
         f" alone; writes took {r['batch']['write']:.1f} s; {r['batch']['batches']} batches)" for r in results],
        "≤ 1.5x the 1,000 alone")
    row("the same 1,000 entries indexed alone", [f"{r['alone']['seconds']:.1f} s" for r in results])
    row("query latency, 20 queries x 5 warm rounds: median / p95 / max",
        [f"{r['queries']['median']:.1f} / {r['queries']['p95']:.1f} / {r['queries']['max']:.0f} ms"
         for r in results], "median < 20 ms, p95 < 100 ms")
    row("query latency, first (cold) round: median / max",
        [f"{r['queries']['first_median']:.1f} / {r['queries']['first_max']:.0f} ms" for r in results])
    row("rows() (all entries, sorted; and filtered by text)", [f"{r['queries']['rows_ms']:.0f} ms" for r in results])
    row("index size on disk", [f"{r['size_mb']:.0f} MB" for r in results])
    out = "\n".join(lines)
    slow = results[-1]["queries"]["per_query"]
    out += "\n\nPer-query median (ms) at N = {:,}: ".format(results[-1]["n"]) + ", ".join(
        f"`{q}` {t:.1f}" for q, t in sorted(slow.items(), key=lambda kv: -kv[1]))
    return out


def main(argv: list[str]) -> None:
    if argv and argv[0] in CHILDREN:
        print(json.dumps(CHILDREN[argv[0]](*argv[1:])))
        return
    sizes = [int(a) for a in argv] or [2000, 20000]
    work = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    try:
        results = [bench(n, work) for n in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = (
        f"## Index benchmark, {time.strftime('%Y-%m-%d')}\n\n"
        f"Machine: {machine()} (shared with other work while measuring; figures are one run).\n\n"
        + table(results)
    )
    print(text)
    append_to_readme(text)


if __name__ == "__main__":
    main(sys.argv[1:])
