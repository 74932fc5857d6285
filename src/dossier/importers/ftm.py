"""``dossier import ftm``: FollowTheMoney entities (JSON lines, as Aleph and OpenSanctions export them).

The reverse of :mod:`dossier.exporters.ftm`, so that an export imported into an
empty tree gives back the same entries and links:

* ``Person`` -> actor of type person; ``Organization``, ``Company``,
  ``PublicBody`` -> organization; ``LegalEntity`` -> actor with no type (the
  export writes state and other as LegalEntity: which one is not in the data);
  name, alias (and further names), summary, birthDate, deathDate, keywords;
* ``Event`` -> event: name, date, location, summary (summary.md), keywords,
  involved (actors), proof (sources);
* ``Article``, ``Document`` and other documents -> source: title, author,
  publisher, sourceUrl, publishedAt, retrievedAt, bodyText (text.md);
* ``Documentation`` of an actor by a source -> the source's ``actors``;
* links between two actors (``UnknownLink``, ``Associate``, ``Family``,
  ``Membership``, ``Directorship``, ``Employment``, ``Ownership``,
  ``Representation``) -> a ``[[links]]`` table in the first actor's
  profile, with its role, dates and proof.

Ids: ``dossier-<id>`` (what the export writes) gives back ``<id>``; any other
entity id is kept as ``ftm_id`` and the entry's id is made from its name.
An entity already in the tree (same id, or same ``ftm_id``) is reused and never
modified, so importing a file twice writes nothing. Other schemas (addresses,
payments ...) are listed as not imported. A line that is not an entity is
reported with its line number and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dossier.importers import ImportReport
from dossier.importers.common import loose_date, toml_date
from dossier.importers.records import RecordWriter
from dossier.model import MAX_ID_LENGTH, Kind, is_valid_id, slugify
from dossier.store import Store

ACTOR_TYPES = {"Person": "person", "Organization": "organization", "Company": "organization",
               "PublicBody": "organization", "LegalEntity": None}
SOURCE_SCHEMAS = ("Article", "Document", "Pages", "PlainText", "HyperText", "Email", "Message")
#: Interval schemas that link two actors: (the property naming the first, the one naming the second, a role).
LINK_SCHEMAS = {
    "UnknownLink": ("subject", "object", None),
    "Associate": ("person", "associate", "associate of"),
    "Family": ("person", "relative", "family of"),
    "Membership": ("member", "organization", "member of"),
    "Directorship": ("director", "organization", "director of"),
    "Employment": ("employee", "employer", "employee of"),
    "Ownership": ("owner", "asset", "owner of"),
    "Representation": ("agent", "client", "represents"),
}
_EXPORT_PREFIX = "dossier-"


@dataclass
class _Entity:
    line: int
    id: str
    schema: str
    properties: dict[str, list[str]]

    def first(self, prop: str) -> str | None:
        values = self.properties.get(prop) or []
        return values[0] if values else None

    def all(self, prop: str) -> list[str]:
        return list(self.properties.get(prop) or [])


@dataclass
class _Plan:
    """The entries to write, in file order, and the ids the entities get."""

    ids: dict[str, str] = field(default_factory=dict)  # entity id -> entry id
    kinds: dict[str, Kind] = field(default_factory=dict)  # entity id -> kind
    links: dict[str, list[_Entity]] = field(default_factory=dict)  # entity id of the first actor -> links
    documented: dict[str, list[str]] = field(default_factory=dict)  # document's entity id -> entity ids


def read_entities(lines: Iterable[str], name: str, report: ImportReport) -> list[_Entity]:
    """Every entity of a JSON-lines file; each line that is not one is reported with its number."""
    entities = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            report.skip(where, f"not JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            report.skip(where, "JSON nested too deeply")
            continue
        if not isinstance(item, dict) or not isinstance(item.get("schema"), str) or not item.get("id"):
            report.skip(where, "not a FollowTheMoney entity (an object with id, schema and properties)")
            continue
        raw = item.get("properties") or {}
        if not isinstance(raw, dict):
            report.skip(where, "properties is not an object")
            continue
        properties = {str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs]) if v is not None and str(v)]
                      for k, vs in raw.items()}
        entities.append(_Entity(number, str(item["id"]), item["schema"], properties))
    return entities


def _kind_of(schema: str) -> Kind | None:
    if schema in ACTOR_TYPES:
        return Kind.ACTOR
    if schema == "Event":
        return Kind.EVENT
    if schema in SOURCE_SCHEMAS:
        return Kind.SOURCE
    return None


def _date(value: str | None) -> object:
    date = loose_date(value) if value else None
    return toml_date(date) if date is not None else None


def import_ftm(store: Store, lines: Iterable[str], name: str, *, dry_run: bool = False) -> ImportReport:
    """Import the entities of one JSON-lines file (``name`` is how messages name it)."""
    report = ImportReport(dry_run=dry_run, files=1)
    entities = read_entities(lines, name, report)
    writer = RecordWriter(store, report, read_data=True)
    by_ftm_id = {str(data["ftm_id"]): entry_id for entry_id, data in writer.data.items()
                 if isinstance(data.get("ftm_id"), str)}
    plan = _Plan()
    ignored: dict[str, int] = {}
    # First pass: an id for every entry, so that references can be resolved whatever the order.
    for entity in entities:
        kind = _kind_of(entity.schema)
        if kind is None:
            if entity.schema == "Documentation":
                for document in entity.all("document")[:1]:
                    plan.documented.setdefault(document, []).extend(entity.all("entity"))
            elif entity.schema in LINK_SCHEMAS:
                first = LINK_SCHEMAS[entity.schema][0]
                for subject in entity.all(first)[:1]:
                    plan.links.setdefault(subject, []).append(entity)
            else:
                ignored[entity.schema] = ignored.get(entity.schema, 0) + 1
            continue
        plan.kinds[entity.id] = kind
        plan.ids[entity.id] = _entry_id(entity, kind, writer, by_ftm_id)
    for schema, count in sorted(ignored.items()):
        report.warn(name, f"{count} {schema} entit{'y' if count == 1 else 'ies'} not imported (no such entry kind)")
    # Second pass: write, sources and actors first so that a dry run's plan reads like the tree.
    order = {Kind.SOURCE: 0, Kind.ACTOR: 1, Kind.EVENT: 2}
    done: set[str] = set()
    for entity in sorted((e for e in entities if e.id in plan.ids), key=lambda e: (order[plan.kinds[e.id]], e.line)):
        kind, entry_id = plan.kinds[entity.id], plan.ids[entity.id]
        where = f"{name}:{entity.line}"
        if entry_id in writer.existing:
            report.tallies[kind].reused += 1
            if plan.links.get(entity.id):
                report.warn(where, f"links of {entry_id!r} not added: the actor is in the tree and is never modified")
            continue
        if entry_id in done:  # two entities of this file with one id: the first one won
            report.skip(where, f"id {entry_id!r} is already given to an earlier entity")
            report.tallies[kind].skipped += 1
            continue
        done.add(entry_id)
        built = _entry(entity, kind, plan, writer, report, where)
        if built is None:
            report.tallies[kind].skipped += 1
            continue
        data, texts = built
        if entity.id != _EXPORT_PREFIX + entry_id:
            data["ftm_id"] = entity.id
        writer.create(kind, entry_id, data, where, texts)
    writer.finish()
    return report


def _entry_id(entity: _Entity, kind: Kind, writer: RecordWriter, by_ftm_id: dict[str, str]) -> str:
    if entity.id.startswith(_EXPORT_PREFIX) and is_valid_id(entity.id[len(_EXPORT_PREFIX):]):
        entry_id = entity.id[len(_EXPORT_PREFIX):]
        writer.kinds.setdefault(entry_id, kind)  # so that no entity named like it takes it
        return entry_id
    if entity.id in by_ftm_id:
        return by_ftm_id[entity.id]
    title = entity.first("name") or entity.first("title") or entity.id
    base = slugify(title, 80)
    date = _date(entity.first("date") if kind is Kind.EVENT else entity.first("publishedAt"))
    if kind is not Kind.ACTOR and date is not None:
        base = f"{date}-{base}"
    entry_id = writer.free_id(base[:MAX_ID_LENGTH])
    writer.kinds[entry_id] = kind  # reserve it for this entity (free_id looks there)
    return entry_id


def _refs(entity: _Entity, prop: str, kind: Kind, plan: _Plan, writer: RecordWriter,
          report: ImportReport, where: str) -> list[str]:
    """The entry ids an entity's property points to; each one that is not an entry of ``kind`` is noted."""
    found = []
    for value in entity.all(prop):
        entry_id = plan.ids.get(value)
        if entry_id is None and value.startswith(_EXPORT_PREFIX) and value[len(_EXPORT_PREFIX):] in writer.existing:
            entry_id = value[len(_EXPORT_PREFIX):]
        target_kind = plan.kinds.get(value) or (writer.kinds.get(entry_id) if entry_id else None)
        if entry_id is None or target_kind is not kind:
            report.warn(where, f"{prop} {value!r} is not a{'n' if kind is Kind.ACTOR else ''} {kind.value} "
                               "in the file or the tree; left out")
            continue
        if entry_id not in found:
            found.append(entry_id)
    return found


