"""FollowTheMoney entities as JSON lines, for Aleph, OpenAleph and the ``ftm`` tools.

Written by hand from the schema (one ``{"id", "schema", "properties"}`` object
a line) so that exporting needs no heavy dependency; the tests validate the
output with the ``followthemoney`` package. Mapping:

* actors: ``Person`` (type person), ``Organization`` (organization, group),
  ``LegalEntity`` (state, other, unknown); name, alias, summary, birthDate,
  deathDate, keywords (tags);
* an actor's ``[[links]]``: ``UnknownLink`` (subject, object, role, startDate,
  endDate, proof);
* events: ``Event`` with name, date, location, summary (summary.md),
  keywords, ``involved`` (its actors) and ``proof`` (its sources);
* sources: ``Document`` (type document or book) or ``Article`` (the rest)
  with title, author, publisher, publishedAt, retrievedAt, sourceUrl and the
  captured text as bodyText;
* a source's ``actors``: ``Documentation`` (document, entity), one per actor,
  so that ``dossier import ftm`` gives the source its actors back.

Every entity also gets the sources of its ``[provenance]`` as ``proof`` (and
their URLs as ``sourceUrl``), and the notes of facts no source backs as
``notes`` ("date: public record ..."); a link's sources (``links.2.since``)
go to that link's ``UnknownLink``, and its notes to the actor (a link has no notes).

Entity ids are ``dossier-<entry id>``: stable, readable, unique in the tree.
"""

from __future__ import annotations

from typing import Any, TextIO

from dossier import provenance
from dossier.exporters import Loaded
from dossier.model import Entry, Kind, PartialDate, looks_like_url
from dossier.safe import dumps_json
from dossier.values import value_text

ACTOR_SCHEMA = {"person": "Person", "organization": "Organization", "group": "Organization"}
DOCUMENT_TYPES = ("document", "book")


def entity_id(entry_id: str) -> str:
    return f"dossier-{entry_id}"


class _Entity:
    def __init__(self, entity_id: str, schema: str) -> None:
        self.id = entity_id
        self.schema = schema
        self.properties: dict[str, list[str]] = {}

    def add(self, prop: str, value: object) -> None:
        values = value if isinstance(value, list) else [value]
        for item in values:
            text = value_text(item).strip() if item is not None else ""
            if text and text not in self.properties.setdefault(prop, []):
                self.properties[prop].append(text)
        if not self.properties.get(prop):
            self.properties.pop(prop, None)

    def add_date(self, prop: str, value: object) -> None:
        date = PartialDate.parse(value)
        if date is not None:
            self.add(prop, str(date))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "schema": self.schema, "properties": dict(sorted(self.properties.items()))}


def _text(loaded: Loaded, entry: Entry, name: str) -> str | None:
    text = loaded.texts.get(entry.id, {}).get(name)
    return text.strip() if text and text.strip() else None


