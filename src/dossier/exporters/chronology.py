"""A sourced chronology (Markdown, or HTML with the same content) and its sources as CSL-JSON.

What a journalist hands an editor or a lawyer: the chosen events in date order, each with
its status, the accounts of a disputed event side by side (who says it, on what source),
and numbered footnotes that cite every source (title, outlet, author, date, URL, and the
Admiralty grade in words). Events are chosen from the index (query, actor, tags, dates,
importance, status); only the chosen events and their sources are read.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dossier.exporters import text_of
from dossier.graph import Grade
from dossier.model import Entry, Kind, PartialDate, array_of_tables
from dossier.safe import clean, dumps_json

if TYPE_CHECKING:
    from dossier.index import Index
    from dossier.store import Store

STATUS_MARKS = {"confirmed": "✓", "reported": "·", "disputed": "?", "debunked": "✗"}


@dataclass
class Selection:
    """Which events a chronology holds; every part given must match (an empty selection takes all)."""

    query: str | None = None
    actor: str | None = None
    tags: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    min_importance: int | None = None
    statuses: tuple[str, ...] = ()

    def describe(self, name_of: dict[str, str]) -> str:
        parts = []
        if self.query:
            parts.append(f"matching “{self.query}”")
        if self.actor:
            parts.append(f"involving {name_of.get(self.actor, self.actor)} ({self.actor})")
        if self.tags:
            parts.append("tagged " + ", ".join(self.tags))
        if self.date_from or self.date_to:
            parts.append(f"dated {self.date_from or '…'} to {self.date_to or '…'}")
        if self.min_importance:
            parts.append(f"of importance {self.min_importance} or more")
        if self.statuses:
            parts.append("with status " + " or ".join(self.statuses))
        return "Events " + "; ".join(parts) if parts else "Every event"


def _bounds(value: str) -> tuple[str, str]:
    """The first and last day a partial date covers, as comparable text (``2020-06`` -> 2020-06-01, 2020-06-31)."""
    start = value + "-01-01"[len(value) - 4:] if len(value) < 10 else value
    end = value + "-12-31"[len(value) - 4:] if len(value) < 10 else value
    return start, end


def check_date(value: str | None, option: str) -> str | None:
    """A date bound as the user typed it, checked: YYYY, YYYY-MM or YYYY-MM-DD."""
    if value is None:
        return None
    if PartialDate.parse(value) is None:
        raise ValueError(f"{option} takes a date like 2021, 2021-06 or 2021-06-30, not {value!r}")
    return str(PartialDate.parse(value))


def select_events(index: Index, selection: Selection) -> list[str]:
    """The ids of the chosen events, oldest first (undated last)."""
    rows = index.rows(Kind.EVENT, sort="date", actor=selection.actor, min_importance=selection.min_importance)
    wanted_tags = {t.casefold() for t in selection.tags}
    statuses = {s.casefold() for s in selection.statuses}
    low = _bounds(selection.date_from)[0] if selection.date_from else None
    high = _bounds(selection.date_to)[1] if selection.date_to else None
    matching = None
    if selection.query:
        matching = {hit.row.id for hit in index.search(selection.query, kind=Kind.EVENT, limit=1_000_000)}
    chosen = []
    for row in rows:
        if matching is not None and row.id not in matching:
            continue
        if wanted_tags and not wanted_tags <= {t.casefold() for t in row.tags}:
            continue
        if statuses and (row.status or "").casefold() not in statuses:
            continue
        if low or high:
            if not row.date:
                continue
            start, end = _bounds(row.date)
            if (low and end < low) or (high and start > high):
                continue
        chosen.append(row.id)
    return chosen


@dataclass
class Footnote:
    number: int
    source_id: str
    data: dict[str, Any]  # empty when no readable source has the id
    title: str

    @property
    def missing(self) -> bool:
        return not self.data

    def parts(self) -> list[tuple[str, str]]:
        """(label, value) pairs in citation order; the URL's label is ``url``."""
        if self.missing:
            return [("missing", f"{self.source_id} (no readable source has this id)")]
        found = [("title", self.title)]
        for key in ("outlet", "author", "published", "url"):
            value = text_of(self.data.get(key))
            if value:
                found.append((key, value))
        found.append(("grade", Grade.of(self.data).words))
        return found


@dataclass
class Account:
    by: str
    by_name: str
    claim: str
    note: int | None  # the footnote of its source


@dataclass
class Line:
    """One event of the chronology."""

    id: str
    date: str
    title: str
    status: str
    importance: int | None
    notes: list[int]
    accounts: list[Account] = field(default_factory=list)


