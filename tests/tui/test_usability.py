"""What a new user met on a first try (tmux, 120x40): long lists, focus, keys, layout, refreshes."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import SIZE, entry_text, press_for, screen_text, settle, started, wait_until


def add_actor(tree: Path, entry_id: str, toml: str, texts: dict[str, str] | None = None) -> None:
    folder = tree / "actors" / entry_id
    folder.mkdir(parents=True)
    (folder / "profile.toml").write_text(toml, encoding="utf-8")
    for name, text in (texts or {}).items():
        (folder / name).write_text(text, encoding="utf-8")


async def open_entry(pilot, entry_id: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.browser.open_entry(entry_id)
    await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                     and app.browser.entry_view.data.id == entry_id)
    await settle(pilot)


async def test_a_huge_list_of_tags_is_shown_in_part_with_a_count(mini_tree, app_for) -> None:
    tags = ", ".join(f'"tag-{n}"' for n in range(60_000))  # the TOML file stays under the 1 MB limit
    add_actor(mini_tree, "tagged", f'name = "Tagged"\ntags = [{tags}]\n')
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "tagged")
        shown = entry_text(app)
        assert "tag-0," in shown and "tag-199" in shown and "tag-200," not in shown
        assert "59,800 more not shown" in shown


def line_of(app, text: str) -> str:  # type: ignore[no-untyped-def]
    return next(line for line in screen_text(app).splitlines() if text in line)


async def test_long_rows_end_in_an_ellipsis_and_arrows_switch_lists(mini_tree, app_for) -> None:
    add_actor(mini_tree, "long-name", 'name = "Department of Defense Office of Inspector General of Everything"\n'
              'type = "organization"\n')
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        rows = app.browser.entries
        assert rows.has_focus
        assert "Department of Defense Office of Inspector Ge" in line_of(app, "Department of Defense")
        assert "…" in line_of(app, "Department of Defense")
        assert rows.max_scroll_x == 0
        await pilot.press("right")
        await wait_until(pilot, lambda: app.browser.kind.value == "event" and "Harbour meeting" in screen_text(app))
        await pilot.press("right")
        await wait_until(pilot, lambda: app.browser.kind.value == "source" and "The Paper" in screen_text(app))
        await pilot.press("left", "left")
        await wait_until(pilot, lambda: app.browser.kind.value == "actor" and "Alice Example" in screen_text(app))
        assert rows.scroll_offset.x == 0


def background_at(app, text: str):  # type: ignore[no-untyped-def]
    """The background colour of the screen line showing ``text``, in the list pane."""
    for strip in app.screen._compositor.render_strips():
        if text in strip.text:
            column = strip.text.index(text)
            cells = 0
            for segment in strip:
                cells += len(segment.text)
                if cells > column:
                    return segment.style.bgcolor if segment.style else None
    raise AssertionError(f"{text!r} is not on screen")


async def test_the_list_cursor_and_the_focused_pane_are_visible_in_every_theme(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for theme in ("dossier-dark", "dossier-light", "dossier-high-contrast"):
            app.theme = theme
            await settle(pilot)
            rows = app.browser.entries
            first = rows.items[rows.cursor].title
            other = next(r.title for r in rows.items if r.title != first)
            assert background_at(app, first) != background_at(app, other), theme
            # the list pane's border is the bright one while the list has focus; the entry pane's after tab
            left, entry = app.browser.query_one("#left"), app.browser.entry_view
            assert left.styles.border_top[1] != entry.styles.border_top[1], theme
            await pilot.press("tab")
            await wait_until(pilot, lambda: app.focused is app.browser.entry_view)
            await settle(pilot)
            assert left.styles.border_top[1] != entry.styles.border_top[1], theme
            bright = entry.styles.border_top[1]
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.focused is app.browser.entries)
            await settle(pilot)
            assert left.styles.border_top[1] == bright, theme


async def test_f_and_slash_do_what_the_footer_says_from_the_entry_pane(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "alice-example")
        app.browser.entry_view.focus()
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "f Filter" in footer and "/ Search" in footer
        await pilot.press("f")
        await wait_until(pilot, lambda: app.focused is app.browser.filter_input)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.focused is app.browser.entries)
        await pilot.press(*"bob")  # typing on the list filters it
        await wait_until(pilot, lambda: app.browser.filter_input.value == "bob"
                         and [r.id for r in app.browser.entries.items] == ["bob-example"])
        await pilot.press("enter")  # the one entry the filter found opens at once
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == "bob-example")
        await wait_until(pilot, lambda: app.focused is app.browser.entry_view
                         or app.focused in app.browser.entry_view.targets)
        from dossier.tui.screens.search import SearchScreen

        await press_for(pilot, SearchScreen, "slash")


async def test_every_query_the_search_hint_shows_runs(mini_tree, app_for) -> None:
    from dossier.tui.screens.search import EXAMPLES, SearchScreen

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await press_for(pilot, SearchScreen, "slash")
        screen = app.screen
        hint = " ".join(screen_text(app).split())
        assert "kind:event" in hint and "date:[2020 TO 2021]" in hint and "type:event" not in hint
        for example in EXAMPLES:
            assert example in hint, example
            query = screen.query_one("#query")
            query.value = example  # as if typed (typing each one key by key is slow; the last one below is typed)
            await wait_until(pilot, lambda example=example: screen.searched == example)
            assert not str(screen.query_one("#error").content), example
        query.value = ""
        await pilot.press(*"kind:event")
        await wait_until(pilot, lambda: screen.searched == "kind:event")
        assert {hit.row.kind.value for hit in screen.hits} == {"event"} and len(screen.hits) == 2


def add_source(tree: Path, entry_id: str, title: str) -> None:
    folder = tree / "sources" / entry_id
    folder.mkdir(parents=True)
    (folder / "source.toml").write_text(f'title = "{title}"\npublished = 2024-06-01\noutlet = "Gazette"\n',
                                        encoding="utf-8")


BUSY = "2024-06-02-busy-event"


def add_busy_event(tree: Path) -> None:
    """An event with ten sources, two long accounts and a related event that also relates back."""
    for n in range(10):
        add_source(tree, f"2024-06-01-source-{n}", f"Source number {n}")
    sources = ", ".join(f'"2024-06-01-source-{n}"' for n in range(10))
    folder = tree / "events" / BUSY
    folder.mkdir(parents=True)
    claim = "Undermining the harbour authority was never the intention of anybody involved. " * 2
    (folder / "event.toml").write_text(
        f'title = "Busy event"\ndate = 2024-06-02\nactors = ["alice-example"]\nsources = [{sources}]\n'
        'related = ["2024-05-01-harbour-meeting"]\n'
        f'[[accounts]]\nby = "alice-example"\nclaim = "{claim}"\nsource = "2024-06-01-source-0"\n'
        f'[[accounts]]\nby = "bob-example"\nclaim = "{claim}"\nsource = "2024-06-01-source-1"\n',
        encoding="utf-8")
    meeting = tree / "events" / "2024-05-01-harbour-meeting" / "event.toml"
    meeting.write_text(meeting.read_text().replace('related = ["', f'related = ["{BUSY}", "'))


def entry_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    return entry_text(app).splitlines()


async def test_event_hints_follow_the_page_and_sources_come_before_accounts(mini_tree, app_for) -> None:
    add_busy_event(mini_tree)
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, BUSY)
        view = app.browser.entry_view
        targets = view.targets
        assert all(t.hint for t in targets), [(t.hint, t.info.entry_id) for t in targets]
        hints = [t.hint for t in targets]
        assert len(hints) > 9 and hints == [f"{n:02}" for n in range(1, len(hints) + 1)]  # in page order
        # top to bottom (account cards side by side are read card by card)
        outside = [t for t in targets if not any(a.has_class("account") for a in t.ancestors)]
        assert [t.virtual_region.y for t in outside] == sorted(t.virtual_region.y for t in outside)
        fields = [t.info.field.split("#")[0] for t in targets]
        assert fields.index("sources") < fields.index("accounts.by") < fields.index("related")
        text = entry_text(app)
        assert text.index("Sources") < text.index("Accounts (who says what)")
        # the related event that also names this one is listed once
        assert sum(t.info.entry_id == "2024-05-01-harbour-meeting" for t in targets) == 1
        assert "Events related to this one" not in text
        # the 10th source has a hint key, and pressing it opens that source
        tenth = next(t for t in targets if t.info.entry_id == "2024-06-01-source-9")
        view.focus()
        await pilot.press(*tenth.hint)
        await wait_until(pilot, lambda: view.data is not None and view.data.id == "2024-06-01-source-9")


async def test_account_cards_stack_when_narrow_and_never_split_words(mini_tree, app_for) -> None:
    add_busy_event(mini_tree)
    for size, stacked in (((120, 40), False), ((90, 40), True)):
        app = app_for(mini_tree)
        async with app.run_test(size=size) as pilot:
            await started(pilot)
            await open_entry(pilot, BUSY)
            accounts = app.browser.entry_view.query_one(".accounts")
            await wait_until(pilot, lambda accounts=accounts: accounts.size.width > 0)
            await settle(pilot)
            cards = list(accounts.query(".account"))
            if stacked:
                assert cards[0].region.y < cards[1].region.y and cards[0].region.x == cards[1].region.x
            else:
                assert cards[0].region.y == cards[1].region.y and cards[0].region.width >= 30
            app.browser.entry_view.scroll_to_widget(accounts, animate=False, immediate=True)
            await settle(pilot)
            shown = screen_text(app)
            assert "Undermining" in shown and "Underminin│" not in shown and "Undermin\n" not in shown


async def test_accounts_citing_a_source_show_the_title_first(mini_tree, app_for) -> None:
    add_busy_event(mini_tree)
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_entry(pilot, "2024-06-01-source-0")
        assert "Accounts citing this source" in screen_text(app)
        line = next(line for line in screen_text(app).splitlines() if "↳" in line)
        assert "↳ Busy event" in line


def test_no_key_of_a_list_is_a_letter_or_a_digit() -> None:
    """Letters on a list type into its filter and digits follow hints: no binding there may take one."""
    from textual.binding import Binding

    from dossier.tui.app import DossierApp
    from dossier.tui.screens.browser import BrowserScreen
    from dossier.tui.screens.help import binding_groups
    from dossier.tui.widgets.row_list import RowList

    def keys(bindings: list) -> set[str]:
        return {key.strip() for b in bindings if isinstance(b, Binding) for key in b.key.split(",")}

    on_lists = keys(DossierApp.BINDINGS) | keys(BrowserScreen.BINDINGS) | keys(RowList.BINDINGS)
    assert not {key for key in on_lists if len(key) == 1 and key.isalnum()}, on_lists
    everywhere = keys([b for _where, bindings in binding_groups() for b in bindings])
    assert not {key for key in everywhere if key.isdigit()}


async def test_help_names_keys_as_they_are_typed(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=(160, 120)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        from dossier.tui.screens.help import HelpScreen

        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen) and "Importance +" in screen_text(app))
        shown = screen_text(app)
        line = next(line for line in shown.splitlines() if "Importance +" in line)
        assert "+ / =" in line and "equals_sign" not in shown and "question_mark" not in shown


async def test_the_problems_list_follows_the_files_while_it_is_open(mini_tree, app_for) -> None:
    from dossier.tui.screens.problems import ProblemsScreen

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: app.watcher is not None)
        await press_for(pilot, ProblemsScreen, "exclamation_mark")
        await settle(pilot)
        assert "bob-example/profile.toml" not in screen_text(app)
        profile = mini_tree / "actors" / "bob-example" / "profile.toml"
        good = profile.read_text()
        profile.write_text(good + "broken = \n")
        await wait_until(pilot, lambda: "bob-example/profile.toml" in screen_text(app))
        profile.write_text(good)
        await wait_until(pilot, lambda: "bob-example/profile.toml" not in screen_text(app))
        assert isinstance(app.screen, ProblemsScreen)


async def test_list_rows_take_the_new_theme_colours_at_once(mini_tree, app_for) -> None:
    from rich.color import Color

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        rows = app.browser.entries
        other = next(r.title for i, r in enumerate(rows.items) if i != rows.cursor)
        for theme, surface in (("dossier-light", "#FFFFFF"), ("dossier-dark", "#1B2027")):
            app.theme = theme
            await settle(pilot)
            assert background_at(app, other) == Color.parse(surface), theme


async def test_escape_in_the_filter_clears_it(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press(*"bob")
        await wait_until(pilot, lambda: [r.id for r in app.browser.entries.items] == ["bob-example"])
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.browser.entries.items) == 3 and "Alice Example" in screen_text(app))
        assert app.browser.filter_input.value == "" and app.focused is app.browser.entries


async def test_pop_ups_show_their_own_keys_in_the_footer(mini_tree, app_for) -> None:
    from dossier.tui.screens.timeline import TimelineScreen

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await press_for(pilot, TimelineScreen, "ctrl+t")
        await wait_until(pilot, lambda: "Importance +" in screen_text(app).splitlines()[-1])
        footer = screen_text(app).splitlines()[-1]
        assert "esc Close" in footer and "Timeline" not in footer and "New" not in footer
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, TimelineScreen))
        await pilot.press("slash")
        await wait_until(pilot, lambda: "esc Close" in screen_text(app).splitlines()[-1])
        assert "Timeline" not in screen_text(app).splitlines()[-1]


async def test_letters_typed_fast_on_the_list_all_go_into_the_filter(mini_tree, app_for) -> None:
    """A quick typist (or a paste) outruns the move of focus to the filter: `e` and `t` in
    "alice example" must be letters of the filter, not Edit and Timeline."""
    from textual import events

    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.browser.entries.has_focus
        for character in "alice example":  # all at once, without waiting for the app between keys
            key = events.Key("space" if character == " " else character, character)
            key.set_sender(app)
            app._driver.send_message(key)  # noqa: SLF001 - what a terminal does on a burst of input
        await wait_until(pilot, lambda: app.browser.filter_input.value == "alice example")
        await wait_until(pilot, lambda: [r.id for r in app.browser.entries.items] == ["alice-example"])
        assert app.screen is app.browser and "Open an entry first" not in screen_text(app)
        from dossier.tui.screens.timeline import TimelineScreen

        await press_for(pilot, TimelineScreen, "escape", "ctrl+t")  # the list's commands are keys no name has


async def test_esc_on_the_list_clears_its_filter_and_arrows_from_the_entry_move_to_the_list(
        mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press(*"example", "enter")  # filter, then back on the (filtered) list
        await wait_until(pilot, lambda: app.browser.entries.has_focus and len(app.browser.entries.items) == 2)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.browser.filter_input.value == ""
                         and len(app.browser.entries.items) == 3)
        await open_entry(pilot, "alice-example")
        app.browser.entry_view.focus()
        await pilot.press("right")  # the events list: the keys that follow are for it
        await wait_until(pilot, lambda: app.browser.kind.value == "event" and app.browser.entries.has_focus
                         and "Harbour meeting" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.entry.kind.value == "event")
