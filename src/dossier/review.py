"""Review: what in a tree needs a person's judgement, as ``check`` warnings.

Nothing here is an error: notes an import left on an actor (its ``review``
list), likely duplicate actors, events that look like one event entered twice,
events with no source, disputed events without accounts, sources nobody cites,
actors nothing refers to, and actors mentioned in texts that do not link them
(a note). Each warning names the command that resolves it. The findings are
warnings so that they do not change ``check``'s exit code, unless ``--strict``
asks for that.

Duplicate actors are found without comparing every pair in Python: names and
aliases are joined by their normalised form (same name, shared alias, acronym),
persons by surname and first initial, and the remaining fuzzy comparison runs in
rapidfuzz (C) within groups of names that carry the same numbers.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from dossier.model import Kind, Problem, Severity, array_of_tables, iter_references
from dossier.store import Location, Store

#: token_sort_ratio (0-100) from which two actor names or two same-day event titles look alike.
NAME_SIMILARITY = 90
TITLE_SIMILARITY = 90
#: Names shorter than this are not looked for in texts (as the index's mentions).
MIN_MENTION_LENGTH = 4
#: Words left out of acronyms ("Islamic Revolutionary Guard Corps" -> IRGC).
_ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "in", "on", "de", "la", "du", "des", "der", "und"})
_WORD = re.compile(r"\w+")
#: Words that tell two otherwise equal names apart ("Fifth Circuit", "Ninth Circuit"; "North", "South").
_DISTINGUISHING = frozenset({
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "north", "south", "east", "west", "northern", "southern", "eastern",
    "western", "senior", "junior", "former", "acting", "deputy",
})
#: The codes of the review's warnings (``check --json`` readers can tell them from errors).
REVIEW_CODES = frozenset({
    "likely-duplicate", "likely-duplicate-event", "no-source", "disputed-without-accounts",
    "uncited-source", "isolated-actor", "unlinked-mentions", "review",
})
_NUMBER = re.compile(r"\d+")


def normalise(text: str) -> str:
    """A name for comparison: no accents, case folded, punctuation as spaces; the script is kept."""
    if text.isascii():  # nothing to decompose: most texts, and the per-character pass is most of the cost
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(stripped.casefold().replace("_", " ")))


def acronym(name: str) -> str | None:
    """The initials of a name of three words or more, else None."""
    words = [w for w in normalise(name).split() if w not in _ACRONYM_SKIP]
    if len(words) < 3 or any(w.isdigit() for w in words):
        return None
    return "".join(w[0] for w in words)


@dataclass
class Actor:
    """What the duplicate review needs of one actor."""

    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    type: str | None = None
    references: int = 0  # how many references name it: the one to keep has more

    def names(self) -> list[str]:
        return [n for n in dict.fromkeys([self.name, *self.aliases]) if isinstance(n, str) and n.strip()]


@dataclass(frozen=True)
class Duplicate:
    """Two entries that look like one: the one to keep (more references), the other, and why."""

    keep: str
    other: str
    why: str

    @property
    def command(self) -> str:
        return shlex.join(["dossier", "merge", self.keep, self.other, "--reason", self.why])


def _numbers(name: str) -> tuple[str, ...]:
    return tuple(sorted(t for t in normalise(name).split() if t.isdigit()))


def _compatible_first(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) == 1 and long.startswith(short)


def _differing_words(a: str, b: str) -> tuple[list[str], list[str]]:
    words_a = [w for w in normalise(a).split() if not w.isdigit()]
    words_b = [w for w in normalise(b).split() if not w.isdigit()]
    return [w for w in words_a if w not in words_b], [w for w in words_b if w not in words_a]


def _explained(words: list[str], other: list[str]) -> bool:
    """Each word is an initial, a short form or a long form of one of the other's words."""
    return all(any(o.startswith(w) or w.startswith(o) for o in other) for w in words)


def _names_conflict(a: str, b: str) -> bool:
    """Both names hold a short word the other lacks and cannot stand for: "Mark K. Milley" and
    "Mark T. Milley", "CNN Booking Producers" and "NBC Booking Producers" are different parties."""
    only_a, only_b = _differing_words(a, b)
    return bool(only_a and only_b) and all(len(w) <= 4 or w in _DISTINGUISHING for w in only_a + only_b) and not (
        _explained(only_a, only_b) or _explained(only_b, only_a)
    )


def _same_but_initials(a: str, b: str) -> bool:
    """The names differ only by words one of them lacks, initials or short forms ("M. Milley", "Mark A. Milley")."""
    only_a, only_b = _differing_words(a, b)
    return not only_a or not only_b or (_explained(only_a, only_b) and _explained(only_b, only_a))


