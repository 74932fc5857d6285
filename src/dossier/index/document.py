"""The document built from an entry: what Whoosh indexes and what the state table records.

:func:`load_entry` reads one entry's files through the store and turns them into both; bad
input becomes problems on the record, never an exception.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dossier.index.schema import name_keys
from dossier.index.state_table import Record
from dossier.model import Entry, Kind, validate
from dossier.store import Location, Store


@dataclass
class Loaded:
    """One entry read from disk: the Whoosh document and the state record."""

    location: Location
    record: Record
    document: dict[str, Any]
    texts: dict[str, str]  # path -> text, for snippets of new entries (not kept)


def flatten(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from flatten(item)
    elif isinstance(value, list):
        for item in value:
            yield from flatten(item)
    elif isinstance(value, (int, float, dt.date, dt.datetime, dt.time)) and not isinstance(value, bool):
        yield str(value)


def str_field(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def body_fields(data: Mapping[str, Any]) -> list[str]:
    """The prose of a kind file: summary, location, role titles, link relations, claims."""
    body: list[str] = []
    for key in ("summary", "location", "outlet", "author"):
        if isinstance(data.get(key), str):
            body.append(data[key])
    for key in ("roles", "links", "accounts"):
        items = data.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping):
                body.extend(v for k, v in item.items() if isinstance(v, str) and k in ("title", "org", "rel", "claim"))
    return body


def content_digest(kind_text: str | None, texts: Iterable[tuple[str, str | None]]) -> str:
    """The hash of an entry's content: its kind file, then each text file's path and text (None: unreadable).

    Equal digests mean equal files, whatever their stamps: ``check`` keys what it keeps per entry on it.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update((kind_text or "").encode("utf-8", "surrogateescape"))
    for path, text in texts:
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
        if text is not None:
            digest.update(text.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def load_entry(store: Store, location: Location) -> Loaded:
    """Read one entry's files and make its document and record; bad input becomes problems."""
    data, text, problems = store.read_kind_file(location)
    problems = list(problems)
    entry = Entry(location.id, location.kind, location.folder, data or {}, [t.path for t in location.texts])
    if data is not None:
        problems.extend(validate(location.id, location.kind, data, location.main_file, text or ""))
    texts: dict[str, str] = {}
    read: list[tuple[str, str | None]] = []
    for stamp in location.texts:
        text_file = store.read_text_file(stamp.path, location.id)
        problems.extend(text_file.problems)
        read.append((stamp.path, text_file.text))
        if text_file.text is not None:
            texts[stamp.path] = text_file.text
    kind = location.kind
    d = entry.data
    refs = tuple((r.field, r.target, r.label) for r in entry.references)
    date = entry.date
    importance = d.get("importance")
    if isinstance(importance, bool) or not isinstance(importance, int):
        importance = None
    status = str_field(d, "status")
    type_ = str_field(d, "type")
    tags = tuple(entry.tags)
    aliases = tuple(a for a in entry.aliases if a.strip())
    row = (
        location.id, kind, entry.title, location.folder, location.main_file, type_,
        str(date) if date else None, importance, status,
        str_field(d, "outlet") if kind is Kind.SOURCE else None, tags,
    )
    names = (entry.title, *aliases) if kind is Kind.ACTOR else ()
    record = Record(
        folder=location.folder,
        kind=kind,
        fingerprint=location.fingerprint,
        digest=content_digest(text, read),
        row=row,
        refs=refs,
        problems=tuple(problems),
        names=names,
        sort_date=date.sort_key if date else "",
    )
    by_field: dict[str, list[str]] = {}
    for ref_field, target, _label in refs:
        by_field.setdefault(ref_field, []).append(target)
    body = body_fields(d)
    body.extend(flatten(entry.unknown_fields))
    body.extend(texts.values())
    document: dict[str, Any] = {
        "id": location.id,
        # The kind file's prose (summary, claims ...), for snippets without parsing the TOML again.
        "preview": "\n".join(body_fields(d))[:4000],
        "kind": kind.value,
        "title": entry.title,
        "content": "\n\n".join(body),
        "ref": ",".join(sorted({t for _f, t, _l in refs})),
        "actor": ",".join(by_field.get("actors", [])),
        "source": ",".join(by_field.get("sources", []) + by_field.get("links.sources", [])
                           + by_field.get("accounts.source", [])),
        "related": ",".join(by_field.get("related", [])),
        "link": ",".join(by_field.get("links.to", [])),
        "org": ",".join(by_field.get("roles.org", [])),
    }
    if aliases:
        document["alias"] = "\n".join(aliases)
    keys = name_keys([entry.title, *aliases], surname=kind is Kind.ACTOR and (type_ or "").lower() == "person")
    if keys:
        document["namekey"] = ",".join(keys)
    if type_:
        document["type"] = type_.lower()
    if status:
        document["status"] = status.lower()
    if tags:
        document["tag"] = ",".join(tags)
    if importance is not None and -(2**31) < importance < 2**31:
        document["importance"] = importance
    if date is not None:
        document["date"] = dt.datetime(date.year, date.month or 1, date.day or 1)
    for key in ("outlet", "author", "location"):
        value = str_field(d, key)
        if value:
            document[key] = value
    return Loaded(location, record, document, texts)




def unknown_fields(kind: Kind, data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a kind file that the model does not know (indexed as prose)."""
    return Entry("x", kind, "", dict(data)).unknown_fields
