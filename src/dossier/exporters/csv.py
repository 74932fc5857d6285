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

from dossier.exporters import Loaded, text_of
from dossier.model import Kind

COLUMNS = {
    "actors": ["id", "name", "type", "aliases", "summary", "born", "died", "tags", "folder"],
    "events": ["id", "date", "title", "importance", "status", "location", "actors", "sources", "tags",
               "related", "folder"],
    "sources": ["id", "published", "title", "outlet", "author", "url", "type", "reliability", "credibility",
                "accessed", "folder"],
    "event_actors": ["event_id", "actor_id", "event_date", "event_title", "actor_name"],
    "event_sources": ["event_id", "source_id", "event_date", "source_title", "source_url"],
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    text = text_of(value)
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
