"""Sources per field: the ``[provenance]`` table any entry may carry.

A dossier's ``sources`` list says which sources an event draws on, not which
source stands behind which field. ``[provenance]`` says that, field by field::

    [provenance]
    date = ["2025-01-28-cnn-hegseth-revokes-milley-detail"]
    location = { sources = ["2025-01-28-cnn-hegseth-revokes-milley-detail"], note = "..." }
    "roles.1.from" = { note = "public record; no source in this dossier" }
    roles = { note = "term dates from the public record" }

A key names a field: a top-level key (``date``), or a field inside an array of
tables, numbered from 1 as ``dossier check`` numbers them (``"roles.1.from"`` is
the first ``[[roles]]`` table's ``from``). A key covers everything under it, and
the most specific key wins: ``roles`` backs every role unless ``"roles.2.to"``
says otherwise. A value is a list of source ids, or a table with ``sources``
and/or ``note``; an entry with a note and no sources marks a fact that no source
in the tree supports, stated on the note's authority (public record, the
analyst's own finding ...), so that a reader can tell it apart.

Pure data: this module reads parsed TOML and edits a tomlkit document; it knows
nothing of files, problems' line numbers or the UI (the model turns its
:class:`Issue` values into problems).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The table's name in a kind file.
TABLE = "provenance"
#: The keys a provenance table value may hold.
VALUE_KEYS = ("sources", "note")

SHAPE_HINT = 'a list of source ids like ["source-id"], or a table like { sources = ["source-id"], note = "..." }'


@dataclass(frozen=True)
class Backing:
    """What backs one field: source ids, a note, or both."""

    field: str
    sources: tuple[str, ...] = ()
    note: str | None = None

    @property
    def outside(self) -> bool:
        """True when no source in the tree backs the field: it rests on the note alone."""
        return not self.sources

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "sources": list(self.sources), "note": self.note}


@dataclass(frozen=True)
class Issue:
    """Something wrong in a provenance table: ``key`` is the provenance key ("" for the table)."""

    key: str
    message: str
    code: str
    warning: bool = False


def read(data: Mapping[str, Any]) -> tuple[dict[str, Backing], list[Issue]]:
    """The entry's provenance by field key, and what is wrong with its table.

    Keys that name no field of the entry are kept (the fact may have moved) but
    reported as warnings; values of an unknown shape are left out and reported.
    """
    table = data.get(TABLE)
    if table is None:
        return {}, []
    if not isinstance(table, Mapping):
        return {}, [Issue("", f"'{TABLE}' must be a table ([{TABLE}]) that maps field names to sources", "type")]
    backings: dict[str, Backing] = {}
    issues: list[Issue] = []
    for key, value in table.items():
        key = str(key)
        parts = split(key)
        if parts is None:
            issues.append(Issue(key, f"provenance key {key!r} is not a field name: write date, or \"roles.1.from\" "
                                     "for a field of the first [[roles]]", "provenance-key"))
            continue
        backing, problem = _backing(key, value)
        if problem is not None:
            issues.append(Issue(key, problem, "provenance-shape"))
        if backing is None:
            continue
        backings[key] = backing
        if not exists(data, parts):
            hint = _suggest(key, list(paths(data)))
            issues.append(Issue(key, f"provenance names {key!r}, a field this entry does not have{hint}",
                                "provenance-field", warning=True))
    return backings, issues


def _backing(key: str, value: object) -> tuple[Backing | None, str | None]:
    """One value read, or why it cannot be read (a partly readable value keeps its readable part)."""
    where = f"provenance of {key!r}"
    if isinstance(value, list):
        if not value:
            return None, f"{where} is an empty list: name a source, or say in a note where the fact comes from"
        if not all(isinstance(v, str) for v in value):
            return None, f"{where} must be {SHAPE_HINT}"
        return Backing(key, tuple(value)), None
    if isinstance(value, Mapping):
        unknown = [str(k) for k in value if k not in VALUE_KEYS]
        if unknown:
            return None, f"{where} has {', '.join(map(repr, unknown))}: only 'sources' and 'note' are known"
        sources = value.get("sources", [])
        note = value.get("note")
        if not isinstance(sources, list) or not all(isinstance(v, str) for v in sources):
            return None, f"{where}: 'sources' must be a list of source ids like [\"source-id\"]"
        if note is not None and not isinstance(note, str):
            return None, f"{where}: 'note' must be text in quotes"
        note = note.strip() if isinstance(note, str) and note.strip() else None
        if not sources and note is None:
            return None, f"{where} names no source and has no note: say who backs the fact"
        return Backing(key, tuple(sources), note), None
    kind = "text" if isinstance(value, str) else type(value).__name__
    return None, f"{where} must be {SHAPE_HINT}, not {kind}"


def split(key: str) -> tuple[str, ...] | None:
    """A key's parts (``"roles.1.from"`` -> ``("roles", "1", "from")``), None when it is not a field path."""
    parts = tuple(key.split("."))
    # Users' own keys may be any quoted TOML key: only empty parts and a leading number are refused.
    if not all(p.strip() for p in parts) or parts[0].isdigit():
        return None
    return parts


