"""``dossier import csv``: one spreadsheet table of actors, events or sources, a row an entry.

Columns are fields, by their header (``Name`` and ``name`` are the same;
spaces become ``_``); ``--map "Full name=name"`` renames a column and
``--map "Notes="`` leaves one out. An ``id`` column gives the ids; without one
the id is made from the name or title (date first for events and sources),
the same as ``dossier new``. Cells of the list fields (aliases, tags, actors,
sources, related) are split on ``;``, as ``dossier export --format csv``
writes them, so an exported table imports back. Dates are read in the forms
the timeline importer reads and written as TOML dates; an empty cell is no
value (TOML has no null).

A row whose id is in the tree is reused and never modified: importing the same
table twice writes nothing. A row that cannot be imported (no name, a date
that is not a date, importance outside 1-10) is reported with its line number
and skipped; the other rows are imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from dossier.importers import ImportReport
from dossier.importers.common import loose_date, toml_date
from dossier.importers.records import RecordWriter
from dossier.model import CREDIBILITY_GRADES, MAX_ID_LENGTH, Kind, is_valid_id, slugify
from dossier.store import Store

#: Fields whose cells hold several values separated by ``;``.
LIST_FIELDS = ("aliases", "tags", "actors", "sources", "related")
#: Fields whose cells are dates.
DATE_FIELDS = ("date", "born", "died", "published", "accessed")
#: The field a row must have, by kind.
TITLE_FIELD = {Kind.ACTOR: "name", Kind.EVENT: "title", Kind.SOURCE: "title"}
#: Columns the CSV export writes that are not fields (where the entry lives is the tree's business).
DERIVED_COLUMNS = ("folder",)
_FORMULA_START = ("=", "+", "-", "@")


class RowError(Exception):
    """Why one row cannot be imported."""


def column_key(header: str) -> str:
    """A header as a field name: ``Full Name`` -> ``full_name``."""
    return "_".join(header.strip().lower().split())


def parse_mapping(pairs: list[str]) -> dict[str, str | None]:
    """``--map`` values (``COLUMN=FIELD``, ``COLUMN=`` to leave out) by column key; ValueError names a bad one."""
    mapping: dict[str, str | None] = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column.strip():
            raise ValueError(f"--map {pair!r}: write COLUMN=FIELD (or COLUMN= to leave the column out)")
        target_key = column_key(target) if target.strip() else None
        mapping[column_key(column)] = target_key
    return mapping


def _cell(text: str) -> str:
    text = text.strip()
    # The CSV export guards formula-like cells with a quote; take it off again.
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        return text[1:]
    return text


def row_fields(kind: Kind, row: Mapping[str, str]) -> dict[str, Any]:
    """One row's cells (already keyed by field) as the entry's fields; :class:`RowError` says what is wrong."""
    data: dict[str, Any] = {}
    for key, raw in row.items():
        value = _cell(raw)
        if not value:
            continue
        if key in LIST_FIELDS:
            items = [v for v in (_cell(part) for part in value.split(";")) if v]
            if key in ("actors", "sources", "related"):
                bad = [v for v in items if not is_valid_id(v)]
                if bad:
                    raise RowError(f"{key}: {bad[0]!r} is not an id (lowercase letters, digits and '-')")
            data[key] = items
        elif key in DATE_FIELDS:
            date = loose_date(value)
            if date is None:
                raise RowError(f"{key}: {value!r} is not a date")
            data[key] = toml_date(date)
        elif key == "importance":
            if not value.isdigit() or not 1 <= int(value) <= 10:
                raise RowError(f"importance: {value!r} is not a whole number 1-10")
            data[key] = int(value)
        elif key == "credibility" and value.isdigit() and int(value) in CREDIBILITY_GRADES:
            data[key] = int(value)
        else:
            data[key] = value
    title_field = TITLE_FIELD[kind]
    if not isinstance(data.get(title_field), str):
        raise RowError(f"no {title_field}")
    if kind is Kind.EVENT and "date" not in data:
        raise RowError("no date")
    return data


def import_csv(store: Store, text: str, name: str, kind: Kind, *, mapping: dict[str, str | None] | None = None,
               dry_run: bool = False) -> ImportReport:
    """Import the rows of one CSV table (``name`` is how messages name it) as entries of ``kind``."""
    report = ImportReport(dry_run=dry_run, files=1)
    writer = RecordWriter(store, report)
    mapping = mapping or {}
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        report.skip(name, "the file is empty (no header row)")
        return report
    except csv.Error as exc:
        report.skip(f"{name}:1", f"the header row does not parse: {exc}")
        return report
    keys: list[str | None] = []
    for column in header:
        key = column_key(column)
        target = mapping.get(key, key)
        keys.append(None if not target or target in DERIVED_COLUMNS else target)
    unknown = sorted(set(mapping) - {column_key(c) for c in header})
    if unknown:
        report.skip(name, f"--map names columns the header does not have: {', '.join(unknown)}")
        return report
    tally = report.tallies[kind]
    seen: dict[str, int] = {}
    references: dict[str, str] = {}  # id -> the field that named it first
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.skip(f"{name}:{start}", f"the row does not parse: {exc}")
            tally.skipped += 1
            break  # the reader cannot find the next row after a broken one
        line = start
        if not any(c.strip() for c in cells):
            continue
        where = f"{name}:{line}"
        if len(cells) > len(keys):
            report.skip(where, f"{len(cells)} cells for {len(keys)} columns")
            tally.skipped += 1
            continue
        row = {key: cell for key, cell in zip(keys, cells, strict=False) if key is not None}
        try:
            data = row_fields(kind, row)
        except RowError as exc:
            report.skip(where, str(exc))
            tally.skipped += 1
            continue
        entry_id = data.pop("id", None)
        if entry_id is not None and not is_valid_id(entry_id):
            report.skip(where, f"id {entry_id!r} is not an id (lowercase letters, digits and '-')")
            tally.skipped += 1
            continue
        if entry_id is None:
            base = slugify(data[TITLE_FIELD[kind]], 80)
            date = data.get("date" if kind is Kind.EVENT else "published")
            entry_id = (f"{date}-{base}" if kind is not Kind.ACTOR and date is not None else base)[:MAX_ID_LENGTH]
        if entry_id in seen:
            report.skip(where, f"id {entry_id!r} is also the id of line {seen[entry_id]}")
            tally.skipped += 1
            continue
        seen[entry_id] = line
        if entry_id in writer.existing:
            if writer.kinds[entry_id] is kind:
                tally.reused += 1
            else:
                report.skip(where, f"id {entry_id!r} is already a {writer.kinds[entry_id].value} in the tree")
                tally.skipped += 1
            continue
        if writer.create(kind, entry_id, data, where):
            for key in ("actors", "sources", "related"):
                for target in data.get(key, ()):
                    references.setdefault(target, key)
    for target, key in references.items():
        if target not in writer.kinds:
            report.warn(name, f"{key} refers to {target!r}, which no entry has (yet)")
    writer.finish()
    return report