@dataclass
class Chronology:
    title: str
    description: str
    lines: list[Line]
    footnotes: list[Footnote]


def build(store: Store, event_ids: Sequence[str], title: str, description: str) -> Chronology:
    """Read the chosen events and every source they cite; footnotes numbered in order of first citation."""
    cache: dict[str, Entry | None] = {}

    def load(entry_id: str) -> Entry | None:
        if entry_id not in cache:
            location = store.locate(entry_id)
            entry = store.load(location) if location is not None else None
            cache[entry_id] = entry if entry is not None and entry.data else None
        return cache[entry_id]

    footnotes: dict[str, Footnote] = {}

    def note(source_id: object) -> int | None:
        if not isinstance(source_id, str):
            return None
        if source_id not in footnotes:
            source = load(source_id)
            data = source.data if source is not None and source.kind is Kind.SOURCE else {}
            footnotes[source_id] = Footnote(len(footnotes) + 1, source_id, data,
                                            source.title if source is not None else source_id)
        return footnotes[source_id].number

    lines = []
    for event_id in event_ids:
        event = load(event_id)
        if event is None or event.kind is not Kind.EVENT:
            continue
        d = event.data
        sources = d.get("sources")
        notes = [n for n in (note(s) for s in (sources if isinstance(sources, list) else [sources])) if n]
        importance = d.get("importance")
        line = Line(event.id, str(event.date) if event.date else "undated", event.title,
                    d["status"] if isinstance(d.get("status"), str) else "",
                    importance if isinstance(importance, int) and not isinstance(importance, bool) else None,
                    notes)
        for account in array_of_tables(d.get("accounts")):
            by = account.get("by")
            by_id = by if isinstance(by, str) else ""
            speaker = load(by_id) if by_id else None
            line.accounts.append(Account(by_id, speaker.title if speaker is not None else (by_id or "unattributed"),
                                         text_of(account.get("claim")), note(account.get("source"))))
        lines.append(line)
    return Chronology(title, description, lines, list(footnotes.values()))


# -------------------------------------------------------------------- Markdown


def graded(words: str) -> str:
    return "Not graded" if words == Grade().words else f"Grade {words}"


def sentences(parts: list[str]) -> str:
    """Parts of a citation, each ended with a full stop unless it already ends a sentence."""
    return " ".join(p if p.rstrip().endswith((".", "?", "!", "…")) else p + "." for p in parts)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
