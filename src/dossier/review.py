"""Warnings for a person to review: notes an import left on an actor, and events that look like one.

Neither is an error in the file format; ``check`` lists them as warnings so a
researcher sees them, decides, and edits (merging is the curation commands'
job, never done here).

* An actor's ``review`` field (a list of notes) is written by the importer
  when its evidence was weak: a type it could not tell ("other"), a short
  name several people share ("Trump"). Each note is a warning until someone
  removes it.
* Two events with the same date and nearly the same title ("Senate confirms
  Bove" / "Senate Confirms Bove") are probably one event imported twice.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from dossier.model import Kind, PartialDate, Problem, Severity
from dossier.store import Location, Store
from dossier.transliterate import to_ascii

#: How alike two titles of the same day must be (difflib ratio of their folded words) to be reported.
SIMILAR_TITLES = 0.9
_NUMBER = re.compile(r"\d+")


def review_problems(store: Store, locations: Iterable[Location]) -> list[Problem]:
    """Every review note of the tree's actors and every pair of events that look like one."""
    problems: list[Problem] = []
    events: list[tuple[Location, dict[str, Any]]] = []
    for location in locations:
        if location.kind is Kind.SOURCE:
            continue
        data, _, _ = store.read_kind_file(location)
        if data is None:
            continue
        if location.kind is Kind.EVENT:
            events.append((location, data))
        else:
            problems.extend(review_notes(location, data))
    problems.extend(duplicate_events(events))
    return problems


def review_notes(location: Location, data: dict[str, Any]) -> list[Problem]:
    """The actor's ``review`` notes as warnings."""
    notes = data.get("review")
    if isinstance(notes, str):
        notes = [notes]
    if not isinstance(notes, list):
        return []
    return [
        Problem(location.main_file, f"to review: {note} (remove the note from 'review' once settled)", "review",
                entry_id=location.id, severity=Severity.WARNING)
        for note in notes if isinstance(note, str) and note.strip()
    ]


def _folded(title: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", to_ascii(title).lower()).split())


def duplicate_events(events: Iterable[tuple[Location, dict[str, Any]]]) -> list[Problem]:
    """A warning on each of two events with the same date and nearly the same title."""
    by_date: dict[str, list[tuple[Location, str]]] = defaultdict(list)
    for location, data in events:
        date = PartialDate.parse(data.get("date"))
        title = data.get("title")
        if date is not None and isinstance(title, str) and title.strip():
            by_date[str(date)].append((location, _folded(title)))
    problems = []
    for date, same_day in sorted(by_date.items()):
        same_day.sort(key=lambda item: item[0].id)
        for i, (first, first_title) in enumerate(same_day):
            for second, second_title in same_day[i + 1:]:
                if _NUMBER.findall(first_title) != _NUMBER.findall(second_title):
                    continue  # "Raid 1" / "Raid 2", "$5 million" / "$6 million": told apart by a number
                ratio = difflib.SequenceMatcher(None, first_title, second_title).ratio()
                if ratio >= SIMILAR_TITLES:
                    for this, other in ((first, second), (second, first)):
                        problems.append(Problem(
                            this.main_file,
                            f"possible duplicate event: '{other.id}' has the same date ({date}) and nearly the "
                            f"same title ({ratio:.0%} alike); merge them if they are one event",
                            "duplicate-event", entry_id=this.id, severity=Severity.WARNING,
                        ))
    return problems
