"""What the index answers with: list rows, search hits, backlinks, mentions, and what a reconcile changed.

Plain frozen values, so that the browser can hold them across threads; and the sort orders of the lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dossier.model import Kind


@dataclass(frozen=True, slots=True)
class Row:
    """Enough to draw a list row without opening the entry's files (slots: a list holds 52,000 of them)."""

    id: str
    kind: Kind
    title: str
    folder: str
    main_file: str
    type: str | None
    date: str | None
    importance: int | None
    status: str | None
    outlet: str | None
    tags: tuple[str, ...]
    problems: int


@dataclass(frozen=True)
class Hit:
    row: Row
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    why: str = ""  # why it ranks where it does (``dossier search --explain``)


class Hits(list[Hit]):
    """Search results, best first; ``total`` is how many entries match in all, beyond the limit."""

    total: int = 0
    #: What the search did beyond the query's letter, in words ("no entry has all 4 words: showing
    #: entries with 3"), or "" when it found what was asked.
    fallback: str = ""
    corrected: dict[str, str]  # typed word -> the word searched instead
    missing: list[str]  # words in no entry
    suggestions: list[str]  # did you mean: actors' names first, then index words

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.corrected = {}
        self.missing = []
        self.suggestions = []


@dataclass(frozen=True)
class Backlink:
    row: Row
    field: str
    label: str | None


@dataclass(frozen=True)
class Mention:
    row: Row
    path: str
    name: str
    snippet: str


@dataclass(frozen=True)
class Changes:
    """What a reconcile or an apply did, by entry id."""

    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()

    @property
    def ids(self) -> frozenset[str]:
        return self.added | self.changed | self.removed

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def sort_key(kind: Kind | None, sort: str | None, sort_date: Callable[[str], str]) -> Callable[[Row], Any]:
    """The key of :meth:`Index.rows`'s order (see there); ``sort_date`` gives an entry's (its record's)."""

    def date_key(row: Row) -> str:
        return sort_date(row.id)

    kind_order = {Kind.ACTOR: 0, Kind.EVENT: 1, Kind.SOURCE: 2}
    if sort is None:
        if kind is None:
            sort = "kind"
        else:
            sort = "title" if kind is Kind.ACTOR else "-date"
    if sort == "title":
        return lambda r: (r.title.casefold(), r.id)
    if sort == "id":
        return lambda r: r.id
    if sort == "date":
        return lambda r: (date_key(r) or "9999", r.id)
    if sort == "-date":
        return lambda r: (invert(date_key(r)), r.id)
    if sort == "importance":
        return lambda r: (-(r.importance or 0), invert(date_key(r)), r.id)
    if sort == "problems":
        return lambda r: (-r.problems, r.id)
    # "kind": actors by name, then events and sources newest first
    return lambda r: (
        kind_order[r.kind],
        r.title.casefold() if r.kind is Kind.ACTOR else invert(date_key(r)),
        r.id,
    )


_INVERT = str.maketrans("0123456789", "9876543210")


def invert(sort_date: str) -> str:
    """A key that sorts dates newest first (undated last)."""
    return sort_date.translate(_INVERT) if sort_date else "~"

