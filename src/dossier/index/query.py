"""The query language: Whoosh's syntax with field aliases, fuzzy terms, ``>=`` ranges and limits.

Pure functions of a schema and the user's text: :func:`parse_query` turns a query into a Whoosh
query or a :class:`QueryError` a person can act on; :func:`query_pattern` turns a parsed query
into a regex for highlighting what it matched in a snippet.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Iterator
from typing import Any

from dossier.index.schema import DEFAULT_FIELDS, FIELD_ALIASES, FIELD_WEIGHTS, TEXT_FIELDS
from dossier.transliterate import to_ascii


class QueryError(ValueError):
    """A query that does not parse: .message for the user, .position (int | None) in the query."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


_PARSERS: dict[int, Any] = {}  # parsers are stateless once built; building one costs milliseconds


def parse_query(schema: Any, text: str) -> Any:
    """Parse a user's query; QueryError with a message for what is wrong."""
    from whoosh import query
    from whoosh.qparser import syntax

    stripped = text.strip()
    if not stripped:
        raise QueryError("the query is empty")
    check_query_cost(stripped)
    if stripped.count('"') % 2:
        raise QueryError("a phrase is not closed: add the missing '\"'", text.rfind('"'))
    depth = 0
    for position, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise QueryError("a ')' has no matching '('", position)
    if depth > 0:
        raise QueryError("a '(' is not closed", text.find("("))
    for match in re.finditer(r"(?<![\w\\])([A-Za-z_]+):(?=\S)", text):
        name = match.group(1)
        if name.lower() in ("http", "https", "mailto"):
            continue
        if name not in schema.names() and name.lower() not in FIELD_ALIASES:
            fields = ", ".join(sorted(set(schema.names()) - {"ref", "namekey", "preview"}) + ["ref"])
            raise QueryError(f"unknown field {name!r}: fields are {fields}", match.start())
    text = re.sub(
        r"(?<![\w\\])([A-Za-z_]+):",
        lambda m: (FIELD_ALIASES.get(m.group(1).lower(), m.group(1).lower()) + ":")
        if m.group(1).lower() not in ("http", "https", "mailto")
        else m.group(0),
        text,
    )
    parser = _PARSERS.get(id(schema))
    if parser is None:
        parser = _make_parser(schema)
        _PARSERS[id(schema)] = parser
    try:
        tree = parser.process(text)
    except Exception as exc:
        raise QueryError(f"the query cannot be read: {exc}") from None
    for node in _walk_nodes(tree):
        if isinstance(node, syntax.ErrorNode):
            raise QueryError(f"the query cannot be read: {node.message}")
    try:
        # What parser.parse() does, without processing the text a second time.
        parsed = tree.query(parser) or query.NullQuery
        parsed = parsed.normalize()
    except Exception as exc:
        raise QueryError(f"the query cannot be read: {exc}") from None
    null = type(query.NullQuery)
    if isinstance(parsed, null) and ":" not in text:
        from dossier.search_text import STOPWORDS

        if any(word.lower() in STOPWORDS for word in re.findall(r"\w+", text)):
            raise QueryError("the query has only common words (the, of, and ...), which are not indexed: "
                             "add a word that says what you look for")
        raise QueryError("the query has nothing to search for")
    for sub in _walk_queries(parsed):
        kind = type(sub).__name__
        if kind == "FuzzyTerm" and sub.maxdist > MAX_FUZZY_EDITS:
            raise QueryError(f"a fuzzy term allows at most {MAX_FUZZY_EDITS} edits (milley~2)")
        if kind in ("Prefix", "Wildcard", "Every") and (
            len(re.sub(r"[*?]", "", getattr(sub, "text", "") or "")) < MIN_EXPANDED_LETTERS
        ):
            raise QueryError(f"a wildcard needs at least {MIN_EXPANDED_LETTERS} letters besides * and ? "
                             "(secur*, *ley); to list entries, use kind:actor, type:person or a tag")
        if isinstance(sub, null):
            raise QueryError(
                "part of the query cannot be read: dates are written 2020, 2020-06 or 2020-06-15 "
                "(ranges date:[2020 TO 2021]), importance is a number (importance:>=8)"
            )
    return parsed


