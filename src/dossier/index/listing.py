"""The index read from its state table, without Whoosh: rows, counts, tags, problems, backlinks, mentions.

:class:`Listing` is the reading half of :class:`~dossier.index.core.Index` (which mixes it in);
everything here is answered from the records in memory, plus one Whoosh query for backlinks and mentions.
"""

from __future__ import annotations

import threading
from collections import ChainMap
from collections.abc import Callable, Container, KeysView
from typing import TYPE_CHECKING, Any, TypeVar

from dossier.index.rows import Backlink, Mention, Row, sort_key
from dossier.index.schema import (
    current_schema,
)
from dossier.index.snippets import find_mention, name_pattern
from dossier.index.state_table import Record, RecordTable, decode
from dossier.model import Kind, Problem, check_references, is_valid_id
from dossier.store import Location, Store

T = TypeVar("T")

#: Names shorter than this are not looked for as mentions ("US", "CIA" would match everywhere).
MIN_MENTION_LENGTH = 4



def _make_row(record: Record, known: Container[str]) -> Row:
    """The row the lists draw for one record; its problem count includes references to ids not ``known``."""
    # ``known`` first: nearly every reference is to an entry that exists, and that is one dict lookup.
    missing = sum(1 for f, t, _l in record.refs if t not in known and f != "roles.org" and is_valid_id(t))
    return Row(*record.row, len(record.problems) + missing)  # type: ignore[call-arg]


class _KindRows:
    """One kind's rows by id, what the lists sort and filter them by, and each order once sorted.

    A list in an order is sorted once per generation of the records; a filter then keeps the rows
    that match in that order (typing into the filter of 30,000 actors sorts nothing).
    """

    __slots__ = ("rows", "dates", "names", "orders", "ids", "made_from")

    def __init__(self, ids: KeysView[str]) -> None:
        self.rows: dict[str, Row] = {}
        self.dates: dict[str, str] = {}  # the records' sort dates
        self.names: dict[str, tuple[str, ...]] = {}  # names and aliases: the filter matches them too
        self.orders: dict[str | None, list[Row]] = {}
        self.ids = ids  # every entry's id when these were made: a row's problem count depends on them
        self.made_from: dict[str, object] = {}  # the record (as the table held it) each row was made from

    def ordered(self, kind: Kind, sort: str | None) -> list[Row]:
        order = self.orders.get(sort)
        if order is None:
            # Two threads may sort at once: the same list either way, and a dict store is atomic.
            order = self.orders[sort] = sorted(self.rows.values(), key=sort_key(kind, sort, self.dates.__getitem__))
        return order


