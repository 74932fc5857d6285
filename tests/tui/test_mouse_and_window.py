"""The mouse, a narrow window, the user's own keys, and the palette's screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.tui.widgets.entry_view import Target
from tests.tui.conftest import SIZE, press_for, screen_text, settle, started, wait_until


def row_offset(app, entry_id: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    rows = app.browser.entries
    index = next(i for i, row in enumerate(rows.items) if row.id == entry_id)
    return 2, index - rows.scroll_offset.y


async def test_a_click_selects_a_row_and_a_double_click_opens_it(mini_tree, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        rows = app.browser.entries
        assert rows.current.id != "bob-example"
        assert await pilot.click("#entries", offset=row_offset(app, "bob-example"))
        await settle(pilot)
        assert rows.current.id == "bob-example" and rows.has_focus
        assert app.browser.entry_view.data is None, "one click selects; it does not open"
        assert await pilot.double_click("#entries", offset=row_offset(app, "alice-example"))
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == "alice-example")
        assert "Alice Example" in screen_text(app)


async def test_clicking_a_link_follows_it(mini_tree, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.browser.open_entry("alice-example")
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None)
        await settle(pilot)
        link = next(t for t in app.browser.entry_view.query(Target) if t.info.entry_id != "alice-example")
        link.scroll_visible(animate=False)
        await settle(pilot)
        assert await pilot.click(link)
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == link.info.entry_id)


async def test_a_narrow_window_stacks_the_panes_and_keeps_quit_and_help_in_view(mini_tree, app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(mini_tree)
    async with app.run_test(size=(70, 30)) as pilot:
        await started(pilot)
        left, entry = app.screen.query_one("#left").region, app.browser.entry_view.region
        assert left.bottom <= entry.y, "the list is above the entry"
        assert left.width >= 68 and entry.width >= 68
        # The rows are loaded; the frame that draws them may come a moment later on a busy machine.
        await wait_until(pilot, lambda: "Alice Example  person" in screen_text(app))  # names stay whole
        shown = screen_text(app)
        footer = shown.splitlines()[-1]
        assert "q Quit" in footer and "? Help" in footer and "^p commands" in footer
        await pilot.resize_terminal(120, 30)
        await wait_until(pilot, lambda: app.screen.query_one("#left").region.y == app.browser.entry_view.region.y)


async def test_keys_from_the_users_config_file(mini_tree, app_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dossier.tui.screens.help import HelpScreen

    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('[keymap]\n"app.help" = "f2"\n"browser.search" = 3\n', encoding="utf-8")
    app = app_for(mini_tree, settings_dir=config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert any("browser.search" in str(n.message) for n in app._notifications), "a bad entry is named"


async def test_the_palette_screenshot_lands_in_the_current_folder_and_says_where(
        mini_tree, app_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        from textual.command import CommandPalette

        await press_for(pilot, CommandPalette, "ctrl+p")
        await pilot.press(*"screenshot")
        await wait_until(pilot, lambda: "Save an SVG picture" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(here.glob("*.svg")))
        saved = next(here.glob("*.svg"))
        await wait_until(pilot, lambda: any(str(saved) in str(n.message) for n in app._notifications))
        await wait_until(pilot, lambda: "Saved to" in screen_text(app))
        assert saved.read_text(encoding="utf-8").startswith("<svg")
