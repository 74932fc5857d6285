"""Several programs on one tree at once: editors through the store, indexes, an import.

No write may be lost (an edit made on a stale read is refused, never silently
overwritten), the shared index never ends up corrupt, and nothing crashes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.model import Kind
from dossier.store import Store

from .conftest import have_module

EDITOR = """
    import sys
    from dossier.store import ChangedOnDisk, Store
    store = Store(sys.argv[1])
    key, rounds = sys.argv[2], int(sys.argv[3])
    done = refused = 0
    while done < rounds:
        location = store.locate("shared")
        current = store.load(location).data.get(key, 0)
        try:
            # Read-modify-write of one counter; the other process does the same to its own key.
            store.edit(location, lambda doc: doc.__setitem__(key, current + 1) if doc.get(key, 0) == current
                       else (_ for _ in ()).throw(ChangedOnDisk("moved on")))
            done += 1
        except ChangedOnDisk:
            refused += 1
    print(done, refused)
"""


def run_together(*commands: list[str], timeout: float = 120) -> list[subprocess.CompletedProcess[str]]:
    children = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    results = []
    for child, command in zip(children, commands, strict=True):
        out, err = child.communicate(timeout=timeout)
        results.append(subprocess.CompletedProcess(command, child.returncode, out, err))
    return results


def test_two_programs_editing_one_entry_lose_no_write(tree: Path) -> None:
    store = Store(tree)
    store.create(Kind.ACTOR, "shared", {"name": "Shared"}, template="# keep me\n")
    rounds = 150
    code = textwrap.dedent(EDITOR)
    results = run_together(
        [sys.executable, "-c", code, str(tree), "alice", str(rounds)],
        [sys.executable, "-c", code, str(tree), "bob", str(rounds)],
        [sys.executable, "-c", code, str(tree), "carol", str(rounds)],
    )
    for result in results:
        assert result.returncode == 0, result.stderr
    text = (tree / "actors/shared/profile.toml").read_text()
    data = tomllib.loads(text)
    # Every successful edit incremented by one from what it read: a lost write shows as a smaller count.
    assert (data["alice"], data["bob"], data["carol"]) == (rounds, rounds, rounds)
    assert "# keep me" in text
    assert check_tree(store).problems == []


def timeline_file(folder: Path, i: int, actors: list[str]) -> None:
    actor_lines = "".join(f"- {a}\n" for a in actors)
    (folder / f"2023-03-{i % 28 + 1:02d}--event-{i}.md").write_text(
        f"---\nid: 2023-03-{i % 28 + 1:02d}--imported-event-{i}\ndate: '2023-03-{i % 28 + 1:02d}'\n"
        f"title: Imported event {i}\nimportance: {i % 10 + 1}\nstatus: confirmed\nactors:\n{actor_lines}"
        f"tags:\n- imported\nsources:\n- title: Source {i}\n  url: https://example.org/{i}\n  outlet: Example\n"
        f"  date: '2023-03-{i % 28 + 1:02d}'\n---\n\nBody of imported event {i}, with {actors[0]}.\n",
        encoding="utf-8",
    )


def make_timeline(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    people = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Edsger Dijkstra"]
    for i in range(n):
        timeline_file(folder, i, [people[i % 5], people[(i + 2) % 5]])
    return folder


VIEWER = """
    import sys, time, threading
    from pathlib import Path
    from dossier.index import Index, IndexBusy
    from dossier.store import Store
    from dossier.watch import IndexWatcher
    # What a TUI does: open the shared index, reconcile, keep it current with a watcher, read it.
    index = Index.open(Store(sys.argv[1]), Path(sys.argv[2]))
    for attempt in range(60):
        try:
            index.reconcile()
            break
        except IndexBusy:
            time.sleep(0.5)
    watcher = IndexWatcher(index, quiet=0.2)
    watcher.start()
    stop = time.monotonic() + float(sys.argv[3])
    reads = 0
    while time.monotonic() < stop:
        index.rows(); index.counts(); index.search("imported"); index.problems()
        reads += 1
        time.sleep(0.05)
    watcher.stop()
    print(reads, repr(watcher.last_error))
    index.close()
"""


@pytest.mark.slow
@pytest.mark.skipif(not (have_module("dossier.index") and have_module("dossier.watch")
                         and have_module("dossier.importers.timeline")), reason="needs index, watcher and importer")
def test_two_viewers_and_an_import_at_once(tree: Path, tmp_path: Path) -> None:
    from dossier.index import Index

    store = Store(tree)
    store.create(Kind.ACTOR, "ada-lovelace", {"name": "Ada Lovelace"})
    timeline = make_timeline(tmp_path / "timeline", 120)
    index_dir = tmp_path / "index"  # one index, shared, as two TUIs on one tree share the default one
    viewer = textwrap.dedent(VIEWER)
    results = run_together(
        [sys.executable, "-c", viewer, str(tree), str(index_dir), "8"],
        [sys.executable, "-c", viewer, str(tree), str(index_dir), "8"],
        [sys.executable, "-m", "dossier", "import", "timeline", str(timeline), "--tree", str(tree),
         "--index", str(index_dir)],
    )
    for result in results:
        assert result.returncode == 0, result.stderr[-3000:]
    for result in results[:2]:
        assert result.stdout.split()[1] == "None", result.stdout
    scan = store.scan()
    events = [loc for loc in scan.locations if loc.kind is Kind.EVENT]
    assert len(events) == 120
    assert check_tree(store).problems == []
    # The shared index, opened again, agrees with a fresh rebuild.
    index = Index.open(store, index_dir)
    fresh = Index.open(store, tmp_path / "fresh")
    try:
        assert index.rebuilt_reason is None, index.rebuilt_reason
        index.reconcile()
        fresh.rebuild()
        assert {r.id: r for r in index.rows()} == {r.id: r for r in fresh.rows()}
        assert len(index.search("imported", limit=500)) == len(fresh.search("imported", limit=500))
    finally:
        index.close()
        fresh.close()


@pytest.mark.slow
@pytest.mark.skipif(not have_module("dossier.index"), reason="needs the index")
def test_reading_the_index_while_the_watcher_applies_changes(tree: Path) -> None:
    import threading
    import time

    from dossier.index import Index

    store = Store(tree)
    known: set[str] = set()
    for i in range(400):
        # Missing references make problems() re-read files while it iterates, as it does in use.
        store.create(Kind.EVENT, f"2020-01-01-e-{i}", {"title": f"E {i}", "date": "2020-01-01",
                                                       "actors": [f"missing-{i}"]}, known_ids=known, sync=False)
    index = Index.open(store, tree.parent / "index")
    index.reconcile()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                index.problems()
                index.rows()
                index.tags()
            except BaseException as exc:  # noqa: BLE001 - any error is the finding
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 15
    n = 0
    try:
        while time.monotonic() < deadline and not errors:
            n += 1
            location = store.create(Kind.ACTOR, f"new-{n}", {"name": f"New {n}"}, known_ids=(), sync=False)
            index.apply([location.main_file])
            if n % 2 == 0:
                import shutil

                shutil.rmtree(tree / "actors" / f"new-{n - 1}")
                index.apply([f"actors/new-{n - 1}"])
    finally:
        stop.set()
        reader.join()
        index.close()
    assert errors == [], repr(errors[0])
