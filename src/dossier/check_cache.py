"""``dossier check``'s two roads to one answer, and what it keeps so that unchanged files are not read.

:func:`full_check` reads every file (``dossier check --no-index``, and whenever the index cannot be
trusted); :func:`check_from_index` answers from the index and the per-entry facts kept beside it,
reading only the entries whose files changed. Both end in :func:`finish`, and
tests/cli/test_check_index.py holds them equal, problem for problem.

The index, reconciled first as every command does, already holds each entry's own problems (bad TOML,
wrong types, unreadable text files), the ids it refers to and a digest of its content. The tree-wide
reviews need more of each entry: an actor's names, an event's date, status and sources, a source's grades,
which fields have provenance, and which actors' names its texts hold. Those facts are kept per entry
in ``check.msgpack`` in the index folder, under the entry's digest: an entry whose digest moved (edited,
new, renamed) is read again, the others are not. The file is data only (MessagePack), like the state table.

Mentions depend on every actor's names. Each event's and source's facts hold the name keys its texts
contain, found with the names of the time (the cache remembers those names), and a hash of every word
its texts hold. A name that goes away is not looked up any more. A name that is new (a new actor, a new
alias) could be in any old text: the texts whose word hashes include every word of the new name are
read again, and only those (a text that holds a name holds each of its words).

References to missing ids depend on the other entries: they are found from the index's references, and
only the entries with such a reference are read again, for the line numbers of the message. The facts
hold the fields the policy names (another list of fields in ``dossier.toml`` reads every entry again);
the likely duplicate actors are kept with a hash of the actors' names and types, and found again only
when one of those changed. Last, the whole answer is kept in ``check-result.msgpack`` under a hash of
what it depends on (every record as the state table keeps it, the scan's and ``dossier.toml``'s
problems, the policy): when nothing changed, nothing is recomputed.

Where the index cannot tell (two folders with one id: it keeps one; a file changed while it was read),
:func:`check_from_index` raises :class:`Unanswerable` and the caller reads the whole tree.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import msgpack

from dossier import __version__, policy
from dossier.atomic import atomic_write
from dossier.check import CheckReport, check_tree, problem_order
from dossier.index.document import content_digest
from dossier.index.rows import Row
from dossier.index.state_table import Record, RecordTable, problem_from_values, problem_values
from dossier.model import Kind, Problem, check_references, reference_is_broken
from dossier.policy import Checked, PolicyFacts, policy_facts
from dossier.review import (
    NameTable,
    Reviewed,
    ReviewFacts,
    actor_facts,
    duplicate_reasons,
    mention_texts,
    review_facts,
    review_reviewed,
    review_tree,
)
from dossier.store import Location, Store

if TYPE_CHECKING:
    from dossier.index import Index

#: The file beside the index's state table.
CACHE_FILE = "check.msgpack"
#: Bump when the facts change shape or meaning: a cache of another version is ignored (and replaced).
CACHE_VERSION = 5
#: The last answer, with what it was computed from (see _result_key): a check with nothing changed reads it.
RESULT_FILE = "check-result.msgpack"
RESULT_VERSION = 1

_MAIN_FILE = list(Row.__dataclass_fields__).index("main_file")  # its place in a record's row
_UNICODE_ERRORS = "surrogateescape"


def full_check(store: Store) -> CheckReport:
    """``check`` reading every file of the tree: the road that needs no index."""
    report = check_tree(store)
    return finish(store, report, review_tree(store, read=report.entries))


def finish(store: Store, report: CheckReport, warnings: list[Problem]) -> CheckReport:
    """Add the review's ``warnings``, an interrupted curation and the git set-up note; sort into ``findings``."""
    from dossier.curate import pending_problem
    from dossier.gitsync import setup_problems

    found = [*report.problems, *report.policy_review.problems, *warnings, *setup_problems(store.root)]
    pending = pending_problem(store)
    if pending is not None:
        found.append(Problem(".", pending, "curation-interrupted"))
    report.findings = sorted(found, key=problem_order)
    return report


class Unanswerable(Exception):
    """Why the index cannot answer this check: the caller reads every file instead."""


class Facts(NamedTuple):
    """What ``check`` keeps of one entry: its content's digest, and None for facts of an unreadable kind file."""

    digest: str
    review: ReviewFacts | None
    policy: PolicyFacts | None
    mentions: tuple[str, ...]  # an event's or source's name keys (see NameTable) found in its texts
    words: bytes  # a 4-byte hash of each word its texts hold: which could hold a new name (see _may_hold)


class _Read(NamedTuple):
    location: Location
    data: dict[str, Any] | None
    text: str | None
    texts: list[str | None]


