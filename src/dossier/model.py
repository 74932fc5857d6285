"""Entries, references, dates and validation: what a dossier *is*, with no I/O and no UI.

Everything here works on data already read from disk (a parsed TOML table and,
for line numbers, the text it came from). The store reads files; the index and the
TUI only ever see the types defined here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from dossier import provenance
from dossier.suggest import closest, did_you_mean
from dossier.transliterate import to_ascii


class Kind(StrEnum):
    """The three kinds of entry a tree holds."""

    ACTOR = "actor"
    EVENT = "event"
    SOURCE = "source"

    @property
    def filename(self) -> str:
        return KIND_FILES_BY_KIND[self]

    @property
    def plural(self) -> str:
        return self.value + "s"

    def counted(self, n: int) -> str:
        """``1 event``, ``2 events``."""
        return f"{n:,} {self.value if n == 1 else self.plural}"


#: The file whose presence makes a folder an entry, by kind.
KIND_FILES: dict[str, Kind] = {
    "profile.toml": Kind.ACTOR,
    "event.toml": Kind.EVENT,
    "source.toml": Kind.SOURCE,
}
KIND_FILES_BY_KIND: dict[Kind, str] = {kind: name for name, kind in KIND_FILES.items()}

#: Text files beside the kind file that belong to the entry.
TEXT_SUFFIXES = (".md", ".txt")


def is_hidden(name: str) -> bool:
    """A file or folder name the tree ignores: ``.git/``, editors' and our own temporary files, caches."""
    return name.startswith(".") or name == "__pycache__"

ACTOR_TYPES = ("person", "organization", "group", "state", "other")
EVENT_STATUSES = ("reported", "confirmed", "disputed", "debunked")
SOURCE_TYPES = ("news", "opinion", "analysis", "book", "document", "interview", "web")
RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
CREDIBILITY_GRADES = (1, 2, 3, 4, 5, 6)

RELIABILITY_MEANING = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY_MEANING = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_ID_LENGTH = 120


def is_valid_id(text: str) -> bool:
    """True when *text* may be an entry id (the name of an entry's folder)."""
    return len(text) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(text) is not None


