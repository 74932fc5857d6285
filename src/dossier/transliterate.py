"""Names in any script as ASCII, for ids, match keys and search: one place, one library.

Ids are ASCII (they are folder names that must read and sort the same on every
machine), but names are not: dropping what does not fit turned "Владимир
Путин" and 习近平 into nothing and "Ørsted" into "rsted". :func:`to_ascii`
transliterates instead, with ``anyascii`` (ISC licence, no dependencies, a
fixed table per character covering every script Unicode has, so the same
name always gives the same id, whatever machine or locale).

Scripts written without spaces between words (Chinese, Japanese kana, Korean)
come out of anyascii as run-together syllables ("XiJinPing"); each of their
characters is a syllable, so they are kept apart ("Xi Jin Ping"), which gives
``xi-jin-ping`` as an id.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# CJK ideographs (with extensions and compatibility forms), kana, Hangul syllables and jamo.
_SYLLABIC = re.compile(
    "([\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f])"
)


def to_ascii(text: str) -> str:
    """``text`` transliterated to ASCII ("Straße" -> "Strasse", 习近平 -> "Xi Jin Ping")."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    if _SYLLABIC.search(text) is None:
        return anyascii(text)
    # Only the spaces put around syllables are collapsed; ids and keys do not keep spacing anyway.
    return re.sub(r" {2,}", " ", anyascii(_SYLLABIC.sub(r" \1 ", text))).strip()


def has_letters(text: str) -> bool:
    """True when ``text`` has a letter or digit in any script (something an id can be made from)."""
    return any(ch.isalnum() for ch in text)
