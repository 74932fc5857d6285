"""Searching the index: the query, the forgiving fallbacks, ranking, snippets and suggestions.

:class:`Searching` is the search half of :class:`~dossier.index.core.Index` (which mixes it in).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from dossier.index.damage import damage_errors, retry_vanished
from dossier.index.forgiving import (
    ALMOST_NOTHING,
    close_names,
    correct,
    explain_line,
    is_plain,
    name_parts,
    plan_words,
)
from dossier.index.query import NAME_FIELDS, PLAIN_WORDS, QueryError, parse_query, query_pattern
from dossier.index.rows import Changes, Hit, Hits, Row
from dossier.index.schema import (
    DEFAULT_FIELDS,
    FIELD_WEIGHTS,
    NAME_MATCH_SCORE,
    current_schema,
    name_key,
)
from dossier.index.snippets import hit_snippet
from dossier.index.state_table import RecordTable
from dossier.index.writer_lock import WriterLock
from dossier.model import Kind
from dossier.store import Store

T = TypeVar("T")



class Searching:
    """Search, with what it did said (mixed into :class:`~dossier.index.core.Index`)."""

    if TYPE_CHECKING:  # provided by Index and Listing
        store: Store
        _records: RecordTable
        _read_lock: threading.RLock
        _write_lock: threading.RLock
        _file_lock: WriterLock
        _searcher: Any
        _ix: Any
        _generation: int
        _vocab: tuple[int, dict[str, dict[str, str]]] | None
        _surface: tuple[int, dict[str, str]] | None
        _name_parts: tuple[int, dict[str, list[str]]] | None

        def _refresh_from_disk(self) -> None: ...
        def _close_searcher(self) -> None: ...
        def _damage(self) -> str | None: ...
        def recover(self, reason: str) -> Changes: ...
        def row(self, entry_id: str) -> Row | None: ...
        def _all_rows(self) -> dict[str, Row]: ...

    # -- search

    def _get_searcher(self) -> Any:
        searcher = self._searcher
        if searcher is None:
            searcher = self._searcher = retry_vanished(self._ix.searcher)
        elif not searcher.up_to_date():
            # Not refresh(): it reuses a segment's reader even when documents of that
            # segment were deleted since, and the deleted ones would still match.
            searcher.close()
            self._searcher = searcher = retry_vanished(self._ix.searcher)
        return searcher

    def _read(self, run: Callable[[Any], T]) -> T:
        """``run(searcher)`` under the read lock; a deleted or damaged index is rebuilt, then asked again.

        Damage shows only when a damaged part is read (flipped bytes inside a segment fail with a
        zlib error on the first query that decompresses them), so it is caught here, on every read.
        """
        try:
            with self._read_lock:
                return self._run_current(run)
        except damage_errors():
            pass
        # Once more with a fresh searcher while no other process writes: a commit racing this
        # read passes now, and rebuilding a large index is too costly to start on a transient error.
        with self._write_lock:
            from dossier.index import core  # read at call time: tests shorten it

            locked = self._file_lock.acquire(core.WRITE_WAIT)
            try:
                with self._read_lock:
                    self._close_searcher()
                    try:
                        return run(self._get_searcher())
                    except damage_errors() as exc:
                        reason = self._damage() or f"the index was damaged ({type(exc).__name__}: {exc})"
            finally:
                if locked:
                    self._file_lock.release()
        self.recover(reason)
        with self._read_lock:
            return run(self._get_searcher())

    def _run_current(self, run: Callable[[Any], T]) -> T:
        """``run(searcher)``; when it fails on a searcher another process's commit has made stale, once more
        on a current one.

        A segment's files are opened when first read, not when the searcher opens: a merge by another
        process may delete them in between (Whoosh then finds no stored-fields file and fails inside).
        """
        searcher = self._get_searcher()
        try:
            return run(searcher)
        except Exception:
            try:
                stale = not searcher.up_to_date()
            except Exception:  # the table of contents itself moved on
                stale = True
            if not stale:
                raise
        self._close_searcher()
        return run(self._get_searcher())

    def parse(self, text: str) -> Any:
        """The Whoosh query for a user's query text; :class:`QueryError` when it is not one."""
        return parse_query(current_schema(), text)

    def search(self, query: str, kind: Kind | None = None, limit: int = 50, count_all: bool = False) -> Hits:
        """Entries matching a query in Whoosh's language, best first, with a snippet.

        A query of plain words forgives how people type (see :mod:`~dossier.index.forgiving`):
        stopwords and question words do not block, unknown words are corrected, and when no
        entry has every word the entries with the most of them are shown, with ``Hits.fallback``
        saying so. ``count_all`` also counts every match beyond ``limit`` (``Hits.total``).
        """
        from whoosh import query as q

        if is_plain(query) and " " in query.strip():
            query = query.rstrip("?!. ")  # a sentence's question mark is not a wildcard
        parsed = self.parse(query)  # also refuses what is too costly, with the reason
        rows = _RowsOnDemand(self)  # a search needs rows for its hits, not for the whole tree
        plan = None
        if is_plain(query):
            plan = plan_words(query)
            if not plan.words:
                plan = None
        restrict = q.Term("kind", kind.value) if kind is not None else None

        def with_name(tree: Any) -> Any:
            return q.And([tree, restrict]) if restrict is not None else tree

        fetch = max(limit, min(limit * 3, 500), RERANK_DEPTH)  # re-ranked: read a few more than asked

        def collect(searcher: Any, tree: Any, groups: list[list[str]] | None,
                    among: set[int] | None = None) -> tuple[list[Any], int]:
            if among is not None and not among:
                return [], 0
            # Words matched are recorded for plain words only; ``among`` limits scoring to those documents.
            results = searcher.search(tree, limit=fetch, terms=groups is not None, filter=among)
            # An entry whose name is exactly the query first. Looked up apart: Whoosh drops a
            # ConstantScoreQuery's score when matched terms are recorded (terms=True).
            named: set[int] = set()
            if PLAIN_WORDS.fullmatch(query):
                named = set(searcher.docs_for_query(q.Term("namekey", name_key(query))))
            found = []
            for hit in results:
                stored = hit.fields()
                matched = {(f, t.decode("utf-8", "replace") if isinstance(t, bytes) else t)
                           for f, t in (hit.matched_terms() if groups is not None else ()) if f in DEFAULT_FIELDS}
                score = hit.score + (NAME_MATCH_SCORE if hit.docnum in named else 0.0)
                found.append((stored["id"], score, stored.get("preview") or "", matched))
            return found, len(results) if count_all else len(found)

        def run(searcher: Any) -> tuple[list[Any], int, list[Any], Any]:
            try:
                if plan is None:
                    found, total = collect(searcher, with_name(parsed), None)
                    return found, total, [], parsed
                reader = searcher.reader()

                def known(term: str) -> int:
                    return sum(reader.doc_frequency(f, term) for f in DEFAULT_FIELDS)

                correct(plan, known, lambda: self._vocabulary(reader), self._shown_word)
                groups = plan.groups()
                # Which documents have how many of the words, from the postings alone (no scoring):
                # then only the documents with all of them, or with the most, are scored. Scoring
                # every document with any word (an OR of 5 common words) took 60-100 ms at 20,000.
                allowed = set(searcher.docs_for_query(restrict)) if restrict is not None else None
                counts: Counter[int] = Counter()
                for group in groups:
                    docs = searcher.docs_for_query(_group_query(group))
                    counts.update(docs if allowed is None else (d for d in docs if d in allowed))
                strict = {doc for doc, count in counts.items() if count == len(groups)}
                tree = q.And([_group_query(g) for g in groups])
                found, _total = collect(searcher, tree, groups, strict)
                total = len(strict)
                loose: list[Any] = []
                if len(groups) > 1 and (not found or (len(found) < ALMOST_NOTHING and len(groups) >= 3)):
                    fewer = sorted((c for d, c in counts.items() if d not in strict), reverse=True)
                    least = fewer[min(fetch, len(fewer)) - 1] if fewer else 1
                    among = {d for d, c in counts.items() if c >= least and d not in strict}
                    loose = collect(searcher, q.Or([_group_query(g) for g in groups]), groups, among)[0]
                    total += len({d for d in counts if d not in strict})
                return found, total, loose, tree
            except damage_errors():
                raise
            except Exception as exc:  # e.g. a range Whoosh accepts in parsing but not in searching
                raise QueryError(f"this query cannot be run: {exc}") from None

        found, total, loose, searched = self._read(run)
        groups = plan.groups() if plan is not None else None
        ranked = self._rank(found, rows, groups)
        hits = Hits()
        if plan is not None:
            hits.corrected = plan.corrections
            hits.missing = plan.missing
            if loose:
                ranked_loose = self._rank(loose, rows, groups)
                most = max((parts.get("words", 0) for _i, _s, _p, parts in ranked_loose), default=0)
                n = len(groups or [])
                if found:
                    hits.fallback = (f"only {len(found)} entr{'y has' if len(found) == 1 else 'ies have'} all {n} "
                                     f"words: also showing entries with fewer")
                elif most:
                    hits.fallback = f"no entry has all {n} words: showing entries with {most}"
                ranked = ranked + ranked_loose
                searched = q.Or([_group_query(g) for g in groups or []])
        pattern = query_pattern(searched)
        for hit_id, score, preview, parts in ranked[:limit]:
            row = rows.get(hit_id)
            if row is None:
                continue
            record = self._records.get(hit_id)
            snippet, spans = hit_snippet(self.store, record, row, pattern, preview) if record is not None else ("", ())
            hits.append(Hit(row, float(score), snippet, spans, explain_line(parts)))
        hits.total = max(total - (len(ranked[:limit]) - len(hits)), len(hits))
        if plan is not None and (hits.corrected or hits.missing or not hits):
            names = self.suggestions(list(hits.corrected) + hits.missing or [w.typed for w in plan.words])
            hits.suggestions = list(dict.fromkeys([*names, *hits.corrected.values()]))  # names, then words
        return hits

    def _rank(self, found: list[Any], rows: _RowsOnDemand, groups: list[list[str]] | None) -> list[Any]:
        """Hits in the order people expect: more of the words, a name or title that matches, then the
        text's score; events and actors before sources at equal strength; importance and recency last."""
        ranked = []
        for hit_id, score, preview, matched in found:
            row = rows.get(hit_id)
            if row is None:
                continue
            parts: dict[str, Any] = {"score": score, "kind": row.kind.value, "importance": row.importance}
            adjusted = score
            if score >= NAME_MATCH_SCORE:
                parts["name"] = True
                parts["score"] = score - NAME_MATCH_SCORE
            if groups:
                terms = {t for _f, t in matched}
                named = {t for f, t in matched if f in NAME_FIELDS}
                parts["words"] = sum(1 for g in groups if terms.intersection(g))
                parts["of"] = len(groups)
                parts["title"] = sum(1 for g in groups if named.intersection(g))
                # A title that has the words outranks a text that repeats them.
                adjusted = parts["score"] * (1 + TITLE_BONUS * parts["title"] / len(groups))
                if parts.get("name"):
                    adjusted += NAME_MATCH_SCORE
            weight = KIND_WEIGHTS.get(row.kind, 1.0)
            parts["kind_weight"] = weight
            adjusted *= weight
            ranked.append((hit_id, adjusted, preview, parts))
        ranked.sort(key=lambda r: (-r[3].get("words", 0), -round(r[1], 1), KIND_ORDER.get(rows[r[0]].kind, 9),
                                   -(rows[r[0]].importance or 0), _negated_date(rows[r[0]].date)))
        return ranked

    def _vocabulary(self, reader: Any) -> dict[str, dict[str, str]]:
        """Words a typo may be corrected to, each with the index term it stands for: every term of
        the names, titles and texts, and the words of names and titles as written (``security``
        for ``secur``: a typo is closer to the word than to its stem), by first letter. Built once
        per index version."""
        cached = self._vocab
        generation = self._generation
        if cached is not None and cached[0] == generation:
            return cached[1]
        vocabulary: dict[str, str] = {}
        for name in DEFAULT_FIELDS:
            for t in reader.lexicon(name):
                term = t.decode("utf-8") if isinstance(t, bytes) else t
                if term.isalpha() and len(term) > 2:
                    vocabulary[term] = term
        for word, term in self._surface_words().items():
            vocabulary.setdefault(word, term)
        by_letter: dict[str, dict[str, str]] = {}
        for word, term in vocabulary.items():
            by_letter.setdefault(word[0], {})[word] = term
        self._vocab = (generation, by_letter)
        return by_letter

    def _surface_words(self) -> dict[str, str]:
        """The words of every name and title as written (lowercased), each with its index term."""
        cached = self._surface
        generation = self._generation
        if cached is None or cached[0] != generation:
            from dossier.search_text import analysed

            words: dict[str, str] = {}
            for row in self._all_rows().values():
                for word in re.findall(r"[^\W\d_]{3,}", row.title.lower()):
                    if word not in words:
                        terms = analysed(word)
                        if len(terms) == 1:
                            words[word] = terms[0]
            cached = self._surface = (generation, words)
        return cached[1]

    def _shown_word(self, term: str) -> str | None:
        """An index term as people write it (``zelenski`` -> zelensky), taken from names and titles."""
        for word, stem in self._surface_words().items():
            if stem == term:
                return word
        return None

    def suggestions(self, words: list[str], limit: int = 5) -> list[str]:
        """Did you mean: actors' names and aliases with a word close to one of ``words``."""
        cached = self._name_parts
        generation = self._generation
        if cached is None or cached[0] != generation:
            # The actors' records only, and not kept decoded (RecordTable.decoded): decoding all 100,000
            # took a second and 150 MB on the first query with an unknown word, and slowed every save after.
            names = (name for _id, record in self._records.decoded(Kind.ACTOR) for name in record.names)
            cached = self._name_parts = (generation, name_parts(names))
        return close_names(words, cached[1], limit)


