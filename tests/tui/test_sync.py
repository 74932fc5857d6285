"""The browser and git: a conflicted entry named with its key under problems, a sync's outcome in the status bar."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dossier.merge import merge_texts
from dossier.tui.screens.problems import ProblemsScreen
from tests.tui.conftest import press_for, screen_text, settle, started, wait_until

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")

MEETING = "events/2024-05-01-harbour-meeting/event.toml"
SIZE = (160, 40)  # wide enough for the whole status bar


@pytest.fixture
def repo_tree(mini_tree: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The mini tree as a git repository with one commit and no remote."""
    for name, value in {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}.items():
        monkeypatch.setenv(name, value)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(["git", *args], cwd=mini_tree, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return mini_tree


async def test_a_conflicted_entry_is_listed_under_problems_with_its_key(mini_tree, app_for) -> None:
    path = mini_tree / MEETING
    base = path.read_text()
    assert "importance = " in base
    line = next(x for x in base.splitlines() if x.startswith("importance = "))
    merged = merge_texts(base, base.replace(line, "importance = 2"), base.replace(line, "importance = 3"))
    path.write_text(merged.text)
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await press_for(pilot, ProblemsScreen, "exclamation_mark")
        await wait_until(pilot, lambda: "key importance" in screen_text(app))
        assert "event.toml:" in screen_text(app) and "merge conflict" in screen_text(app)


async def test_sync_from_the_palette_shows_its_outcome_in_the_status_bar(repo_tree, app_for) -> None:
    app = app_for(repo_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        path = repo_tree / MEETING
        path.write_text(path.read_text().replace("importance = ", "importance = 1", 1))
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"sync with git")
        await wait_until(pilot, lambda: "Sync with git" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: "synced: committed (no remote)" in screen_text(app))
    log = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=repo_tree, capture_output=True, text=True)
    assert log.stdout.strip() == "dossier sync: 1 entry changed"
    # A browser opened later shows the last sync, wherever it was made.
    again = app_for(repo_tree)
    async with again.run_test(size=SIZE) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: "synced " in screen_text(again)
                         and "committed (no remote)" in screen_text(again))