class Listing:
    """Rows, counts, tags, problems, backlinks and mentions (mixed into :class:`~dossier.index.core.Index`)."""

    #: Per kind, (generation of the records they were made from, its rows): see :meth:`_rows_of`.
    _kind_rows: dict[Kind, tuple[int, _KindRows]] | None = None

    if TYPE_CHECKING:  # provided by Index
        store: Store
        _records: RecordTable
        _rows: dict[str, Row] | None
        _cache_lock: threading.Lock
        _scan_problems: list[Problem]
        _collection_problems: list[Problem]
        _read_lock: threading.RLock
        _generation: int

        def _refresh_from_disk(self) -> None: ...
        def _store_cache(self, name: str, value: Any, generation: int) -> None: ...
        def _read(self, run: Callable[[Any], T]) -> T: ...

    # -- reading: rows, counts, problems

    def _all_rows(self) -> dict[str, Row]:
        self._refresh_from_disk()
        rows = self._rows
        if rows is not None:
            return rows
        with self._read_lock:
            if self._rows is not None:
                return self._rows
            generation = self._generation  # before the records: see _store_cache
            rows = {}
            for kind in Kind:
                rows.update(self._rows_of(kind).rows)
            self._store_cache("_rows", rows, generation)
            return rows

    def _rows_of(self, kind: Kind) -> _KindRows:
        """The rows of one kind, made once per generation of the records.

        Per kind, because the browser shows one list at a time: its first list (30,000 actors of
        100,000 entries) is drawn without making the other 70,000 rows. The records are decoded for
        their rows without being kept decoded (:meth:`RecordTable.decoded`): otherwise the next write
        of the state table packs every one of them again (1.2 s at 100,000 entries, on each save).
        """
        self._refresh_from_disk()
        cached = (self._kind_rows or {}).get(kind)
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        with self._read_lock:
            cached = (self._kind_rows or {}).get(kind)
            if cached is not None and cached[0] == self._generation:
                return cached[1]
            generation = self._generation  # before the records: see _store_cache
            records = self._records
            known = records.materialised().keys()
            # A save changes a few records of 100,000: the rows of the others are kept (made again, a
            # list of 52,000 sources took 0.7 s after every save), unless an entry came or went (the
            # problem counts of references to it change).
            before = cached[1] if cached is not None else None
            if before is not None and before.ids != known:
                before = None
            made = _KindRows(known)
            rows, dates, names, made_from = made.rows, made.dates, made.names, made.made_from
            for entry_id, value in records.held(kind):
                made_from[entry_id] = value
                if before is not None and before.made_from.get(entry_id) is value:
                    rows[entry_id] = before.rows[entry_id]
                    dates[entry_id] = before.dates[entry_id]
                    names[entry_id] = before.names[entry_id]
                    continue
                record = decode(value)
                rows[entry_id] = _make_row(record, known)
                dates[entry_id] = record.sort_date
                names[entry_id] = record.names
            with self._cache_lock:
                if self._generation == generation:
                    self._kind_rows = {**(self._kind_rows or {}), kind: (generation, made)}
            return made

    def row(self, entry_id: str) -> Row | None:
        """One entry's row: from the rows already made, else made alone (a command needs a few, not 100,000)."""
        self._refresh_from_disk()
        rows = self._rows
        if rows is not None:
            return rows.get(entry_id)
        for generation, made in (self._kind_rows or {}).values():
            if generation == self._generation and entry_id in made.rows:
                return made.rows[entry_id]
        records = self._records
        record = records.get(entry_id)
        return _make_row(record, records.keys()) if record is not None else None

    def rows(
        self,
        kind: Kind | None = None,
        *,
        sort: str | None = None,
        text: str = "",
        tag: str | None = None,
        min_importance: int | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        """List entries, filtered and sorted, from memory.

        Default sort: actors by name, events and sources newest first. ``sort``
        may be ``title``, ``date``, ``-date``, ``importance`` (highest first), ``id``
        or ``problems`` (most first). ``text`` matches (case-insensitively) a
        substring of the title, id or an alias.
        """
        kind = Kind(kind) if kind is not None else None
        if kind is not None:
            made = self._rows_of(kind)
            ordered = made.ordered(kind, sort)
            names: Callable[[str], tuple[str, ...]] = made.names.__getitem__
        else:
            # Dates and names from the rows' own making, not from ``_records``: another process's
            # write read meanwhile would have replaced the records, and an id would be missing there.
            kinds = [self._rows_of(k) for k in Kind]
            dates = ChainMap(*(made.dates for made in kinds))
            names = ChainMap(*(made.names for made in kinds)).__getitem__
            ordered = sorted((row for made in kinds for row in made.rows.values()),
                             key=sort_key(None, sort, dates.__getitem__))
        records = self._records
        needle = text.strip().casefold()
        if not (needle or tag or min_importance is not None or actor is not None):
            return ordered[:limit] if limit is not None else list(ordered)
        tag_l = tag.casefold() if tag else None
        result: list[Row] = []
        for row in ordered:  # in order already: what is kept stays in it
            entry_id = row.id
            if tag_l is not None and tag_l not in (t.casefold() for t in row.tags):
                continue
            if min_importance is not None and (row.importance is None or row.importance < min_importance):
                continue
            if actor is not None:
                record = records.get(entry_id)
                if record is None or not any(f == "actors" and t == actor for f, t, _l in record.refs):
                    continue
            if (needle and needle not in row.title.casefold() and needle not in entry_id
                    and not any(needle in n.casefold() for n in names(entry_id))):
                continue
            result.append(row)
            if limit is not None and len(result) >= limit:
                break
        return result

    def counts(self) -> dict[Kind, int]:
        self._refresh_from_disk()
        return self._records.kind_counts()

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of entries that carry it, most used first."""
        counts: dict[str, int] = {}
        for row in self._all_rows().values():
            for tag in set(row.tags):
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def problems(self) -> list[Problem]:
        """What ``dossier check`` would report, from the index.

        An entry's own problems were recorded when it was indexed; references to
        missing ids depend on the other entries, so they are recomputed here (by
        re-reading only the kind files of entries that have such a reference).
        """
        self._refresh_from_disk()
        records = self._records
        known = records.kinds()
        problems = list(self._scan_problems) + list(self._collection_problems)
        for entry_id, record in records.decoded():
            problems.extend(record.problems)
            if any(f != "roles.org" and is_valid_id(t) and t not in known for f, t, _l in record.refs):
                location = self._location(entry_id)
                if location is None:
                    continue
                data, text, _ = self.store.read_kind_file(location)
                if data is not None:
                    problems.extend(
                        check_references(entry_id, location.kind, data, location.main_file, text or "", known)
                    )
        problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))
        return problems

    def snapshot(self) -> tuple[RecordTable, list[Problem], list[Problem]]:
        """The records, the scan's problems and ``dossier.toml``'s, as last reconciled: what ``check`` reads."""
        self._refresh_from_disk()
        with self._read_lock:
            return self._records, list(self._scan_problems), list(self._collection_problems)

    def _location(self, entry_id: str) -> Location | None:
        record = self._records.get(entry_id)
        if record is None:
            return None
        return self.store.location_of(self.store.root / record.folder)

    # -- backlinks and mentions

    def _referring(self, entry_id: str) -> list[tuple[str, str, str | None]]:
        """(entry, field, label) of each reference to ``entry_id``.

        The index's ``ref`` terms name the referring entries, and only their records are read: showing
        one entry does not decode 100,000 records (nor build a map of every reference) to find a dozen.
        """
        from whoosh import query as q

        self._refresh_from_disk()

        records = self._records
        hit_ids = self._read(lambda searcher: [
            hit["id"] for hit in searcher.search(q.Term("ref", entry_id), limit=None)
        ])
        found: list[tuple[str, str, str | None]] = []
        for source_id in sorted(set(hit_ids)):
            record = records.get(source_id)
            if record is not None:
                found.extend((source_id, f, label) for f, t, label in record.refs if t == entry_id)
        return found

    def references(self) -> dict[str, tuple[tuple[str, str, str | None], ...]]:
        """Every entry's references as (field, id, label), in file order: what the graph is built from."""
        self._refresh_from_disk()
        return {entry_id: record.refs for entry_id, record in self._records.items()}

    def backlinks(self, entry_id: str) -> list[Backlink]:
        """Entries that refer to this id: events by date, then sources, then actors."""
        records = self._records
        links = []
        for source_id, ref_field, label in self._referring(entry_id):
            row = self.row(source_id)
            if row is None or source_id == entry_id:
                continue
            links.append(Backlink(row, ref_field, label))
        order = {Kind.EVENT: 0, Kind.SOURCE: 1, Kind.ACTOR: 2}

        def key(link: Backlink) -> tuple[Any, ...]:
            record = records.get(link.row.id)
            return (order[link.row.kind], record.sort_date if record else "", link.row.id, link.field)

        links.sort(key=key)
        return links

    def mentions(self, entry_id: str, limit: int = 200) -> list[Mention]:
        """Texts that name this actor (its name or an alias) without referring to it.

        Computed at query time (a phrase query per name), so it is never stale.
        Names shorter than :data:`MIN_MENTION_LENGTH` are not looked for.
        """
        from whoosh import query as q

        self._refresh_from_disk()
        record = self._records.get(entry_id)
        if record is None:
            return []
        names = [n for n in dict.fromkeys(record.names) if len(n.strip()) >= MIN_MENTION_LENGTH]
        if not names:
            return []
        schema = current_schema()
        analyzer = schema["content"].analyzer
        clauses = []
        for name in names:
            words = [t.text for t in analyzer(name)]
            if not words:
                continue
            clauses.append(q.Term("content", words[0]) if len(words) == 1 else q.Phrase("content", words))
        if not clauses:
            return []
        referring = {i for i, _f, _l in self._referring(entry_id)}
        patterns = [(name, name_pattern(name)) for name in names]
        found: list[Mention] = []
        hit_ids = self._read(lambda searcher: [hit["id"] for hit in searcher.search(q.Or(clauses), limit=None)])
        for hit_id in hit_ids:
            if hit_id == entry_id or hit_id in referring:
                continue
            row = self.row(hit_id)
            if row is None:
                continue
            location = self._location(row.id)
            mention = find_mention(self.store, location, row, patterns) if location is not None else None
            if mention is not None:
                found.append(mention)
            if len(found) >= limit:
                break
        order = {Kind.EVENT: 0, Kind.SOURCE: 1, Kind.ACTOR: 2}
        found.sort(key=lambda m: (order[m.row.kind], self._records[m.row.id].sort_date, m.row.id))
        return found
