"""Soak: the watcher keeps the index current through thousands of random edits, for minutes.

One process runs an :class:`~dossier.watch.IndexWatcher` on a generated tree
(as the TUI does); a second process makes random edits, new entries, renames
and deletions at an even pace, some through the store (atomic), some the way a
plain editor or a script writes (in place). At the end the index must equal a
fresh rebuild of the tree, and the watcher's memory must not have grown.

    .venv/bin/python bench/soak.py [--minutes 10] [--ops 10000] [--entries 500] [--record]

Prints a table; ``--record`` appends it to bench/README.md. Exit status 1 when
the index differs from a rebuild or memory grew by more than 25%.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, append_to_readme, machine  # noqa: E402

#: Memory may grow this much between the end of warm-up and the end of the run.
GROWTH_LIMIT = 0.25


def rss_mb() -> float:
    """This process's current resident memory in MB (Linux)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024**2


# ---------------------------------------------------------------- the mutator


def mutate(root: Path, ops: int, seconds: float, seed: int) -> dict[str, int]:
    """Make ``ops`` random changes to the tree, evenly over ``seconds``."""
    from dossier.model import Kind, is_valid_id
    from dossier.store import Store, StoreError

    rng = random.Random(seed)
    store = Store(root)
    folders = [root / loc.folder for loc in store.scan().locations]
    done = {"edit": 0, "text": 0, "text-in-place": 0, "create": 0, "rename": 0, "delete": 0, "break": 0,
            "failed": 0}
    start = time.monotonic()
    serial = 0
    for i in range(ops):
        delay = start + seconds * i / ops - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        folders = [f for f in folders if f.exists()]
        op = rng.choices(["edit", "text", "text-in-place", "create", "rename", "delete", "break"],
                         [35, 15, 10, 15, 10, 10, 5])[0]
        try:
            if op == "create" or not folders:
                serial += 1
                kind = rng.choice(list(Kind))
                entry_id = f"soak-{seed}-{serial}"
                data: dict[str, Any] = {"name" if kind is Kind.ACTOR else "title": f"Soak {serial}"}
                if kind is Kind.EVENT:
                    data["date"] = "2024-05-01"
                location = store.create(kind, entry_id, data, known_ids=(), sync=False,
                                        texts={"notes.md": f"created {serial}\n"})
                folders.append(root / location.folder)
                op = "create"
            else:
                folder = rng.choice(folders)
                location = store.location_of(folder)
                if location is None:
                    continue
                if op == "edit":
                    store.set_fields(location, {"tags": [f"soak-{rng.randrange(50)}"], "soak": i})
                elif op == "text":
                    store.write_text(location, "notes.md", f"atomic {i} " * rng.randrange(1, 200))
                elif op == "text-in-place":
                    with (folder / "scratch.md").open("w", encoding="utf-8") as handle:
                        handle.write(f"in place {i}\n" * rng.randrange(1, 100))
                elif op == "rename":
                    new_id = f"renamed-{seed}-{i}"
                    assert is_valid_id(new_id)
                    target = folder.with_name(new_id)
                    folder.rename(target)
                    folders.remove(folder)
                    folders.append(target)
                elif op == "delete":
                    shutil.rmtree(folder)
                    folders.remove(folder)
                elif op == "break":
                    main = folder / location.kind.filename
                    main.write_text(main.read_text(encoding="utf-8") + "\nbroken = [\n", encoding="utf-8")
            done[op] += 1
        except (StoreError, OSError):
            done["failed"] += 1  # e.g. an edit refused on a file broken earlier: expected now and then
    return done


# ----------------------------------------------------------------- the watcher


def snapshot(index: Any) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    rows = {r.id: r for r in index.rows()}
    problems = sorted((p.path, p.code, p.message) for p in index.problems())
    return rows, problems


def fresh_snapshot(store: Any, where: Path) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    from dossier.index import Index

    fresh = Index.open(store, where)
    try:
        fresh.rebuild()
        return snapshot(fresh)
    finally:
        fresh.close()
        shutil.rmtree(where, ignore_errors=True)