def _entry(entity: _Entity, kind: Kind, plan: _Plan, writer: RecordWriter, report: ImportReport,
           where: str) -> tuple[dict[str, Any], dict[str, str] | None] | None:
    data: dict[str, Any] = {}
    texts: dict[str, str] | None = None
    if kind is Kind.ACTOR:
        names = entity.all("name")
        if not names:
            report.skip(where, f"{entity.schema} has no name")
            return None
        data["name"] = names[0]
        actor_type = ACTOR_TYPES[entity.schema]
        if actor_type:
            data["type"] = actor_type
        aliases = list(dict.fromkeys(names[1:] + entity.all("alias")))
        if aliases:
            data["aliases"] = aliases
        if entity.first("summary"):
            data["summary"] = "\n\n".join(entity.all("summary"))
        for key, prop in (("born", "birthDate"), ("died", "deathDate")):
            if _date(entity.first(prop)) is not None:
                data[key] = _date(entity.first(prop))
        if entity.all("keywords"):
            data["tags"] = entity.all("keywords")
        links = [_link(link, plan, writer, report, f"{where.rsplit(':', 1)[0]}:{link.line}")
                 for link in plan.links.get(entity.id, [])]
        if any(links):
            data["links"] = [link for link in links if link]
    elif kind is Kind.EVENT:
        title = entity.first("name") or entity.first("title")
        date = _date(entity.first("date") or entity.first("startDate"))
        if not title:
            report.skip(where, "Event has no name")
            return None
        if date is None:
            report.skip(where, f"Event has no date (date: {entity.first('date')!r})")
            return None
        data["title"] = title
        data["date"] = date
        if entity.first("location"):
            data["location"] = "; ".join(entity.all("location"))
        if entity.all("keywords"):
            data["tags"] = entity.all("keywords")
        data["actors"] = _refs(entity, "involved", Kind.ACTOR, plan, writer, report, where)
        data["sources"] = _refs(entity, "proof", Kind.SOURCE, plan, writer, report, where)
        summary = "\n\n".join(entity.all("summary") + entity.all("description")).strip()
        texts = {"summary.md": summary + "\n"} if summary else None
    else:
        title = entity.first("title") or entity.first("name") or entity.first("fileName")
        if not title:
            report.skip(where, f"{entity.schema} has no title")
            return None
        data["title"] = title
        for key, prop in (("url", "sourceUrl"), ("outlet", "publisher"), ("author", "author")):
            if entity.first(prop):
                data[key] = "; ".join(entity.all(prop)) if key != "url" else entity.first(prop)
        for key, prop in (("published", "publishedAt"), ("accessed", "retrievedAt")):
            if _date(entity.first(prop)) is not None:
                data[key] = _date(entity.first(prop))
        if entity.schema == "Document":
            data["type"] = "document"
        if plan.documented.get(entity.id):
            documented = _Entity(entity.line, entity.id, "Documentation", {"entity": plan.documented[entity.id]})
            actors = _refs(documented, "entity", Kind.ACTOR, plan, writer, report, where)
            if actors:
                data["actors"] = actors
        body = "\n\n".join(entity.all("bodyText")).strip()
        texts = {"text.md": body + "\n"} if body else None
    return data, texts


def _link(link: _Entity, plan: _Plan, writer: RecordWriter, report: ImportReport, where: str) -> dict[str, Any]:
    first, second, role = LINK_SCHEMAS[link.schema]
    targets = _refs(link, second, Kind.ACTOR, plan, writer, report, where)
    if not targets:
        return {}
    table: dict[str, Any] = {"to": targets[0]}
    rel = link.first("role") or link.first("relationship") or role
    if rel:
        table["rel"] = rel
    for key, prop in (("since", "startDate"), ("until", "endDate")):
        if _date(link.first(prop)) is not None:
            table[key] = _date(link.first(prop))
    proof = _refs(link, "proof", Kind.SOURCE, plan, writer, report, where)
    if proof:
        table["sources"] = proof
    return table