def slugify(text: str, max_length: int = 80) -> str:
    """A readable id from a title: transliterated to ASCII, lowercase, words joined by hyphens.

    The one slug function: ``dossier new``, the browser's new-entry dialog,
    ``check``'s rename hints and the importers all use it, and the importers'
    actor matcher folds names with the same :func:`~dossier.transliterate.to_ascii`
    ("Владимир Путин" -> ``vladimir-putin``, 习近平 -> ``xi-jin-ping``,
    "Ørsted" -> ``orsted``, "Straße" -> ``strasse``).
    """
    ascii_text = to_ascii(text)
    ascii_text = re.sub(r"(\w)['’](\w)", r"\1\2", ascii_text)  # "Milley's" -> "milleys"
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or "untitled"


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day (``1980``, ``2020-06``, ``2025-01-28``)."""

    year: int
    month: int | None = None
    day: int | None = None

    _PATTERN = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")

    @classmethod
    def parse(cls, value: object) -> PartialDate | None:
        """A partial date from a TOML date, datetime or string; None if it is not one."""
        if isinstance(value, dt.datetime):
            return cls(value.year, value.month, value.day)
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if not isinstance(value, str):
            return None
        match = cls._PATTERN.fullmatch(value.strip())
        if match is None:
            return None
        year = int(match.group(1))
        month, day = (int(g) if g else None for g in match.groups()[1:])
        try:
            if day is not None:
                dt.date(year, month, day)  # type: ignore[arg-type]
            elif month is not None and not 1 <= month <= 12:
                return None
        except ValueError:
            return None
        return cls(year, month, day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    @property
    def sort_key(self) -> str:
        """A string that sorts partial dates before full dates of the same period."""
        return f"{self.year:04d}-{self.month or 0:02d}-{self.day or 0:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)


# ------------------------------------------------------------------------- problems


class Severity(StrEnum):
    """An error makes ``check`` fail; a warning asks for judgement (and fails ``check --strict``);
    a note is information (unlinked mentions) that fails nothing."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the tree, located as precisely as the parser allows.

    ``path`` is relative to the tree's root, with forward slashes, so that a
    problem reads the same on every machine that shares the tree.
    """

    path: str
    message: str
    code: str
    line: int | None = None
    column: int | None = None
    entry_id: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def location(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity.value,
            "entry": self.entry_id,
            "message": self.message,
        }


# ----------------------------------------------------------------------- references


@dataclass(frozen=True)
class Reference:
    """An id that one entry names in one of its fields.

    ``field`` is the dotted place it stands (``actors``, ``links.to``,
    ``accounts.source`` ...); ``label`` is what the field says about the
    relation where it says anything (a link's ``rel``, a role's ``title``).
    """

    field: str
    target: str
    label: str | None = None


#: Fields whose values are lists of ids, by kind (both for validation and the index).
ID_LIST_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.ACTOR: (),
    Kind.EVENT: ("actors", "sources", "related"),
    Kind.SOURCE: ("actors",),
}


def iter_references(kind: Kind, data: Mapping[str, Any]) -> Iterator[Reference]:
    """Every id the entry's data names, in file order within each field.

    A role's ``org`` may be an id or free text; it is yielded only when it is
    shaped like an id, and the caller decides whether it must exist.
    """
    for name in ID_LIST_FIELDS[kind]:
        for value in _list_of(data.get(name)):
            if isinstance(value, str):
                yield Reference(name, value)
    if kind is Kind.ACTOR:
        for role in array_of_tables(data.get("roles")):
            org = role.get("org")
            if isinstance(org, str) and is_valid_id(org):
                yield Reference("roles.org", org, _str_or_none(role.get("title")))
        for link in array_of_tables(data.get("links")):
            target = link.get("to")
            if isinstance(target, str):
                yield Reference("links.to", target, _str_or_none(link.get("rel")))
            for source in _list_of(link.get("sources")):
                if isinstance(source, str):
                    yield Reference("links.sources", source)
    if kind is Kind.EVENT:
        for account in array_of_tables(data.get("accounts")):
            by = account.get("by")
            if isinstance(by, str):
                yield Reference("accounts.by", by, _str_or_none(account.get("claim")))
            source = account.get("source")
            if isinstance(source, str):
                yield Reference("accounts.source", source)
    backings, _ = provenance.read(data)
    for name, source in provenance.source_ids(backings):
        yield Reference(PROVENANCE_FIELD, source, name)


#: The field of references made by ``[provenance]``; the reference's label is the field it backs.
PROVENANCE_FIELD = provenance.TABLE


def _list_of(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def array_of_tables(value: object) -> list[Mapping[str, Any]]:
    """An array of tables (``[[roles]]``) as a list; a lone table counts as one, anything else is skipped."""
    return [item for item in _list_of(value) if isinstance(item, Mapping)]


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


# -------------------------------------------------------------------------- entries


@dataclass
class Entry:
    """One actor, event or source as read from its folder.

    ``data`` is the parsed kind file (empty when it could not be read, with the
    reason in ``problems``); ``text_files`` are paths relative to the tree root.
    """

    id: str
    kind: Kind
    folder: str
    data: dict[str, Any] = field(default_factory=dict)
    text_files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def main_file(self) -> str:
        return str(PurePosixPath(self.folder) / self.kind.filename)

    @property
    def title(self) -> str:
        key = "name" if self.kind is Kind.ACTOR else "title"
        value = self.data.get(key)
        return value if isinstance(value, str) and value.strip() else self.id

    @property
    def date(self) -> PartialDate | None:
        return PartialDate.parse(self.data.get(DATE_FIELD[self.kind]))

    @property
    def aliases(self) -> list[str]:
        return [a for a in _list_of(self.data.get("aliases")) if isinstance(a, str)]

    @property
    def tags(self) -> list[str]:
        return [t for t in _list_of(self.data.get("tags")) if isinstance(t, str)]

    @property
    def references(self) -> list[Reference]:
        return list(iter_references(self.kind, self.data))

    @property
    def unknown_fields(self) -> dict[str, Any]:
        """The user's own fields, kept, shown and searchable."""
        known = KNOWN_FIELDS[self.kind]
        return {k: v for k, v in self.data.items() if k not in known}

    @property
    def broken(self) -> bool:
        return any(p.severity is Severity.ERROR and p.path == self.main_file for p in self.problems)


#: The field that dates an entry, by kind (an actor's birth date dates it).
DATE_FIELD = {Kind.ACTOR: "born", Kind.EVENT: "date", Kind.SOURCE: "published"}