def entities(loaded: Loaded) -> list[dict[str, Any]]:
    """Every entity of the tree, in entry order (links after their actor)."""
    known = {entry.id: entry for entry in loaded.entries}
    result = []

    def refs(values: object, kind: Kind) -> list[str]:
        items = values if isinstance(values, list) else []
        return [entity_id(v) for v in items if isinstance(v, str) and v in known and known[v].kind is kind]

    def cite(entity: _Entity, backings: list[provenance.Backing], notes: list[provenance.Backing]) -> None:
        """The provenance of an entity's fields, where FtM has a place for it.

        ``notes`` are the backings whose note (a fact no source backs) goes to ``notes``:
        an ``UnknownLink`` has no notes, so its actor carries them.
        """
        for backing in backings:
            # A source that cites itself (its own date line) is no proof of itself in FtM.
            sources = [s for s in backing.sources
                       if s in known and known[s].kind is Kind.SOURCE and entity_id(s) != entity.id]
            entity.add("proof", [entity_id(s) for s in sources])
            entity.add("sourceUrl", [known[s].data.get("url") for s in sources
                                     if isinstance(known[s].data.get("url"), str)])
        for backing in notes:
            if backing.outside and backing.note:
                entity.add("notes", f"{backing.field}: {backing.note}")

    for entry in loaded.entries:
        data = entry.data
        backings = list(provenance.read(data)[0].values())
        own = [b for b in backings if not b.field.startswith("links.")]
        if entry.kind is Kind.ACTOR:
            actor_type = data.get("type")
            schema = ACTOR_SCHEMA.get(actor_type, "LegalEntity") if isinstance(actor_type, str) else "LegalEntity"
            entity = _Entity(entity_id(entry.id), schema)
            entity.add("name", entry.title)
            entity.add("alias", entry.aliases)
            entity.add("summary", data.get("summary") if isinstance(data.get("summary"), str) else None)
            if schema == "Person":
                entity.add_date("birthDate", data.get("born"))
                entity.add_date("deathDate", data.get("died"))
            entity.add("keywords", entry.tags)
            cite(entity, own, backings)
            result.append(entity.to_json())
            links = data.get("links") if isinstance(data.get("links"), list) else []
            for number, link in enumerate(links, start=1):
                if not isinstance(link, dict) or not isinstance(link.get("to"), str) or link["to"] not in known:
                    continue
                edge = _Entity(f"{entity_id(entry.id)}-link-{number}", "UnknownLink")
                edge.add("subject", entity_id(entry.id))
                edge.add("object", entity_id(link["to"]))
                edge.add("role", link.get("rel") if isinstance(link.get("rel"), str) else None)
                edge.add_date("startDate", link.get("since"))
                edge.add_date("endDate", link.get("until"))
                edge.add("proof", refs(link.get("sources"), Kind.SOURCE))
                cite(edge, [b for b in backings if b.field.split(".")[:2] == ["links", str(number)]], [])
                result.append(edge.to_json())
        elif entry.kind is Kind.EVENT:
            entity = _Entity(entity_id(entry.id), "Event")
            entity.add("name", entry.title)
            entity.add_date("date", data.get("date"))
            entity.add("location", data.get("location") if isinstance(data.get("location"), str) else None)
            entity.add("summary", _text(loaded, entry, "summary.md"))
            entity.add("keywords", entry.tags)
            entity.add("involved", refs(data.get("actors"), Kind.ACTOR))
            entity.add("proof", refs(data.get("sources"), Kind.SOURCE))
            cite(entity, own, own)
            result.append(entity.to_json())
        else:
            source_type = data.get("type")
            schema = "Document" if source_type in DOCUMENT_TYPES else "Article"
            entity = _Entity(entity_id(entry.id), schema)
            entity.add("title", entry.title)
            entity.add("name", entry.title)
            for prop, key in (("author", "author"), ("publisher", "outlet"), ("sourceUrl", "url")):
                value = data.get(key)
                if prop == "sourceUrl" and isinstance(value, str) and not looks_like_url(value.strip()):
                    value = None  # a hand-written "url = 'Reuters'" is not an address; FtM would reject it
                entity.add(prop, value if isinstance(value, str) else None)
            entity.add_date("publishedAt", data.get("published"))
            entity.add_date("retrievedAt", data.get("accessed"))
            body = "\n\n".join(t.strip() for t in loaded.texts.get(entry.id, {}).values() if t.strip())
            entity.add("bodyText", body or None)
            cite(entity, own, own)
            result.append(entity.to_json())
            for actor in refs(data.get("actors"), Kind.ACTOR):
                documentation = _Entity(f"{entity_id(entry.id)}-documents-{actor}", "Documentation")
                documentation.add("document", entity_id(entry.id))
                documentation.add("entity", actor)
                result.append(documentation.to_json())
    return result


def export_ftm(loaded: Loaded, out: TextIO) -> int:
    """Write the entities as JSON lines; returns how many."""
    items = entities(loaded)
    for item in items:
        out.write(dumps_json(item, sort_keys=True) + "\n")
    return len(items)


