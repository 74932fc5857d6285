"""Snippets: the few hundred characters of an entry's text shown under a search hit or a mention.

Cut from the prose a reader would quote (no YAML front matter, no HTML comments, one line), with
the spans of the matched words for highlighting. Pure functions of text and a regex, but for the
last two, which read an entry's files through the store.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dossier.index.document import body_fields, flatten, unknown_fields
from dossier.index.rows import Mention

if TYPE_CHECKING:
    from dossier.index.rows import Row
    from dossier.index.state_table import Record
    from dossier.store import Location, Store

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?^(?:---|\.\.\.)[ \t]*$", re.DOTALL | re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_HEADING_MARK = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
_SPACES = re.compile(r"\s+")


def prose(text: str) -> str:
    """Text as a reader would quote it: no YAML front matter, no HTML comments, one line.

    Snippets are cut from this; the index still holds the whole file, so a word found
    only in the front matter still finds the entry.
    """
    text = _FRONT_MATTER.sub("", text, count=1)
    text = _HEADING_MARK.sub("", _COMMENT.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def text_snippet(
    text: str, pattern: re.Pattern[str] | None, limit: int = 200_000
) -> tuple[str, tuple[tuple[int, int], ...]] | None:
    """A snippet of a text file around the first match outside front matter and comments.

    None when ``pattern`` matches nowhere in the prose, or there is no prose. This runs for
    every hit of every keystroke's search: only the few hundred characters around the match
    are cleaned (``prose``), not the whole file.
    """
    text = text[:limit]
    front = _FRONT_MATTER.match(text)
    start = front.end() if front else 0
    comments = [m.span() for m in _COMMENT.finditer(text, start)] if "<!--" in text else []
    first = None
    if pattern is not None:
        first = next((m.start() for m in pattern.finditer(text, start)
                      if not any(s <= m.start() < e for s, e in comments)), None)
        if first is None:
            return None
    cut = start if first is None else max(start, first - 300)
    skipped = cut > start  # text before the snippet: it starts with "…"
    cut = next((e for s, e in comments if s <= cut < e), cut)  # never from inside a comment
    piece = prose(text[cut:cut + 1200])
    if not piece:
        return None
    snippet, spans = window(piece, [(m.start(), m.end()) for m in pattern.finditer(piece)] if pattern else [])
    if skipped and not snippet.startswith("…"):
        snippet, spans = "…" + snippet, tuple((s + 1, e + 1) for s, e in spans)
    return snippet, spans


def window(text: str, spans: list[tuple[int, int]], width: int = 200) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About ``width`` characters of ``text`` around the first span, on one line."""
    start = 0
    if spans:
        start = max(0, spans[0][0] - width // 3)
        space = text.rfind(" ", 0, start)
        if space != -1 and start - space < 20:
            start = space + 1
    end = min(len(text), start + width)
    piece = text[start:end]
    # One line, same length: spans keep their offsets.
    piece = re.sub(r"\s", " ", piece)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return prefix + piece + suffix, inside


def first_match(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> tuple[str, str] | None:
    """(name, snippet) for the first name found in the text."""
    for name, pattern in patterns:
        match = pattern.search(text)
        if match:
            return name, window(text, [(match.start(), match.end())])[0]
    return None


def name_pattern(name: str) -> re.Pattern[str]:
    """A name as whole words, case-insensitive, with up to three other characters between them (Mark-Milley)."""
    words = [re.escape(w) for w in re.findall(r"\w+", name)]
    return re.compile(r"\b" + r"\W{1,3}".join(words) + r"\b", re.IGNORECASE)


def find_mention(
    store: Store, location: Location, row: Row, patterns: list[tuple[str, re.Pattern[str]]]
) -> Mention | None:
    """The first text of the entry where a name occurs as whole words (the kind file last)."""
    for stamp in location.texts:
        text_file = store.read_text_file(stamp.path, row.id)
        if text_file.text is None:
            continue
        found = first_match(text_file.text, patterns)
        if found is not None:
            return Mention(row, stamp.path, *found)
    data, _, _ = store.read_kind_file(location)
    for text in body_fields(data or {}) + list(flatten(unknown_fields(row.kind, data or {}))):
        found = first_match(text, patterns)
        if found is not None:
            return Mention(row, location.main_file, *found)
    return None


def hit_snippet(
    store: Store, record: Record, row: Row, pattern: re.Pattern[str] | None, preview: str
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of the entry's text around the first matched word, with the matches' spans.

    Text files first, then the kind file's prose (``preview``, stored in the Whoosh document,
    so no TOML is parsed here).
    """
    unmatched = None  # the first text file with prose, for when no text has the words
    for path, *_stamp in record.fingerprint[1:]:
        text = store.read_text_file(path, row.id).text
        if not text:
            continue
        found = text_snippet(text, pattern)
        if found is not None:
            return found
        if unmatched is None and pattern is not None:
            unmatched = text_snippet(text, None)
    if preview:
        spans = [(m.start(), m.end()) for m in pattern.finditer(preview)] if pattern else []
        if spans or unmatched is None:
            return window(preview, spans)
    if unmatched is not None:
        return unmatched
    return window(" · ".join(n for n in record.names[1:] if n), [])