def check_from_index(store: Store, index: Index) -> CheckReport:
    """``check``'s report from a reconciled index and the cache.

    Raises :class:`Unanswerable` when only reading the tree can tell; ``report.road`` says how many
    entries were read.
    """
    # Hundreds of thousands of small tuples and sets, none in a cycle: the collector walking the growing
    # heap again and again took a third of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(store, index)
    finally:
        if collecting:
            gc.enable()


def _check(store: Store, index: Index) -> CheckReport:
    records, scan_problems, collection_problems = index.snapshot()
    if any(p.code == "duplicate-id" for p in scan_problems):
        raise Unanswerable("two folders have one id")  # the index keeps one of them
    rules, policy_problems = policy.load(store)
    key = _result_key(store, records, [*scan_problems, *collection_problems, *policy_problems], rules)
    result_path = index.dir / RESULT_FILE
    saved = _load_result(result_path, key)
    if saved is not None:
        report, warnings = saved
        report.road = "answered from the index; nothing changed since the last check"
        return finish(store, report, warnings)
    report, warnings = _from_facts(store, index, records, scan_problems, collection_problems,
                                   rules, policy_problems)
    _save_result(result_path, key, report, warnings)
    return finish(store, report, warnings)


def _from_facts(
    store: Store, index: Index, records: RecordTable, scan_problems: list[Problem],
    collection_problems: list[Problem], rules: policy.Policy, policy_problems: list[Problem],
) -> tuple[CheckReport, list[Problem]]:
    """The report and the review's warnings from each entry's facts, reading the entries that changed."""
    cache_path = index.dir / CACHE_FILE
    cache = _load(cache_path, store.root)
    cached, names_before = cache.entries, cache.names
    # The facts hold the fields the policy names: another list of fields (rare) means reading every entry.
    fields = repr(sorted((kind.value, patterns) for kind, patterns in rules.fields.items()))
    if cache.fields != fields:
        cached, names_before = {}, frozenset()
    by_id = {entry_id: records[entry_id] for entry_id in records}
    # The order a scan finds them in: it picks a mention's example and, between equal candidates, a reason.
    order = sorted(by_id, key=lambda i: _scan_key(by_id[i].folder))
    facts: dict[str, Facts] = {}
    stale: list[str] = []
    try:
        for entry_id in order:
            kept = cached.get(entry_id)
            if kept is not None and kept[0] == by_id[entry_id].digest:
                facts[entry_id] = _facts_of(kept)
            else:
                stale.append(entry_id)
    except (ValueError, TypeError):  # a cache of another shape: read every entry again
        facts.clear()
        stale = list(order)
    changed = bool(stale) or len(cached) != len(facts)
    # Actors first: their names are what the texts of events and sources are searched for.
    for entry_id in stale:
        if by_id[entry_id].kind is Kind.ACTOR:
            facts[entry_id] = _facts(_read(store, entry_id, by_id[entry_id]), by_id[entry_id], None, rules)
    actors = [_reviewed(i, by_id[i], facts[i]) for i in order
              if by_id[i].kind is Kind.ACTOR and facts[i].review is not None]
    table = NameTable.of(actors)
    names = frozenset(table.owners)
    if not names <= names_before:
        # A new name may be in an old text: read again the events and sources whose texts hold every word
        # of a new name (a word's hash, so a few more than that), not all of them.
        new_names = [[_word_hash(word) for word in key.split()] for key in names - names_before]
        again = {i for i, f in facts.items() if by_id[i].kind is not Kind.ACTOR and _may_hold(f.words, new_names)}
        stale = [i for i in order if i in again or i in stale]
        changed = True
    for entry_id in stale:
        record = by_id[entry_id]
        if record.kind is not Kind.ACTOR:
            facts[entry_id] = _facts(_read(store, entry_id, record), record, table, rules)

    known = {entry_id: record.kind for entry_id, record in by_id.items()}
    report = CheckReport(problems=[*scan_problems, *collection_problems])
    for entry_id in order:
        record = by_id[entry_id]
        report.problems.extend(record.problems)
        if any(reference_is_broken(f, t, known) for f, t, _label in record.refs):
            read = _read(store, entry_id, record)
            if read.data is None:
                raise Unanswerable(f"{record.folder} changed while it was read")
            main_file = read.location.main_file
            report.problems.extend(
                check_references(entry_id, record.kind, read.data, main_file, read.text or "", known))
    report.counts = {kind: n for kind, n in records.kind_counts().items() if n}
    report.problems.extend(policy_problems)
    report.policy_review = policy.review_checked(rules, [
        Checked(i, by_id[i].kind, by_id[i].row[_MAIN_FILE], f.policy)
        for i in order if (f := facts[i]).policy is not None
    ])
    report.policy_review.problems.sort(key=problem_order)
    report.problems.sort(key=problem_order)
    actor_reviewed = {entry.id: entry for entry in actors}
    reviewed = [actor_reviewed.get(i) or _reviewed(i, by_id[i], facts[i]) for i in order
                if facts[i].review is not None]
    mentioned = {i: frozenset(facts[i].mentions) for i in order if by_id[i].kind is not Kind.ACTOR}
    # Finding duplicate actors compares every name (seconds at 30,000 actors): done again only when an
    # actor's names or type changed, not when an event or a source did.
    actors_key = _actors_key(actors)
    reasons = cache.reasons if actors_key == cache.actors else duplicate_reasons(
        [actor_facts(entry, {}) for entry in actors])
    warnings = review_reviewed(reviewed, mentioned, reasons, table)
    if changed or actors_key != cache.actors:
        _save(cache_path, store.root, facts, names, actors_key, reasons, fields)
    report.road = f"answered from the index; {len(stale)} of {len(order)} entries read again"
    return report, warnings


