"""A tree not kept in git is reconciled by one stat per folder and per file, not by a walk
(dossier/index/folder_stamps.py, ``Index._reconcile_from_stamps``).

As in test_gitstate.py, each test makes a change the way a user or another program would, opens the
index afresh (as the next command does) and checks that the change is found without listing the tree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.index import Index, folder_stamps
from dossier.store import Store
from tests.index.helpers import actor, age_folders, git, ids, next_command, small_tree, write
from tests.index.test_faults import rewrite_keeping_size_and_mtime


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    tree = small_tree(tmp_path / "tree")
    age_folders(tree)
    return tree


@pytest.fixture
def index_dir(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(folder_stamps, "RACY_NS", 0)  # see test_gitstate.index_dir
    ix_dir = tmp_path / "ix"
    with Index.open(Store(tree), ix_dir) as ix:
        ix.reconcile()  # the first command: a walk, and the stamps kept
    return ix_dir


def test_nothing_changed_is_answered_without_a_walk(tree: Path, index_dir: Path, no_walk: None) -> None:
    with next_command(tree, index_dir) as ix:
        assert ids(ix.search("pentagon")) == ["2025-01-28-detail-revoked"]


def test_an_edit_in_place_is_found(tree: Path, index_dir: Path, no_walk: None) -> None:
    with (tree / "events" / "2025-01-28-detail-revoked" / "summary.md").open("a", encoding="utf-8") as handle:
        handle.write("\nThe Zanzibar office objected.\n")
    with next_command(tree, index_dir) as ix:
        assert ids(ix.search("zanzibar")) == ["2025-01-28-detail-revoked"]


def test_an_edit_that_keeps_size_and_mtime_is_found(tree: Path, index_dir: Path, no_walk: None) -> None:
    rewrite_keeping_size_and_mtime(tree / "events" / "2025-01-28-detail-revoked" / "summary.md", "Pentagon",
                                   "Zanzibar")
    with next_command(tree, index_dir) as ix:
        assert ids(ix.search("zanzibar")) == ["2025-01-28-detail-revoked"]
        assert ids(ix.search("pentagon")) == []
    age_folders(tree)
    rewrite_keeping_size_and_mtime(tree / "events" / "2025-01-28-detail-revoked" / "summary.md", "Zanzibar",
                                   "Pentagon")  # and back: the stamps were renewed after the first change
    with next_command(tree, index_dir) as ix:
        assert ids(ix.search("pentagon")) == ["2025-01-28-detail-revoked"]


def test_a_renamed_folder_is_found(tree: Path, index_dir: Path, no_walk: None) -> None:
    (tree / "actors" / "pete-hegseth").rename(tree / "actors" / "peter-hegseth")
    with next_command(tree, index_dir) as ix:
        assert ix.row("pete-hegseth") is None
        assert ix.row("peter-hegseth").title == "Pete Hegseth"


def test_a_deleted_folder_is_found(tree: Path, index_dir: Path, no_walk: None) -> None:
    shutil.rmtree(tree / "sources" / "2025-01-28-cnn-report")
    with next_command(tree, index_dir) as ix:
        assert ix.row("2025-01-28-cnn-report") is None


def test_a_new_entry_then_an_edit_of_it_are_found(tree: Path, index_dir: Path, no_walk: None) -> None:
    actor(tree, "lloyd-austin", "Lloyd Austin", summary="Secretary of Defense before Hegseth.")
    with next_command(tree, index_dir) as ix:
        assert ids(ix.search("lloyd")) == ["lloyd-austin"]
    age_folders(tree)
    rewrite_keeping_size_and_mtime(tree / "actors" / "lloyd-austin" / "profile.toml", "Secretary", "Zanzibary")
    with next_command(tree, index_dir) as ix:
        assert ids(ix.search("zanzibary")) == ["lloyd-austin"]
    # The stamps were renewed: the next command stats the file and finds nothing to read again.
    from dossier.index import gitstate

    baseline = gitstate.read_baseline(index_dir / gitstate.BASELINE_FILE, tree)
    assert baseline is not None and baseline.files is not None
    assert folder_stamps.file_changes(str(tree), baseline.files) == set()
    assert "actors/lloyd-austin/profile.toml" in baseline.files


def test_a_new_text_file_in_an_entry_is_found(tree: Path, index_dir: Path, no_walk: None) -> None:
    write(tree / "actors" / "pete-hegseth" / "notes.md", "Met the Zanzibar delegation.\n")
    with next_command(tree, index_dir) as ix:
        assert ids(ix.search("zanzibar")) == ["pete-hegseth"]


def test_a_tree_put_in_git_is_walked_once_then_asked_of_git(tree: Path, index_dir: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "start")
    with next_command(tree, index_dir) as ix:
        assert ids(ix.search("pentagon")) == ["2025-01-28-detail-revoked"]
    assert folder_stamps is not None
    from dossier.index import gitstate

    baseline = gitstate.read_baseline(index_dir / gitstate.BASELINE_FILE, tree)
    assert baseline is not None and baseline.files is None and baseline.head  # git's view is kept now
