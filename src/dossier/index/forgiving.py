"""Search that forgives how people type: plain words degrade, unknown words are corrected.

A query of plain words (no quotes, fields, operators, ``~``, ``*``) is planned here word by word:
stopwords and question words drop out, each remaining word becomes a group of index terms, and a
word the index has never seen is replaced by the closest word it has (Damerau-style: a swapped
pair is one edit, so "epstien" finds "epstein"). :class:`Plan` then gives the strict query (every
word) and the loose one (any word), and says in words what it did. Queries with operators keep
their strict meaning and never come here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: A plain query: words and the punctuation of a sentence only.
_PLAIN = re.compile(r"[\w\s.,;!?'’-]+")
_OPERATORS = re.compile(r"\b(?:AND|OR|NOT|TO)\b")
_WORD = re.compile(r"[\w.'’-]+")
#: Fewer strict hits than this, for a query of 3 words or more, and the loose ones are added after.
ALMOST_NOTHING = 3


def is_plain(query: str) -> bool:
    """True for words only: the query may be planned (and forgiven) word by word."""
    return bool(_PLAIN.fullmatch(query)) and not _OPERATORS.search(query) and bool(_WORD.search(query))


def max_edits(term: str) -> int:
    """Edits allowed to correct a word: none for short words (too many neighbours), 2 from 8 letters."""
    return 0 if len(term) < 4 else 1 if len(term) < 8 else 2


@dataclass
class Word:
    """One word of the query: what the user typed and the index terms it is looked up as."""

    typed: str
    terms: list[str]
    corrected: str | None = None  # the index's word used instead of an unknown one
    shown: str | None = None  # the corrected word as a person writes it
    known: bool = True


@dataclass
class Plan:
    words: list[Word] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # question words and stopwords

    def groups(self) -> list[list[str]]:
        return [[w.corrected] if w.corrected else w.terms for w in self.words]

    @property
    def missing(self) -> list[str]:
        """Words in no entry, even after correction."""
        return [w.typed for w in self.words if not w.known and not w.corrected]

    @property
    def corrections(self) -> dict[str, str]:
        return {_bare(w.typed): (w.shown or w.corrected or "") for w in self.words if w.corrected}


def _bare(word: str) -> str:
    """A word without a possessive ("milly's" -> milly)."""
    return re.sub(r"['’]s$", "", word)


def plan_words(query: str) -> Plan:
    """The query's words, without stopwords, and without question words when other words remain."""
    from dossier.search_text import QUESTION_WORDS, analysed  # Whoosh's analysis: loaded when searching

    plan = Plan()
    typed = [w.strip(".'’-") for w in _WORD.findall(query)]
    typed = [w for w in typed if w]
    content = [w for w in typed if w.lower() not in QUESTION_WORDS and analysed(w)]
    for word in typed:
        terms = analysed(word)
        if not terms or (content and word.lower() in QUESTION_WORDS):
            plan.dropped.append(word)
            continue
        plan.words.append(Word(word, terms))
    return plan


