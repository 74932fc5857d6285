"""Git workflows with the real ``git``: clones that edit, pull and merge; conflicts; checkouts
of hundreds of entries under a running watcher; nothing of ours in ``git status``.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.model import Kind
from dossier.review import REVIEW_CODES
from dossier.store import Store, atomic_write

from .conftest import dossier, git_available, have_module

pytestmark = [
    pytest.mark.skipif(not git_available(), reason="needs the git command"),
    pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning"),  # watchdog re-adding a watch
]

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main",
         "-c", "pull.rebase=false", "-c", "advice.detachedHead=false", *args],
        cwd=cwd, capture_output=True, text=True, check=check, env={**os.environ, **GIT_ENV}, timeout=60,
    )


def seed(store: Store, n_actors: int = 5, n_events: int = 10) -> None:
    for i in range(n_actors):
        store.create(Kind.ACTOR, f"actor-{i}", {"name": f"Actor {i}", "type": "person", "tags": ["seed"]},
                     template="# hand-written notes go below\n")
    for i in range(n_events):
        store.create(
            Kind.EVENT,
            f"2020-01-{i + 1:02d}-event-{i}",
            {"title": f"Event {i}", "date": f"2020-01-{i + 1:02d}", "importance": 5, "status": "reported",
             "actors": [f"actor-{i % n_actors}"], "tags": ["seed"]},
            texts={"summary.md": f"Summary of event {i}.\n\nActor {i % n_actors} was there.\n"},
        )


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path]:
    """Two clones of one shared repository whose tree is ``dossiers/``, seeded and pushed."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--bare", str(origin))
    a = tmp_path / "alice"
    git(tmp_path, "clone", str(origin), str(a))
    seed(Store(a / "dossiers"))
    git(a, "add", "-A")
    git(a, "commit", "-m", "seed")
    git(a, "push", "origin", "HEAD:main")
    b = tmp_path / "bob"
    git(tmp_path, "clone", str(origin), str(b))
    return a / "dossiers", b / "dossiers"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-m", message)


def test_two_clones_edit_the_same_entry_in_different_places_and_merge_cleanly(clones: tuple[Path, Path]) -> None:
    alice, bob = clones
    event = "2020-01-03-event-2"
    Store(alice).set_fields(event, {"importance": 9})
    folder = Store(alice).locate(event).folder
    atomic_write(Store(alice).path(f"{folder}/alice.md"), b"Alice's notes.\n")
    commit_all(alice.parent, "alice")
    git(alice.parent, "push", "origin", "HEAD:main")
    Store(bob).set_fields(event, {"tags": ["seed", "bob"]})
    Store(bob).set_fields("actor-1", {"summary": "Edited by Bob"})
    commit_all(bob.parent, "bob")
    merged = git(bob.parent, "pull", "origin", "main")
    assert merged.returncode == 0, merged.stderr
    entry = Store(bob).load(event)
    assert entry.data["importance"] == 9 and entry.data["tags"] == ["seed", "bob"]
    assert entry.problems == []
    assert sorted(Path(t).name for t in entry.text_files) == ["alice.md", "summary.md"]
    assert Store(bob).load("actor-1").data["summary"] == "Edited by Bob"
    assert check_tree(Store(bob)).problems == []  # the merged tree reads cleanly
    from dossier.gitsync import setup_problems

    assert [p.code for p in setup_problems(bob)] == ["git-setup"]  # merges go by line here: check warns
    git(bob.parent, "push", "origin", "HEAD:main")
    git(alice.parent, "pull", "origin", "main")
    assert snapshot(alice) == snapshot(bob)


def test_a_merge_conflict_is_named_and_the_other_entries_are_untouched(clones: tuple[Path, Path]) -> None:
    alice, bob = clones
    event = "2020-01-05-event-4"
    Store(alice).set_fields(event, {"title": "Alice's title"})
    commit_all(alice.parent, "alice")
    git(alice.parent, "push", "origin", "HEAD:main")
    Store(bob).set_fields(event, {"title": "Bob's title"})
    Store(bob).set_fields("2020-01-02-event-1", {"importance": 2})
    commit_all(bob.parent, "bob")
    before = {loc.id: Store(bob).load(loc).data for loc in Store(bob).scan().locations}
    pulled = git(bob.parent, "pull", "origin", "main", check=False)
    assert pulled.returncode != 0 and "CONFLICT" in pulled.stdout + pulled.stderr
    conflicted = f"events/{event}/event.toml"
    assert "<<<<<<<" in (bob / conflicted).read_text()

    store = Store(bob)
    entry = store.load(event)
    assert [p.code for p in entry.problems] == ["merge-conflict"]
    assert entry.problems[0].path == conflicted and entry.problems[0].line is not None
    for loc in store.scan().locations:
        if loc.id != event:
            loaded = store.load(loc)
            assert loaded.problems == [] and loaded.data == before[loc.id], loc.id

    result = dossier("check", "--json", "--tree", bob)
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    # The seeded events cite no sources: the confirmation policy warns about them (tests/unit/test_policy.py),
    # and so does the review (no source, isolated actors: tests/cli/test_curate.py).
    assert {p["severity"] for p in problems if p["code"].startswith("policy-")} == {"warning"}
    problems = [p for p in problems if not p["code"].startswith("policy-") and p["code"] not in REVIEW_CODES]
    assert [(p["path"], p["code"]) for p in problems] == [
        (".gitattributes", "git-setup"),  # a note: this repository merges entry files by line
        (conflicted, "merge-conflict"),
    ]
    assert "merge conflict" in problems[1]["message"] and "(key title)" in problems[1]["message"]
    human = dossier("check", "--tree", bob)
    assert conflicted.encode() in human.stdout and b"merge conflict" in human.stdout
    shown = dossier("show", event, "--tree", bob)
    assert shown.returncode == 1 and b"merge conflict" in shown.stdout


