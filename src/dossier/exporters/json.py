"""A JSON dump of every entry, with its references resolved and its text files included."""

from __future__ import annotations

from typing import Any, TextIO

from dossier.exporters import Loaded
from dossier.model import Entry
from dossier.safe import dumps_json
from dossier.values import json_value


def entry_json(entry: Entry, loaded: Loaded, by_id: dict[str, Entry]) -> dict[str, Any]:
    references = []
    for ref in entry.references:
        target = by_id.get(ref.target)
        references.append({
            "field": ref.field,
            "id": ref.target,
            "label": ref.label,
            "kind": target.kind.value if target else None,
            "title": target.title if target else None,
            "missing": target is None,
        })
    return {
        "id": entry.id,
        "kind": entry.kind.value,
        "folder": entry.folder,
        "title": entry.title,
        "data": json_value(entry.data),
        "references": references,
        "texts": loaded.texts.get(entry.id, {}),
    }


def export_json(loaded: Loaded, out: TextIO) -> int:
    """Write one JSON document: {"entries": [...]} sorted by kind and id; returns the entry count."""
    by_id = loaded.by_id()
    document = {"format": "dossier-export", "version": 1,
                "entries": [entry_json(entry, loaded, by_id) for entry in loaded.entries]}
    out.write(dumps_json(document, indent=2, sort_keys=True) + "\n")
    return len(loaded.entries)