def likely_duplicates(actors: Iterable[Actor], reasons: Mapping[frozenset[str], str] | None = None) -> list[Duplicate]:
    """Pairs of actors that are probably one: shared name or alias, acronym, surname, fuzzy name.

    ``reasons``: :func:`duplicate_reasons` of these actors when known already (``check`` keeps them).
    """
    actors = list(actors)
    by_id = {a.id: a for a in actors}
    found = duplicate_reasons(actors) if reasons is None else reasons
    result = []
    for pair, why in found.items():
        # Keep the one more entries refer to (fewer rewrites), then the fuller name.
        a, b = sorted(pair, key=lambda i: (-by_id[i].references, -len(by_id[i].name), i))
        result.append(Duplicate(a, b, why))
    result.sort(key=lambda d: (d.keep, d.other))
    return result


def duplicate_reasons(actors: list[Actor]) -> dict[frozenset[str], str]:
    """Each pair of actors that look like one, with why: from their names, aliases and types alone
    (the order of the actors picks the reason when several apply)."""
    from rapidfuzz import fuzz, process

    by_id = {a.id: a for a in actors}
    found: dict[frozenset[str], str] = {}

    def add(a: str, b: str, why: str) -> None:
        if a != b:
            found.setdefault(frozenset((a, b)), why)

    # Same normalised name or alias (hash join).
    owners: dict[str, list[str]] = {}
    for actor in actors:
        for name in {normalise(n) for n in actor.names()}:
            if name:
                owners.setdefault(name, []).append(actor.id)
    for name, ids in owners.items():
        if 1 < len(ids) <= 20:  # a name twenty actors share is a common word, not a duplicate
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    primary = normalise(by_id[a].name) == normalise(by_id[b].name) == name
                    add(a, b, "same name" if primary else f"both are called {name!r}")
    # An organisation's acronym that is another actor's name or alias.
    for actor in actors:
        if actor.type == "person":
            continue
        short = acronym(actor.name)
        for other in owners.get(short or "", []) if short else []:
            if by_id[other].type != "person":
                add(actor.id, other, f"{short.upper()} is the acronym of {actor.name!r}")  # type: ignore[union-attr]
    # Persons: same surname, compatible first names ("M. Milley", "Mark Milley"), nothing else
    # different but initials or added words, same numbers.
    groups: dict[tuple[str, str, tuple[str, ...]], list[tuple[str, str]]] = {}
    for actor in actors:
        if actor.type not in (None, "person"):
            continue
        words = [w for w in normalise(actor.name).split() if not w.isdigit()]
        if len(words) >= 2:
            key = (words[-1], words[0][0], _numbers(actor.name))
            groups.setdefault(key, []).append((words[0], actor.id))
    for members in groups.values():
        if len(members) < 2 or len(members) > 50:
            continue
        for i, (first_a, a) in enumerate(members):
            for first_b, b in members[i + 1:]:
                if _compatible_first(first_a, first_b) and _same_but_initials(by_id[a].name, by_id[b].name):
                    add(a, b, "same surname, compatible first names")
    # Fuzzy names, compared in C (rapidfuzz) on word-sorted names, within blocks of names that carry
    # the same numbers and share the first three letters of a word: a pair 90% alike almost always
    # shares one, and comparing every pair of 6,000 names would take seconds.
    sorted_names = {a.id: " ".join(sorted(normalise(a.name).split())) for a in actors}
    blocks: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for actor in actors:
        numbers = _numbers(actor.name)
        for word in set(sorted_names[actor.id].split()):
            if len(word) >= 3 and not word.isdigit():
                blocks.setdefault((numbers, word[:3]), []).append(actor.id)
    for members in blocks.values():
        if len(members) < 2:
            continue
        names = [sorted_names[i] for i in members]
        for i, name in enumerate(names[:-1]):
            for _match, score, j in process.extract(
                name, names[i + 1:], scorer=fuzz.ratio, processor=None, score_cutoff=NAME_SIMILARITY, limit=None
            ):
                a, b = members[i], members[i + 1 + j]
                if names[i + 1 + j] != name and not _names_conflict(by_id[a].name, by_id[b].name):
                    add(a, b, f"names {score:.0f}% alike")
    return found