def soak(minutes: float, ops: int, entries: int, seed: int) -> tuple[str, bool]:
    from generate import generate

    from dossier.index import Index
    from dossier.store import Store
    from dossier.watch import IndexWatcher

    work = Path(tempfile.mkdtemp(prefix="dossier-soak-"))
    try:
        root = work / "dossiers"
        generate(entries, root, seed=seed)
        store = Store(root)
        index = Index.open(store, work / "index")
        index.reconcile()
        batches = 0
        lock = threading.Lock()

        def counted(_changes: Any) -> None:
            nonlocal batches
            with lock:
                batches += 1

        watcher = IndexWatcher(index, on_changes=counted)
        watcher.start()
        seconds = minutes * 60
        child = subprocess.Popen(
            [sys.executable, __file__, "--mutate", str(root), str(ops), str(seconds), str(seed)],
            stdout=subprocess.PIPE, text=True,
        )
        samples: list[tuple[float, float]] = []
        began = time.monotonic()
        while child.poll() is None:
            samples.append((time.monotonic() - began, rss_mb()))
            time.sleep(2)
        counts = eval(child.stdout.read().strip().splitlines()[-1]) if child.stdout else {}  # noqa: S307
        ended = time.monotonic()
        expected = fresh_snapshot(store, work / "fresh")
        converged = False
        while time.monotonic() - ended < 120:
            if snapshot(index) == expected:
                converged = True
                break
            time.sleep(0.2)
        lag = time.monotonic() - ended
        if not converged:  # say how it differs
            rows, problems = snapshot(index)
            rows_expected, problems_expected = expected
            missing = sorted(set(rows_expected) - set(rows))[:5]
            extra = sorted(set(rows) - set(rows_expected))[:5]
            stale = sorted(i for i in rows if i in rows_expected and rows[i] != rows_expected[i])[:5]
            print(f"index differs: missing {missing}, extra {extra}, stale {stale}, "
                  f"problems {len(problems)} vs {len(problems_expected)}", file=sys.stderr)
        watcher.stop()
        last_error = watcher.last_error
        index.close()
        warm = [rss for t, rss in samples if t >= min(60.0, seconds / 5)]
        start_rss = warm[0] if warm else float("nan")
        end_rss = samples[-1][1] if samples else float("nan")
        peak = max((rss for _, rss in samples), default=float("nan"))
        growth = (end_rss - start_rss) / start_rss if start_rss == start_rss and start_rss else 0.0
        ok = converged and growth <= GROWTH_LIMIT and last_error is None and child.returncode == 0
        rows, problems = expected
        errors = "none" if last_error is None else repr(last_error)
        table = "\n".join(
            [
                f"Soak, {time.strftime('%Y-%m-%d')}: {machine()}",
                "",
                "| minutes | operations (edit/text/in-place/create/rename/delete/break/failed) | batches "
                "| entries at end | problems at end | index = rebuild | converged after | RSS after warm-up "
                "| RSS at end | RSS peak | watcher errors |",
                "|---|---|---|---|---|---|---|---|---|---|---|",
                f"| {(ended - began) / 60:.1f} | {sum(v for k, v in counts.items() if k != 'failed')} "
                f"({'/'.join(str(counts.get(k, 0)) for k in ('edit', 'text', 'text-in-place', 'create', 'rename', 'delete', 'break', 'failed'))}) "  # noqa: E501
                f"| {batches} | {len(rows)} | {len(problems)} | {'yes' if converged else 'NO'} | {lag:.1f} s "
                f"| {start_rss:.0f} MB | {end_rss:.0f} MB | {peak:.0f} MB | {errors} |",
            ]
        )
        return table, ok
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--mutate":
        root, ops, seconds, seed = Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
        print(mutate(root, ops, seconds, seed), flush=True)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--record", action="store_true", help="append the table to bench/README.md")
    args = parser.parse_args()
    table, ok = soak(args.minutes, args.ops, args.entries, args.seed)
    print(table)
    if args.record:
        append_to_readme(table)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    sys.exit(main())
