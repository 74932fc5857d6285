"""A rebuild in worker processes, and a large first build run as its own process (issue 17).

What a user notices: the same entries, rows and search results as a build in one process; search
working on each committed batch while the build goes on; a rebuild killed half-way leaving an index
the next command completes; a full disk being a message with nothing left behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import dossier.index.core as core
from dossier.index import Index, apart, bulk
from dossier.store import Store
from tests.index.helpers import actor, ids, small_tree, wait_for, write
from tests.index.test_faults import tiny_disk as tiny_disk  # the fixture: a 256 KB disk

QUERIES = ["pentagon", "milley", "reed OR warren", "tag:retaliation", "kind:source", "commonword", "word17"]


def many_sources(tree: Path, count: int) -> None:
    """``count`` sources sharing the word "commonword", each with a word of its own (word0, word1 ...)."""
    for n in range(count):
        folder = tree / "sources" / f"2025-01-01-bulk-{n}"
        write(folder / "source.toml", f'title = "Bulk source {n}"\noutlet = "Outlet {n % 7}"\ntype = "news"\n')
        write(folder / "text.md", f"commonword word{n} " + "filler text about the pentagon " * (n % 5))


def built(tree: Path, folder: Path, workers: int) -> tuple[list, dict[str, list[str]], dict]:
    """Rows, search results and counts of a fresh build of ``tree`` into ``folder``."""
    index = Index.open(Store(tree), folder)
    index.workers = workers
    try:
        index.reconcile()
        rows = list(index.rows())
        found = {query: sorted(ids(index.search(query, limit=10000))) for query in QUERIES}
        return rows, found, dict(index.counts())
    finally:
        index.close()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes for a few entries, in batches of a few: every path of a large build, small."""
    monkeypatch.setattr(core, "PARALLEL_ENTRIES", 1)
    monkeypatch.setattr(core, "BATCH_DOCS", 5)


