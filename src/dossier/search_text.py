"""Search text in any script: "Путин" and "putin", "Orbán" and "orban" find the same entries.

The index's analyzers get one more filter, after lowercasing, that writes
each non-ASCII word as :func:`dossier.transliterate.to_ascii` does (the
function ids and the importers' matcher use). It runs both when entries are
indexed and when a query is parsed, so a query in either script meets the
text in either script. Only the index imports this module (Whoosh pickles
the filter with the schema, so it lives at module level).
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import Filter, LowercaseFilter
from whoosh.analysis.analyzers import CompositeAnalyzer

from dossier.transliterate import to_ascii


class TransliterateFilter(Filter):
    """Each word in ASCII, lowercase, without the spaces put between syllables (习近平 -> xijinping)."""

    def __call__(self, tokens: Any) -> Any:
        for token in tokens:
            if not token.text.isascii():
                token.text = "".join(to_ascii(token.text).lower().split())
            yield token


def transliterating(analyzer: Any) -> Any:
    """``analyzer`` (a Whoosh analyzer) with transliteration right after its lowercase filter."""
    items = list(analyzer.items) if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    where = next((i + 1 for i, item in enumerate(items) if isinstance(item, LowercaseFilter)), len(items))
    return CompositeAnalyzer(*items[:where], TransliterateFilter(), *items[where:])
