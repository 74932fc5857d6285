"""``dossier import timeline``: event files (Markdown + YAML front matter, JSON) into a tree.

Each input event becomes an event folder; each distinct source (by normalised
URL) one source folder, cited by every event that cites it; each actor name an
actor, resolved by :mod:`dossier.importers.actors`. Fields the format does not
know are kept as the user's own fields, the Markdown body becomes
``summary.md``.

The import never modifies an entry that exists: an event whose id is in the
tree, a source whose URL is, an actor whose name or alias is, is *reused*. So a
second import of the same input writes nothing, and ids are stable because
they come from the input (the event's ``id`` or file name, the source's date
and title, the actor's name) in sorted file order.

Two passes keep memory flat however large the input: the first parses each
file once, collects the actor names (resolution needs all of them) and spills
the parsed event to a temporary file; the second reads the spilled events back
and writes. The tree is scanned once at the start; no file is read twice.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dossier.importers import ImportReport, update_index
from dossier.importers.actor_types import text_cues
from dossier.importers.actors import ActorPlan, ActorResolver, allocate_id, read
from dossier.importers.common import (
    YAML_LOADER,
    InputError,
    invalid_date_error,
    invalid_date_line,
    iter_input_files,
    loose_date,
    normalise_url,
    read_input,
    split_front_matter,
    toml_date,
    toml_value,
)
from dossier.model import (
    CREDIBILITY_GRADES,
    MAX_ID_LENGTH,
    RELIABILITY_GRADES,
    SOURCE_TYPES,
    Kind,
    PartialDate,
    looks_like_url,
    slugify,
)
from dossier.store import Store, StoreError, display

EVENT_SUFFIXES = (".md", ".markdown", ".json", ".yaml", ".yml")

#: Called as progress(phase, done, total); phase is "reading" or "writing".
Progress = Callable[[str, int, int], None]

_STATUS_WORDS = {
    "confirmed": "confirmed", "verified": "confirmed", "validated": "confirmed", "documented": "confirmed",
    "extensively documented": "confirmed", "well documented": "confirmed", "fully confirmed": "confirmed",
    "fully verified": "confirmed", "fully documented": "confirmed",
    "pending": "reported", "unverified": "reported", "reported": "reported", "alleged": "reported",
    "developing": "reported", "partially verified": "reported", "unconfirmed": "reported",
    "disputed": "disputed", "contested": "disputed",
    "debunked": "debunked", "false": "debunked", "refuted": "debunked", "retracted": "debunked",
}
_SOURCE_TYPE_HINTS = (
    ("opinion", ("opinion", "op-ed", "op ed", "editorial", "column")),
    ("interview", ("interview",)),
    ("book", ("book",)),
    ("analysis", ("analysis", "academic", "research", "scholar", "journal", "thesis", "paper", "study")),
    ("document", ("document", "government", "legal", "official", "filing", "court", "legislat", "archive",
                  "press release", "press_release", "report")),
    ("news", ("news", "journalism", "article", "reporting")),
    ("web", ("web", "encyclopedia", "reference", "wikipedia", "timeline", "blog")),
)
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_SOURCES_HEADING = re.compile(r"^#{2,3}\s+(?:sources|references|citations)\s*:?\s*$", re.IGNORECASE | re.MULTILINE)
_NEXT_SECTION = re.compile(r"^(?:#{1,3}\s|---\s*$|\*\*\*\s*$)", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+(.+?)\s*$", re.MULTILINE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\((\S+?)(?:\s+\"[^\"]*\")?\)")
_BARE_URL = re.compile(r"https?://\S+")
_LOWERCASE_WORD = re.compile(r"(?<![\w.])[a-z][a-z]+(?![\w-])")

#: Input keys the importer turns into the event's own fields (everything else is kept as is).
_EVENT_CONSUMED = frozenset({"id", "title", "date", "importance", "location", "status", "actors", "tags", "sources"})
_SOURCE_URL_KEYS = ("url", "link", "href")
_SOURCE_TITLE_KEYS = ("title", "name", "headline")
_SOURCE_OUTLET_KEYS = ("outlet", "publisher", "publication", "site", "source")
_SOURCE_DATE_KEYS = ("date", "published", "publication_date", "date_published", "published_date")
_SOURCE_ACCESS_KEYS = ("accessed", "access_date", "date_accessed", "accessed_date", "retrieval_date",
                       "retrieved_date", "retrieved")


@dataclass
class ParsedEvent:
    """One input event, parsed and mapped onto the file format, before ids are resolved."""

    path: str
    base_id: str
    data: dict[str, Any]
    actors: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    summary: str = ""
    warnings: list[str] = field(default_factory=list)
    #: Filled in by the first pass: the final id, and whether that event is already in the tree.
    id: str = ""
    exists: bool = False


# ----------------------------------------------------------------------- parsing


def parse_event_file(path: Path) -> ParsedEvent:
    """Read and map one event file; :class:`InputError` says why it cannot be imported."""
    text = read_input(path)
    suffix = path.suffix.lower()
    body = ""
    if suffix == ".json":
        try:
            fields = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"JSON does not parse at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise InputError("JSON nested too deeply") from None
    elif suffix in (".yaml", ".yml"):
        try:
            fields = yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise InputError(f"YAML does not parse: {getattr(exc, 'problem', None) or exc}") from None
        except ValueError:  # an unquoted impossible date (2025-02-30)
            raise invalid_date_error(text) from None
    else:
        split = split_front_matter(text)
        if split is None:
            raise InputError("no YAML front matter (a '---' block of fields at the top)")
        fields, body = split
    if not isinstance(fields, dict):
        raise InputError(f"the file holds {type(fields).__name__}, not a table of event fields")
    try:
        return parse_event(fields, body, path)
    except InputError as exc:
        if str(exc).startswith("invalid date") and (found := invalid_date_line(text)):
            raise InputError(f"{exc} at line {found[0]}") from None
        raise


def parse_event(fields: dict[str, Any], body: str, path: Path) -> ParsedEvent:
    """Map an event's fields and body onto the file format (ids of actors and sources come later)."""
    shown = display(str(path))
    warnings: list[str] = []
    title = fields.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InputError("no title")
    raw_id = fields.get("id")
    if isinstance(raw_id, (str, int)) and str(raw_id).strip():
        base = slugify(str(raw_id), MAX_ID_LENGTH)
    elif _DATE_IN_NAME.match(path.name):
        base = slugify(path.stem, MAX_ID_LENGTH)
    else:  # a file name that says nothing ("001_a7d42b9c.txt"): the title says more
        base = slugify(title, 80)
    data: dict[str, Any] = {"title": " ".join(title.split())}

    date = loose_date(fields.get("date"))
    if date is None:
        named = _DATE_IN_NAME.match(path.name)
        date = PartialDate.parse(named.group(1)) if named else None
        if date is None and _looks_like_date(fields.get("date")):
            raise InputError(f"invalid date {fields.get('date')!r}: no such day or month")
        if date is None:
            raise InputError(f"no date (date: {fields.get('date')!r})")
        if fields.get("date") is not None:
            data["imported_date"] = toml_value(fields["date"])
        what = "an invalid date" if _looks_like_date(fields.get("date")) else "not a date"
        warnings.append(f"date {fields.get('date')!r} is {what}; used {date} from the file name")
    data["date"] = toml_date(date)
    if not _DATE_IN_NAME.match(base):
        base = f"{date}-{base}"

    importance = _importance(fields.get("importance"))
    if importance is not None:
        data["importance"] = importance
    elif fields.get("importance") is not None:
        data["imported_importance"] = toml_value(fields["importance"])
        warnings.append(f"importance {fields['importance']!r} is not a whole number 1-10; kept as imported_importance")

    location = fields.get("location")
    if isinstance(location, list):
        location = "; ".join(str(item) for item in location if item is not None)
    if location is not None and str(location).strip():
        data["location"] = toml_value(str(location).strip())

    original = fields.get("status")
    if original is None:
        original = fields.get("verification_status")
    status = map_status(original)
    if status is not None:
        data["status"] = status
        if "status" in fields and fields["status"] != status:
            data["imported_status"] = toml_value(fields["status"])

    actors: list[str] = []
    raw_actors = fields.get("actors")
    for name in [raw_actors] if isinstance(raw_actors, str) else raw_actors or []:
        if isinstance(name, str) and name.strip():
            name = " ".join(name.split())
            if name not in actors:
                actors.append(name)
        elif name is not None:
            warnings.append(f"actor {name!r} is not a name; left out")
    tags = fields.get("tags")
    if tags is not None:
        tag_list = [tags] if isinstance(tags, str) else tags if isinstance(tags, list) else [tags]
        data["tags"] = [str(toml_value(t)) for t in tag_list if t is not None and str(t).strip()]

    sources: list[dict[str, Any]] = []
    raw_sources = fields.get("sources")
    if raw_sources is not None and not isinstance(raw_sources, list):
        raw_sources = [raw_sources]
    for item in raw_sources or []:
        source = _source_from(item)
        if source is None:
            warnings.append(f"source {str(item)[:80]!r} has neither URL nor title; left out")
        else:
            sources.append(source)

    summary = body
    match = _SOURCES_HEADING.search(body)
    if match:
        section_end = _NEXT_SECTION.search(body, match.end())
        section = body[match.end(): section_end.start() if section_end else len(body)]
        for item in _LIST_ITEM.findall(section):
            source = _source_from_markdown(item)
            if source is not None:
                sources.append(source)
        summary = body[: match.start()]
        if section_end and section_end.group().startswith("#"):
            summary += body[section_end.start():]
    summary = summary.strip()

    related_raw = fields.get("related_events", fields.get("related"))
    related = [slugify(str(r), MAX_ID_LENGTH) for r in related_raw if r] if isinstance(related_raw, list) else []

    for key, value in fields.items():
        key = str(key)
        if key in _EVENT_CONSUMED or key in data:
            continue
        if key == "summary" and not summary and isinstance(value, str):
            summary = value.strip()
            continue
        if key in ("related", "accounts"):  # known fields whose input shape is not ours: kept, renamed
            key = f"imported_{key}"
        converted = toml_value(value)
        if converted is not None:
            data[key] = converted
    return ParsedEvent(shown, base, data, actors, _dedupe_sources(sources), related, summary, warnings)


