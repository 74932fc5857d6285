"""The entry view marks each field's provenance, and a hint key opens the source behind a field."""

from __future__ import annotations

import re
from pathlib import Path

from tests.tui.conftest import SIZE, entry_text, hint_for, open_from_list, settle, started, wait_until

ALICE = "alice-example"
MEETING = "2024-05-01-harbour-meeting"
FIRST = "2023-02-10-first-contact"
REPORT = "2024-05-02-paper-harbour-report"


def cite_meeting(tree: Path) -> None:
    path = tree / "events" / MEETING / "event.toml"
    path.write_text(path.read_text() + f'''
[provenance]
date = ["{REPORT}"]
location = {{ note = "the harbour master's log, not in this tree" }}
''')


async def open_event(pilot, event_id: str) -> None:  # type: ignore[no-untyped-def]
    """Open one of Alice's events through its hint key on her page."""
    app = pilot.app
    await started(pilot)
    await open_from_list(pilot, "alice", ALICE)
    await pilot.press(hint_for(app, event_id))
    await wait_until(pilot, lambda: app.browser.entry_view.data.id == event_id)
    await settle(pilot)


async def test_fields_are_marked_and_a_hint_opens_the_source_behind_a_field(mini_tree, app_for) -> None:
    cite_meeting(mini_tree)
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await open_event(pilot, MEETING)
        text = entry_text(app)
        assert "Date ◆" in text  # backed by a source
        assert "Location ◇" in text  # rests on a note alone
        assert "Sources per field" in text
        assert "no source in this tree — the harbour master's log, not in this tree" in text
        # The source behind the date, with a hint key in front of it.
        assert "Harbour meeting raises questions  source · The Paper · 2024-05-02  — date\n" in text
        await pilot.press(hint_for(app, REPORT, "provenance"))
        await wait_until(pilot, lambda: app.browser.entry_view.data.id == REPORT)
        await settle(pilot)
        # The source lists the field it backs among its backlinks.
        assert "Event fields this source backs" in entry_text(app)


async def test_a_field_the_policy_wants_backed_is_marked_when_nothing_backs_it(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await open_event(pilot, FIRST)
        text = entry_text(app)
        assert "Date ?" in text
        assert "date ?  no provenance, though the policy asks for a source" in text
    # A tree whose policy does not ask for dates shows no such mark.
    (mini_tree / "dossier.toml").write_text('title = "Mini"\n[policy.fields]\nevent = []\n')
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await open_event(pilot, FIRST)
        assert "Date ?" not in entry_text(app) and "Date" in entry_text(app)


async def test_an_event_above_its_status_says_what_the_policy_needs(mini_tree, app_for) -> None:
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await open_event(pilot, MEETING)  # "confirmed" on one source graded B
        text = entry_text(app)
        assert ("Status ?    confirmed  (the policy needs 2 independent sources graded B or better; this event has "
                "1 that qualifies (2024-05-02-paper-harbour-report))") in text
    # The same event, "reported", is within its status: no mark.
    path = mini_tree / "events" / MEETING / "event.toml"
    path.write_text(path.read_text().replace('status = "confirmed"', 'status = "reported"'))
    app = app_for(mini_tree)
    async with app.run_test(size=SIZE) as pilot:
        await open_event(pilot, MEETING)
        text = entry_text(app)
        assert "Status ?" not in text and re.search(r"^Status +reported *$", text, re.MULTILINE)
