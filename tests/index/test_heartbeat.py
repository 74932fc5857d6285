"""A running watcher's heartbeat lets a command answer without looking at the tree (dossier/index/heartbeat.py).

Each test runs a real watcher (inotify) on a fixture tree, makes a change the way a user would, and runs
the command in this process with the tree's walk and git made to fail the test: the answer must come
from the index the watcher keeps, and be current. Without a live, synced watcher the command must look
at the tree itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dossier.index import Index, heartbeat
from dossier.index import gitstate as gitstate_module
from dossier.store import Store
from dossier.watch import IndexWatcher
from tests.index.helpers import actor, wait_for, write

pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")


@pytest.fixture
def ix_dir(tmp_path: Path) -> Path:
    return tmp_path / "ix"


@pytest.fixture
def watching(tree: Path, ix_dir: Path) -> Iterator[IndexWatcher]:
    """``dossier index --watch``, as the command runs it: watch, reconcile, then say the index matches."""
    index = Index.open(Store(tree), ix_dir)
    watcher = IndexWatcher(index, quiet=0.05, max_delay=0.3)
    watcher.start()
    index.reconcile()
    watcher.index_matches()
    yield watcher
    watcher.stop()
    index.close()


@pytest.fixture
def no_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any look at the tree by the command fail the test (a walk, git, the folders' mtimes)."""

    def looked(*args: object, **kwargs: object) -> None:
        raise AssertionError("the command looked at the tree")

    monkeypatch.setattr(Index, "reconcile", looked)