#: Limits on a query's size, checked before Whoosh reads it: its query tagger is quadratic in the
#: query's length (a 100 KB token took 55 s, a 2,000-word phrase 35 s, 300 fuzzy terms 13.6 s and
#: 100 leading wildcards 6 s at 15,000 entries). A pasted paragraph stays well inside them.
MAX_QUERY_CHARS = 2_000
MAX_QUERY_WORDS = 100
MAX_WORD_CHARS = 200
MAX_FUZZY_TERMS = 20
MAX_WILDCARD_TERMS = 20
_FUZZY = re.compile(r"\S~[0-9]?(?:/[0-9]+)?(?=\s|\)|$)")
_WILDCARD = re.compile(r"\S*[*?]\S*")


def check_query_cost(text: str) -> None:
    """QueryError when ``text`` is too big to search in well under a second; says what is too big."""
    words = text.split()
    longest = max(words, key=len)
    if len(longest) > MAX_WORD_CHARS:
        raise QueryError(f"a word of the query is too long ({len(longest):,} characters; at most "
                         f"{MAX_WORD_CHARS}): search for part of it", text.find(longest[:50]))
    fuzzy = len(_FUZZY.findall(text))
    if fuzzy > MAX_FUZZY_TERMS:
        raise QueryError(f"the query has {fuzzy} fuzzy terms (word~); at most {MAX_FUZZY_TERMS}")
    wildcards = len(_WILDCARD.findall(text))
    if wildcards > MAX_WILDCARD_TERMS:
        raise QueryError(f"the query has {wildcards} wildcard terms (* or ?); at most {MAX_WILDCARD_TERMS}")
    if len(words) > MAX_QUERY_WORDS:
        raise QueryError(f"the query has {len(words):,} words; at most {MAX_QUERY_WORDS}: "
                         "search for the few words that matter")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,})")


#: A query of words only (no fields, operators, wildcards): the kind that may be someone's name.
PLAIN_WORDS = re.compile(r"(?!.*\b(?:AND|OR|NOT|TO)\b)[\w\s.'\"-]+")
#: Limits that keep one query from taking seconds on a large tree (``a~9`` took 10 s, ``e*`` 6 s).
MAX_FUZZY_EDITS = 2
MIN_EXPANDED_LETTERS = 2

#: Characters a fuzzy term (``milley~``) must share with the words it matches, unless the query says
#: (``milley~2/3``). A prefix of 1 cut ``milly~`` from 0.3 s to tens of ms at 20,000 entries: only the
#: words starting with "m" are compared, and misspellings rarely touch the first letter.
FUZZY_PREFIX = 1
#: Fields an unfielded leading wildcard (``*ley``) searches: expanding one means reading the whole
#: lexicon of the field, which for the body took 0.2-0.5 s at 20,000 entries; ``content:*ley`` still can.
NAME_FIELDS = ("title", "alias")


def _make_parser(schema: Any) -> Any:
    """The query parser: Whoosh's default syntax, fuzzy terms, ``>=`` ranges, several default fields."""
    from whoosh import qparser
    from whoosh.qparser import syntax

    class FuzzyPlugin(qparser.FuzzyTermPlugin):
        # Whoosh's syntax (term~, term~2, term~2/3), where the prefix may also be 0 (term~1/0).
        expr = re.compile(r"(?<=\S)~(?P<maxdist>[0-9])?(/(?P<prefix>[0-9]+))?")

        class FuzzyTermNode(qparser.FuzzyTermPlugin.FuzzyTermNode):
            def query(self, parser: Any) -> Any:
                # The word as typed (lowercased, in ASCII) as well as its stem: "milly~" must reach
                # "milley", which the stemmer would first have made "milli", two edits away.
                from whoosh import query as q

                stemmed = super().query(parser)
                plain = "".join(to_ascii(self.text).lower().split())
                if not isinstance(stemmed, q.FuzzyTerm) or not plain or plain == stemmed.text:
                    return stemmed
                typed = q.FuzzyTerm(stemmed.fieldname, plain, boost=stemmed.boost, maxdist=self.maxdist,
                                    prefixlength=self.prefixlength)
                return q.Or([typed, stemmed])

        def create(self, parser: Any, match: Any) -> Any:
            node = super().create(parser, match)
            prefix = match.group("prefix")
            node.prefixlength = FUZZY_PREFIX if prefix is None else int(prefix)
            return node

    class MultifieldPlugin(qparser.MultifieldPlugin):
        def do_multifield(self, parser: Any, group: Any) -> Any:
            for i, node in enumerate(group):
                if isinstance(node, syntax.GroupNode):
                    group[i] = self.do_multifield(parser, node)
                elif node.has_fieldname and node.fieldname is None:
                    names = self.fieldnames
                    text = getattr(node, "text", None)
                    if type(node).__name__ == "WildcardNode" and isinstance(text, str) and text[:1] in ("*", "?"):
                        names = NAME_FIELDS
                    copies = []
                    for name in names:
                        copied = copy.copy(node)
                        copied.set_fieldname(name)
                        copied.set_boost(self.boosts.get(name, 1.0))
                        copies.append(copied)
                    group[i] = self.group(copies)
            return group

    parser = qparser.QueryParser(None, schema)
    parser.add_plugin(MultifieldPlugin(list(DEFAULT_FIELDS), fieldboosts=FIELD_WEIGHTS))
    parser.add_plugin(FuzzyPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    return parser


def _walk_nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "nodes", None) or []:
        yield from _walk_nodes(child)


