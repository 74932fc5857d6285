"""The browser's mechanics on a small fixture tree: live updates, bad files, themes, editing, keys."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from dossier.tui.screens.help import binding_groups
from dossier.tui.widgets.entry_view import Target
from tests.tui.conftest import (
    SIZE,
    entry_text,
    hint_for,
    open_from_list,
    press_for,
    screen_text,
    settle,
    started,
    wait_until,
)

ALICE = "alice-example"
MEETING = "2024-05-01-harbour-meeting"
REPORT = "2024-05-02-paper-harbour-report"


async def test_lists_show_dates_importance_and_outlets(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        # The rows are loaded; the frame that draws them may come a moment later on a busy machine.
        await wait_until(pilot, lambda: "Alice Example  person" in screen_text(app))
        await wait_until(pilot, lambda: "3 actors · 2 events · 1 source " in screen_text(app))  # not "1 sources"
        assert "6 entries" not in screen_text(app)
        await pilot.press("right")
        await wait_until(pilot, lambda: app.browser.kind.value == "event" and app.browser.rows_loaded[app.browser.kind]
                         and len(app.browser.entries.items) == 2)
        await settle(pilot)
        shown = screen_text(app)
        # newest first, with date and importance
        assert shown.index("2024-05-01") < shown.index("2023-02-10")
        assert "2024-05-01   8 Harbour meeting between" in shown
        await pilot.press("right")
        await wait_until(pilot, lambda: "The Paper" in screen_text(app))


async def test_event_layout_accounts_missing_reference_and_unknown_fields(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=(120, 60)) as pilot:
        await started(pilot)
        app.browser.open_entry(MEETING)
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None)
        await settle(pilot)
        text = entry_text(app)
        for expected in ("Old harbour", "confirmed", "8/10", "Accounts (who says what)", "The meeting was about fees.",
                         "The meeting was about a ship.", "Harbour meeting raises questions", "harbour_berth", "B7",
                         "old harbour"):
            assert expected in text, expected
        assert "2022-01-01-ghost-event" in text and "missing: no entry has this id" in text
        # enter on the missing id offers to create it; enter again creates it and opens it
        ghost = next(t for t in app.browser.entry_view.targets if t.info.entry_id == "2022-01-01-ghost-event")
        ghost.focus()
        from dossier.tui.screens.new_entry import NewEntryScreen

        await press_for(pilot, NewEntryScreen, "enter")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == "2022-01-01-ghost-event")
        assert (mini_tree / "events" / "2022-01-01-ghost-event" / "event.toml").is_file()


async def test_markup_in_content_is_shown_literally(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.browser.open_entry("markup-trap")
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None)
        await settle(pilot)
        shown = screen_text(app)
        assert "[bold red]Trap[/] [@click=app.quit]Click me[/]" in shown
        assert "\x1b" not in entry_text(app) and "␛" in entry_text(app)
        app.browser.open_entry(ALICE)
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == ALICE)
        await settle(pilot)
        assert "[bold]not bold[/bold]" in entry_text(app)
        assert app.is_running


async def test_hint_keys_history_and_cursor(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_from_list(pilot, "alice", ALICE)
        assert "Events with this actor" in screen_text(app)
        key = hint_for(app, MEETING)
        await pilot.press(*key)
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == MEETING)
        await settle(pilot)
        await pilot.press(*hint_for(app, REPORT, "sources"))
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == REPORT)
        await settle(pilot)
        assert "B2 (usually reliable source; probably true)" in entry_text(app)
        assert "Fees were discussed." in entry_text(app)
        await pilot.press("backspace")
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == MEETING)
        await pilot.press("backspace")
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == ALICE)
        await settle(pilot)
        assert isinstance(app.focused, Target) and app.focused.info.entry_id == MEETING
        await pilot.press("backspace")  # nothing earlier: a notice, no crash
        await settle(pilot)
        assert app.browser.entry_view.data.id == ALICE


async def test_copy_id_and_citation(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.browser.open_entry(REPORT)
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None)
        await settle(pilot)
        await pilot.press("y")
        assert app.clipboard == REPORT
        await pilot.press("Y")
        assert app.clipboard == ("“Harbour meeting raises questions”, Jo Reporter, The Paper, 2024-05-02, "
                                 "https://example.org/harbour.")


async def test_change_on_disk_appears_without_a_key(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: app.watcher is not None)
        app.browser.open_entry(ALICE)
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None)
        await settle(pilot)
        profile = mini_tree / "actors" / ALICE / "profile.toml"
        profile.write_text(profile.read_text().replace("Harbour master who met Bob.", "Retired harbour master."))
        await wait_until(pilot, lambda: "Retired harbour master." in screen_text(app))
        # a new entry made by another program appears in the list
        new = mini_tree / "actors" / "carol-example"
        new.mkdir()
        (new / "profile.toml").write_text('name = "Carol Example"\ntype = "person"\n')
        await wait_until(pilot, lambda: "Carol Example" in screen_text(app))
        await wait_until(pilot, lambda: "4 actors · 2 events · 1 source " in screen_text(app))  # the status bar too


async def test_broken_file_shows_its_error_and_the_rest_still_opens(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: app.watcher is not None)
        app.browser.open_entry(ALICE)
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None)
        await settle(pilot)
        profile = mini_tree / "actors" / ALICE / "profile.toml"
        profile.write_text(profile.read_text().replace('type = "person"', 'type = "person'))
        await wait_until(pilot, lambda: "invalid TOML" in screen_text(app))
        shown = screen_text(app)
        assert "actors/alice-example/profile.toml:2" in shown
        await wait_until(pilot, lambda: "problem" in screen_text(app) and "no problems" not in screen_text(app))
        # another entry still opens
        app.browser.open_entry("bob-example")
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == "bob-example")
        await settle(pilot)
        assert "Ship owner." in screen_text(app)
        # the problem list names the file, and enter opens the broken entry
        await pilot.press("exclamation_mark")
        from dossier.tui.screens.problems import ProblemsScreen

        await wait_until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and "profile.toml:2" in screen_text(app))


async def test_edit_opens_editor_and_the_view_shows_the_change(mini_tree, app_for, tmp_path, monkeypatch) -> None:
    editor = tmp_path / "fake-editor"
    editor.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('Ship owner.', 'Ship owner and harbour critic.'))\n"
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = app_for(mini_tree, watch=False)  # the app itself must update the view, watcher or not
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.browser.open_entry("bob-example")
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None)
        await settle(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: "Ship owner and harbour critic." in screen_text(app))


async def test_new_entry_from_the_app(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"Dora Example")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == "dora-example")
        assert (mini_tree / "actors" / "dora-example" / "profile.toml").is_file()
        assert "Dora Example" in screen_text(app)


async def test_search_syntax_error_is_shown_inline(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("slash")
        await pilot.press(*'date:2020..x "unclosed')

        def error() -> str:
            return str(app.screen.query_one("#error").content)

        await wait_until(pilot, lambda: "⚠" in error())
        assert error()[:30] in screen_text(app)  # shown under the query box
        assert app.is_running
        for _ in range(len('date:2020..x "unclosed')):
            await pilot.press("backspace")
        await pilot.press(*"harbour")
        await wait_until(pilot, lambda: "Harbour meeting between Alice and Bob" in screen_text(app))
        assert error() == ""


async def test_help_lists_every_key(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=(160, 120)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        from dossier.tui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for _where, bindings in binding_groups():
            for binding in bindings:
                assert binding.description in shown, binding.description
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)


async def test_switch_theme_from_the_palette_is_remembered(mini_tree, app_for, tmp_path) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.theme == "dossier-dark"
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"dossier-light")
        await wait_until(pilot, lambda: "Theme: dossier-light" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "dossier-light")
    config = (tmp_path / "config" / "config.toml").read_text()
    assert 'theme = "dossier-light"' in config
    again = app_for(mini_tree)
    async with again.run_test(size=SIZE) as pilot:
        assert again.theme == "dossier-light"


async def test_broken_theme_file_is_reported_and_skipped(mini_tree, app_for, tmp_path) -> None:
    themes = tmp_path / "config" / "themes"
    themes.mkdir(parents=True)
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n')
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#336699"\ndark = true\n')
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert "mine" in app.available_themes and "broken" not in app.available_themes
        assert app.theme == "dossier-dark"
        messages = [n.message for n in app._notifications]
        assert any("broken.toml" in m for m in messages)


def test_shipped_themes_load() -> None:
    from dossier.tui.themes import load_themes, shipped_themes_dir

    loaded = load_themes(shipped_themes_dir())
    assert not loaded.errors
    assert {"dossier-dark", "dossier-light", "dossier-high-contrast"} <= set(loaded.themes)
    assert loaded.themes["dossier-light"].dark is False


def test_config_dir_override(tmp_path, monkeypatch) -> None:
    from dossier.tui.config import config_dir

    monkeypatch.setenv("DOSSIER_CONFIG_DIR", str(tmp_path / "x"))
    assert config_dir() == Path(os.environ["DOSSIER_CONFIG_DIR"])


async def test_lists_come_from_the_saved_index_before_the_tree_is_rescanned(mini_tree, app_for, monkeypatch) -> None:
    import asyncio
    import threading
    import time

    from dossier.index import Index

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)  # builds the index
    (mini_tree / "actors" / "carol-example").mkdir()
    (mini_tree / "actors" / "carol-example" / "profile.toml").write_text('name = "Carol Example"\n', encoding="utf-8")
    rescan = threading.Event()
    reconcile = Index.reconcile

    def held_reconcile(self, *args, **kwargs):  # noqa: ANN001, ANN202
        rescan.wait(20)
        return reconcile(self, *args, **kwargs)

    monkeypatch.setattr(Index, "reconcile", held_reconcile)
    app = app_for(mini_tree, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        # Not wait_until: it waits for workers, and the index worker is held on purpose.
        deadline = time.monotonic() + 10
        while "Alice Example" not in screen_text(app):
            assert time.monotonic() < deadline, screen_text(app)
            await pilot.pause()
            await asyncio.sleep(0.02)
        assert "Carol Example" not in screen_text(app)  # not rescanned yet: what the index saved
        rescan.set()
        await wait_until(pilot, lambda: "Carol Example" in screen_text(app))


async def test_search_typed_fast_shows_the_results_of_the_last_text(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("slash")
        await pilot.press(*"harbour", *["backspace"] * 7, *"wednesday")
        screen = app.screen
        await wait_until(pilot, lambda: screen.searched == "wednesday")
        await settle(pilot)
        assert [hit.row.id for hit in screen.hits] == [REPORT]
        assert "Harbour meeting between" not in screen_text(app)
        assert "Wednesday" in str(screen.query_one("#preview").content)  # the preview follows the cursor


async def test_new_entry_kind_chosen_with_the_arrows_as_the_hint_says(mini_tree, app_for) -> None:
    """Fault 4: ↑/↓ in the name field leave the kind alone; on the kind list (tab to it) they choose it."""
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        from dossier.tui.screens.new_entry import NewEntryScreen

        await press_for(pilot, NewEntryScreen, "ctrl+n")
        assert "the kind: ↑↓ there" in screen_text(app)
        await pilot.press(*"The Paper Two", "down", "up", "down")  # in the name field: nothing changes
        assert app.screen._chosen_kind().value == "actor"
        await pilot.press("tab", *"2024-03", "tab", "down", "down", "enter")  # kind: actor -> event -> source
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == "2024-03-the-paper-two")
        assert (mini_tree / "sources" / "2024-03-the-paper-two" / "source.toml").is_file()