def test_a_build_in_worker_processes_has_the_rows_and_results_of_one_in_one_process(
        tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = small_tree(tmp_path / "tree")
    many_sources(tree, 40)
    calls: list[int] = []
    real_build = bulk.build
    monkeypatch.setattr(bulk, "build", lambda *args: calls.append(len(args[2])) or real_build(*args))
    alone = built(tree, tmp_path / "one", workers=1)
    assert calls == []
    apart_built = built(tree, tmp_path / "two", workers=2)
    assert calls == [45]
    assert apart_built == alone
    assert apart_built[1]["commonword"] and len(apart_built[1]["commonword"]) == 40
    # The workers' segments are plain files too: a compound one would be copied into a reader's memory.
    assert not list((tmp_path / "two" / "whoosh").glob("*.seg"))


def test_search_answers_from_each_committed_batch_while_the_build_goes_on(tmp_path: Path, small_batches: None) -> None:
    tree = small_tree(tmp_path / "tree")
    many_sources(tree, 60)
    index = Index.open(Store(tree), tmp_path / "ix")
    index.workers = 2
    seen: list[tuple[int, int]] = []

    def committed() -> None:
        # Another program reading the index now (as `dossier search` would) sees the batches committed so far.
        with Index.open(Store(tree), tmp_path / "ix") as reader:
            found = set(ids(reader.search("commonword", limit=10000)))
            indexed = set(reader._records)
            assert found == {i for i in indexed if i.startswith("2025-01-01-bulk-")}
            seen.append((len(indexed), len(found)))

    try:
        index.reconcile(committed=committed)
        assert len(seen) >= 2, seen  # 65 entries in batches of 5, 20, then the rest
        assert all(a[0] < b[0] for a, b in zip(seen, seen[1:], strict=False))
        assert 0 < seen[0][0] < 65
        assert len(ids(index.search("commonword", limit=10000))) == 60
    finally:
        index.close()


def test_a_build_in_workers_then_an_edit_is_found_like_any_other(tmp_path: Path, small_batches: None) -> None:
    tree = small_tree(tmp_path / "tree")
    many_sources(tree, 20)
    index = Index.open(Store(tree), tmp_path / "ix")
    index.workers = 2
    try:
        index.reconcile()
        actor(tree, "new-person", "Newly Added Person")
        (tree / "sources" / "2025-01-01-bulk-3" / "text.md").write_text("replacedword", encoding="utf-8")
        changes = index.reconcile()
        assert "new-person" in changes.added and "2025-01-01-bulk-3" in changes.changed
        assert ids(index.search("replacedword")) == ["2025-01-01-bulk-3"]
        assert "2025-01-01-bulk-3" not in ids(index.search("word3", limit=100))
    finally:
        index.close()


def test_a_full_disk_during_a_build_in_workers_is_a_message_and_leaves_no_partial_files(
        run_cli, tmp_path: Path, tiny_disk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "PARALLEL_ENTRIES", 1)  # one batch: nothing is committed before the disk fills
    monkeypatch.setenv("DOSSIER_INDEX_WORKERS", "2")
    tree = small_tree(tmp_path / "big")
    for n in range(300):
        write(tree / "sources" / f"2025-01-01-s{n}" / "source.toml", f'title = "Source {n}"\ntype = "news"\n')
        write(tree / "sources" / f"2025-01-01-s{n}" / "text.md", f"word{n} " * 400)
    ix_dir = tiny_disk / "ix"
    result = run_cli("index", "--tree", tree, "--index", ix_dir, "--rebuild")
    assert result.code == 2
    assert "full" in result.err and "Traceback" not in result.err
    leftovers = [p.name for p in (ix_dir / "whoosh").glob("*") if p.suffix in (".seg", ".tmp", ".pst", ".trm", ".col")]
    assert not leftovers, leftovers


# ------------------------------------------------------------ as its own process


def dossier(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "dossier", *map(str, args)]


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it has stopped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_dossier_index_rebuild_as_its_own_process_gives_the_rows_and_results_of_a_build_in_one(
        tmp_path: Path) -> None:
    tree = small_tree(tmp_path / "tree")
    many_sources(tree, core.PARALLEL_ENTRIES + 100)
    alone = built(tree, tmp_path / "one", workers=1)
    done = subprocess.run(dossier("--tree", tree, "--index", tmp_path / "apart", "index", "--rebuild", "--json"),
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["added"]) == core.PARALLEL_ENTRIES + 105
    index = Index.open(Store(tree), tmp_path / "apart")
    try:
        assert list(index.rows()) == alone[0]
        assert {query: sorted(ids(index.search(query, limit=10000))) for query in QUERIES} == alone[1]
    finally:
        index.close()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the worker processes from /proc")
def test_a_killed_rebuild_leaves_an_index_the_next_command_completes(tmp_path: Path) -> None:
    tree = small_tree(tmp_path / "tree")
    many_sources(tree, core.PARALLEL_ENTRIES + 200)
    ix = tmp_path / "ix"
    child = subprocess.Popen(dossier("--tree", tree, "--index", ix, "index", "--rebuild"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # Killed once its workers have indexed some entries, before the build is committed.
        assert wait_for(lambda: child.poll() is not None or apart.read_progress(ix) is not None, timeout=120)
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        workers = children(child.pid)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    # Its worker processes stop too (a killed parent may leave one waiting for the rest of a message).
    assert workers
    wait_for(lambda: not any(alive(pid) for pid in workers), timeout=30)
    # The next command (a search) finds the index incomplete and completes it: every entry, once.
    done = subprocess.run(dossier("--tree", tree, "--index", ix, "search", "--json", "commonword"),
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout)["total"] == core.PARALLEL_ENTRIES + 200
    again = subprocess.run(dossier("--tree", tree, "--index", ix, "index", "--json"),
                           capture_output=True, text=True, timeout=600, check=True)
    report = json.loads(again.stdout)
    assert not report["added"] and not report["changed"] and not report["removed"]
    assert sum(report["counts"].values()) == core.PARALLEL_ENTRIES + 200 + 5
    assert not list((ix / "whoosh").glob("*.tmp")), "the killed build's temporary files are left"


def test_a_command_on_a_large_new_tree_builds_it_in_its_own_process_and_follows(
        tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = small_tree(tmp_path / "tree")
    many_sources(tree, core.PARALLEL_ENTRIES + 50)
    followed: list[bool] = []
    real_build = apart.build

    def build(index: Index, *args: object, **kwargs: object) -> bool:
        finished = real_build(index, *args, **kwargs)
        followed.append(finished)
        return finished

    monkeypatch.setattr(apart, "build", build)
    result = run_cli("search", "--tree", tree, "--index", tmp_path / "ix", "--json", "word17")
    assert result.code == 0, result.err
    assert followed == [True]
    assert "2025-01-01-bulk-17" in result.out
    with Index.open(Store(tree), tmp_path / "ix") as index:
        assert sum(index.counts().values()) == core.PARALLEL_ENTRIES + 50 + 5
        assert not (tmp_path / "ix" / apart.PROGRESS_FILE).exists()
