"""The browser on lists of thousands of rows: scrolling to the end, edits by other programs, typing ahead of a search.

Speed is measured in bench/bench_tui.py; these tests check what the screen shows.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from dossier.model import Kind
from dossier.tui.screens.search import SearchScreen
from tests.conftest import copy_tree
from tests.tui.conftest import FIXTURE, SIZE, poll_until, press_for, screen_text, started, wait_until

#: Sources added to the fixture: a list several hundred screens long.
SOURCES = 2500
NEWEST = "Harbour meeting raises"  # the fixture's own source (its title cut at the list's width), newest of all


def report(n: int) -> str:
    return f"Report number {n:04}"


@pytest.fixture
def long_tree(tmp_path: Path) -> Path:
    """The mini fixture and 2,500 more sources, one a day from 2000-01-01 (the newest is listed first)."""
    tree = copy_tree(FIXTURE, tmp_path / "long")
    first = date(2000, 1, 1)
    for n in range(SOURCES):
        day = first + timedelta(days=n)
        folder = tree / "sources" / f"{day.isoformat()}-report-{n:04}"
        folder.mkdir(parents=True)
        (folder / "source.toml").write_text(
            f'title = "{report(n)}"\noutlet = "Wire"\npublished = {day.isoformat()}\ntype = "news"\n',
            encoding="utf-8")
    return tree


async def show_sources(pilot, app) -> None:  # noqa: ANN001
    await pilot.press("right", "right")  # actors, events, sources
    await wait_until(pilot, lambda: app.browser.kind is Kind.SOURCE
                     and len(app.browser.entries.items) == SOURCES + 1)


async def test_a_list_of_thousands_scrolls_to_its_last_row_and_back(long_tree, app_for) -> None:
    app = app_for(long_tree, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await show_sources(pilot, app)
        await wait_until(pilot, lambda: NEWEST in screen_text(app))
        rows = app.browser.entries
        await pilot.press("end")
        await wait_until(pilot, lambda: report(0) in screen_text(app))  # the oldest, at the end
        assert rows.current is not None and rows.current.title == report(0)
        assert NEWEST not in screen_text(app)
        for _ in range(3):
            await pilot.press("pageup")
        await wait_until(pilot, lambda: rows.current is not None and rows.current.title in screen_text(app))
        assert report(0) not in screen_text(app)  # three screens up, the end is out of sight
        await pilot.press("home")
        await wait_until(pilot, lambda: NEWEST in screen_text(app))
        assert report(SOURCES - 1) in screen_text(app)  # the next row under it, newest first
        assert report(0) not in screen_text(app)


async def test_a_title_edited_by_another_program_changes_in_the_long_list(long_tree, app_for) -> None:
    app = app_for(long_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: app.watcher is not None)
        await show_sources(pilot, app)
        await wait_until(pilot, lambda: report(SOURCES - 1) in screen_text(app))
        newest = long_tree / "sources" / f"{date(2000, 1, 1) + timedelta(days=SOURCES - 1)}-report-{SOURCES - 1:04}"
        toml = newest / "source.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace(report(SOURCES - 1), "Wire report, corrected"),
                        encoding="utf-8")
        await wait_until(pilot, lambda: "Wire report, corrected" in screen_text(app))
        assert report(SOURCES - 1) not in screen_text(app)
        assert f"{SOURCES + 1} sources" in screen_text(app).replace(",", "")  # the status bar's count stays


async def test_keys_typed_while_a_search_runs_give_one_search_for_the_last_text(mini_tree, app_for,
                                                                               monkeypatch) -> None:
    """The first letter's query is held in its worker; the six letters typed meanwhile are one query, not six."""
    from dossier.index import Index

    asked: list[str] = []
    release = threading.Event()
    search = Index.search

    def held_search(self, query, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        asked.append(query)
        if len(asked) == 1:
            release.wait(20)
        return search(self, query, *args, **kwargs)

    monkeypatch.setattr(Index, "search", held_search)
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await press_for(pilot, SearchScreen, "slash")
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"harbour")
        # Not wait_until: it waits for the workers, and the search worker is held on purpose.
        await poll_until(pilot, lambda: screen.query_one("#query").value == "harbour" and asked == ["h"])
        release.set()
        await wait_until(pilot, lambda: screen.searched == "harbour")
        assert asked == ["h", "harbour"]
        await wait_until(pilot, lambda: NEWEST in screen_text(app))
        assert [hit.row.kind for hit in screen.hits].count(Kind.SOURCE) == 1


async def test_a_save_shows_in_the_open_entry_while_the_index_is_still_taking_it_in(mini_tree, app_for,
                                                                                  monkeypatch) -> None:
    """The open entry is read from its files: a large index's slow update does not hold its view back."""
    from dossier.index import Index

    applying = threading.Event()
    release = threading.Event()
    apply = Index.apply

    def held_apply(self, paths):  # noqa: ANN001, ANN202
        applying.set()
        release.wait(20)
        return apply(self, paths)

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: app.watcher is not None)
        app.browser.open_entry("alice-example")
        await wait_until(pilot, lambda: "Harbour master who met Bob." in screen_text(app))
        monkeypatch.setattr(Index, "apply", held_apply)
        profile = mini_tree / "actors" / "alice-example" / "profile.toml"
        profile.write_text(profile.read_text(encoding="utf-8").replace("Harbour master who met Bob.",
                                                                       "Retired harbour master."), encoding="utf-8")
        # Not wait_until: it waits for the workers, and the index's is held on purpose.
        await poll_until(pilot, lambda: applying.is_set() and "Retired harbour master." in screen_text(app))
        release.set()
        await wait_until(pilot, lambda: app.index is not None and app.index.state == "up to date")
        assert "Retired harbour master." in screen_text(app)


async def test_a_missing_reference_made_good_by_another_program_clears_the_rows_warning(mini_tree, app_for) -> None:
    """Rows kept across a change must not keep a problem count that depended on an entry that came."""
    app = app_for(mini_tree)
    async with app.run_test(size=(240, 40)) as pilot:  # wide enough for the row's warning after its title
        await started(pilot)
        await wait_until(pilot, lambda: app.watcher is not None)
        await pilot.press("right")  # the events
        meeting = "Harbour meeting between Alice and Bob"
        await wait_until(pilot, lambda: any(meeting in line and "⚠ 1" in line
                                            for line in screen_text(app).splitlines()))
        ghost = mini_tree / "events" / "2022-01-01-ghost-event"
        ghost.mkdir()
        (ghost / "event.toml").write_text('title = "A ghost event"\ndate = 2022-01-01\n', encoding="utf-8")
        await wait_until(pilot, lambda: "A ghost event" in screen_text(app))
        await wait_until(pilot, lambda: any(meeting in line and "⚠" not in line
                                            for line in screen_text(app).splitlines()))