def duplicates_of(actor: Actor, candidates: Iterable[Actor]) -> list[Duplicate]:
    """The likely duplicates of one actor among candidates, the actor kept (the browser's merge).

    Only candidates that share a word with one of its names, or an acronym, are compared.
    """
    own = [normalise(n) for n in actor.names()]
    words = {w for name in own for w in name.split() if not w.isdigit()}
    acronyms = {a for a in (acronym(n) for n in actor.names()) if a}
    pool = {actor.id: actor}
    for candidate in candidates:
        if candidate.id == actor.id:
            continue
        title = normalise(candidate.name)
        if words & set(title.split()) or title in acronyms or acronym(candidate.name) in own:
            pool[candidate.id] = candidate
    found = []
    for duplicate in likely_duplicates(pool.values()):
        if actor.id in (duplicate.keep, duplicate.other):
            other = duplicate.other if duplicate.keep == actor.id else duplicate.keep
            found.append(Duplicate(actor.id, other, duplicate.why))
    return found


def duplicates_in_index(index: Any, entry_id: str, data: Mapping[str, Any]) -> list[Duplicate]:
    """The likely duplicates of an actor among the index's actors (their names; aliases are not in rows)."""
    candidates = [Actor(row.id, row.title, [], row.type) for row in index.rows(Kind.ACTOR)]
    return duplicates_of(actor_of(entry_id, data), candidates)


# ------------------------------------------------------------------ the review


class ReviewFacts(NamedTuple):
    """What the review reads of one entry's kind file, so that ``check`` can keep it in its cache.

    Plain values only (a MessagePack array): the review of an unchanged entry never parses its file again.
    """

    name: str | None  # an actor's name ("name"), as written
    aliases: tuple[str, ...]  # an actor's aliases that are strings
    type: str | None  # an actor's type
    notes: tuple[str, ...]  # an actor's review notes
    date: str | None  # an event's date as text
    title: str  # an event's title, normalised ("" when it has none)
    unsourced: bool  # an event no source and no account cites
    disputed_without_accounts: bool
    keys: tuple[str, ...]  # an actor's names and aliases as mention keys (see NameTable)


def review_facts(kind: Kind, data: Mapping[str, Any]) -> ReviewFacts:
    """The review's facts of one parsed kind file."""
    if kind is Kind.ACTOR:
        actor = actor_of("", data)
        name = _text(data.get("name"))
        # An actor without a name is known by its id, which is not in its file: its id's key is added later.
        keys = tuple(mention_keys(Actor("", name, actor.aliases).names())) if name else ()
        return ReviewFacts(name, tuple(actor.aliases), actor.type, tuple(review_notes(data)), None, "", False, False,
                           keys)
    if kind is Kind.EVENT:
        accounts = array_of_tables(data.get("accounts"))
        return ReviewFacts(
            None, (), None, (), str(data["date"]) if data.get("date") is not None else None,
            normalise(_text(data.get("title")) or ""),
            not data.get("sources") and not any(a.get("source") for a in accounts),
            data.get("status") == "disputed" and not accounts, (),
        )
    return ReviewFacts(None, (), None, (), None, "", False, False, ())


class Reviewed(NamedTuple):
    """One readable entry as the review sees it: where it is, its facts, the ids it refers to."""

    id: str
    kind: Kind
    path: str  # its kind file
    facts: ReviewFacts
    targets: frozenset[str]


@dataclass
class _Entry:
    location: Location
    data: dict[str, Any]


def review_tree(
    store: Store, *, mentions: bool = True, read: list[tuple[Location, dict[str, Any]]] | None = None
) -> list[Problem]:
    """Every review warning of the tree (entries that cannot be read are check's errors, skipped here).

    ``read``: the entries with their parsed kind files when the caller has read them already (``check``
    has): the tree is then not walked and parsed a second time.
    """
    entries: list[_Entry] = []
    if read is not None:
        entries = [_Entry(location, data) for location, data in read]
        return review_entries(store, entries, mentions=mentions)
    for location in store.scan().locations:
        data, _text, problems = store.read_kind_file(location)
        if data is not None:
            entries.append(_Entry(location, data))
    return review_entries(store, entries, mentions=mentions)


def review_entries(store: Store, entries: list[_Entry], *, mentions: bool = True) -> list[Problem]:
    """The review of parsed entries: their facts, and (with ``mentions``) the names their texts hold."""
    reviewed = [
        Reviewed(e.location.id, e.location.kind, e.location.main_file, review_facts(e.location.kind, e.data),
                 frozenset(ref.target for ref in iter_references(e.location.kind, e.data)))
        for e in entries
    ]
    found: dict[str, frozenset[str]] | None = None
    table = None
    if mentions:
        table = NameTable.of(reviewed)
        found = {}
        for entry in entries:
            loc = entry.location
            if loc.kind is not Kind.ACTOR:
                texts = (store.read_text_file(stamp.path, loc.id).text for stamp in loc.texts)
                found[loc.id] = table.find(mention_texts(entry.data, texts))
    return review_reviewed(reviewed, found, table=table)