def search_ids(run_cli, tree: Path, ix_dir: Path, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = run_cli("search", "--tree", tree, "--index", ix_dir, "--json", query)
    assert result.code in (0, 1), result.err
    return [hit["id"] for hit in json.loads(result.out)["hits"]]


def test_a_command_trusts_a_synced_watcher(run_cli, tree: Path, ix_dir: Path, watching: IndexWatcher,
                                           no_look: None) -> None:
    assert search_ids(run_cli, tree, ix_dir, "pentagon") == ["2025-01-28-detail-revoked"]


def test_a_save_just_before_the_command_is_waited_for(run_cli, tree: Path, ix_dir: Path,
                                                      watching: IndexWatcher, no_look: None) -> None:
    # The watcher says "busy" the moment the first event arrives; the command waits for it to apply.
    write(tree / "actors" / "mark-milley" / "notes.md", "He kept a quokka at the Pentagon.")
    wait_for(lambda: (beat := heartbeat.read(ix_dir)) is not None and beat.busy or
             "quokka" in (tree / "actors" / "mark-milley" / "notes.md").read_text())
    assert search_ids(run_cli, tree, ix_dir, "quokka") == ["mark-milley"]


def test_a_new_entry_and_a_deleted_one_are_current(run_cli, tree: Path, ix_dir: Path,
                                                   watching: IndexWatcher, no_look: None) -> None:
    actor(tree, "lloyd-austin", "Lloyd Austin", summary="Secretary of Defense before Hegseth.")
    assert search_ids(run_cli, tree, ix_dir, "lloyd") == ["lloyd-austin"]
    import shutil

    shutil.rmtree(tree / "actors" / "lloyd-austin")
    assert search_ids(run_cli, tree, ix_dir, "lloyd") == []


def test_without_a_watcher_the_command_looks_at_the_tree(run_cli, tree: Path, ix_dir: Path,
                                                         watching: IndexWatcher) -> None:
    watching.stop()
    assert not (ix_dir / heartbeat.HEARTBEAT_FILE).exists()  # a watcher that stops says so
    write(tree / "actors" / "mark-milley" / "notes.md", "He kept a wombat.")
    assert search_ids(run_cli, tree, ix_dir, "wombat") == ["mark-milley"]


def test_a_heartbeat_left_by_a_killed_watcher_is_not_trusted(tree: Path, tmp_path: Path) -> None:
    ix_dir = tmp_path / "ix"
    ix_dir.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    beat = {"pid": int(dead.stdout), "host": heartbeat._host(), "tree": str(tree),
            "beat_ns": time.time_ns(), "busy": False, "synced": True}
    (ix_dir / heartbeat.HEARTBEAT_FILE).write_text(json.dumps(beat), encoding="utf-8")
    assert not heartbeat.trusted(ix_dir, tree, wait=0)
    beat["pid"] = os.getpid()
    beat["beat_ns"] = time.time_ns() - int(10 * heartbeat.STALE * 1e9)  # alive but silent: hung
    (ix_dir / heartbeat.HEARTBEAT_FILE).write_text(json.dumps(beat), encoding="utf-8")
    assert not heartbeat.trusted(ix_dir, tree, wait=0)
    beat["beat_ns"] = time.time_ns() + int(3600e9)  # a beat from the future: a forged or foreign file
    (ix_dir / heartbeat.HEARTBEAT_FILE).write_text(json.dumps(beat), encoding="utf-8")
    assert not heartbeat.trusted(ix_dir, tree, wait=0)
    beat["beat_ns"] = time.time_ns()
    beat["tree"] = str(tmp_path / "another-tree")  # the same cache folder given to another tree
    (ix_dir / heartbeat.HEARTBEAT_FILE).write_text(json.dumps(beat), encoding="utf-8")
    assert not heartbeat.trusted(ix_dir, tree, wait=0)
    (ix_dir / heartbeat.HEARTBEAT_FILE).write_text("{not json", encoding="utf-8")
    assert not heartbeat.trusted(ix_dir, tree, wait=0)


def test_a_watcher_that_has_not_reconciled_or_failed_is_not_trusted(tree: Path, ix_dir: Path) -> None:
    index = Index.open(Store(tree), ix_dir)
    watcher = IndexWatcher(index, quiet=0.05, max_delay=0.3)
    watcher.start()
    try:
        assert heartbeat.read(ix_dir) is not None
        assert not heartbeat.trusted(ix_dir, tree, wait=0)  # watching, but the index may be behind
        index.reconcile()
        watcher.index_matches()
        assert heartbeat.trusted(ix_dir, tree, wait=0)
        watcher.watcher.take()
        watcher.watcher.batch_done(ok=False)  # a batch that could not be applied
        assert not heartbeat.trusted(ix_dir, tree, wait=0)
    finally:
        watcher.stop()
        index.close()


def test_a_busy_watcher_is_waited_for_then_trusted(tree: Path, ix_dir: Path) -> None:
    ix_dir.mkdir()
    beat = heartbeat.Heartbeat(ix_dir, tree)
    beat.set(synced=True, busy=True)
    beat.start()
    try:
        timer = threading.Timer(0.2, lambda: beat.set(busy=False))
        timer.start()
        assert heartbeat.trusted(ix_dir, tree, wait=10)
        beat.set(busy=True)
        assert not heartbeat.trusted(ix_dir, tree, wait=0.05)  # busy for longer than the command waits
    finally:
        beat.stop()


def test_git_is_not_asked_while_a_watcher_keeps_the_index(run_cli, tree: Path, ix_dir: Path,
                                                          watching: IndexWatcher,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def asked(*args: object, **kwargs: object) -> None:
        raise AssertionError("git was asked")

    monkeypatch.setattr(gitstate_module, "start_status", asked)
    assert search_ids(run_cli, tree, ix_dir, "pentagon") == ["2025-01-28-detail-revoked"]


def test_the_watcher_process_is_trusted_by_another_process_and_says_when_it_stops(tree: Path,
                                                                                 tmp_path: Path) -> None:
    ix_dir = tmp_path / "ix"
    env = dict(os.environ, DOSSIER_INDEX=str(ix_dir))
    watcher = subprocess.Popen([sys.executable, "-m", "dossier", "index", "--watch", "--tree", str(tree)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: (beat := heartbeat.read(ix_dir)) is not None and beat.synced, timeout=60)
        write(tree / "actors" / "mark-milley" / "notes.md", "He kept a quokka.")
        searched = subprocess.run([sys.executable, "-m", "dossier", "-v", "search", "--tree", str(tree), "--json",
                                   "quokka"], env=env, capture_output=True, text=True, timeout=60)
        assert [hit["id"] for hit in json.loads(searched.stdout)["hits"]] == ["mark-milley"]
        assert "a running watcher keeps the index current" in searched.stderr
    finally:
        watcher.terminate()  # what a service manager or `kill` sends
        watcher.wait(timeout=30)
    assert not (ix_dir / heartbeat.HEARTBEAT_FILE).exists()


def test_a_change_the_watcher_never_heard_of_is_found_by_its_own_audit(tree: Path, ix_dir: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # As if inotify had failed for a folder: no event reaches the watcher. Its periodic reconcile (the
    # one a command would make) finds the change, so that commands trusting it are not stale for long.
    from dossier.watch import TreeWatcher

    index = Index.open(Store(tree), ix_dir)
    watcher = IndexWatcher(index, quiet=0.05, max_delay=0.3, audit_every=0.2)
    watcher.start()
    monkeypatch.setattr(TreeWatcher, "_event", lambda self, event: None)
    try:
        index.reconcile()
        watcher.index_matches()
        write(tree / "actors" / "mark-milley" / "notes.md", "He kept a quokka.")
        wait_for(lambda: [h.row.id for h in index.search("quokka")] == ["mark-milley"], timeout=30)
        assert heartbeat.trusted(ix_dir, tree, wait=5)
    finally:
        watcher.stop()
        index.close()