def correct(plan: Plan, known: Callable[[str], int], vocabulary: Callable[[], dict[str, dict[str, str]]],
            shown: Callable[[str], str | None]) -> None:
    """Replace each word the index lacks by its closest index word (``known(term)`` = entries with it).

    ``vocabulary()`` maps a first letter to the words to compare with (index terms, and names' and titles' words
    as written) to the index term each stands for. Optimal string alignment distance: a swapped
    pair of letters is one edit ("secruity" -> security). Only words with the same first letter
    are compared: misspellings rarely touch it, and a correction that changes it ("secruity" ->
    "recruit") is more often wrong than right. Among equally close words, the one in the most
    entries wins.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    for word in plan.words:
        if all(known(term) for term in word.terms):
            continue
        word.known = False
        if len(word.terms) != 1:
            continue
        term = word.terms[0]
        # The stem and the word as typed: "milly" is one edit from "milley", its stem "milli" two.
        typed = _bare(word.typed).lower()
        found = []
        for text in dict.fromkeys((term, typed)):
            edits = max_edits(text)
            if edits:
                choices = vocabulary().get(text[:1], {})
                found += process.extract(text, choices, scorer=OSA.distance, score_cutoff=edits, limit=20)
        found += _one_slip_away(typed, known)
        if not found:
            continue
        # (index term, distance, word compared with): closest, then in most entries
        best = min(found, key=lambda f: (f[1], -known(f[0]), f[2] == f[0], f[0]))  # a word as written wins
        word.corrected = best[0]
        word.shown = best[2] if best[2] != best[0] else shown(best[0]) or best[0]


def _one_slip_away(typed: str, known: Callable[[str], int]) -> list[tuple[str, int, str]]:
    """The typed word with two neighbouring letters swapped back, or one letter dropped, where that
    is a word of the index: ("secruity" -> security). Found through the analysis, so it also
    reaches words that are only in texts, whose index terms are stems ("secur")."""
    from dossier.search_text import analysed

    if len(typed) < 4:
        return []
    variants = {typed[:i] + typed[i + 1] + typed[i] + typed[i + 2:] for i in range(len(typed) - 1)}
    variants |= {typed[:i] + typed[i + 1:] for i in range(len(typed))}
    variants.discard(typed)
    found = []
    for variant in sorted(variants):
        terms = analysed(variant)
        if len(terms) == 1 and known(terms[0]):
            found.append((terms[0], 1, variant))
    return found


def name_parts(names: Iterable[str]) -> dict[str, list[str]]:
    """Each word of the names (lowercased, 3 letters or more) with the names it is part of."""
    parts: dict[str, list[str]] = {}
    for name in names:
        for part in re.findall(r"[^\W\d_]{3,}", name.lower()):
            parts.setdefault(part, []).append(name)
    return parts


def close_names(words: Iterable[str], parts: dict[str, list[str]], limit: int = 5) -> list[str]:
    """Names with a word within a typo's reach of one of ``words`` (``parts`` from :func:`name_parts`)."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found: dict[str, float] = {}
    for word in (w.lower() for w in words):
        if len(word) < 4:
            continue
        edits = max(1, max_edits(word))
        for part, distance, _key in process.extract(word, list(parts), scorer=OSA.distance,
                                                   score_cutoff=edits, limit=20):
            for name in parts[part]:
                found[name] = min(found.get(name, 9), distance)
    return sorted(found, key=lambda n: (found[n], n))[:limit]


def explain_line(parts: dict[str, Any]) -> str:
    """Why a hit ranks where it does, in one line."""
    bits = []
    if "words" in parts:
        bits.append(f"{parts['words']}/{parts['of']} words")
    if parts.get("title"):
        bits.append(f"{parts['title']} in the name/title")
    if parts.get("name"):
        bits.append("the name is the query")
    bits.append(f"text score {parts['score']:.2f}")
    if parts.get("kind_weight", 1.0) != 1.0:
        bits.append(f"×{parts['kind_weight']} ({parts['kind']})")
    if parts.get("importance") is not None:
        bits.append(f"importance {parts['importance']}")
    return "; ".join(bits)


def what_was_done(hits: Any) -> list[str]:
    """What the search did beyond the query's letter, one line each (shared with the browser)."""
    lines = []
    if hits.corrected:
        instead = ", ".join(hits.corrected.values())
        typed = ", ".join(hits.corrected)
        lines.append(f"showing results for {instead}; search instead for \"{typed}\"")
    if hits.fallback:
        lines.append(hits.fallback)
    if hits.missing:
        lines.append("not found in any entry: " + ", ".join(hits.missing))
    # After a correction the results already answer; names to try are for words found nowhere.
    if hits.suggestions and (hits.missing or not hits):
        lines.append("did you mean: " + "; ".join(hits.suggestions))
    return lines