def _looks_like_date(value: object) -> bool:
    """A value written as a date that is not one ("2025-02-30", "2024-13"): invalid, not missing."""
    return isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{1,2}(?:-\d{1,2})?\s*", value) is not None


def map_status(value: object) -> str | None:
    """An input status onto the event status vocabulary (unknown words: reported)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    word = re.sub(r"[-_\s]+", " ", str(value).strip().lower())
    return _STATUS_WORDS.get(word, "reported")


def _importance(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= 10:
        return value
    return None


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, object]:
    for key in keys:
        value = item.get(key)
        if value is not None and str(value).strip():
            return key, value
    return None, None


def _source_from(item: object) -> dict[str, Any] | None:
    """A source's fields from one entry of an event's ``sources`` list (a table or a bare URL/title)."""
    if isinstance(item, str):
        item = {"url": item} if _BARE_URL.fullmatch(item.strip()) else {"title": item}
    if not isinstance(item, dict):
        return None
    item = {str(k): v for k, v in item.items()}
    consumed: set[str] = set()
    data: dict[str, Any] = {}
    url_key, url = _first(item, _SOURCE_URL_KEYS)
    title_key, title = _first(item, _SOURCE_TITLE_KEYS)
    if url_key is None and title_key is None:
        return None
    if url_key:
        url = str(url).strip()
        consumed.add(url_key)
        if not looks_like_url(url):
            # "url: Reuters": an outlet's name where the address should be; FtM rejects it as a URL.
            outlet_key, outlet = _first(item, _SOURCE_OUTLET_KEYS)
            if outlet_key is None:
                item["outlet"] = url
            else:
                data["imported_url"] = url
            url = None
    if title_key:
        consumed.add(title_key)
    data["title"] = " ".join(str(title).split()) if title else str(url)
    if url:
        data["url"] = url
    outlet_key, outlet = _first(item, _SOURCE_OUTLET_KEYS)
    if outlet_key and isinstance(outlet, (str, int, float)):
        data["outlet"] = str(outlet).strip()
        consumed.add(outlet_key)
    author = item.get("author")
    if author is None and isinstance(item.get("authors"), list):
        author = ", ".join(str(a) for a in item["authors"] if a)
        consumed.add("authors")
    if isinstance(author, str) and author.strip():
        data["author"] = author.strip()
        consumed.add("author")
    for target, keys in (("published", _SOURCE_DATE_KEYS), ("accessed", _SOURCE_ACCESS_KEYS)):
        for key in keys:
            date = loose_date(item.get(key))
            if date is not None:
                data[target] = toml_date(date)
                consumed.add(key)
                break
    raw_type = item.get("type")
    if isinstance(raw_type, str) and raw_type.strip():
        mapped = map_source_type(raw_type)
        if mapped:
            data["type"] = mapped
        if mapped != raw_type:
            data["imported_type"] = raw_type
        consumed.add("type")
    reliability = item.get("reliability")
    if reliability in RELIABILITY_GRADES:
        data["reliability"] = reliability
        consumed.add("reliability")
    elif reliability is None and tier_grade(item.get("tier")) is not None:
        data["reliability"] = tier_grade(item.get("tier"))  # `tier` itself is kept below
    credibility = item.get("credibility")
    if credibility in CREDIBILITY_GRADES and not isinstance(credibility, bool):
        data["credibility"] = credibility
        consumed.add("credibility")
    for key, value in item.items():
        if key in consumed:
            continue
        if key in ("reliability", "credibility", "actors", "published", "accessed", "outlet", "author"):
            key = f"imported_{key}"  # a known field holding something else: kept, renamed
        converted = toml_value(value)
        if converted is not None and key not in data:
            data[key] = converted
    return data


#: The input's source ``tier`` as an Admiralty source-reliability grade (``tier`` itself is kept).
#: Tier 1 (wire services, papers of record, official records) is "B, usually reliable", not "A":
#: Admiralty keeps A for sources with a long record of complete reliability, which a tier does not
#: establish. Tier 2 (established outlets of the second rank) is "C, fairly reliable"; tier 3
#: (blogs, advocacy sites, self-published posts) "D, not usually reliable". Any other tier gets no
#: grade: nothing is invented.
TIER_RELIABILITY = {1: "B", 2: "C", 3: "D"}


def tier_grade(tier: object) -> str | None:
    """The Admiralty reliability grade of an input ``tier`` (1, 2, 3 or "1" ...); None for anything else."""
    if isinstance(tier, bool):
        return None
    if isinstance(tier, str) and tier.strip().isdigit():
        tier = int(tier.strip())
    return TIER_RELIABILITY.get(tier) if isinstance(tier, int) else None


def _source_from_markdown(item: str) -> dict[str, Any] | None:
    link = _MD_LINK.search(item)
    if link:
        title, url = link.group(1).strip(), link.group(2).strip("<>")
        return {"title": title or url, "url": url}
    url = _BARE_URL.search(item)
    if url:
        return {"title": url.group().rstrip(".,;)"), "url": url.group().rstrip(".,;)")}
    text = item.strip()
    return {"title": text} if text else None


def map_source_type(value: str) -> str | None:
    """An input source type onto the source type vocabulary; None when nothing fits."""
    word = value.strip().lower()
    if word in SOURCE_TYPES:
        return word
    for target, hints in _SOURCE_TYPE_HINTS:
        if any(hint in word for hint in hints):
            return target
    return None


def source_identity(source: dict[str, Any]) -> str:
    """What makes two sources the same: the normalised URL, else title and outlet."""
    url = source.get("url")
    if isinstance(url, str) and url.strip():
        return normalise_url(url)
    return "title:" + " ".join(str(source.get("title", "")).lower().split()) + "|" + str(
        source.get("outlet", "")
    ).lower()


def _dedupe_sources(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    unique = []
    for source in sources:
        key = source_identity(source)
        if key not in seen:
            seen.add(key)
            unique.append(source)
    return unique


# ----------------------------------------------------------------------- import


class TimelineImporter:
    """One import of event files into a store (see the module docstring for the passes)."""

    def __init__(self, store: Store, *, dry_run: bool = False, progress: Progress | None = None) -> None:
        self.store = store
        self.dry_run = dry_run
        self.progress = progress
        self.report = ImportReport(dry_run=dry_run)
        #: Every id in the tree (kind by id), and every id this import has given out.
        self.tree_ids: dict[str, Kind] = {}
        self.taken: set[str] = set()
        #: Ids of entries on disk (tree at the start + created); Store.create refuses these.
        self.on_disk: set[str] = set()
        self.sources_by_identity: dict[str, str] = {}
        self.existing_sources: set[str] = set()
        self.resolver = ActorResolver()
        self.ids_by_base: dict[str, str] = {}
        self._sources_reused: set[str] = set()
        self._actors_reused: set[str] = set()
        self._actors_failed: set[str] = set()
        #: Seconds per phase of the last run (for the benchmark).
        self.timings: dict[str, float] = {}
        #: Event ids given out by this import (an id in the tree is reused by one input only).
        self._claimed: set[str] = set()
        #: How the texts treat each actor name (company or person), and the words they use in lowercase.
        self._cues: dict[str, Counter[str]] = {}
        self._common_words: set[str] = set()
        #: The texts citing each one-word actor name (what says whether "Kroll" is a person or a firm).
        self._short_texts: dict[str, str] = {}

    # -- the tree as it is

    def load_tree(self) -> None:
        """Scan the tree once: every id, the identity of every source, the names of every actor."""
        if not self.store.root.exists():
            return
        scan = self.store.scan()
        actors: list[tuple[str, dict[str, Any]]] = []
        for location in scan.locations:
            self.tree_ids.setdefault(location.id, location.kind)
            if location.kind is Kind.EVENT:
                continue
            data, _, _ = self.store.read_kind_file(location)
            if data is None:
                continue
            if location.kind is Kind.ACTOR:
                actors.append((location.id, data))
            else:
                self.existing_sources.add(location.id)
                self.sources_by_identity.setdefault(source_identity(data), location.id)
        self.taken.update(self.tree_ids)
        self.on_disk.update(self.tree_ids)
        self.resolver = ActorResolver(actors)

    # -- the two passes

    def run(self, inputs: list[Path], index_dir: Path | None = None, update: bool = True) -> ImportReport:
        """Import every event file under ``inputs``; the report says what happened."""
        clock = time.perf_counter()
        self.load_tree()
        self.timings["scan tree"] = time.perf_counter() - clock
        files = []
        for path, named in iter_input_files(inputs, EVENT_SUFFIXES):
            if not named and path.name.lower().startswith("readme"):
                self.report.ignored.append(display(str(path)))
                continue
            files.append(path)
        self.report.files = len(files)
        with tempfile.TemporaryFile(prefix="dossier-import-") as spill:
            clock = time.perf_counter()
            spellings = self._first_pass(files, spill)
            self.timings["read and parse"] = time.perf_counter() - clock
            clock = time.perf_counter()
            self.resolver.plan(spellings, self.taken, self._cues, self._common_words, self._short_texts)
            self.report.merges = self.resolver.merges
            self.timings["resolve actors"] = time.perf_counter() - clock
            spill.seek(0)
            clock = time.perf_counter()
            self._second_pass(spill, len(files) - self.report.tallies[Kind.EVENT].skipped)
            self.timings["write"] = time.perf_counter() - clock
        clock = time.perf_counter()
        if self.report.written and not self.dry_run:
            os.sync()  # entries were written without an fsync each: flush them once, together
        self.timings["sync"] = time.perf_counter() - clock
        tallies = self.report.tallies
        tallies[Kind.SOURCE].reused = len(self._sources_reused)
        tallies[Kind.ACTOR].reused = len(self._actors_reused)
        if update and not self.dry_run:
            self.report.index = update_index(self.store, index_dir, self.report.written)
        return self.report

    def _first_pass(self, files: list[Path], spill: Any) -> Counter[str]:
        spellings: Counter[str] = Counter()
        displays: dict[str, str] = {}
        for done, path in enumerate(files, start=1):
            try:
                event = parse_event_file(path)
            except InputError as exc:
                self.report.skip(display(str(path)), str(exc))
                self.report.tallies[Kind.EVENT].skipped += 1
                continue
            event.id, event.exists = self._event_id(event.base_id)
            self.ids_by_base.setdefault(event.base_id, event.id)
            spellings.update(event.actors)
            self._note_texts(event, displays)
            pickle.dump(event, spill, protocol=pickle.HIGHEST_PROTOCOL)
            if self.progress:
                self.progress("reading", done, len(files))
        return spellings

    def _note_texts(self, event: ParsedEvent, displays: dict[str, str]) -> None:
        """What the event's text says about the kind of each actor it names, and its lowercase words."""
        text = f"{event.data.get('title', '')}\n{event.summary}"
        self._common_words.update(_LOWERCASE_WORD.findall(text))
        for name in event.actors:
            display = displays.get(name)
            if display is None:
                display = displays[name] = read(name).display
            if " " not in display and len(self._short_texts.get(name, "")) < 50_000:
                # The event's other actors count too: "Milley" beside "Gen. Mark Milley" is him.
                cited = "\n".join(event.actors)
                self._short_texts[name] = f"{self._short_texts.get(name, '')}\n{text}\n{cited}"
            found = text_cues(display, text)
            if found:
                self._cues.setdefault(name, Counter()).update(found)

    def _event_id(self, base: str) -> tuple[str, bool]:
        """The id for an event: its own, reused when that event is in the tree, else the next free."""
        n = 1
        candidate = base
        while True:
            if candidate not in self.taken or (
                self.tree_ids.get(candidate) is Kind.EVENT and candidate not in self._claimed
            ):
                exists = candidate in self.tree_ids
                self.taken.add(candidate)
                self._claimed.add(candidate)
                return candidate, exists
            n += 1
            suffix = f"-{n}"
            candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix

    def _events(self, spill: Any) -> Iterator[ParsedEvent]:
        while True:
            try:
                yield pickle.load(spill)  # noqa: S301 - our own spill file, written by this process
            except EOFError:
                return

    def _second_pass(self, spill: Any, total: int) -> None:
        tally = self.report.tallies[Kind.EVENT]
        for done, event in enumerate(self._events(spill), start=1):
            for message in event.warnings:
                self.report.warn(event.path, message)
            if event.exists:
                tally.reused += 1
                self._count_reused(event)
            else:
                self._write_event(event)
            if self.progress:
                self.progress("writing", done, total)

    def _count_reused(self, event: ParsedEvent) -> None:
        for name in event.actors:
            plan = self.resolver.get(name)
            if plan is not None and plan.existing:
                self._actors_reused.add(plan.id)
        for source in event.sources:
            source_id = self.sources_by_identity.get(source_identity(source))
            if source_id in self.existing_sources:
                self._sources_reused.add(source_id)

    def _write_event(self, event: ParsedEvent) -> None:
        actor_ids: list[str] = []
        for name in event.actors:
            plan = self.resolver.get(name)
            if plan is None:
                self.report.warn(event.path, f"actor {name!r} has no letters or digits; left out")
                continue
            if not self._ensure_actor(plan, event.path):
                continue
            if plan.id not in actor_ids:
                actor_ids.append(plan.id)
        source_ids: list[str] = []
        for source in event.sources:
            source_id = self._ensure_source(source, event.path)
            if source_id is not None and source_id not in source_ids:
                source_ids.append(source_id)
        data = dict(event.data)
        data["actors"] = actor_ids
        data["sources"] = source_ids
        related = [self.ids_by_base[r] for r in event.related if r in self.ids_by_base]
        related += [r for r in event.related if r not in self.ids_by_base and self.tree_ids.get(r) is Kind.EVENT]
        if related:
            data["related"] = list(dict.fromkeys(r for r in related if r != event.id))
        texts = {"summary.md": event.summary + "\n"} if event.summary else None
        if self._create(Kind.EVENT, event.id, data, texts, event.path):
            self.report.tallies[Kind.EVENT].created += 1
        else:
            self.report.tallies[Kind.EVENT].skipped += 1

    def _ensure_actor(self, plan: ActorPlan, path: str) -> bool:
        if plan.existing:
            self._actors_reused.add(plan.id)
            return True
        if plan.created:
            return True
        if plan.id in self._actors_failed:
            return False
        plan.created = self._create(Kind.ACTOR, plan.id, plan.data(), None, path)
        if plan.created:
            self.report.tallies[Kind.ACTOR].created += 1
        else:
            self.report.tallies[Kind.ACTOR].skipped += 1
            self._actors_failed.add(plan.id)  # do not try again; the reason is reported once
        return plan.created

    def _ensure_source(self, source: dict[str, Any], path: str) -> str | None:
        identity = source_identity(source)
        found = self.sources_by_identity.get(identity)
        if found is not None:
            if found in self.existing_sources:
                self._sources_reused.add(found)
            return found
        date = source.get("published")
        base = slugify(source["title"], 80)
        if date is not None:
            base = f"{date}-{base}"
        source_id = allocate_id(base, self.taken)
        self.sources_by_identity[identity] = source_id
        if not self._create(Kind.SOURCE, source_id, source, None, path):
            self.report.tallies[Kind.SOURCE].skipped += 1
            return None
        self.report.tallies[Kind.SOURCE].created += 1
        return source_id

    def _create(self, kind: Kind, entry_id: str, data: dict[str, Any], texts: dict[str, str] | None,
                path: str) -> bool:
        if self.dry_run:
            self.report.written.append(f"{kind.plural}/{entry_id}")
            return True
        try:
            location = self.store.create(kind, entry_id, data, texts=texts, known_ids=self.on_disk, sync=False)
        except (StoreError, OSError, ValueError, TypeError) as exc:
            self.report.skip(path, f"{kind.value} {entry_id!r} not written: {exc}")
            return False
        self.on_disk.add(entry_id)
        self.report.written.append(location.folder)
        return True