def review_reviewed(
    entries: list[Reviewed],
    mentioned: Mapping[str, frozenset[str]] | None,
    reasons: Mapping[frozenset[str], str] | None = None,
    table: NameTable | None = None,
) -> list[Problem]:
    """Every review warning, from each entry's facts.

    ``entries`` in the order the tree is scanned (it picks the example of a mention and, between
    equal candidates, the reason given for a duplicate); ``mentioned``: per event and source, the
    name keys (:class:`NameTable`) its texts hold, or None to leave mentions out; ``reasons``: the
    :func:`duplicate_reasons` of its actors, and ``table`` their :class:`NameTable`, when known.
    """
    referenced: dict[str, int] = {}
    refs_of: dict[str, frozenset[str]] = {}
    for entry in entries:
        refs_of[entry.id] = entry.targets
        for target in entry.targets:
            referenced[target] = referenced.get(target, 0) + 1
    warnings: list[Problem] = []

    def warn(entry: Reviewed, code: str, message: str, severity: Severity = Severity.WARNING) -> None:
        warnings.append(Problem(entry.path, message, code, entry_id=entry.id, severity=severity))

    actors = [e for e in entries if e.kind is Kind.ACTOR]
    by_id = {e.id: e for e in entries}
    for duplicate in likely_duplicates((actor_facts(e, referenced) for e in actors), reasons):
        other = by_id[duplicate.other]
        keep_name = by_id[duplicate.keep].facts.name or duplicate.keep
        warn(other, "likely-duplicate",
             f"likely the same actor as {duplicate.keep} ({keep_name}): {duplicate.why}; "
             f"if so, merge them: {duplicate.command}")
    for duplicate in same_day_events(entries, referenced):
        warn(by_id[duplicate.other], "likely-duplicate-event",
             f"likely the same event as {duplicate.keep}: {duplicate.why}; if so, merge them: {duplicate.command}")
    for entry in entries:
        facts = entry.facts
        if entry.kind is Kind.ACTOR:
            for note in facts.notes:
                warn(entry, "review", f"to review: {note} (remove the note from 'review' once settled)")
        if entry.kind is Kind.EVENT:
            if facts.unsourced:
                warn(entry, "no-source", f"no source backs this event: dossier cite {entry.id} SOURCE")
            if facts.disputed_without_accounts:
                warn(entry, "disputed-without-accounts",
                     "disputed, but no [[accounts]] say who claims what: add them to "
                     f"{entry.path} (e in the browser)")
        elif entry.kind is Kind.SOURCE:
            if not referenced.get(entry.id):
                warn(entry, "uncited-source", f"no event or actor cites this source: dossier cite EVENT {entry.id}")
        elif not referenced.get(entry.id) and not refs_of.get(entry.id):
            warn(entry, "isolated-actor",
                 f"no event names this actor and it has no links: dossier link EVENT {entry.id} "
                 "(or merge it, if it is a duplicate)")
    if mentioned is not None:
        for actor_id, (count, example) in sorted(unlinked_mentions(entries, mentioned, refs_of, table).items()):
            warn(by_id[actor_id], "unlinked-mentions",
                 f"named in {count} event(s) or source(s) that do not link it (e.g. {example}): "
                 f"dossier link {example} {actor_id} (or l on the mention in the browser)",
                 # A source that names someone is not always about them: a note, never a finding.
                 Severity.NOTE)
    return warnings


def review_notes(data: Mapping[str, Any]) -> list[str]:
    """An actor's ``review`` notes: what an import could not settle (a type without evidence, a short
    name several people share). Each is a warning until a person removes it."""
    notes = data.get("review")
    if isinstance(notes, str):
        notes = [notes]
    if not isinstance(notes, list):
        return []
    return [note for note in notes if isinstance(note, str) and note.strip()]