def test_nothing_the_program_writes_appears_in_git_status(clones: tuple[Path, Path], tmp_path: Path) -> None:
    alice, _ = clones
    repo = alice.parent
    env = {"HOME": str(tmp_path / "home")}  # the default (user cache) index location
    env.pop("DOSSIER_INDEX", None)
    commands = [("check",), ("show", "actor-1"), ("show", "2020-01-02-event-1", "--json")]
    for extra in (("search", "Actor"), ("index",)):
        probe = dossier(extra[0], "--help")
        if probe.returncode == 0:
            commands.append(extra)
    for command in commands:
        for index_env in ({}, {"DOSSIER_INDEX": ""}):
            full_env = {**env, **index_env}
            result = dossier(*command, "--tree", alice, env=full_env, cwd=repo)
            assert result.returncode in (0, 1), (command, result.stderr)
    # The editing paths write through the store: the edit itself is all that changes.
    Store(alice).set_fields("actor-2", {"summary": "changed"})
    status = git(repo, "status", "--porcelain", "--ignored", "--untracked-files=all").stdout
    assert status.strip() == "M dossiers/actors/actor-2/profile.toml"


@pytest.mark.slow
@pytest.mark.skipif(not (have_module("dossier.index") and have_module("dossier.watch")), reason="needs the index")
def test_checkout_of_hundreds_of_entries_under_a_running_watcher_converges(tmp_path: Path) -> None:
    from dossier.index import Index
    from dossier.watch import IndexWatcher

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init")
    root = repo / "dossiers"
    store = Store(root)
    seed(store, n_actors=20, n_events=0)
    commit_all(repo, "base")
    git(repo, "checkout", "-b", "big")
    for i in range(300):
        store.create(Kind.EVENT, f"2021-02-{i % 28 + 1:02d}-big-{i}",
                     {"title": f"Big {i}", "date": f"2021-02-{i % 28 + 1:02d}", "actors": [f"actor-{i % 20}"]},
                     texts={"notes.md": f"Note {i}\n"}, sync=False, known_ids=())
    for i in range(0, 20, 2):
        store.set_fields(f"actor-{i}", {"summary": f"big branch {i}"})
    commit_all(repo, "big")
    git(repo, "checkout", "main")
    for i in range(150):
        store.create(Kind.SOURCE, f"2022-03-{i % 28 + 1:02d}-small-{i}",
                     {"title": f"Small {i}", "published": f"2022-03-{i % 28 + 1:02d}"}, sync=False, known_ids=())
    commit_all(repo, "small")

    index = Index.open(store, tmp_path / "index")
    index.reconcile()
    updated = threading.Event()
    watcher = IndexWatcher(index, on_changes=lambda _changes: updated.set(), quiet=0.2)
    watcher.start()
    try:
        for branch in ("big", "main", "big", "main", "big"):
            git(repo, "checkout", branch)
            expected = _fresh(store, tmp_path / f"fresh-{branch}-{time.monotonic_ns()}")
            assert _wait_until(lambda expected=expected: _rows(index) == expected, timeout=30), (
                f"after checkout of {branch}: index has {len(_rows(index))} rows, tree has {len(expected)}"
            )
        assert watcher.last_error is None
        assert _problems(index) == _problems_fresh(store, tmp_path / "fresh-problems")
    finally:
        watcher.stop()
        index.close()
    status = git(repo, "status", "--porcelain", "--ignored", "--untracked-files=all").stdout
    assert status == ""


def _rows(index) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    return {r.id: r for r in index.rows()}


def _fresh(store: Store, index_dir: Path) -> dict[str, tuple]:
    from dossier.index import Index

    fresh = Index.open(store, index_dir)
    try:
        fresh.rebuild()
        return _rows(fresh)
    finally:
        fresh.close()


def _problems(index) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted((p.path, p.code, p.message) for p in index.problems())


def _problems_fresh(store: Store, index_dir: Path) -> list[tuple]:
    from dossier.index import Index

    fresh = Index.open(store, index_dir)
    try:
        fresh.rebuild()
        return _problems(fresh)
    finally:
        fresh.close()


def _wait_until(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
