"""Issue 11, the browser's half: keystrokes do what the user meant, and the screen says only what is known.

Each test names the fault it covers (numbered as in the issue). Bursts of keys are sent the way a
terminal delivers fast typing or a paste: all at once, without waiting for the app between keys.
"""

from __future__ import annotations

import shutil
import threading
import tomllib
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key

from dossier.model import Kind
from tests.conftest import SAMPLE, copy_tree
from tests.tui.conftest import entry_text, poll_until, press_for, screen_text, settle, started, wait_until
from tests.tui.test_usability import open_entry

SIZE = (120, 40)
NAMES = [  # (typed, an entry the filter must then list): each begins with a letter that once was a command
    ("joe", "joe-biden"), ("esper", "mark-esper"), ("qasem", "qasem-soleimani"), ("taliban", "taliban"),
    ("kasper", "joe-kasper"), ("gantz", "benny-gantz"), ("fauci", "anthony-fauci"), ("netanyahu", "benjamin-netanyahu"),
    ("fox news", "fox-news"), ("john", "john-bolton"),
]
SPECIAL = {"enter": "\r", "tab": "\t", "escape": "\x1b", "space": " "}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "dossiers")


def burst(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Deliver keys as a terminal does on fast typing: queued at once, none waiting for the app."""
    for key in keys:
        if len(key) == 1:
            name, character = _character_to_key(key), key
        else:
            name, character = key, SPECIAL.get(key)
        event = events.Key(name, character)
        event.set_sender(app)
        app._driver.send_message(event)  # noqa: SLF001 - what the terminal driver does with input


def typed(text: str) -> list[str]:
    return list(text)


def showing(app, entry_id: str) -> bool:  # type: ignore[no-untyped-def]
    data = app.browser.entry_view.data
    return data is not None and data.id == entry_id


# -- fault 1: typing a name on a list runs commands


async def test_fault1_typing_a_name_on_a_list_only_filters(sample, app_for, tmp_path, monkeypatch) -> None:
    ran = tmp_path / "editor-ran"
    editor = tmp_path / "editor"
    editor.write_text(f"#!/bin/sh\ntouch {ran}\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "mark-milley")  # an open entry: e, o, y, t would all have something to act on
        app.copy_to_clipboard("untouched")
        browser = app.browser
        for word, entry_id in NAMES:
            await pilot.press("escape")  # from the entry to the list; on the list, esc clears the filter
            await wait_until(pilot, lambda: browser.entries.has_focus and browser.filter_input.value == "")
            await pilot.press(*typed(word))
            await wait_until(pilot, lambda word=word, entry_id=entry_id: browser.filter_input.value == word
                             and any(row.id == entry_id for row in browser.entries.items))
            assert app.is_running and app.screen is browser, word
            assert showing(app, "mark-milley"), word  # nothing opened, nothing left the list
            assert not ran.exists(), f"typing {word!r} started the editor"
            assert app.clipboard == "untouched", word
            assert "URL" not in screen_text(app), word
        # the same names typed as a burst (a fast typist, a paste) still land whole in the filter
        await pilot.press("escape")
        await wait_until(pilot, lambda: browser.filter_input.value == "")
        browser.set_focus(browser.entries)
        burst(app, *"qasem soleimani")
        await wait_until(pilot, lambda: browser.filter_input.value == "qasem soleimani"
                         and [row.id for row in browser.entries.items] == ["qasem-soleimani"])
        assert app.is_running and app.screen is browser
        # open it, come back to the list and type another name: it is a new filter, not "qasem soleimanitaliban"
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "qasem-soleimani"))
        await pilot.press("escape", *"taliban")
        await wait_until(pilot, lambda: browser.filter_input.value == "taliban"
                         and [row.id for row in browser.entries.items] == ["taliban"])


async def test_fault1_letters_are_commands_on_the_entry_and_q_quits_only_there(mini_tree, app_for) -> None:
    from dossier.tui.screens.timeline import TimelineScreen

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("q")  # on the list: the first letter of a name
        await wait_until(pilot, lambda: app.browser.filter_input.value == "q")
        assert app.is_running
        await pilot.press("escape", "ctrl+t")  # a list's commands are keys no name starts with
        await wait_until(pilot, lambda: isinstance(app.screen, TimelineScreen))
        await pilot.press("escape")
        await open_entry(pilot, "alice-example")
        assert app.focused is app.browser.entry_view or app.focused in app.browser.entry_view.targets
        footer = screen_text(app).splitlines()[-1]
        assert "e Edit" in footer and "t Timeline" in footer and "q Quit" in footer
        await press_for(pilot, TimelineScreen, "t")  # on the open entry a letter is a command
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.browser)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


async def test_fault1_help_screen_explains_the_key_model(mini_tree, app_for) -> None:
    from dossier.tui.screens.help import HelpScreen

    app = app_for(mini_tree)
    async with app.run_test(size=(160, 60)) as pilot:
        await started(pilot)
        await press_for(pilot, HelpScreen, "question_mark")
        await settle(pilot)
        shown = " ".join(screen_text(app).split())
        assert "On a list, letters, digits and space type into its filter" in shown
        assert "On the open entry (the right pane) letters are commands" in shown


# -- fault 2 (and 17's hints past z): hints from any pane, two digits past nine


async def test_fault2_hints_work_from_the_list_and_the_empty_filter(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "pete-hegseth")
        browser = app.browser
        targets = browser.entry_view.targets
        assert len(targets) > 9 and all(len(t.hint) == 2 for t in targets)  # every hint two digits
        chosen = targets[-1]
        assert f"[{chosen.hint}]" in entry_text(app)
        await pilot.press("escape")  # to the list
        await wait_until(pilot, lambda: browser.entries.has_focus)
        await pilot.press(*chosen.hint)
        await wait_until(pilot, lambda: showing(app, chosen.info.entry_id))
        assert browser.filter_input.value == ""  # the digits were a hint, not a filter
        # from the filter while it is empty
        await pilot.press("backspace")
        await wait_until(pilot, lambda: showing(app, "pete-hegseth"))
        await settle(pilot)
        browser.set_focus(browser.filter_input)
        first = browser.entry_view.targets[0]
        await pilot.press(*first.hint)
        await wait_until(pilot, lambda: showing(app, first.info.entry_id))
        # a first digit waits for the second, and says so; esc forgets it
        await pilot.press(first.hint[0])
        await wait_until(pilot, lambda: "hint 0…" in screen_text(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: "hint 0…" not in screen_text(app))
        assert showing(app, first.info.entry_id)


async def test_fault2_digits_type_into_a_filter_that_holds_text(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        browser = app.browser
        await pilot.press("right")  # the events, nothing open: digits filter by date
        await wait_until(pilot, lambda: browser.kind.value == "event" and browser.entries.has_focus)
        await pilot.press(*"2021")
        await wait_until(pilot, lambda: browser.filter_input.value == "2021" and browser.entries.items
                         and all(row.date.startswith("2021") for row in browser.entries.items if row.date))
        await open_entry(pilot, "mark-milley")  # now hints are on screen
        browser.set_focus(browser.filter_input)
        await pilot.press(*"-0")  # the filter holds text: these type into it, they are not a hint
        await wait_until(pilot, lambda: browser.filter_input.value == "2021-0")
        assert showing(app, "mark-milley")


async def test_fault17_every_link_of_a_long_page_has_a_hint_that_works(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "mark-milley")
        targets = app.browser.entry_view.targets
        hints = [t.hint for t in targets]
        width = len(str(len(targets)))  # every hint as long as the longest: 01-99, or 001-... past 99
        assert len(targets) > 25 and hints == [f"{n:0{width}}" for n in range(1, len(targets) + 1)]  # past "z"
        last = targets[-1]
        await pilot.press(*last.hint)
        await wait_until(pilot, lambda: showing(app, last.info.entry_id))


# -- fault 3: keys typed fast are lost


async def test_fault3_search_typed_and_entered_at_once_opens_the_hit(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        burst(app, "slash", *"Hegseth", "enter")
        await wait_until(pilot, lambda: showing(app, "pete-hegseth"))
        assert app.screen is app.browser
        second = app.index.search("hegseth")[1].row.id
        burst(app, "slash", *"hegseth", "down", "down", "enter")  # ↓ to the results, ↓ to the second hit
        await wait_until(pilot, lambda: showing(app, second))
        assert app.screen is app.browser


async def test_fault3_filter_enter_and_a_hint_typed_at_once_act_in_order(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        browser = app.browser
        burst(app, *"example", "enter", "down", "enter")  # two rows: enter to the list, ↓ to the second, open it
        await wait_until(pilot, lambda: showing(app, "bob-example"))
        await settle(pilot)
        burst(app, "escape", "escape", *"alice", "enter", "1")  # the one entry found opens; 1 follows its hint 1
        await wait_until(pilot, lambda: browser.entry_view.data is not None and browser.entry_view.data.id not in (
            "bob-example", "alice-example"))
        assert app.browser.history.places[-2].entry_id == "alice-example"


async def test_fault3_and_4_new_entry_typed_at_once_keeps_every_field(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        burst(app, "ctrl+n", *"Fourth newcomer event", "down", "tab", *"2025-02-06", "tab", "down", "enter")
        entry_id = "2025-02-06-fourth-newcomer-event"
        await wait_until(pilot, lambda: showing(app, entry_id))
        data = tomllib.loads((mini_tree / "events" / entry_id / "event.toml").read_text())
        assert data["title"] == "Fourth newcomer event" and str(data["date"]) == "2025-02-06"


# -- fault 4: no invented date


async def test_fault4_an_event_made_without_a_date_has_none_and_the_list_says_so(mini_tree, app_for) -> None:
    from dossier.tui.screens.new_entry import NewEntryScreen

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await press_for(pilot, NewEntryScreen, "ctrl+n")
        await pilot.press(*"Undated meeting", "tab", "tab", "down", "enter")  # kind: event, no date
        await wait_until(pilot, lambda: showing(app, "undated-meeting"))
        data = tomllib.loads((mini_tree / "events" / "undated-meeting" / "event.toml").read_text())
        assert "date" not in data
        assert "Date" in entry_text(app) and "unknown" in entry_text(app)
        assert "required field 'date'" not in entry_text(app)
        await pilot.press("escape", "right")
        await wait_until(pilot, lambda: app.browser.kind.value == "event"
                         and any(r.id == "undated-meeting" for r in app.browser.entries.items))
        await settle(pilot)
        line = next(line for line in screen_text(app).splitlines() if "Undated meeting" in line[:50])  # the list
        assert "unknown" in line


# -- fault 10: a write error while creating is a message in the dialog


async def test_fault10_a_tree_that_cannot_be_written_is_a_message_and_the_browser_runs_on(
        mini_tree, app_for) -> None:
    from dossier.tui.screens.new_entry import NewEntryScreen

    # A file where the events folder should be: the write fails for every user, root included
    # (tests/cli/test_write_errors.py covers a read-only mount).
    shutil.rmtree(mini_tree / "events")
    (mini_tree / "events").write_text("not a folder\n")
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        dialog = await press_for(pilot, NewEntryScreen, "ctrl+n")
        await pilot.press(*"Blocked event", "tab", *"2024-01-02", "tab", "down", "enter")
        await wait_until(pilot, lambda: "Could not create 2024-01-02-blocked-event" in screen_text(app))
        assert str(dialog.query_one("#error").content).endswith("events: a file is where a folder should be")
        assert app.is_running and app.screen is dialog
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.browser)


async def test_fault10_a_read_only_tree_is_a_message_in_the_dialog(mini_tree, app_for) -> None:
    from dossier.tui.screens.new_entry import NewEntryScreen
    from tests.cli.test_write_errors import read_only

    app = app_for(mini_tree)
    with read_only(mini_tree):
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot)
            dialog = await press_for(pilot, NewEntryScreen, "ctrl+n")
            await pilot.press(*"Carol Example", "enter")
            await wait_until(pilot, lambda: "Could not create carol-example" in screen_text(app))
            error = str(dialog.query_one("#error").content)
            assert "read-only" in error or "permission denied" in error
            assert app.is_running and app.screen is dialog
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is app.browser)
            await pilot.press(*"alice", "enter")  # and browsing goes on
            await wait_until(pilot, lambda: showing(app, "alice-example"))


# -- fault 16: no end date is not "now"


async def test_fault16_a_role_or_link_without_an_end_reads_since(mini_tree, app_for) -> None:
    profile = mini_tree / "actors" / "dana-example"
    profile.mkdir()
    (profile / "profile.toml").write_text(
        'name = "Dana Example"\n'
        '[[roles]]\ntitle = "Harbour pilot"\nfrom = "2020-03"\n'
        '[[roles]]\ntitle = "Union delegate"\nfrom = "2019"\nto = "2022-05"\n'
        '[[links]]\nto = "bob-example"\nrel = "advises"\nsince = "2021-06"\n', encoding="utf-8")
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "dana-example")
        text = entry_text(app)
        assert "Harbour pilot (since 2020-03)" in text and "advises (since 2021-06)" in text
        assert "2020-03 – now" not in text and "2021-06 – now" not in text
        assert "Union delegate (2019 – 2022-05)" in text and "now" not in text
        assert "Problems" not in text


# -- fault 17: the narrative first


async def test_fault17_an_events_own_text_comes_before_its_lists(mini_tree, app_for) -> None:
    from tests.tui.test_usability import BUSY, add_busy_event

    add_busy_event(mini_tree)
    (mini_tree / "events" / BUSY / "summary.md").write_text("What happened at the harbour, told in full.\n")
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, BUSY)
        text = entry_text(app)
        assert text.index("told in full") < text.index("Actors") < text.index("Sources")
        assert "told in full" in screen_text(app)  # on the first screen, not below forty link lines


# -- fault 18: a first build says its results are partial, and refreshes when it ends


async def test_fault18_first_build_says_partial_and_refreshes_when_done(mini_tree, app_for, monkeypatch) -> None:
    import dossier.index.core as index_module
    from dossier.index import Index
    from dossier.tui.screens.search import SearchScreen

    for n in range(30):
        folder = mini_tree / "actors" / f"extra-{n:02}"
        folder.mkdir()
        (folder / "profile.toml").write_text(f'name = "Extra Person {n}"\ntype = "person"\n')
    monkeypatch.setattr(index_module, "BATCH_DOCS", 4)
    monkeypatch.setattr(index_module, "BULK_ENTRIES", 5)
    halfway = threading.Event()
    go_on = threading.Event()
    reconcile = Index.reconcile

    def held_after_the_first_batch(self, *args, committed=None, **kwargs):  # type: ignore[no-untyped-def]
        def first_batch() -> None:
            if committed is not None:
                committed()
            if not halfway.is_set():
                halfway.set()
                go_on.wait(30)  # the test looks at the screen while the build is half done

        return reconcile(self, *args, committed=first_batch, **kwargs)

    monkeypatch.setattr(Index, "reconcile", held_after_the_first_batch)
    app = app_for(mini_tree)
    try:
        async with app.run_test(size=SIZE) as pilot:
            # Not wait_until: it waits for the workers, and the build is held until go_on.
            await poll_until(pilot, lambda: halfway.is_set() and "so far" in screen_text(app))
            status = next(line for line in screen_text(app).splitlines() if "so far" in line)
            assert "the index is being built" in status
            await press_for(pilot, SearchScreen, "slash")
            await pilot.press(*"extra person")
            await poll_until(pilot, lambda: "Partial results" in screen_text(app))
            partial = len(app.screen.hits)
            go_on.set()
            await wait_until(pilot, lambda: len(app.screen.hits) == 30 and "Partial results" not in screen_text(app))
            assert partial < 30
            await pilot.press("escape")
            await wait_until(pilot, lambda: len(app.browser.entries.items) == 33 and "so far" not in screen_text(app))
            assert "33 actors" in screen_text(app)
    finally:
        go_on.set()


# -- fault 19: 80x24, the search dialog's errors


async def test_fault19_at_80x24_the_footer_keeps_help_and_quit(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "? Help" in footer and "^q Quit" in footer, footer
        await pilot.press(*"mark")  # in the filter ? is a character: help is f1 there, and the footer says so
        await wait_until(pilot, lambda: app.focused is app.browser.filter_input)
        footer = screen_text(app).splitlines()[-1]
        assert "f1 Help" in footer and "^q Quit" in footer and "/ Search" not in footer, footer
        await open_entry(pilot, "mark-milley")
        footer = screen_text(app).splitlines()[-1]
        assert "? Help" in footer and "q Quit" in footer, footer


async def test_fault19_search_shows_the_query_error_and_never_stays_searching(sample, app_for) -> None:
    from dossier.tui.screens.search import SearchScreen

    app = app_for(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await press_for(pilot, SearchScreen, "slash")
        await pilot.press(*"date:[2020 TO")
        await wait_until(pilot, lambda: screen.searched == "date:[2020 TO")
        await settle(pilot)
        shown = screen_text(app)
        assert "⚠" in shown and "dates are written" in shown
        assert "type to search" not in shown and "searching…" not in shown
        for _ in "date:[2020 TO":
            await pilot.press("backspace")
        await pilot.press('"')  # an unclosed quote, alone and then with a word
        await wait_until(pilot, lambda: screen.searched == '"')
        await pilot.press(*"milley")
        await wait_until(pilot, lambda: screen.searched == '"milley')
        await settle(pilot)
        shown = screen_text(app)
        assert "searching…" not in shown and "phrase is not closed" in shown


# -- smaller ones


async def test_meadows_page_says_source_once_per_line(sample, app_for) -> None:
    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "mark-meadows")
        text = entry_text(app)
        assert "↳" in text and "source · source" not in text


async def test_the_chosen_kind_is_marked_by_more_than_colour(mini_tree, app_for) -> None:
    from dossier.tui.screens.new_entry import NewEntryScreen

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await press_for(pilot, NewEntryScreen, "ctrl+n")
        await settle(pilot)

        def line(kind: str) -> str:
            return next(line for line in screen_text(app).splitlines() if f"▌ {kind}" in line)

        assert "●" in line("actor") and "●" not in line("event")
        await pilot.press("tab", "tab", "down")
        await wait_until(pilot, lambda: "●" in line("event") and "●" not in line("actor"))


async def test_the_entry_panes_commands_are_in_the_palette(mini_tree, app_for) -> None:
    """Moving the letter commands to the entry pane keeps them in ctrl+p, once each."""
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "alice-example")
        await pilot.press("ctrl+p")
        await pilot.press(*"copy id")
        await wait_until(pilot, lambda: "Copy id" in screen_text(app) and "key: y" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.clipboard == "alice-example")


async def test_one_event_is_counted_as_one_event(mini_tree, app_for) -> None:
    from dossier.tui.screens.timeline import TimelineScreen

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert "1 source " in screen_text(app) and "1 sources" not in screen_text(app)  # the status bar
        await press_for(pilot, TimelineScreen, "ctrl+t")
        await wait_until(pilot, lambda: "2 events" in screen_text(app))
        for _ in range(7):
            await pilot.press("plus")
        await wait_until(pilot, lambda: "importance ≥ 8" in screen_text(app) and app.screen.count == 1)
        assert "1 event " in screen_text(app) and "1 events" not in screen_text(app)


async def test_fault3_timeline_keys_typed_as_it_opens_act_on_its_events(sample, app_for) -> None:
    from dossier.tui.screens.timeline import TimelineScreen

    app = app_for(sample)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        first_two = [row.id for row in app.index.rows(Kind.EVENT, sort="date")][:2]
        burst(app, "ctrl+t", "down", "enter")  # the oldest event is under the cursor; ↓ the next; open it
        await wait_until(pilot, lambda: showing(app, first_two[1]))
        assert not isinstance(app.screen, TimelineScreen)