#: Key order for files the program writes, by kind; unknown keys follow in their own order.
KEY_ORDER: dict[Kind, tuple[str, ...]] = {
    Kind.ACTOR: (
        "name", "type", "aliases", "summary", "born", "died", "tags", "roles", "links", "provenance",
    ),
    Kind.EVENT: (
        "title", "date", "importance", "location", "status", "actors", "tags",
        "sources", "related", "accounts", "provenance",
    ),
    Kind.SOURCE: (
        "title", "url", "outlet", "author", "published", "accessed", "type",
        "reliability", "credibility", "actors", "provenance",
    ),
}
KNOWN_FIELDS: dict[Kind, frozenset[str]] = {kind: frozenset(keys) for kind, keys in KEY_ORDER.items()}


def ordered(kind: Kind, data: Mapping[str, Any]) -> dict[str, Any]:
    """*data* with known keys in the canonical order and tables after plain values.

    TOML needs arrays of tables after the plain keys of a table, so the canonical
    order is applied first and then tables are moved to the end, each group
    keeping its order.
    """
    order = {key: i for i, key in enumerate(KEY_ORDER[kind])}
    keys = sorted(data, key=lambda k: order.get(k, len(order)))
    plain = [k for k in keys if not _is_table_value(data[k])]
    tables = [k for k in keys if _is_table_value(data[k])]
    return {k: data[k] for k in plain + tables}


def _is_table_value(value: object) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


# ----------------------------------------------------------------------- validation


@dataclass(frozen=True)
class FieldRule:
    """What one field of a kind file must hold."""

    shape: str  # text | text-list | id | id-list | date | int | grade | tables
    required: bool = False
    choices: tuple[Any, ...] = ()
    bounds: tuple[int, int] | None = None
    rules: Mapping[str, FieldRule] | None = None  # for arrays of tables


_ROLE = {
    "title": FieldRule("text"),
    "org": FieldRule("text"),
    "from": FieldRule("date"),
    "to": FieldRule("date"),
}
_LINK = {
    "to": FieldRule("id", required=True),
    "rel": FieldRule("text"),
    "since": FieldRule("date"),
    "until": FieldRule("date"),
    "sources": FieldRule("id-list"),
}
_ACCOUNT = {
    "by": FieldRule("id"),
    "claim": FieldRule("text", required=True),
    "source": FieldRule("id"),
}

RULES: dict[Kind, dict[str, FieldRule]] = {
    Kind.ACTOR: {
        "name": FieldRule("text", required=True),
        "type": FieldRule("text", choices=ACTOR_TYPES),
        "aliases": FieldRule("text-list"),
        "summary": FieldRule("text"),
        "born": FieldRule("date"),
        "died": FieldRule("date"),
        "tags": FieldRule("text-list"),
        "roles": FieldRule("tables", rules=_ROLE),
        "links": FieldRule("tables", rules=_LINK),
    },
    Kind.EVENT: {
        "title": FieldRule("text", required=True),
        "date": FieldRule("date"),  # may be unknown: the list says so
        "importance": FieldRule("int", bounds=(1, 10)),
        "location": FieldRule("text"),
        "status": FieldRule("text", choices=EVENT_STATUSES),
        "actors": FieldRule("id-list"),
        "tags": FieldRule("text-list"),
        "sources": FieldRule("id-list"),
        "related": FieldRule("id-list"),
        "accounts": FieldRule("tables", rules=_ACCOUNT),
    },
    Kind.SOURCE: {
        "title": FieldRule("text", required=True),
        "url": FieldRule("text"),
        "outlet": FieldRule("text"),
        "author": FieldRule("text"),
        "published": FieldRule("date"),
        "accessed": FieldRule("date"),
        "type": FieldRule("text", choices=SOURCE_TYPES),
        "reliability": FieldRule("text", choices=RELIABILITY_GRADES),
        "credibility": FieldRule("int", choices=CREDIBILITY_GRADES),
        "actors": FieldRule("id-list"),
    },
}


