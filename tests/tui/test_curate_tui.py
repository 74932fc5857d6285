"""Curation in the browser: merge a likely duplicate from the actor page, undo it, link a mention;
asserted on screen and on disk."""

from __future__ import annotations

import tomllib
from pathlib import Path

from dossier.tui.screens.curate import CurationDialog

from .conftest import SIZE, press_for, screen_text, settle, started, wait_until
from .test_usability import open_entry


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def duplicate_tree(root: Path) -> Path:
    write(root, "actors/mark-milley/profile.toml", '# the general\nname = "Mark Milley"\ntype = "person"\n'
          'aliases = ["Milley"]\nborn = 1958-06-20\n')
    write(root, "actors/m-milley/profile.toml", 'name = "M. Milley"\ntype = "person"\nborn = 1958-06-21\n')
    write(root, "actors/m-milley/notes.md", "Notes on the duplicate.\n")
    write(root, "events/2020-01-03-strike/event.toml",
          'title = "Strike"\ndate = 2020-01-03\nactors = ["m-milley"]  # who\n')
    write(root, "events/2020-06-01-church/event.toml",
          'title = "Church walk"\ndate = 2020-06-01\nactors = []\n')
    write(root, "events/2020-06-01-church/summary.md", "Mark Milley walked across the square.\n")
    return root


async def open_actor(pilot, entry_id: str) -> None:  # type: ignore[no-untyped-def]
    """Open the entry and put the focus on the entry pane, where the curation keys work."""
    await open_entry(pilot, entry_id)
    pilot.app.browser.entry_view.focus()
    await pilot.pause()


async def test_merge_a_likely_duplicate_from_the_actor_page_then_undo_it(tmp_path: Path, app_for) -> None:  # type: ignore[no-untyped-def]
    tree = duplicate_tree(tmp_path / "tree")
    before = snapshot(tree)
    app = app_for(tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "mark-milley")
        shown = screen_text(app)
        assert "Possible duplicates (m merges the one under the cursor)" in shown
        assert "M. Milley" in shown.split("Possible duplicates")[1]
        dialog = await press_for(pilot, CurationDialog, "m")
        await wait_until(pilot, lambda: "m-milley" in screen_text(app))
        assert "same surname, compatible first names" in screen_text(app)
        await pilot.press("enter")  # plan: the diff is shown, nothing written yet
        await wait_until(pilot, lambda: dialog.plan is not None)
        shown = screen_text(app)
        assert "merge m-milley into mark-milley" in shown
        assert '+aliases = ["Milley", "M. Milley"]' in shown and "rename to actors/mark-milley/notes.md" in shown
        await pilot.press("end")  # the diff scrolls: the rewritten reference is at its end
        await wait_until(pilot, lambda: '-actors = ["m-milley"]  # who' in screen_text(app))
        assert '+actors = ["mark-milley"]  # who' in screen_text(app)
        assert snapshot(tree) == before
        await pilot.press("enter")  # apply
        await wait_until(pilot, lambda: not (tree / "actors/m-milley").exists() and app.screen is app.browser)
        kept = tomllib.loads((tree / "actors/mark-milley/profile.toml").read_text())
        assert "M. Milley" in kept["aliases"] and kept["merged"][0]["id"] == "m-milley"
        assert kept["merged"][0]["values"]["born"].isoformat() == "1958-06-21"
        assert (tree / "actors/mark-milley/notes.md").read_text() == "Notes on the duplicate.\n"
        assert 'actors = ["mark-milley"]  # who' in (tree / "events/2020-01-03-strike/event.toml").read_text()
        # The view and the lists follow: the kept actor now has the duplicate's event, the list lost it.
        await wait_until(pilot, lambda: "Strike" in screen_text(app))
        await wait_until(pilot, lambda: all(r.id != "m-milley" for r in app.browser.entries.items))
        assert app.index.row("m-milley") is None
        # u: the inverse, shown, then applied on enter.
        app.browser.entry_view.focus()
        undo = await press_for(pilot, CurationDialog, "u")
        await wait_until(pilot, lambda: undo.plan is not None)
        assert "undo: merge m-milley into mark-milley" in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: (tree / "actors/m-milley").exists() and app.screen is app.browser)
        assert snapshot(tree) == before
        await wait_until(pilot, lambda: any(r.id == "m-milley" for r in app.browser.entries.items))
        # Nothing left to undo.
        app.browser.entry_view.focus()
        await pilot.press("u")
        await wait_until(pilot, lambda: any("No curation to undo" in n.message for n in app._notifications))
        assert not isinstance(app.screen, CurationDialog)


