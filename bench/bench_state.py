"""The index's state table at N entries: how fast each file format loads, and the reconcile it is on.

The state table is read on every open and whenever another process wrote (``Index`` reconciles
with an unchanged tree by comparing a folder scan with it), so its load time is on the reconcile
path. Formats compared on the same records: the pickle it was (index format 4, "before"), one
JSON document, JSON lines, SQLite (one row per entry) and MessagePack (the format now, "after").
Then ``Index.open`` + ``reconcile`` with nothing changed, on the same Whoosh index, with the table
in the pickle and in the MessagePack format.

    .venv/bin/python bench/bench_state.py [N] [--tree DIR] [--no-append]

Generates a tree of N entries (default 20,000) with ``bench/generate.py`` in a temporary folder
unless ``--tree`` names one; appends its table to bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import append_to_readme, machine  # noqa: E402
from generate import generate  # noqa: E402

from dossier.index import state_table  # noqa: E402
from dossier.index.document import load_entry  # noqa: E402
from dossier.index.state_table import Record  # noqa: E402
from dossier.model import Kind, Problem, Severity  # noqa: E402
from dossier.store import Store  # noqa: E402

ROUNDS = 11
RECONCILES = 7
KINDS = {k.value: k for k in Kind}


def timed(fn: Callable[[], Any], rounds: int = ROUNDS) -> tuple[float, Any]:
    """Median seconds of ``rounds`` calls, and the last result."""
    times = []
    result = None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def without_gc(fn: Callable[[], Any]) -> Callable[[], Any]:
    """As the index loads: the collector off while the records are made (fair to every format)."""

    def run() -> Any:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return run


# --- before: the pickle of index format 4 (the code as it was)


def pickle_write(path: Path, tree: Path, records: dict[str, Record], scan: list[Problem],
                 collection: list[Problem]) -> tuple[int, int]:
    state = {
        "version": state_table.INDEX_FORMAT_VERSION,
        "schema": state_table.schema_signature(),
        "tree": str(tree),
        "entries": {i: tuple(r) for i, r in records.items()},
        "scan_problems": scan,
        "collection_problems": collection,
    }
    path.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def pickle_read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        st = os.fstat(handle.fileno())
        data = handle.read()
    gc.disable()
    try:
        state = pickle.loads(data)  # noqa: S301 - the format being replaced, measured on our own file
        make = Record._make
        state["entries"] = {i: make(v) for i, v in state["entries"].items()}
    finally:
        gc.enable()
    state["_stamp"] = (st.st_mtime_ns, st.st_size)
    return state


# --- JSON, JSON lines and SQLite: arrays come back as lists, so tuples are rebuilt


def plain(record: Record) -> list[Any]:
    problems = [[p.path, p.message, p.code, p.line, p.column, p.entry_id, p.severity.value] for p in record.problems]
    return [*record[:6], problems, *record[7:]]


def from_json(values: list[Any]) -> Record:
    folder, kind, fingerprint, digest, row, refs, problems, names, sort_date = values
    return Record(
        folder, KINDS[kind], tuple(map(tuple, fingerprint)), digest,
        (row[0], KINDS[row[1]], *row[2:10], tuple(row[10])), tuple(map(tuple, refs)),
        tuple(Problem(*p[:6], Severity(p[6])) for p in problems) if problems else (),
        tuple(names), sort_date,
    )


def json_write(path: Path, records: dict[str, Record]) -> None:
    path.write_text(json.dumps({"entries": {i: plain(r) for i, r in records.items()}}), encoding="utf-8")


def json_read(path: Path) -> dict[str, Record]:
    state = json.loads(path.read_text(encoding="utf-8"))
    return {i: from_json(v) for i, v in state["entries"].items()}


def jsonl_write(path: Path, records: dict[str, Record]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i, r in records.items():
            handle.write(json.dumps([i, plain(r)]) + "\n")


def jsonl_read(path: Path) -> dict[str, Record]:
    entries = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            i, values = json.loads(line)
            entries[i] = from_json(values)
    return entries


def sqlite_write(path: Path, records: dict[str, Record]) -> None:
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("create table entries (id text primary key, record text)")
        db.executemany("insert into entries values (?, ?)", ((i, json.dumps(plain(r))) for i, r in records.items()))
    db.close()


def sqlite_read(path: Path) -> dict[str, Record]:
    db = sqlite3.connect(path)
    try:
        return {i: from_json(json.loads(v)) for i, v in db.execute("select id, record from entries")}
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dossier-bench-state-") as tmp:
        work = Path(tmp)
        tree = args.tree
        if tree is None:
            tree = work / "tree"
            start = time.perf_counter()
            generate(args.n, tree)
            print(f"generated {args.n} entries in {time.perf_counter() - start:.1f} s", flush=True)
        store = Store(tree)
        scan = store.scan()
        records = {loc.id: load_entry(store, loc).record for loc in scan.by_id().values()}
        n = len(records)
        print(f"{n} records read", flush=True)
        p, j, jl, sq, m = (work / f"state.{ext}" for ext in ("pickle", "json", "jsonl", "sqlite", "msgpack"))
        formats: list[tuple[str, Path, Callable[[], Any], Callable[[], Any]]] = [
            ("pickle (before)", p, lambda: pickle_write(p, tree, records, [], []), lambda: pickle_read(p)),
            ("JSON, one document", j, lambda: json_write(j, records), lambda: json_read(j)),
            ("JSON lines", jl, lambda: jsonl_write(jl, records), lambda: jsonl_read(jl)),
            ("SQLite, a row per entry", sq, lambda: sqlite_write(sq, records), lambda: sqlite_read(sq)),
            ("MessagePack (after)", m, lambda: state_table.write_state(m, tree, records, [], []),
             lambda: state_table.read_state(m)),
        ]
        writes = {name: timed(write, 3)[0] for name, _path, write, _read in formats}
        for name, _path, _write, read in formats:
            loaded = read()
            entries = loaded["entries"] if isinstance(loaded, dict) and "entries" in loaded else loaded
            assert entries == records, f"{name} did not give back the same records"
        # Round-robin, so that load from other work on the machine falls on every format alike.
        loads: dict[str, list[float]] = {name: [] for name, *_ in formats}
        for _ in range(ROUNDS):
            for name, _path, _write, read in formats:
                loads[name].append(timed(without_gc(read), 1)[0])
        rows = [(name, writes[name], statistics.median(loads[name]), path.stat().st_size / 1e6)
                for name, path, _write, _read in formats]
        for name, _write_s, load_s, _size in rows:
            print(f"{name}: load {load_s * 1000:.0f} ms", flush=True)

        # Reconcile with nothing changed, on one Whoosh index, with the table in each format.
        from dossier.index import Index

        ix_dir = work / "index"
        start = time.perf_counter()
        with Index.open(store, ix_dir) as index:
            index.reconcile()
        print(f"index built in {time.perf_counter() - start:.0f} s", flush=True)
        scan_s, _ = timed(store.scan, RECONCILES)

        def open_and_reconcile() -> None:
            with Index.open(store, ix_dir) as index:
                assert index.rebuilt_reason is None
                assert not index.reconcile()

        with Index.open(store, ix_dir) as index:
            kept = index._records  # noqa: SLF001 - a benchmark: the very records indexed
        pickle_write(ix_dir / "state.pickle", tree, kept, [], [])
        saved = (state_table.read_state, state_table.write_state, state_table.STATE_FILE)
        before: list[float] = []
        after: list[float] = []
        for _ in range(RECONCILES):  # alternately, for the same reason as above
            state_table.read_state, state_table.write_state, state_table.STATE_FILE = (
                pickle_read, pickle_write, "state.pickle")
            try:
                before.append(timed(open_and_reconcile, 1)[0])
            finally:
                state_table.read_state, state_table.write_state, state_table.STATE_FILE = saved
            after.append(timed(open_and_reconcile, 1)[0])
        before_s, after_s = statistics.median(before), statistics.median(after)

    lines = [
        f"## State table benchmark, {time.strftime('%Y-%m-%d')}",
        "",
        f"`bench/bench_state.py {args.n}`: {n:,} entries. Machine: {machine()} (shared with other work "
        f"while measuring: figures are noisy, compare rows of this run). Medians of {ROUNDS} loads and "
        f"{RECONCILES} reconciles, taken in turn (format after format) so that the machine's load falls on "
        "each alike; the collector off while loading, as the index does; writes: medians of 3.",
        "",
        "| state table format | load | write | size |",
        "|---|---|---|---|",
        *(f"| {name} | {load * 1000:.0f} ms | {write * 1000:.0f} ms | {size:.1f} MB |"
          for name, write, load, size in rows),
        "",
        "| open + reconcile, nothing changed | time |",
        "|---|---|",
        f"| floor: `Store.scan()` alone | {scan_s * 1000:.0f} ms |",
        f"| state table as pickle (before) | {before_s * 1000:.0f} ms |",
        f"| state table as MessagePack (after) | {after_s * 1000:.0f} ms |",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_append:
        append_to_readme(text)


if __name__ == "__main__":
    main()
