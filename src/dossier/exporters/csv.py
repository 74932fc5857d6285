"""CSV tables that open in a spreadsheet: actors, events, sources, and the edges between them.

Files are UTF-8 with a byte-order mark (so that spreadsheet programs read
accents right), ``\\n`` line endings, fixed columns. A cell that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) is prefixed
with ``'``: the tree's content is untrusted and must never execute.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dossier.exporters import Loaded
from dossier.model import Entry, Kind, array_of_tables
from dossier.values import value_text

COLUMNS = {
    "actors": ["id", "name", "type", "aliases", "summary", "born", "died", "tags", "folder"],
    "events": ["id", "date", "title", "importance", "status", "location", "actors", "sources", "tags",
               "related", "folder"],
    "sources": ["id", "published", "title", "outlet", "author", "url", "type", "reliability", "credibility",
                "accessed", "folder"],
    "event_actors": ["event_id", "actor_id", "event_date", "event_title", "actor_name"],
    "event_sources": ["event_id", "source_id", "event_date", "source_title", "source_url"],
    "actor_links": ["actor_id", "target_id", "relation", "since", "until", "sources", "actor_name", "target_name"],
    "actor_roles": ["actor_id", "title", "org_id", "org", "from", "to", "actor_name"],
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    text = value_text(value, "; ")  # "; ": names in a list often hold commas
    return "'" + text if text.startswith(_FORMULA_START) else text


def tables(loaded: Loaded) -> dict[str, list[list[str]]]:
    """Each table's rows (header first)."""
    by_id = loaded.by_id()
    rows: dict[str, list[list[str]]] = {name: [list(columns)] for name, columns in COLUMNS.items()}
    plural = {Kind.ACTOR: "actors", Kind.EVENT: "events", Kind.SOURCE: "sources"}
    for entry in loaded.entries:
        data = entry.data
        values = {**data, "id": entry.id, "folder": entry.folder}
        rows[plural[entry.kind]].append([cell(values.get(column)) for column in COLUMNS[plural[entry.kind]]])
        if entry.kind is Kind.ACTOR:
            _actor_edges(entry, by_id, rows)
            continue
        if entry.kind is not Kind.EVENT:
            continue
        for ref in entry.references:
            target = by_id.get(ref.target)
            if ref.field == "actors":
                rows["event_actors"].append([cell(v) for v in (
                    entry.id, ref.target, data.get("date"), entry.title, target.title if target else "")])
            elif ref.field == "sources":
                rows["event_sources"].append([cell(v) for v in (
                    entry.id, ref.target, data.get("date"), target.title if target else "",
                    target.data.get("url") if target else "")])
    return rows


def _actor_edges(entry: Entry, by_id: dict[str, Entry], rows: dict[str, list[list[str]]]) -> None:
    """An actor's typed links and roles, a row each (``org_id`` empty when the org is free text)."""

    def title_of(entry_id: object) -> str:
        target = by_id.get(entry_id) if isinstance(entry_id, str) else None
        return target.title if target else ""

    for link in array_of_tables(entry.data.get("links")):
        if not isinstance(link.get("to"), str):
            continue
        rows["actor_links"].append([cell(v) for v in (
            entry.id, link["to"], link.get("rel"), link.get("since"), link.get("until"), link.get("sources"),
            entry.title, title_of(link["to"]))])
    for role in array_of_tables(entry.data.get("roles")):
        org = role.get("org")
        org_id = org if isinstance(org, str) and org in by_id else ""
        rows["actor_roles"].append([cell(v) for v in (
            entry.id, role.get("title"), org_id, title_of(org) if org_id else org, role.get("from"), role.get("to"),
            entry.title)])


def render(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def export_csv(loaded: Loaded, folder: Path) -> list[Path]:
    """Write every table as ``NAME.csv`` in ``folder`` (created); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables(loaded).items():
        path = folder / f"{name}.csv"
        path.write_bytes(render(rows).encode("utf-8"))
        written.append(path)
    return written
