"""The browser's search says what it did with a forgiven query, and runs and saves saved searches."""

from __future__ import annotations

import tomllib

from dossier.model import Kind
from tests.tui.conftest import SIZE, screen_text, started, wait_until


async def test_search_says_showing_results_for_the_corrected_word(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("slash")
        await pilot.press(*"harbuor meeting")  # a swapped pair of letters
        screen = app.screen
        await wait_until(pilot, lambda: screen.searched == "harbuor meeting")
        await wait_until(pilot, lambda: "showing results for harbour" in screen_text(app))
        assert 'search instead for "harbuor"' in screen_text(app)
        assert "Harbour meeting between Alice and Bob" in screen_text(app)


async def test_a_saved_search_is_kept_in_dossier_toml_and_runs_from_the_list(mini_tree, app_for) -> None:
    (mini_tree / "dossier.toml").write_text('# kept\n[searches]\nfirst = "first contact"\n', encoding="utf-8")
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("slash")
        await pilot.press(*"harbour meeting")
        await wait_until(pilot, lambda: app.screen.searched == "harbour meeting")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Save this search as" in screen_text(app))
        await pilot.press(*"harbour", "enter")
        path = mini_tree / "dossier.toml"

        def saved() -> dict:
            return tomllib.loads(path.read_text(encoding="utf-8")).get("searches", {})

        await wait_until(pilot, lambda: "harbour" in saved())
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# kept\n")
        assert tomllib.loads(text)["searches"] == {"first": "first contact", "harbour": "harbour meeting"}
        await wait_until(pilot, lambda: "Save this search as" not in screen_text(app))
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: "@harbour" in screen_text(app) and "@first" in screen_text(app))
        await pilot.press("enter")  # the first in the list: @first
        await wait_until(pilot, lambda: getattr(app.screen, "searched", None) == "first contact")
        await wait_until(pilot, lambda: "First contact between Alice" in screen_text(app))


async def test_a_list_filtered_by_a_saved_search(mini_tree, app_for) -> None:
    (mini_tree / "dossier.toml").write_text('[searches]\nharbour = "harbour meeting"\n', encoding="utf-8")
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        browser = app.browser
        browser.show_kind(Kind.EVENT)
        await wait_until(pilot, lambda: "First contact between Alice" in screen_text(app))
        browser.filter_input.focus()  # the list's filter (letters typed on the list go there too)
        await wait_until(pilot, lambda: app.focused is browser.filter_input)
        await pilot.press("@", *"harbour")
        await wait_until(pilot, lambda: browser.filter_input.value == "@harbour")
        await wait_until(pilot, lambda: [row.id for row in browser.entries.items] == ["2024-05-01-harbour-meeting"])
        assert "First contact between Alice" not in screen_text(app)
