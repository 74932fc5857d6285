"""What the entry view shows, gathered off the UI thread: the entry, its texts, resolved
references, backlinks and mentions.

Plain Python (no Textual): a worker calls :func:`gather` and hands the result
to the view, which only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dossier import policy
from dossier.model import Entry, Kind, Problem
from dossier.store import EntryNotFound, Location, Store, TextFile

if TYPE_CHECKING:
    from dossier.index import Backlink, Index, Mention, Row

#: More backlinks than this are summarised (the timeline lists them all).
MAX_BACKLINKS = 200
MAX_MENTIONS = 50

#: The kind an id is expected to have, by the field that names it (used to create a missing one).
FIELD_KINDS: dict[str, Kind] = {
    "actors": Kind.ACTOR,
    "sources": Kind.SOURCE,
    "related": Kind.EVENT,
    "roles.org": Kind.ACTOR,
    "links.to": Kind.ACTOR,
    "links.sources": Kind.SOURCE,
    "accounts.by": Kind.ACTOR,
    "accounts.source": Kind.SOURCE,
    "provenance": Kind.SOURCE,
}


@dataclass
class EntryData:
    """An opened entry with everything its view needs."""

    entry: Entry
    texts: list[TextFile] = field(default_factory=list)
    rows: dict[str, Row | None] = field(default_factory=dict)  # referenced id -> its row, None when missing
    backlinks: list[Backlink] = field(default_factory=list)
    backlinks_total: int = 0
    mentions: list[Mention] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Fields the tree's policy wants backed by a source that have no provenance.
    lacking: list[str] = field(default_factory=list)
    #: How an event's status outruns its sources under the policy (None when they support it).
    above_status: policy.Shortfall | None = None
    duplicates: list[tuple[Row, str]] = field(default_factory=list)  # likely the same actor, and why

    @property
    def id(self) -> str:
        return self.entry.id


class Missing(Exception):
    """No entry has this id (any more)."""


def location_for(store: Store, entry_id: str, index: Index | None) -> Location | None:
    """Where an entry lives: from the index's row when there is one (no scan), else by looking."""
    if index is not None:
        row = index.row(entry_id)
        if row is not None:
            found = store.location_of(store.root / row.folder)
            if found is not None and found.id == entry_id:
                return found
    return store.locate(entry_id)


def gather(store: Store, entry_id: str, index: Index | None) -> EntryData:
    """Read one entry and look up what surrounds it; :class:`Missing` when it does not exist."""
    location = location_for(store, entry_id, index)
    if location is None:
        raise Missing(entry_id)
    try:
        entry = store.load(location)
    except EntryNotFound:
        raise Missing(entry_id) from None
    rules, _ = policy.load(store)
    data = EntryData(entry=entry, problems=list(entry.problems), lacking=policy.lacking(rules, entry.kind, entry.data))
    if entry.kind is Kind.EVENT:
        data.above_status = policy.status_shortfall(rules, entry.id, entry.data, _cited_sources(store, entry, index))
    for rel in entry.text_files:
        text_file = store.read_text_file(rel, entry.id)
        data.texts.append(text_file)
        data.problems.extend(text_file.problems)
    if index is None:
        return data
    for ref in entry.references:
        if ref.target not in data.rows:
            data.rows[ref.target] = index.row(ref.target)
    backlinks = [b for b in index.backlinks(entry.id) if b.row.id != entry.id]
    data.backlinks_total = len(backlinks)
    data.backlinks = backlinks[:MAX_BACKLINKS]
    if entry.kind is Kind.ACTOR:
        data.mentions = index.mentions(entry.id)[:MAX_MENTIONS]
        from dossier.review import duplicates_in_index

        data.duplicates = [(row, d.why) for d in duplicates_in_index(index, entry.id, entry.data)
                           if (row := index.row(d.other)) is not None]
    known = {(p.path, p.line, p.message) for p in data.problems}
    for problem in _index_problems(index, entry.id):
        if (problem.path, problem.line, problem.message) not in known:
            data.problems.append(problem)
    return data


def _cited_sources(store: Store, entry: Entry, index: Index | None) -> dict[str, dict[str, Any]]:
    """The source entries an event cites (and its accounts cite), read for their grades and outlets.

    With an index, an id it does not know is not looked for (that would scan the whole tree).
    """
    found: dict[str, dict[str, Any]] = {}
    for ref in entry.references:
        if ref.field in ("sources", "accounts.source") and ref.target not in found:
            if index is not None and index.row(ref.target) is None:
                continue
            location = location_for(store, ref.target, index)
            if location is not None and location.kind is Kind.SOURCE:
                found[ref.target] = store.load(location).data
    return found


def _index_problems(index: Index, entry_id: str) -> list[Problem]:
    """The tree-wide problems of one entry (missing references, duplicate ids) the index knows."""
    row = index.row(entry_id)
    if row is None or not row.problems:
        return []
    return [p for p in index.problems() if p.entry_id == entry_id]


def title_of_id(entry_id: str) -> str:
    """A readable title for an entry created from a missing id."""
    return entry_id.replace("-", " ").strip().capitalize() or entry_id


def plain(value: Any) -> str:
    """A field value as one line of text."""
    import datetime as dt

    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