#: A URL that can stand as a Markdown autolink as it is; any other is written as escaped text.
_AUTOLINK = re.compile(r"https?://[^\s<>`\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)


def code(value: str) -> str:
    """An id as a Markdown code span (ids have no backticks; a broken one loses them)."""
    return "`" + clean(value).replace("`", "'") + "`"


def md(value: str) -> str:
    """Untrusted text as literal Markdown on one line: control characters shown, markup escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", clean(value))


def _marks(line: Line) -> str:
    mark = STATUS_MARKS.get(line.status.lower(), "")
    return f"{mark} {line.status}".strip()


def to_markdown(chronology: Chronology) -> str:
    out = [f"# {md(chronology.title)}", "", md(chronology.description) + ".", "",
           "Status: ✓ confirmed · reported ? disputed ✗ debunked. Numbers in brackets are footnotes.", ""]
    year = None
    for line in chronology.lines:
        this_year = line.date[:4] if line.date != "undated" else "Undated"
        if this_year != year:
            if year is not None:
                out.append("")
            out += [f"## {this_year}", ""]
            year = this_year
        cites = "".join(f"[^{n}]" for n in line.notes)
        extra = ", ".join(x for x in (_marks(line), f"importance {line.importance}" if line.importance else "") if x)
        out.append(f"- **{md(line.date)}** — {md(line.title)}" + (f" ({extra})" if extra else "") + cites
                   + f" {code(line.id)}")
        if line.accounts:
            out.append("  - Accounts:")
            for account in line.accounts:
                who = md(account.by_name) + (f" ({code(account.by)})" if account.by else "")
                out.append(f"    - {who}: “{md(account.claim)}”" + (f"[^{account.note}]" if account.note else
                                                                     " (no source given)"))
    if not chronology.lines:
        out.append("No event matches.")
    if chronology.footnotes:
        out += ["", "## Sources", ""]
        for footnote in chronology.footnotes:
            parts = [(f"<{v}>" if k == "url" and _AUTOLINK.fullmatch(v) else md(v)) if k != "grade"
                     else graded(v) for k, v in footnote.parts()]
            out.append(f"[^{footnote.number}]: " + sentences(parts) + f" {code(footnote.source_id)}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ HTML


def h(value: str) -> str:
    return html.escape(clean(value), quote=True)


def _safe_url(value: str) -> str | None:
    return value if value.lower().startswith(("http://", "https://")) else None


def to_html(chronology: Chronology) -> str:
    """The same content as :func:`to_markdown`, as one self-contained, escaped HTML page."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{h(chronology.title)}</title>",
           "<style>body{font-family:serif;max-width:48em;margin:2em auto;line-height:1.4}"
           ".status{font-style:italic}.id{font-family:monospace;color:#666}</style>",
           "</head>", "<body>", f"<h1>{h(chronology.title)}</h1>", f"<p>{h(chronology.description)}.</p>",
           "<p>Status: ✓ confirmed · reported ? disputed ✗ debunked. Numbers in brackets are footnotes.</p>"]
    year = None
    open_list = False
    for line in chronology.lines:
        this_year = line.date[:4] if line.date != "undated" else "Undated"
        if this_year != year:
            if open_list:
                out.append("</ul>")
            out += [f"<h2>{h(this_year)}</h2>", "<ul>"]
            open_list, year = True, this_year
        cites = "".join(f'<sup><a href="#fn{n}">[{n}]</a></sup>' for n in line.notes)
        extra = ", ".join(x for x in (_marks(line), f"importance {line.importance}" if line.importance else "") if x)
        item = f"<li><strong>{h(line.date)}</strong> — {h(line.title)}"
        item += f' <span class="status">({h(extra)})</span>' if extra else ""
        item += f'{cites} <span class="id">{h(line.id)}</span>'
        if line.accounts:
            item += "<ul><li>Accounts:<ul>"
            for account in line.accounts:
                who = h(account.by_name) + (f' <span class="id">({h(account.by)})</span>' if account.by else "")
                cite = f'<sup><a href="#fn{account.note}">[{account.note}]</a></sup>' if account.note \
                    else " (no source given)"
                item += f"<li>{who}: “{h(account.claim)}”{cite}</li>"
            item += "</ul></li></ul>"
        out.append(item + "</li>")
    if open_list:
        out.append("</ul>")
    if not chronology.lines:
        out.append("<p>No event matches.</p>")
    if chronology.footnotes:
        out += ["<h2>Sources</h2>", "<ol>"]
        for footnote in chronology.footnotes:
            parts = []
            for key, value in footnote.parts():
                url = _safe_url(value) if key == "url" else None
                if url:
                    parts.append(f'<a href="{h(url)}">{h(url)}</a>')
                else:
                    parts.append(h(graded(value) if key == "grade" else value))
            out.append(f'<li id="fn{footnote.number}">' + sentences(parts)
                       + f' <span class="id">{h(footnote.source_id)}</span></li>')
        out.append("</ol>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# -------------------------------------------------------------------- CSL-JSON

#: Source types as CSL item types (https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types).
CSL_TYPES = {"news": "article-newspaper", "opinion": "article-newspaper", "analysis": "article",
             "book": "book", "document": "document", "interview": "interview", "web": "webpage"}


def _date_parts(value: object) -> dict[str, Any] | None:
    date = PartialDate.parse(value)
    if date is None:
        return None
    return {"date-parts": [[p for p in (date.year, date.month, date.day) if p is not None]]}


def csl_item(entry: Entry) -> dict[str, Any]:
    """A source as a CSL-JSON item; the author stays one literal name (never split into guessed parts)."""
    d = entry.data
    item: dict[str, Any] = {"id": entry.id, "type": CSL_TYPES.get(str(d.get("type", "")).lower(), "document"),
                            "title": entry.title}
    if isinstance(d.get("outlet"), str):
        item["container-title" if item["type"] != "book" else "publisher"] = d["outlet"]
    authors = d.get("author")
    authors = [authors] if isinstance(authors, str) else [a for a in authors or [] if isinstance(a, str)] \
        if isinstance(authors, list) else []
    if authors:
        item["author"] = [{"literal": a} for a in authors]
    for key, csl_key in (("published", "issued"), ("accessed", "accessed")):
        parts = _date_parts(d.get(key))
        if parts:
            item[csl_key] = parts
    if isinstance(d.get("url"), str):
        item["URL"] = d["url"]
    grade = Grade.of(d)
    if grade.code:
        item["note"] = f"Admiralty grade {grade.words}"
    return item


def to_csl_json(sources: Iterable[Entry]) -> str:
    items = sorted((csl_item(s) for s in sources if s.kind is Kind.SOURCE), key=lambda i: i["id"])
    return dumps_json(items, indent=2, sort_keys=True) + "\n"