def _actors_key(actors: list[Reviewed]) -> str:
    """A hash of what :func:`duplicate_reasons` reads of the actors, in order."""
    digest = hashlib.blake2b(digest_size=16)
    for entry in actors:
        actor = actor_facts(entry, {})
        digest.update(repr((actor.id, actor.name, actor.aliases, actor.type)).encode("utf-8", _UNICODE_ERRORS))
    return digest.hexdigest()


def _scan_key(folder: str) -> tuple[str, ...]:
    """A folder's place in :meth:`Store.scan`'s order: depth first, each folder's children by name."""
    return () if folder == "." else tuple(folder.split("/"))


def _reviewed(entry_id: str, record: Record, facts: Facts) -> Reviewed:
    assert facts.review is not None
    return Reviewed(entry_id, record.kind, record.row[_MAIN_FILE], facts.review,
                    frozenset(target for _field, target, _label in record.refs))


def _read(store: Store, entry_id: str, record: Record) -> _Read:
    """The entry's files as the index read them; :class:`Unanswerable` when they changed since."""
    location = store.location_of(store.root / record.folder)  # "." is the root itself
    if location is None or location.id != entry_id or location.kind is not record.kind:
        raise Unanswerable(f"{record.folder} changed while it was read")
    data, text, _ = store.read_kind_file(location)
    texts = [store.read_text_file(stamp.path, entry_id).text for stamp in location.texts]
    if content_digest(text, zip((stamp.path for stamp in location.texts), texts, strict=True)) != record.digest:
        raise Unanswerable(f"{record.folder} changed while it was read")
    return _Read(location, data, text, texts)


def _facts(read: _Read, record: Record, table: NameTable | None, rules: policy.Policy) -> Facts:
    if read.data is None:
        return Facts(record.digest, None, None, (), b"")
    kind = record.kind
    mentions: Iterable[str] = ()
    words: set[str] = set()
    if table is not None and kind is not Kind.ACTOR:
        mentions = sorted(table.find(mention_texts(read.data, read.texts), words))
    return Facts(
        record.digest, review_facts(kind, read.data),
        policy_facts(kind, read.data, read.text or "", rules.fields.get(kind, ())),
        tuple(mentions), b"".join(_word_hash(word) for word in sorted(words)),
    )


def _word_hash(word: str) -> bytes:
    return zlib.crc32(word.encode("utf-8", _UNICODE_ERRORS)).to_bytes(4, "little")


def _may_hold(words: bytes, names: list[list[bytes]]) -> bool:
    """Whether texts whose words hash to ``words`` may hold one of these names (each: its words' hashes).

    Never wrong by saying no: a text that holds a name holds each of its words. A yes may be wrong
    (two words of one hash, or a hash found across two others' bytes): that only costs a read.
    """
    if len(names) > 16:  # many new names (an import): one set of the hashes beats a search per word
        hashes = {words[i:i + 4] for i in range(0, len(words), 4)}
        return any(all(word in hashes for word in name) for name in names)
    return any(all(word in words for word in name) for name in names)


# ------------------------------------------------------------------------------ the file


_FACTS_FIELDS = len(Facts._fields)
_REVIEW_FIELDS = len(ReviewFacts._fields)
_POLICY_FIELDS = len(PolicyFacts._fields)


def _facts_of(values: tuple[Any, ...], new: Any = tuple.__new__) -> Facts:
    """Facts from the cache's arrays (positions, not names: this runs for every entry of the tree)."""
    digest, review, policy_values, mentions, words = values
    if review is not None and len(review) != _REVIEW_FIELDS or (
            policy_values is not None and len(policy_values) != _POLICY_FIELDS):
        raise ValueError("not the facts of this version")
    return new(Facts, (
        digest,
        new(ReviewFacts, review) if review is not None else None,
        new(PolicyFacts, policy_values) if policy_values is not None else None,
        mentions,
        words,
    ))


