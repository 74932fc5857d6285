"""Crashes: the process killed (SIGKILL) in the middle of an entry write, an import, an index rebuild.

Afterwards every user file is the old or the new version, whole; nothing that
looks like an entry is left behind; the index recovers by itself.
Each child process is killed at a random moment, several times over.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.model import Kind
from dossier.store import EntryExists, Store

from .conftest import have_module

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

KILLS = 6


def start(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_after_first_line(child: subprocess.Popen[str], rng: random.Random, most: float = 0.4) -> bool:
    """Let the child get going (it prints a line when it is), then kill it at a random moment.

    True when the kill landed (False: the child had already finished its work).
    """
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line, child.stderr.read() if child.stderr else "child died"
    time.sleep(rng.uniform(0, most))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode in (0, -signal.SIGKILL), child.stderr.read() if child.stderr else ""
    return child.returncode == -signal.SIGKILL


def visible_files(root: Path) -> list[Path]:
    """Files a scan, a user or git would take as part of the tree (temp files are hidden)."""
    return [
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]


WRITER = """
    import sys
    from dossier.store import Store, atomic_write
    store = Store(sys.argv[1])
    n = store.load("target").data.get("counter", 0)
    print("started", flush=True)
    while True:
        n += 1
        # A different size every time: a torn write could not pass for a whole one.
        store.set_fields("target", {"counter": n, "body": f"{n}-" * (5000 + n % 7 * 3000)})
        atomic_write(store.path("actors/target/notes.md"), (f"notes {n}\\n" * (2000 + n % 5 * 1000)).encode())
"""


@pytest.mark.slow
def test_killed_in_the_middle_of_entry_writes(tree: Path) -> None:
    rng = random.Random(6)
    store = Store(tree)
    store.create(Kind.ACTOR, "target", {"name": "Target", "counter": 0, "body": ""},
                 template="# a comment the user wrote\n", texts={"notes.md": ""})
    store.create(Kind.ACTOR, "bystander", {"name": "Bystander"})
    bystander = (tree / "actors/bystander/profile.toml").read_bytes()
    last = 0
    for _ in range(KILLS):
        kill_after_first_line(start(WRITER, str(tree)), rng)
        text = (tree / "actors/target/profile.toml").read_text()
        data = tomllib.loads(text)  # whole: it parses
        n = data["counter"]
        assert n >= last
        assert data["body"] == f"{n}-" * (5000 + n % 7 * 3000), "the kind file mixes two versions"
        assert "# a comment the user wrote" in text
        notes = (tree / "actors/target/notes.md").read_text()
        if notes:
            m = int(notes.split()[1])
            assert m in (n - 1, n), "the text file is neither the old nor the new version"
            assert notes == f"notes {m}\n" * (2000 + m % 5 * 1000)
        last = n
    assert last > KILLS, "the writer never got far enough to be killed mid-write"
    assert (tree / "actors/bystander/profile.toml").read_bytes() == bystander
    assert sorted(p.name for p in visible_files(tree)) == ["notes.md", "profile.toml", "profile.toml"]
    assert check_tree(store).problems == []
    # A later edit is not upset by what the killed writers left.
    store.set_fields("target", {"counter": last + 1})
    assert store.load("target").data["counter"] == last + 1


CREATOR = """
    import sys
    from dossier.model import Kind
    from dossier.store import Store
    store = Store(sys.argv[1])
    n = int(sys.argv[2])
    print("started", flush=True)
    while True:
        store.create(Kind.EVENT, f"2020-01-01-made-{n}",
                     {"title": f"Made {n}", "date": "2020-01-01", "body": "x" * 200_000},
                     texts={"summary.md": f"summary {n}\\n" * 20_000})
        n += 1
"""


@pytest.mark.slow
def test_killed_in_the_middle_of_creating_entries(tree: Path) -> None:
    rng = random.Random(7)
    store = Store(tree)
    next_n = 0
    for _ in range(KILLS):
        kill_after_first_line(start(CREATOR, str(tree), str(next_n)), rng)
        folders = sorted((tree / "events").iterdir(), key=lambda p: int(p.name.rsplit("-", 1)[1]))
        for folder in folders:
            n = int(folder.name.rsplit("-", 1)[1])
            kind_file = folder / "event.toml"
            if kind_file.exists():
                data = tomllib.loads(kind_file.read_text())
                assert data["title"] == f"Made {n}" and data["body"] == "x" * 200_000
            summary = folder / "summary.md"
            if summary.exists():
                assert summary.read_text() == f"summary {n}\n" * 20_000
        next_n = max(int(f.name.rsplit("-", 1)[1]) for f in folders) + 1 if folders else 0
    report = check_tree(store)
    assert report.problems == [], [str(p) for p in report.problems]
    made = [loc.id for loc in store.scan().locations]
    assert len(made) >= KILLS - 1


INDEXER = """
    import sys
    from pathlib import Path
    import dossier.index.core
    from dossier.index import Index
    from dossier.store import Store
    dossier.index.core.BATCH_DOCS = 150  # commit every 150 entries: kills land between commits too
    index = Index.open(Store(sys.argv[1]), Path(sys.argv[2]))
    first = True
    def progress(done, total):
        global first
        if first:
            print("started", flush=True)
            first = False
    index.rebuild(progress)
    print("finished", flush=True)
