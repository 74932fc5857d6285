"""Exporters: a tree in the formats other tools read (FollowTheMoney, JSON, CSV).

Every exporter works on :func:`load_entries`: every readable entry, sorted by
kind then id, so that the same tree always gives the same bytes (no
timestamps, sorted keys, fixed columns, ``\\n`` line endings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dossier.model import Entry, Kind
from dossier.store import Store

KIND_ORDER = {Kind.ACTOR: 0, Kind.EVENT: 1, Kind.SOURCE: 2}


@dataclass
class Loaded:
    """The entries of a tree, with their text files read, in export order."""

    entries: list[Entry]
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> {file name: text}

    def by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}

def load_entries(store: Store, with_texts: bool = True) -> Loaded:
    """Every entry whose kind file could be read, sorted by (kind, id); the first of a duplicate id."""
    scan = store.scan()
    seen: set[str] = set()
    entries = []
    texts: dict[str, dict[str, str]] = {}
    for location in sorted(scan.locations, key=lambda loc: (KIND_ORDER[loc.kind], loc.id, loc.folder)):
        if location.id in seen:
            continue
        seen.add(location.id)
        entry = store.load(location)
        if not entry.data:  # unreadable or invalid TOML; field problems do not stop an export
            continue
        entries.append(entry)
        if with_texts:
            found = {}
            for stamp in location.texts:
                text = store.read_text_file(stamp.path, entry.id).text
                if text is not None:
                    found[stamp.path.rsplit("/", 1)[-1]] = text
            texts[entry.id] = dict(sorted(found.items()))
    return Loaded(entries, texts)
