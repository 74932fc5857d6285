"""The browser's connections (c), path (p) and git history (h) pages, driven with Pilot on the sample."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dossier.graph import Graph
from dossier.tui.screens.browser import BrowserScreen
from dossier.tui.screens.git_log import GitLogScreen
from dossier.tui.screens.graph import ActorPicker, ConnectionsScreen, Link, PathScreen
from tests.tui.conftest import press_for, screen_text, settle, started, wait_until

SIZE = (140, 45)
REVOCATION = "2025-01-28-milley-security-detail-revoked"


async def open_actor(pilot, actor_id: str) -> None:
    """Open an entry and put the focus on the entry pane, where letters are commands."""
    app = pilot.app
    app.browser.open_entry(actor_id)
    await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                     and app.browser.entry_view.data.id == actor_id)
    await settle(pilot)
    app.browser.entry_view.focus()
    await pilot.pause()


def page_links(screen) -> list[Link]:
    return [link for link in screen.links if link.hint]


async def test_c_shows_connections_with_hints_and_a_hint_opens_the_actor(sample_tree: Path, app_for) -> None:
    app = app_for(sample_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "mark-milley")
        screen = await press_for(pilot, ConnectionsScreen, "c")
        await wait_until(pilot, lambda: len(page_links(screen)) > 9)
        shown = screen_text(app)
        expected = len(Graph.from_index(app.index).connections("mark-milley"))
        assert expected > 9
        assert f"Connections of Mark A. Milley: {expected} actors" in shown
        assert "Events shared" in shown
        links = page_links(screen)
        assert all(len(link.hint) == 2 for link in links)  # more than nine links: two digits each
        trump = next(link for link in links if link.entry_id == "donald-trump")
        assert f"[{trump.hint}] Donald J. Trump" in shown
        # under each actor, its strongest evidence, each a link of its own
        after = links[links.index(trump) + 1]
        assert after.entry_id == "mark-milley" and "public rift with" in after.text.plain
        await pilot.press(*trump.hint)
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen)
                         and app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == "donald-trump")


async def test_c_on_the_list_types_into_the_filter(sample_tree: Path, app_for) -> None:
    app = app_for(sample_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "mark-milley")
        app.browser.entries.focus()
        await pilot.press("c", "h", "p")
        await wait_until(pilot, lambda: app.browser.filter_input.value == "chp")
        assert isinstance(app.screen, BrowserScreen)


async def test_path_page_opens_each_step_and_back_returns_to_the_chain(sample_tree: Path, app_for) -> None:
    app = app_for(sample_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "mark-milley")
        await press_for(pilot, ActorPicker, "p")
        await pilot.press(*"hegsth")  # fuzzy: a letter short
        await wait_until(pilot, lambda: "Pete Hegseth" in screen_text(app))
        page = await press_for(pilot, PathScreen, "enter")
        await wait_until(pilot, lambda: any(link.entry_id == REVOCATION for link in page_links(page)))
        shown = screen_text(app)
        assert "Mark A. Milley → Pete Hegseth" in shown
        assert "Hegseth revokes Milley's security detail and clearance" in shown
        assert "usually reliable; probably true" in shown  # the CNN report's grade, in words
        event = next(link for link in page_links(page) if link.entry_id == REVOCATION)
        await pilot.press(*event.hint)
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen)
                         and app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == REVOCATION)
        await pilot.press("backspace")
        again = await wait_until_screen(pilot, PathScreen)
        assert any(link.entry_id == "pete-hegseth" for link in page_links(again))
        hegseth = next(link for link in page_links(again) if link.entry_id == "pete-hegseth")
        await pilot.press(*hegseth.hint)
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen)
                         and app.browser.entry_view.data.id == "pete-hegseth")


async def wait_until_screen(pilot, screen_type: type):
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type))
    return pilot.app.screen


def git(repo: Path, *args: str, author: str = "Ana Reporter") -> None:
    env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": author,
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+00:00",
           "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+00:00", "HOME": str(repo), "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, check=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
async def test_h_shows_the_entry_history_and_a_commit_diff(sample_tree: Path, app_for) -> None:
    git(sample_tree, "init", "-q", "-b", "main")
    git(sample_tree, "add", ".")
    git(sample_tree, "commit", "-qm", "Import the sample")
    profile = sample_tree / "actors" / "mark-milley" / "profile.toml"
    profile.write_text(profile.read_text() + '\nnickname = "[bold]Milley[/bold]"\n')
    git(sample_tree, "commit", "-qam", "Milley: a nickname [red]", author="Ben Editor")
    app = app_for(sample_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "mark-milley")
        await press_for(pilot, GitLogScreen, "h")
        await wait_until(pilot, lambda: "Milley: a nickname [red]" in screen_text(app))
        shown = screen_text(app)
        assert "2 commits touched actors/mark-milley" in shown
        assert "Ben Editor" in shown and "Import the sample" in shown
        await pilot.press("enter")  # the newest commit
        await wait_until(pilot, lambda: '+nickname = "[bold]Milley[/bold]"' in screen_text(app))
        await pilot.press("escape")  # from the diff to the commits
        await wait_until(pilot, lambda: "Import the sample" in screen_text(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen))


async def test_h_outside_git_says_so(sample_tree: Path, tmp_path: Path, app_for, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    app = app_for(sample_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "mark-milley")
        await press_for(pilot, GitLogScreen, "h")
        await wait_until(pilot, lambda: "not in a git repository" in screen_text(app))


async def test_connections_and_path_keys_only_on_an_actor(sample_tree: Path, app_for) -> None:
    app = app_for(sample_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, REVOCATION)  # an event: no connections, no path
        # What the footer offers (a narrow footer cuts the screen's keys short, so ask the bindings).
        offered = {b.description for _, b, enabled, _ in app.screen.active_bindings.values() if enabled}
        assert "Connections" not in offered and "History" in offered
        await pilot.press("c", "p")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen) and app.browser.entry_view.data.id == REVOCATION
        await open_actor(pilot, "pete-hegseth")
        await press_for(pilot, ConnectionsScreen, "c")
        await press_for(pilot, ActorPicker, "p")  # "path to…" from the connections page too
        assert "Path from Pete Hegseth to…" in screen_text(app)
