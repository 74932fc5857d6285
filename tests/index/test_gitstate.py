"""A tree kept in git is reconciled by asking git what changed (dossier/index/gitstate.py), not by a walk.

Each test makes a change the way a user or another program would, then opens the index afresh (as the
next command does) and checks that the change is found without a rebuild, and, where it matters, that
the tree was not walked to find it.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from dossier.index import Index, folder_stamps
from dossier.store import Store
from tests.index.helpers import actor, age_folders, git, ids, next_command, small_tree, write
from tests.index.test_faults import rewrite_keeping_size_and_mtime

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    tree = small_tree(tmp_path / "tree")
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "start")
    age_folders(tree)
    return tree


@pytest.fixture
def index_dir(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Files and folders changed within two seconds of a reconcile are looked at again by the next one
    # (folder_stamps.RACY_NS); a test makes its change at once, so that would find every change without
    # the comparisons under test. A clock that trusts everything keeps those comparisons honest.
    monkeypatch.setattr(folder_stamps, "RACY_NS", 0)
    ix_dir = tmp_path / "ix"
    with Index.open(Store(repo), ix_dir) as ix:
        ix.reconcile()  # the first command: a walk, and git's view of the tree kept
    return ix_dir


def test_nothing_changed_is_answered_without_a_walk(repo: Path, index_dir: Path, no_walk: None) -> None:
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("pentagon")) == ["2025-01-28-detail-revoked"]


def test_an_edit_in_place_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    summary = repo / "events" / "2025-01-28-detail-revoked" / "summary.md"
    with summary.open("a", encoding="utf-8") as handle:  # in place, as a plain editor or `>>` writes
        handle.write("\nThe Zanzibar office objected.\n")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("zanzibar")) == ["2025-01-28-detail-revoked"]


def test_an_edit_that_keeps_size_and_mtime_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    summary = repo / "events" / "2025-01-28-detail-revoked" / "summary.md"
    rewrite_keeping_size_and_mtime(summary, "Pentagon", "Zanzibar")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("zanzibar")) == ["2025-01-28-detail-revoked"]
        assert ids(ix.search("pentagon")) == []


def test_a_renamed_folder_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    (repo / "actors" / "pete-hegseth").rename(repo / "actors" / "peter-hegseth")
    with next_command(repo, index_dir) as ix:
        assert ix.row("pete-hegseth") is None
        assert ix.row("peter-hegseth") is not None
        assert ix.row("peter-hegseth").title == "Pete Hegseth"


def test_a_deleted_folder_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    shutil.rmtree(repo / "sources" / "2025-01-28-cnn-report")
    with next_command(repo, index_dir) as ix:
        assert ix.row("2025-01-28-cnn-report") is None
        assert ids(ix.search("clearance")) == []


def test_a_new_untracked_entry_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    actor(repo, "lloyd-austin", "Lloyd Austin", summary="Secretary of Defense before Hegseth.")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("lloyd")) == ["lloyd-austin"]


def test_a_change_that_was_committed_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    # Clean again by the next command: only the new commit says that this file changed.
    profile = repo / "actors" / "mark-milley" / "profile.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("Mark A. Milley", "Mark Alexander Milley"),
                       encoding="utf-8")
    git(repo, "commit", "-q", "-a", "-m", "full name")
    with next_command(repo, index_dir) as ix:
        assert ix.row("mark-milley").title == "Mark Alexander Milley"


def test_a_checkout_of_another_branch_is_found_and_back(repo: Path, index_dir: Path, no_walk: None) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    actor(repo, "lloyd-austin", "Lloyd Austin")
    shutil.rmtree(repo / "events" / "2020-06-01-lafayette-square")
    write(repo / "events" / "2025-01-28-detail-revoked" / "summary.md", "Nothing about the building.\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "other branch")
    git(repo, "checkout", "-q", "main")
    with next_command(repo, index_dir) as ix:  # back where the index was built: nothing to do
        assert ids(ix.search("pentagon")) == ["2025-01-28-detail-revoked"]
    git(repo, "checkout", "-q", "other")
    with next_command(repo, index_dir) as ix:
        assert ix.row("lloyd-austin") is not None
        assert ix.row("2020-06-01-lafayette-square") is None
        assert ids(ix.search("pentagon")) == []
    git(repo, "checkout", "-q", "main")
    with next_command(repo, index_dir) as ix:
        assert ix.row("lloyd-austin") is None
        assert ix.row("2020-06-01-lafayette-square") is not None
        assert ids(ix.search("pentagon")) == ["2025-01-28-detail-revoked"]


def test_a_change_undone_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    # Dirty at one command, clean (back to the commit) at the next: the baseline remembers it was dirty.
    summary = repo / "events" / "2025-01-28-detail-revoked" / "summary.md"
    original = summary.read_text(encoding="utf-8")
    summary.write_text("Zanzibar.\n", encoding="utf-8")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("zanzibar")) == ["2025-01-28-detail-revoked"]
    git(repo, "checkout", "--", ".")
    assert summary.read_text(encoding="utf-8") == original
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("zanzibar")) == []
        assert ids(ix.search("pentagon")) == ["2025-01-28-detail-revoked"]


def test_a_tree_inside_a_repository_sees_only_its_own_paths(tmp_path: Path) -> None:
    top = tmp_path / "project"
    tree = small_tree(top / "research" / "dossiers")
    write(top / "README.md", "not part of the tree\n")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "start")
    ix_dir = tmp_path / "ix"
    with Index.open(Store(tree), ix_dir) as ix:
        ix.reconcile()
    (top / "README.md").write_text("changed\n", encoding="utf-8")
    summary = tree / "events" / "2025-01-28-detail-revoked" / "summary.md"
    rewrite_keeping_size_and_mtime(summary, "Pentagon", "Zanzibar")
    with next_command(tree, ix_dir) as ix:
        assert ids(ix.search("zanzibar")) == ["2025-01-28-detail-revoked"]


def test_a_new_file_in_an_entry_git_does_not_track_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    # git status --untracked-files=no does not list it; the entry folder's mtime moved.
    write(repo / "actors" / "pete-hegseth" / "notes.md", "Met the Zanzibar delegation.\n")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("zanzibar")) == ["pete-hegseth"]


def test_an_untracked_entry_edited_in_place_later_is_found(repo: Path, index_dir: Path, no_walk: None) -> None:
    actor(repo, "lloyd-austin", "Lloyd Austin", summary="Secretary of Defense before Hegseth.")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("lloyd")) == ["lloyd-austin"]
    age_folders(repo)
    next_command(repo, index_dir).close()  # the aged folders recorded: from here their mtimes say nothing
    profile = repo / "actors" / "lloyd-austin" / "profile.toml"
    rewrite_keeping_size_and_mtime(profile, "Secretary", "Zanzibary")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("zanzibary")) == ["lloyd-austin"]
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "austin")
    with next_command(repo, index_dir) as ix:  # tracked now: git's own index watches it from here
        assert ids(ix.search("zanzibary")) == ["lloyd-austin"]
    from dossier.index import gitstate

    baseline = gitstate.read_baseline(index_dir / gitstate.BASELINE_FILE, repo)
    assert baseline is not None and not any("lloyd-austin" in path for path in baseline.dirty)


def test_an_ignored_entry_edited_in_place_is_found(repo: Path, index_dir: Path, tmp_path: Path,
                                                   no_walk: None) -> None:
    write(repo / ".gitignore", "private/\n")
    actor(repo / "private", "an-informant", "An Informant", summary="Spoke in confidence.")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("confidence")) == ["an-informant"]
    age_folders(repo)
    next_command(repo, index_dir).close()  # the aged folders recorded: from here their mtimes say nothing
    rewrite_keeping_size_and_mtime(repo / "private" / "actors" / "an-informant" / "profile.toml",
                                   "confidence", "Zanzibaria")
    with next_command(repo, index_dir) as ix:
        assert ids(ix.search("zanzibaria")) == ["an-informant"]


def test_a_deleted_kind_file_removes_the_entry(repo: Path, index_dir: Path, no_walk: None) -> None:
    (repo / "actors" / "pete-hegseth" / "profile.toml").unlink()
    with next_command(repo, index_dir) as ix:
        assert ix.row("pete-hegseth") is None


def test_a_folder_changed_as_it_is_stamped_is_looked_at_again(tmp_path: Path) -> None:
    # Created in the same clock tick as the listing, a name would leave the mtime as it was: a folder
    # that recent is never trusted to be unchanged.
    (tmp_path / "a" / "b").mkdir(parents=True)
    old = time.time() - 3600
    os.utime(tmp_path / "a", (old, old))
    stamps = folder_stamps.walk(str(tmp_path))
    assert stamps["a"] == (tmp_path / "a").stat().st_mtime_ns
    assert stamps["a/b"] == folder_stamps.RACY
    again = folder_stamps.changes(str(tmp_path), stamps)
    assert "a/b/profile.toml" in again.paths  # listed again: an entry made in it would be found
    assert not any(path.startswith("a/") and path.count("/") == 1 for path in again.paths)  # "a" was not
    assert again.stamps["a"] == stamps["a"]