class LineFinder:
    """Finds the line of a key in TOML text, for messages about valid TOML.

    tomllib gives no positions for values, so this scans the text the way a
    person would: track the current ``[table]`` / ``[[array]]`` header and find
    ``key =`` under it. Good enough to point an editor at the right line.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")

    def __init__(self, text: str) -> None:
        self._keys: dict[tuple[str, int, str], int] = {}
        self._headers: dict[tuple[str, int], int] = {}
        table, counts = "", {}  # type: str, dict[str, int]
        index = 0
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                table = header.group(2).strip()
                if header.group(1) == "[[":
                    index = counts.get(table, -1) + 1
                    counts[table] = index
                else:
                    index = 0
                self._headers.setdefault((table, index), number)
                continue
            key = self._KEY.match(line)
            if key:
                self._keys.setdefault((table, index, key.group(1).strip("\"'")), number)

    def line(self, key: str, table: str = "", index: int = 0) -> int | None:
        """The line of ``key`` in ``[table]`` (the ``index``-th ``[[table]]``), or of the header."""
        return self._keys.get((table, index, key)) or self._headers.get((table, index))


def validate(entry_id: str, kind: Kind, data: Mapping[str, Any], path: str, text: str = "") -> list[Problem]:
    """Problems with one entry's own fields: types, vocabularies, required values.

    References to other entries are checked across the tree (see :func:`check_references`).
    """
    lines = LineFinder(text)
    problems: list[Problem] = []

    def report(message: str, key: str, table: str = "", index: int = 0, code: str = "field") -> None:
        problems.append(
            Problem(path, message, code, lines.line(key, table, index), None, entry_id)
        )

    for name, rule in RULES[kind].items():
        if name not in data:
            if rule.required:
                report(f"required field '{name}' is missing", name, code="required")
            continue
        if rule.shape == "tables":
            items = data[name]
            if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
                report(f"'{name}' must be an array of tables ([[{name}]])", name, code="type")
                continue
            for i, item in enumerate(items):
                for sub_name, sub_rule in (rule.rules or {}).items():
                    _check_value(sub_name, sub_rule, item, _reporter(report, sub_name, name, i))
            continue
        _check_value(name, rule, data, _reporter(report, name))
    for issue in provenance.read(data)[1]:
        line = lines.line(issue.key, provenance.TABLE) or lines.line(provenance.TABLE)
        severity = Severity.WARNING if issue.warning else Severity.ERROR
        problems.append(Problem(path, issue.message, issue.code, line, None, entry_id, severity))
    return problems


def _reporter(report: Any, key: str, table: str = "", index: int = 0) -> Any:
    """A report function for one field, prefixing the table and item for ``[[table]]`` fields."""
    prefix = f"[[{table}]] #{index + 1}: " if table else ""

    def report_field(message: str, code: str = "field") -> None:
        report(prefix + message, key, table, index, code)

    return report_field


def _check_value(name: str, rule: FieldRule, data: Mapping[str, Any], report: Any) -> None:
    if name not in data:
        if rule.required:
            report(f"required field '{name}' is missing", "required")
        return
    value = data[name]
    shape = rule.shape
    if shape in ("text", "id"):
        if not isinstance(value, str):
            report(f"'{name}' must be text in quotes, not {_describe(value)}", "type")
            return
        if rule.required and not value.strip():
            report(f"required field '{name}' is empty", "required")
        if shape == "id" and value and not is_valid_id(value):
            report(f"'{name}' = {value!r} is not an entry id (lowercase letters, digits, hyphens)",
                   "bad-reference")
        if rule.choices and value not in rule.choices:
            hint = did_you_mean(value.lower(), [str(c) for c in rule.choices])
            report(
                f"'{name}' = {value!r} is not one of {', '.join(map(str, rule.choices))}{hint}",
                "vocabulary",
            )
    elif shape in ("text-list", "id-list"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            report(f"'{name}' must be a list of text values like [\"a\", \"b\"], not {_describe(value)}",
                   "type")
            return
        if shape == "id-list":
            for v in value:
                if not is_valid_id(v):
                    report(f"'{name}' holds {v!r}, which is not an entry id (lowercase letters, digits, hyphens)",
                           "bad-reference")
    elif shape == "date":
        is_date = isinstance(value, dt.date) or (isinstance(value, str) and PartialDate.parse(value) is not None)
        if not is_date:
            report(
                f"'{name}' = {_show(value)} is not a date: "
                "write 2025-01-28, or \"2020-06\" / \"1980\" for a partial date",
                "date",
            )
    elif shape == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            report(f"'{name}' must be a whole number without quotes, not {_describe(value)}", "type")
            return
        if rule.bounds and not rule.bounds[0] <= value <= rule.bounds[1]:
            report(f"'{name}' = {value} is outside {rule.bounds[0]}-{rule.bounds[1]}", "range")
        if rule.choices and value not in rule.choices:
            report(f"'{name}' = {value} is not one of {', '.join(map(str, rule.choices))}", "vocabulary")


def _describe(value: object) -> str:
    kinds = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
        dt.date: "a date",
        dt.datetime: "a date and time",
        dt.time: "a time",
    }
    for typ, word in kinds.items():
        if type(value) is typ:
            return f"{word} ({_show(value)})"
    return _show(value)


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest_id(missing: str, known: Iterable[str]) -> str | None:
    """The existing id closest to a misspelt or shortened one (``milley`` -> ``mark-milley``)."""
    candidates = list(known)
    match = closest(missing, candidates, 75)
    if match:
        return match
    wanted = f"-{missing}-"
    containing = sorted((c for c in candidates if wanted in f"-{c}-"), key=len)
    return containing[0] if containing else None


def check_references(
    entry_id: str,
    kind: Kind,
    data: Mapping[str, Any],
    path: str,
    text: str,
    kinds_by_id: Mapping[str, Kind],
) -> list[Problem]:
    """References from one entry to ids that no entry in the tree has.

    A role's ``org`` is free text or an id, so an id-shaped org that does not
    exist is not a problem.
    """
    lines = LineFinder(text)
    counters: dict[str, int] = {}
    problems = []
    for ref in iter_references(kind, data):
        if not reference_is_broken(ref.field, ref.target, kinds_by_id):
            continue
        if ref.field == PROVENANCE_FIELD:
            problems.extend(_check_provenance_reference(entry_id, ref, path, lines, kinds_by_id))
            continue
        table, _, key = ref.field.rpartition(".")
        index = 0
        if table:
            index = _table_index(data, table, ref, counters)
        line = lines.line(key, table, index)
        hint = suggest_id(ref.target, kinds_by_id)
        message = f"'{ref.field}' refers to {ref.target!r}, which no entry in the tree has"
        if hint:
            message += f" (did you mean {hint!r}?)"
        problems.append(Problem(path, message, "missing-reference", line, None, entry_id))
    return problems


def reference_is_broken(field: str, target: str, kinds_by_id: Mapping[str, Kind]) -> bool:
    """Whether :func:`check_references` reports this reference (the index tells without reading the file)."""
    if field == PROVENANCE_FIELD:
        return kinds_by_id.get(target) is not Kind.SOURCE  # missing, not an id, or not a source
    return target not in kinds_by_id and field != "roles.org" and is_valid_id(target)


def _check_provenance_reference(
    entry_id: str, ref: Reference, path: str, lines: LineFinder, kinds_by_id: Mapping[str, Kind]
) -> list[Problem]:
    """A source named in ``[provenance]`` that is missing, not an id, or not a source."""
    line = lines.line(ref.label or "", provenance.TABLE) or lines.line(provenance.TABLE)
    where = f"provenance of {ref.label!r}"
    if not is_valid_id(ref.target):
        message = f"{where} holds {ref.target!r}, which is not an entry id (lowercase letters, digits, hyphens)"
        return [Problem(path, message, "bad-reference", line, None, entry_id)]
    found = kinds_by_id.get(ref.target)
    if found is None:
        sources = [i for i, k in kinds_by_id.items() if k is Kind.SOURCE]
        hint = suggest_id(ref.target, sources) or suggest_id(ref.target, kinds_by_id)
        message = f"{where} refers to {ref.target!r}, which no entry in the tree has"
        if hint:
            message += f" (did you mean {hint!r}?)"
        return [Problem(path, message, "missing-reference", line, None, entry_id)]
    if found is not Kind.SOURCE:
        message = f"{where} names {ref.target!r}, which is an {found.value}: provenance names sources"
        return [Problem(path, message, "wrong-kind", line, None, entry_id)]
    return []


def _table_index(data: Mapping[str, Any], table: str, ref: Reference, counters: dict[str, int]) -> int:
    """Which ``[[table]]`` a reference came from (references are yielded in file order)."""
    key = ref.field.rpartition(".")[2]
    for i, item in enumerate(array_of_tables(data.get(table))):
        values = _list_of(item.get(key))
        if ref.target in values:
            seen = counters.get(f"{ref.field}:{ref.target}", -1)
            if i > seen:
                counters[f"{ref.field}:{ref.target}"] = i
                return i
    return 0


def looks_like_url(text: str) -> bool:
    """True for a web address (with or without ``https://``), False for "Reuters" or "academic research"."""
    parts = urlsplit(text)
    if parts.scheme and parts.netloc:
        return " " not in text
    return re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?", text) is not None