def exists(data: Mapping[str, Any], parts: Sequence[str]) -> bool:
    """True when the entry has the field the path names (array items counted from 1)."""
    value: Any = data
    for part in parts:
        if isinstance(value, list):
            if not part.isdigit() or not 1 <= int(part) <= len(value):
                return False
            value = value[int(part) - 1]
        elif isinstance(value, Mapping):
            if part not in value:
                return False
            value = value[part]
        else:
            return False
    return True


def paths(data: Mapping[str, Any]) -> Iterator[str]:
    """Every field an entry has, as provenance keys (the provenance table itself excepted)."""
    for key, value in data.items():
        if key == TABLE:
            continue
        yield key
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for i, item in enumerate(value, start=1):
                yield f"{key}.{i}"
                for sub in item:
                    yield f"{key}.{i}.{sub}"


def expand(data: Mapping[str, Any], pattern: str) -> list[str]:
    """The fields a policy pattern names in this entry: ``roles.from`` -> ``roles.1.from``, ``roles.2.from`` ...

    A pattern is a top-level key or ``table.key`` for a key of every ``[[table]]``;
    only fields the entry has are returned.
    """
    table, _, key = pattern.partition(".")
    if not key:
        return [table] if table in data and data[table] not in ("", None) else []
    items = data.get(table)
    if not isinstance(items, list):
        return []
    return [f"{table}.{i}.{key}" for i, item in enumerate(items, start=1)
            if isinstance(item, Mapping) and item.get(key) not in ("", None)]


def backing_for(backings: Mapping[str, Backing], field: str) -> Backing | None:
    """The provenance that covers a field: its own key, else the nearest key above it."""
    parts = field.split(".")
    for end in range(len(parts), 0, -1):
        found = backings.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def source_ids(backings: Mapping[str, Backing]) -> Iterator[tuple[str, str]]:
    """(field, source id) for every source the provenance names, in table order."""
    for key, backing in backings.items():
        for source in backing.sources:
            yield key, source


def _suggest(value: str, candidates: list[str]) -> str:
    match = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


# ------------------------------------------------------------------------- writing


def cite(document: Any, field: str, sources: Sequence[str] = (), note: str | None = None) -> None:
    """Record in a tomlkit document what backs *field*, keeping every other key and comment.

    The value is written the way a person would: a plain list when there is no
    note, an inline table otherwise. Meant for :meth:`dossier.store.Store.edit`.
    """
    import tomlkit

    if split(field) is None:
        raise ValueError(f"{field!r} is not a field name")
    if not sources and not note:
        raise ValueError("name a source or give a note")
    table = document.get(TABLE)
    if table is None:
        table = tomlkit.table()
        document.add(tomlkit.nl())
        document.add(TABLE, table)
    array = tomlkit.array()
    array.extend(sources)
    if note:
        value = tomlkit.inline_table()
        if sources:
            value["sources"] = array
        value["note"] = note
        table[field] = value
    else:
        table[field] = array
