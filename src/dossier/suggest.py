""""Did you mean ...?": the closest of a few known words, or of tens of thousands of ids.

One measure everywhere (rapidfuzz's ratio: ``2 * matching characters / total length``, 0-100),
for a misspelt vocabulary value, a misspelt provenance field and a reference to a missing id.
"""

from __future__ import annotations

from collections.abc import Iterable


def closest(value: str, candidates: Iterable[str], cutoff: float) -> str | None:
    """The candidate most like ``value``, if it is at least ``cutoff`` (0-100) alike.

    rapidfuzz, not difflib: the same measure, 58x faster over 30,000 ids (bench/bench_suggest.py).
    Imported here so that ``dossier --help`` does not load it.
    """
    from rapidfuzz import fuzz, process

    found = process.extractOne(value, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(value: str, candidates: Iterable[str], cutoff: float = 60) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or nothing when none is close."""
    match = closest(value, list(candidates), cutoff)
    return f" (did you mean {match!r}?)" if match else ""