class _Cache(NamedTuple):
    entries: dict[str, tuple[Any, ...]]  # id -> facts as arrays, the digest first
    names: frozenset[str]  # the name keys the mentions in ``entries`` were found with
    actors: str  # the hash of the actors' names and types (see _actors_key) ...
    reasons: dict[frozenset[str], str]  # ... and their duplicate_reasons
    fields: str  # the policy's fields (per kind) the facts hold


_EMPTY = _Cache({}, frozenset(), "", {}, "")


def _load(path: Path, tree: Path) -> _Cache:
    """The cache; anything unreadable, or of another version or tree, is an empty cache: the entries are
    read again."""
    try:
        raw = path.read_bytes()
        state = msgpack.unpackb(raw, use_list=False, unicode_errors=_UNICODE_ERRORS)
        if not isinstance(state, dict) or state.get("version") != CACHE_VERSION or state.get("tree") != str(tree):
            return _EMPTY
        entries = state["entries"]
        if not isinstance(entries, dict) or not all(
            type(v) is tuple and len(v) == _FACTS_FIELDS and type(v[0]) is str for v in entries.values()
        ):
            return _EMPTY
        reasons = {frozenset((a, b)): str(why) for a, b, why in state["reasons"]}
        return _Cache(entries, frozenset(state["names"]), str(state["actors"]), reasons, str(state["fields"]))
    except Exception:  # a missing, truncated or foreign file: read the entries again
        return _EMPTY


def _save(path: Path, tree: Path, facts: dict[str, Facts], names: frozenset[str], actors: str,
          reasons: dict[frozenset[str], str], fields: str) -> None:
    """Replace the cache atomically; a folder that cannot be written only means reading again next time."""
    _write(path, {"version": CACHE_VERSION, "tree": str(tree), "names": sorted(names), "entries": facts,
                  "actors": actors, "reasons": [(*sorted(pair), why) for pair, why in reasons.items()],
                  "fields": fields})


def _write(path: Path, state: dict[str, Any]) -> None:
    """Replace ``path`` atomically; a folder that cannot be written only means more reading next time."""
    with contextlib.suppress(OSError):
        # Not synced: after a crash, a lost or damaged cache is only read again.
        atomic_write(path, msgpack.packb(state, use_bin_type=True, unicode_errors=_UNICODE_ERRORS), sync=False)


# ------------------------------------------------------------------------- the last answer


def _result_key(store: Store, records: RecordTable, problems: list[Problem], rules: policy.Policy) -> str:
    """What the answer depends on, hashed: every record as the state table keeps it (an entry's digest,
    problems and references are in it), the problems of the scan, of ``dossier.toml`` and of its policy,
    and the policy. Equal keys, equal answers; any change, even a touched file, makes a new key."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((RESULT_VERSION, __version__, str(store.root), problems, rules)).encode(
        "utf-8", _UNICODE_ERRORS))
    # In id order: the table's own order depends on how it was last loaded and changed.
    for entry_id, packed in sorted(records.packed().items()):
        digest.update(entry_id.encode("utf-8", _UNICODE_ERRORS))
        digest.update(packed[3])
    return digest.hexdigest()


def _load_result(path: Path, key: str) -> tuple[CheckReport, list[Problem]] | None:
    """The report and warnings of the last check when it had the same key, else None."""
    try:
        state = msgpack.unpackb(path.read_bytes(), use_list=False, unicode_errors=_UNICODE_ERRORS)
        if not isinstance(state, dict) or state.get("key") != key:
            return None
        kinds = {kind.value: kind for kind in Kind}
        report = CheckReport(
            problems=[problem_from_values(p) for p in state["problems"]],
            counts={kinds[k]: n for k, n in state["counts"]},
            policy_review=policy.Review(
                counts={kinds[k]: policy.KindCounts(*c) for k, c in state["review_counts"]},
                above_status=[policy.Shortfall(*s) for s in state["above_status"]],
                problems=[problem_from_values(p) for p in state["review_problems"]],
            ),
        )
        return report, [problem_from_values(p) for p in state["warnings"]]
    except Exception:  # missing, truncated, foreign: answer from the facts
        return None


def _save_result(path: Path, key: str, report: CheckReport, warnings: list[Problem]) -> None:
    review = report.policy_review
    _write(path, {
        "key": key,
        "problems": [problem_values(p) for p in report.problems],
        "counts": [(kind.value, n) for kind, n in report.counts.items()],
        "review_counts": [(kind.value, tuple(vars(c).values())) for kind, c in review.counts.items()],
        "above_status": [tuple(vars(s).values()) for s in review.above_status],
        "review_problems": [problem_values(p) for p in review.problems],
        "warnings": [problem_values(p) for p in warnings],
    })