"""


@pytest.fixture
def big_tree(tree: Path) -> Path:
    store = Store(tree)
    known: set[str] = set()  # known_ids: no rescan of the tree per entry
    for i in range(60):
        store.create(Kind.ACTOR, f"actor-{i}", {"name": f"Actor {i}", "aliases": [f"A{i}"]}, sync=False,
                     known_ids=known)
    for i in range(600):
        store.create(
            Kind.EVENT, f"2020-02-{i % 28 + 1:02d}-event-{i}",
            {"title": f"Event {i}", "date": f"2020-02-{i % 28 + 1:02d}", "actors": [f"actor-{i % 60}"],
             "tags": [f"t{i % 9}"]},
            texts={"summary.md": f"Actor {i % 60} did thing {i}. " * 30}, sync=False, known_ids=known,
        )
    return tree


@pytest.mark.slow
@pytest.mark.skipif(not have_module("dossier.index"), reason="needs the index")
def test_killed_in_the_middle_of_an_index_rebuild_recovers_by_itself(big_tree: Path, tmp_path: Path) -> None:
    from dossier.index import Index

    store = Store(big_tree)
    fresh = Index.open(store, tmp_path / "fresh")
    began = time.monotonic()
    fresh.rebuild()
    took = time.monotonic() - began
    expected_rows = {r.id: r for r in fresh.rows()}
    expected_hits = {h.row.id for h in fresh.search("thing", limit=2000)}
    fresh.close()
    assert len(expected_rows) == 660 and len(expected_hits) == 600
    before = {p: p.read_bytes() for p in visible_files(big_tree)}
    rng = random.Random(8)
    index_dir = tmp_path / "index"
    kills = 0
    for _ in range(8):
        if kills == 3:
            break
        kills += kill_after_first_line(start(INDEXER, str(big_tree), str(index_dir)), rng, most=took * 0.6)
        index = Index.open(store, index_dir)
        try:
            index.reconcile()
            assert {r.id: r for r in index.rows()} == expected_rows
            assert {h.row.id for h in index.search("thing", limit=2000)} == expected_hits
            assert index.problems() == []
        finally:
            index.close()
    assert kills >= 2, "the rebuild always finished before the kill"
    assert {p: p.read_bytes() for p in visible_files(big_tree)} == before, "the index wrote into the tree"


def test_an_interrupted_create_is_finished_by_the_next_one_and_overwrites_nothing(tree: Path) -> None:
    store = Store(tree)
    leftover = tree / "events" / "2020-01-01-half"
    leftover.mkdir(parents=True)
    (leftover / "summary.md").write_text("same text\n")  # written before the kill; the kind file never was
    assert store.scan().locations == []  # not an entry
    store.create(Kind.EVENT, "2020-01-01-half", {"title": "Half", "date": "2020-01-01"},
                 texts={"summary.md": "same text\n"})
    assert store.load("2020-01-01-half").problems == []
    mine = tree / "actors" / "someone"
    mine.mkdir(parents=True)
    (mine / "notes.md").write_text("the user's own notes\n")
    with pytest.raises(EntryExists):
        store.create(Kind.ACTOR, "someone", {"name": "Someone"}, texts={"notes.md": "imported notes\n"})
    assert (mine / "notes.md").read_text() == "the user's own notes\n"
    assert not (mine / "profile.toml").exists()


def test_temp_files_left_by_a_killed_write_are_cleared_by_the_next_write(tree: Path) -> None:
    """A SIGKILL between writing the temporary file and the rename leaves it behind: hidden from
    the scan, but git would list it as untracked until someone deletes it by hand."""
    store = Store(tree)
    store.create(Kind.ACTOR, "target", {"name": "Target"})
    folder = tree / "actors" / "target"
    stale = folder / ".profile.toml.k1ll3d.tmp"
    stale.write_text('name = "half')
    old = time.time() - 3600
    os.utime(stale, (old, old))
    recent = folder / ".profile.toml.wr1t1ng.tmp"  # another program's write in progress: left alone
    recent.write_text("")
    store.set_fields("target", {"summary": "next edit"})
    assert not stale.exists()
    assert recent.exists()
    assert store.load("target").data["summary"] == "next edit"


@pytest.mark.skipif(not have_module("dossier.index"), reason="needs the index")
@pytest.mark.parametrize("damage", ["truncated-state", "garbage-state", "empty-whoosh", "garbage-segments"])
def test_a_damaged_index_is_rebuilt_on_the_next_start(tree: Path, tmp_path: Path, damage: str) -> None:
    from dossier.index import Index

    store = Store(tree)
    for i in range(20):
        store.create(Kind.ACTOR, f"actor-{i}", {"name": f"Actor {i}"}, known_ids=(), sync=False)
    index = Index.open(store, tmp_path / "index")
    index.reconcile()
    expected = {r.id: r for r in index.rows()}
    index.close()
    from dossier.index.state_table import STATE_FILE

    state = tmp_path / "index" / STATE_FILE
    whoosh = tmp_path / "index" / "whoosh"
    if damage == "truncated-state":
        state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    elif damage == "garbage-state":
        state.write_bytes(b"\x80\x05garbage" * 10)
    elif damage == "empty-whoosh":
        for path in whoosh.iterdir():
            path.unlink()
    else:
        for path in whoosh.iterdir():
            if path.suffix in (".seg", ".toc", ".pst", ".trm", ".col"):
                path.write_bytes(os.urandom(64))
    index = Index.open(store, tmp_path / "index")
    try:
        assert index.rebuilt_reason is not None
        index.reconcile()
        assert {r.id: r for r in index.rows()} == expected
        assert len(index.search("actor", limit=100)) == 20
    finally:
        index.close()
