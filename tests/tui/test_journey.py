"""A user's path through the sample dossier, asserting what the screen shows at each step."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.tui.widgets.entry_view import Target
from tests.conftest import SAMPLE, copy_tree
from tests.tui.conftest import (
    SIZE,
    entry_text,
    hint_for,
    open_from_list,
    screen_text,
    settle,
    started,
    wait_until,
)

MILLEY = "mark-milley"
DETAIL = "2025-01-28-milley-security-detail-revoked"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    # The sample ships with the repository: if it changed, these journeys must be updated, not skipped.
    assert (SAMPLE / "actors" / MILLEY).is_dir(), f"the sample dossier has no actors/{MILLEY}"
    assert (SAMPLE / "events" / DETAIL).is_dir(), f"the sample dossier has no events/{DETAIL}"
    return copy_tree(SAMPLE, tmp_path / "dossiers")


async def test_milley_to_event_to_source_and_back(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_from_list(pilot, "milley", MILLEY)
        assert "Mark A. Milley" in screen_text(app)
        assert "Events with this actor" in screen_text(app)

        # the event's hint key, shown next to it, jumps there directly
        key = hint_for(app, DETAIL)
        assert f"[{key}] Hegseth revokes Milley's security detail" in screen_text(app)
        await pilot.press(*key)  # two digits when the page has more than nine links
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == DETAIL)
        await settle(pilot)
        shown = screen_text(app)
        assert "Hegseth revokes Milley's security detail and clearance" in shown
        assert "importance" in entry_text(app).lower() and "confirmed" in entry_text(app)
        assert "Accounts" in entry_text(app) or "Sources" in entry_text(app)

        # follow a source by moving the cursor onto it and pressing enter
        view = app.browser.entry_view
        source_target = next(t for t in view.targets if t.info.field == "sources")
        source_id = source_target.info.entry_id
        view.focus()
        while not (isinstance(app.focused, Target) and app.focused is source_target):
            await pilot.press("j")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == source_id)
        await settle(pilot)
        assert "Outlet" in entry_text(app) and "Events citing this source" in entry_text(app)

        # back twice: Milley again, with the cursor on the event followed from there
        await pilot.press("backspace")
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == DETAIL)
        await settle(pilot)
        assert isinstance(app.focused, Target) and app.focused.info.entry_id == source_id
        await pilot.press("alt+left")
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == MILLEY)
        await settle(pilot)
        assert "Mark A. Milley" in screen_text(app)
        assert isinstance(app.focused, Target) and app.focused.info.entry_id == DETAIL

        # and forward again
        await pilot.press("alt+right")
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == DETAIL)


async def test_search_actor_field_and_words_opens_the_hit(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("slash")
        await pilot.press(*"actor:mark-milley security")
        from dossier.tui.screens.search import SearchScreen
        from dossier.tui.widgets.row_list import RowList

        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen)
                         and any(h.row.id == DETAIL for h in app.screen.hits))
        screen = app.screen
        assert "Hegseth revokes Milley's security detail" in screen_text(app)
        hits = screen.query_one("#hits", RowList)
        # matched words are highlighted in the snippet preview
        hit = next(h for h in screen.hits if h.row.id == DETAIL)
        assert hit.highlights
        await pilot.press("down")  # to the results
        while hits.current.row.id != DETAIL:
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == DETAIL)
        assert "Hegseth revokes Milley's security detail and clearance" in screen_text(app)


async def test_timeline_of_milley_by_year(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_from_list(pilot, "milley", MILLEY)
        await pilot.press("t")
        from dossier.tui.screens.timeline import TimelineScreen

        await wait_until(pilot, lambda: isinstance(app.screen, TimelineScreen) and app.screen.count > 0)
        shown = screen_text(app)
        assert "Timeline of Mark A. Milley" in shown
        assert "── 2020 ──" in shown
        before = app.screen.count
        for _ in range(8):
            await pilot.press("plus")
        await wait_until(pilot, lambda: "importance ≥ 9" in screen_text(app))
        await settle(pilot)
        assert 0 < app.screen.count < before
        assert "Hegseth revokes Milley's security detail" in screen_text(app)


async def test_timeline_tag_filter_takes_the_suggested_tag_on_enter(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("ctrl+t")  # on the list a letter types into the filter: the timeline is ctrl+t there
        from dossier.tui.screens.timeline import TimelineScreen

        await wait_until(pilot, lambda: isinstance(app.screen, TimelineScreen) and app.screen.count > 0
                         and app.screen.known_tags)
        everything = app.screen.count
        await pilot.press("f", *"retal", "enter")  # "retaliation" is suggested after "retal"
        await wait_until(pilot, lambda: app.screen.tag == "retaliation" and 0 < app.screen.count < everything)
        assert "no events match" not in screen_text(app)
