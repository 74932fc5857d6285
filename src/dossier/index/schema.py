"""The Whoosh schema: which fields an entry's document has, how they are analysed and weighed.

Also the field aliases the query language accepts (``name:`` for ``title:``) and the name keys
that put an entry whose name is exactly the query first.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from typing import Any

FIELD_ALIASES = {
    "actors": "actor",
    "tags": "tag",
    "sources": "source",
    "links": "link",
    "name": "title",
    "aliases": "alias",
    "text": "content",
    "body": "content",
}


@functools.cache
def current_schema() -> Any:
    """The schema this version of the program indexes with, built once: what queries are parsed
    against. (An index of another schema is rebuilt on open, so the two always agree; reading the
    schema from the index instead re-reads its table of contents on every query.)"""
    return build_schema()


def build_schema() -> Any:
    """The Whoosh schema: names weigh more than the body; ids and vocabularies are exact."""
    from whoosh import fields

    from dossier.search_text import text_analyzer

    names = text_analyzer()  # one analysis for every text field (see search_text)
    keywords: dict[str, Any] = dict(lowercase=True, commas=True, scorable=False)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(),
        type=fields.ID(),
        status=fields.ID(),
        title=fields.TEXT(analyzer=names, field_boost=3.0),
        alias=fields.TEXT(analyzer=names, field_boost=2.5),
        date=fields.DATETIME(),
        importance=fields.NUMERIC(int, bits=32, signed=True),
        tag=fields.KEYWORD(**keywords),
        actor=fields.KEYWORD(**keywords),
        source=fields.KEYWORD(**keywords),
        related=fields.KEYWORD(**keywords),
        link=fields.KEYWORD(**keywords),
        org=fields.KEYWORD(**keywords),
        ref=fields.KEYWORD(**keywords),
        outlet=fields.TEXT(analyzer=names),
        author=fields.TEXT(analyzer=names),
        location=fields.TEXT(analyzer=names),
        content=fields.TEXT(analyzer=names),
        preview=fields.STORED(),
        # Whole names, lowercased ("jeffrey epstein"), and a person's surname: a query that is
        # exactly a name puts that entry first (see ``NAME_MATCH_SCORE``). Not searchable by users.
        namekey=fields.KEYWORD(lowercase=True, commas=True, scorable=False),
    )


#: Fields a bare word searches, with their weights (the schema's field boosts add to these).
DEFAULT_FIELDS = ("title", "alias", "content")
FIELD_WEIGHTS = {"title": 2.0, "alias": 1.5}
TEXT_FIELDS = ("title", "alias", "content", "outlet", "author", "location")


#: Added to the score of an entry whose name or alias is exactly the query ("jeffrey epstein", or a
#: person's surname "epstein"): without it, long sources that repeat the name outrank the person.
NAME_MATCH_SCORE = 1000.0
_WORDS = re.compile(r"\w+")


def name_key(text: str) -> str:
    """A name (or a query) as its lowercased words joined by spaces: what ``namekey`` holds."""
    return " ".join(_WORDS.findall(text.lower()))


def name_keys(names: Iterable[str], surname: bool = False) -> list[str]:
    """Each name as its lowercased words joined by spaces; a person's last word too."""
    keys: set[str] = set()
    for name in names:
        words = _WORDS.findall(name.lower()) if isinstance(name, str) else []
        if words:
            keys.add(" ".join(words))
            if surname and len(words) > 1 and len(words[-1]) > 2:
                keys.add(words[-1])
    return sorted(keys)


def schema_signature() -> str:
    """A short hash of the fields and their boosts: an index built with another schema is rebuilt."""
    schema = build_schema()
    parts = [
        f"{name}:{type(schema[name]).__name__}:{getattr(schema[name], 'field_boost', 1)}" for name in schema.names()
    ]
    return hashlib.sha1(";".join(parts).encode()).hexdigest()[:12]
