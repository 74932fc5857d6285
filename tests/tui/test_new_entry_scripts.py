"""The browser's new-entry dialog: the same ids as ``dossier new`` in any script, and no invented dates."""

from __future__ import annotations

import tomllib

from dossier.tui.screens.new_entry import NewEntryScreen
from tests.tui.conftest import SIZE, press_for, screen_text, started, wait_until


async def test_new_actor_in_chinese_gets_a_pinyin_id_and_keeps_its_name(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await press_for(pilot, NewEntryScreen, "n")
        await pilot.press(*"习近平", "enter")
        profile = mini_tree / "actors" / "xi-jin-ping" / "profile.toml"
        await wait_until(pilot, profile.is_file)
        assert tomllib.loads(profile.read_text(encoding="utf-8"))["name"] == "习近平"


async def test_new_event_without_a_date_says_so_and_writes_nothing(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    before = sorted(p.name for p in (mini_tree / "events").iterdir())
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await press_for(pilot, NewEntryScreen, "n")
        await pilot.press("down", *"Undated thing", "enter")  # actor -> event, no date
        await wait_until(pilot, lambda: "needs a date" in screen_text(app))
        assert isinstance(app.screen, NewEntryScreen)
    assert sorted(p.name for p in (mini_tree / "events").iterdir()) == before