def actor_of(entry_id: str, data: Mapping[str, Any], referenced: Mapping[str, int] | None = None) -> Actor:
    aliases = data.get("aliases")
    return Actor(
        entry_id,
        _text(data.get("name")) or entry_id,
        [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else [],
        _text(data.get("type")),
        (referenced or {}).get(entry_id, 0),
    )


def actor_facts(entry: Reviewed, referenced: Mapping[str, int]) -> Actor:
    """What the duplicate review needs of an actor, from its facts (``referenced``: references per id)."""
    facts = entry.facts
    return Actor(entry.id, facts.name or entry.id, list(facts.aliases), facts.type, referenced.get(entry.id, 0))


def same_day_events(entries: Iterable[Reviewed], referenced: Mapping[str, int]) -> list[Duplicate]:
    """Events on the same date whose titles are nearly the same."""
    from rapidfuzz import fuzz

    by_date: dict[str, list[tuple[str, str]]] = {}
    for entry in entries:
        if entry.kind is Kind.EVENT and entry.facts.date is not None and entry.facts.title:
            by_date.setdefault(entry.facts.date, []).append((entry.id, entry.facts.title))
    found = []
    for events in by_date.values():
        for i, (a, title_a) in enumerate(events):
            for b, title_b in events[i + 1:]:
                if _NUMBER.findall(title_a) != _NUMBER.findall(title_b):
                    continue  # "Raid 12" / "Raid 13", "$5 million" / "$6 million": told apart by a number
                score = fuzz.token_sort_ratio(title_a, title_b)
                if score >= TITLE_SIMILARITY:
                    keep, other = sorted((a, b), key=lambda x: (-referenced.get(x, 0), x))
                    found.append(Duplicate(keep, other, f"same date, titles {score:.0f}% alike"))
    return found


class NameTable:
    """The actors' names and aliases as mention keys (normalised, :data:`MIN_MENTION_LENGTH` or longer).

    Word n-grams of a text are looked up in it (only where the first word starts some name), so
    finding the names a text holds costs what the text is long, not how many actors there are.
    """

    def __init__(self, owners: dict[str, set[str]]) -> None:
        self.owners = owners  # key -> the actors it names
        self._longest: dict[str, int] = {}
        for key in owners:
            first, *rest = key.split()
            self._longest[first] = max(self._longest.get(first, 0), len(rest) + 1)

    @classmethod
    def of(cls, entries: Iterable[Reviewed]) -> NameTable:
        owners: dict[str, set[str]] = {}
        for entry in entries:
            if entry.kind is not Kind.ACTOR:
                continue
            facts = entry.facts
            for key in facts.keys if facts.name else mention_keys(actor_facts(entry, {}).names()):
                owners.setdefault(key, set()).add(entry.id)
        return cls(owners)

    def find(self, texts: Iterable[str], vocabulary: set[str] | None = None) -> frozenset[str]:
        """The keys that occur in these texts; ``vocabulary`` collects every word they hold."""
        longest_of = self._longest
        owners = self.owners
        found: set[str] = set()
        for text in texts:
            words = normalise(text).split()
            if vocabulary is not None:
                vocabulary.update(words)
            for i, word in enumerate(words):
                longest = longest_of.get(word)
                if longest is None:
                    continue
                for n in range(1, longest + 1):
                    key = " ".join(words[i:i + n])
                    if key in owners:
                        found.add(key)
        return frozenset(found)


def mention_keys(names: Iterable[str]) -> list[str]:
    """The keys of an actor's names that are looked for in texts: normalised, long enough, each once."""
    keys = (normalise(name) for name in names)
    return list(dict.fromkeys(key for key in keys if len(key) >= MIN_MENTION_LENGTH))


def mention_texts(data: Mapping[str, Any], texts: Iterable[str | None]) -> Iterator[str]:
    """The texts of an event or source where a mention counts: title, summary, location, then its text
    files (``texts``, None for one that could not be read)."""
    for key in ("title", "summary", "location"):
        yield _text(data.get(key)) or ""
    for text in texts:
        if text is not None:
            yield text


def unlinked_mentions(
    entries: list[Reviewed], mentioned: Mapping[str, frozenset[str]], refs_of: Mapping[str, frozenset[str]],
    table: NameTable | None = None,
) -> dict[str, tuple[int, str]]:
    """Per actor: how many events and sources name it in their texts without referring to it, and the first.

    ``mentioned``: the name keys each event and source holds; a key no actor has any more is ignored.
    ``table``: the entries' :class:`NameTable`, when made already.
    """
    owners = (table or NameTable.of(entries)).owners
    counts: dict[str, tuple[int, str]] = {}
    for entry in entries:
        if entry.kind is Kind.ACTOR:
            continue
        found: set[str] = set()
        for key in mentioned.get(entry.id, ()):
            found |= owners.get(key, set())
        for actor_id in found - refs_of.get(entry.id, frozenset()):
            count, example = counts.get(actor_id, (0, entry.id))
            counts[actor_id] = (count + 1, example)
    return counts


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