def _walk_queries(query: Any) -> Iterator[Any]:
    yield query
    with contextlib.suppress(Exception):
        for child in query.children():
            yield from _walk_queries(child)


def query_pattern(query: Any) -> re.Pattern[str] | None:
    """A regex for what the query matched in text fields, to highlight it in a snippet.

    Prefix, wildcard and fuzzy terms become regexes (expanding them over the
    lexicon costs as much as the search). Stemmed words match the words they
    came from (``retali`` -> retaliation).
    """
    found: dict[str, None] = {}  # ordered, without duplicates (the same word in several fields)
    alternatives: list[str] = []
    for leaf in _leaves(query):
        field = getattr(leaf, "fieldname", None)
        if field not in TEXT_FIELDS:
            continue
        kind = type(leaf).__name__
        text = getattr(leaf, "text", None)
        if kind == "Prefix" and isinstance(text, str):
            alternatives.append(r"\b" + re.escape(text) + r"\w*")
        elif kind == "Wildcard" and isinstance(text, str):
            glob = "".join(r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c) for c in text)
            alternatives.append(r"\b" + glob + r"\b")
        elif kind == "FuzzyTerm" and isinstance(text, str):
            maxdist, prefixlength = getattr(leaf, "maxdist", 1), getattr(leaf, "prefixlength", 0)
            alternatives.extend(fuzzy_alternatives(text, maxdist, prefixlength))
        elif hasattr(leaf, "words"):
            alternatives.extend(r"\b" + re.escape(str(w)) + r"\w*" for w in leaf.words)
        elif isinstance(text, str):
            alternatives.append(r"\b" + re.escape(text) + r"\w*")
        found.update(dict.fromkeys(alternatives))
        alternatives = []
        if len(found) >= 200:
            break
    alternatives = sorted(found, key=len, reverse=True)
    if not alternatives:
        return None
    try:
        return re.compile("|".join(alternatives), re.IGNORECASE)
    except re.error:
        return None


def fuzzy_alternatives(text: str, maxdist: int, prefixlength: int) -> list[str]:
    """Regexes for the words a fuzzy term may have matched, without reading the lexicon.

    At distance 1, every one-edit variant of the word (a few dozen alternatives); further
    than that the variants explode, so only words starting with the term are highlighted.
    (Expanding the term over the index instead took as long as the search itself.)
    """
    plain = [r"\b" + re.escape(text) + r"\w*"]
    if maxdist != 1 or not 2 <= len(text) <= 30:
        return plain
    keep = min(max(prefixlength, 0), len(text))
    variants = []
    for i in range(keep, len(text) + 1):
        head, tail = re.escape(text[:i]), text[i:]
        variants.append(head + r"\w" + re.escape(tail))  # an insertion
        if tail:
            variants.append(head + re.escape(tail[1:]))  # a deletion
            variants.append(head + r"\w" + re.escape(tail[1:]))  # a substitution
        if len(tail) >= 2:
            variants.append(head + re.escape(tail[1] + tail[0] + tail[2:]))  # a transposition
    # A few more word characters: the body's words are stemmed (``milley`` is indexed as ``millei``).
    return plain + [r"\b" + v + r"\w{0,4}\b" for v in variants if v]


def _leaves(query: Any) -> Iterator[Any]:
    children = []
    with contextlib.suppress(Exception):
        children = list(query.children())
    if not children:
        yield query
        return
    if type(query).__name__ in ("AndNot", "Not"):
        children = children[:1] if type(query).__name__ == "AndNot" else []
    for child in children:
        yield from _leaves(child)