async def test_undo_is_refused_when_the_files_changed_since(tmp_path: Path, app_for) -> None:  # type: ignore[no-untyped-def]
    tree = duplicate_tree(tmp_path / "tree")
    app = app_for(tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "mark-milley")
        dialog = await press_for(pilot, CurationDialog, "a")
        await pilot.press(*"Gen. Milley")
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog.plan is not None)
        assert '+aliases = ["Milley", "Gen. Milley"]' in screen_text(app)
        await pilot.press("enter")
        profile = tree / "actors/mark-milley/profile.toml"
        await wait_until(pilot, lambda: "Gen. Milley" in profile.read_text() and app.screen is app.browser)
        profile.write_text(profile.read_text() + "# edited by hand since\n")
        changed = profile.read_bytes()
        app.browser.entry_view.focus()
        undo = await press_for(pilot, CurationDialog, "u")
        await wait_until(pilot, lambda: undo.plan is not None)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "changed since this was planned" in screen_text(app))
        assert profile.read_bytes() == changed


async def test_letters_on_the_list_filter_and_never_curate(tmp_path: Path, app_for) -> None:  # type: ignore[no-untyped-def]
    tree = duplicate_tree(tmp_path / "tree")
    app = app_for(tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.browser.entries.focus()
        await pilot.press("m", "a", "r")
        await settle(pilot)
        assert app.browser.filter_input.value == "mar"
        assert not isinstance(app.screen, CurationDialog)
        assert (tree / "actors/m-milley").exists()


async def test_link_a_mention_from_the_actor_page(tmp_path: Path, app_for) -> None:  # type: ignore[no-untyped-def]
    tree = duplicate_tree(tmp_path / "tree")
    app = app_for(tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "mark-milley")
        await wait_until(pilot, lambda: "Church walk" in screen_text(app))
        mention = next(t for t in app.browser.entry_view.targets if t.info.field == "mention")
        mention.focus()
        await pilot.pause()
        dialog = await press_for(pilot, CurationDialog, "l")
        await wait_until(pilot, lambda: dialog.plan is not None)
        assert '+actors = ["mark-milley"]' in screen_text(app)
        await pilot.press("enter")
        event = tree / "events/2020-06-01-church/event.toml"
        await wait_until(pilot, lambda: "mark-milley" in event.read_text())
        assert tomllib.loads(event.read_text())["actors"] == ["mark-milley"]


async def test_rename_from_the_entry_page_moves_the_folder_and_follows_the_new_id(tmp_path: Path, app_for) -> None:  # type: ignore[no-untyped-def]
    tree = duplicate_tree(tmp_path / "tree")
    app = app_for(tree)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await open_actor(pilot, "m-milley")
        dialog = await press_for(pilot, CurationDialog, "r")
        assert dialog.query_one("#value").value == "m-milley"
        dialog.query_one("#value").value = ""
        await pilot.press(*"mark-a-milley")
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog.plan is not None)
        shown = screen_text(app)
        assert "rename from actors/m-milley" in shown and "rename to actors/mark-a-milley" in shown
        assert '+actors = ["mark-a-milley"]  # who' in shown
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == "mark-a-milley")
        assert (tree / "actors/mark-a-milley/profile.toml").is_file() and not (tree / "actors/m-milley").exists()
        assert 'actors = ["mark-a-milley"]  # who' in (tree / "events/2020-01-03-strike/event.toml").read_text()
        await wait_until(pilot, lambda: "Strike" in screen_text(app))  # its event, through the updated index