#: Hits read before ranking: the order below is applied to this many of Whoosh's best.
RERANK_DEPTH = 100
#: How much more a hit whose name or title has every word of the query weighs (half as much for half).
TITLE_BONUS = 1.0
#: Sources weigh less than the events and actors they document at equal strength of match.
KIND_WEIGHTS = {Kind.SOURCE: 0.8}
KIND_ORDER = {Kind.EVENT: 0, Kind.ACTOR: 1, Kind.SOURCE: 2}


class _RowsOnDemand:
    """The rows a search asks for, each made once when first asked (``Index.row``)."""

    def __init__(self, index: Searching) -> None:
        self._index = index
        self._made: dict[str, Row | None] = {}

    def get(self, entry_id: str, default: Row | None = None) -> Row | None:
        if entry_id not in self._made:
            self._made[entry_id] = self._index.row(entry_id)
        row = self._made[entry_id]
        return default if row is None else row

    def __getitem__(self, entry_id: str) -> Row:
        row = self.get(entry_id)
        if row is None:
            raise KeyError(entry_id)
        return row


def _group_query(terms: list[str]) -> Any:
    """One word of the query: any of its terms in any default field, weighed as the parser does."""
    from whoosh import query as q

    return q.Or([q.Term(f, t, boost=FIELD_WEIGHTS.get(f, 1.0)) for f in DEFAULT_FIELDS for t in terms])


def _negated_date(date: str | None) -> tuple[int, ...]:
    """A sort key that puts later dates first (and no date last)."""
    if not date:
        return (1,)
    return (0, *(-ord(c) for c in date))
