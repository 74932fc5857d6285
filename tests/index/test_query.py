"""The query language and snippets as pure functions: no index is built, no file is read."""

from __future__ import annotations

import re

import pytest

from dossier.index.query import PLAIN_WORDS, QueryError, fuzzy_alternatives, parse_query, query_pattern
from dossier.index.schema import build_schema, name_key, name_keys
from dossier.index.snippets import name_pattern, prose, text_snippet, window

SCHEMA = build_schema()


def parse(text: str):
    return parse_query(SCHEMA, text)


def terms(query) -> set[tuple[str, str]]:
    return {(field, str(text)) for field, text in query.iter_all_terms()}


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("   ", "the query is empty", None),
        ('"security clearance', "a phrase is not closed", 0),
        ("milley)", "a ')' has no matching '('", 6),
        ("(milley OR", "a '(' is not closed", 0),
        ("colour:red", "unknown field 'colour'", 0),
        ("a~9", "a fuzzy term allows at most 2 edits", None),
        ("e*", "a wildcard needs at least 2 letters", None),
        ("date:yesterday", "dates are written 2020", None),
    ],
)
def test_a_query_that_cannot_run_says_why_and_where(text: str, message: str, position: int | None) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert message in caught.value.message
    assert caught.value.position == position


def test_an_unknown_field_lists_the_fields_a_user_may_use() -> None:
    with pytest.raises(QueryError) as caught:
        parse("colour:red")
    assert "tag" in caught.value.message and "ref" in caught.value.message
    assert "namekey" not in caught.value.message and "preview" not in caught.value.message


def test_field_aliases_are_the_plural_and_everyday_names() -> None:
    assert terms(parse("actors:mark-milley")) == {("actor", "mark-milley")}
    assert terms(parse("Tags:Retaliation")) == {("tag", "retaliation")}
    assert ("title", "milley") in terms(parse("name:milley"))


def test_a_url_is_not_read_as_a_field() -> None:
    assert parse("https://example.org")  # no "unknown field 'https'"


def test_a_bare_word_searches_names_and_text() -> None:
    fields = {field for field, _text in terms(parse("milley"))}
    assert fields == {"title", "alias", "content"}


def test_a_leading_wildcard_searches_names_only() -> None:
    assert "content" not in repr(parse("*ley"))
    assert "content" in repr(parse("content:*ley"))


def test_a_fuzzy_term_keeps_its_first_letter_unless_told() -> None:
    fuzzy = [q for q in parse("title:milley~").leaves() if type(q).__name__ == "FuzzyTerm"]
    assert [(q.maxdist, q.prefixlength) for q in fuzzy] == [(1, 1)]
    fuzzy = [q for q in parse("title:milley~2/0").leaves() if type(q).__name__ == "FuzzyTerm"]
    assert [(q.maxdist, q.prefixlength) for q in fuzzy] == [(2, 0)]


def test_plain_words_are_told_apart_from_operators() -> None:
    assert PLAIN_WORDS.fullmatch("jeffrey epstein")
    assert PLAIN_WORDS.fullmatch("O'Brien")
    assert not PLAIN_WORDS.fullmatch("milley AND trump")
    assert not PLAIN_WORDS.fullmatch("tag:x")
    assert not PLAIN_WORDS.fullmatch("hegs*")


def test_the_highlight_pattern_covers_stems_prefixes_and_wildcards() -> None:
    pattern = query_pattern(parse("retaliation"))
    assert pattern is not None and pattern.search("acts of Retaliation") is not None
    pattern = query_pattern(parse("hegs*"))
    assert pattern is not None and pattern.search("Pete Hegseth").group(0) == "Hegseth"
    pattern = query_pattern(parse("title:m?lley"))
    assert pattern is not None and pattern.search("Mark Milley").group(0) == "Milley"


def test_the_highlight_pattern_leaves_out_what_was_excluded_and_exact_fields() -> None:
    pattern = query_pattern(parse("milley NOT trump"))
    assert pattern is not None and not pattern.search("trump")
    assert query_pattern(parse("tag:retaliation")) is None


def test_a_fuzzy_term_highlights_its_one_edit_variants() -> None:
    pattern = re.compile("|".join(fuzzy_alternatives("hegsth", 1, 1)), re.IGNORECASE)
    assert pattern.search("Pete Hegseth").group(0) == "Hegseth"
    assert not pattern.search("Pete Xegsth")  # the first letter is kept
    # Further than one edit only words starting with the term are highlighted.
    assert fuzzy_alternatives("hegsth", 2, 1) == [r"\bhegsth\w*"]


def test_name_keys_are_lowercased_words_and_a_persons_surname() -> None:
    assert name_keys(["Jeffrey  Epstein", "J. Epstein"], surname=True) == ["epstein", "j epstein", "jeffrey epstein"]
    assert name_keys(["Epstein victims"]) == ["epstein victims"]
    assert name_key("Jeffrey   EPSTEIN") == "jeffrey epstein"


def test_prose_drops_front_matter_comments_and_heading_marks() -> None:
    text = "---\ntitle: x\n---\n<!-- lane 7 -->\n## What happened\n\nMilley   called.\n"
    assert prose(text) == "What happened Milley called."


def test_a_text_snippet_is_cut_around_the_first_match_outside_comments() -> None:
    text = "<!-- milley in a comment -->\n" + "filler words " * 100 + "General Milley called."
    snippet, spans = text_snippet(text, re.compile("milley", re.IGNORECASE))
    assert snippet.startswith("…") and "comment" not in snippet
    assert [snippet[s:e] for s, e in spans] == ["Milley"]
    assert text_snippet(text, re.compile("absent")) is None


def test_a_window_is_one_line_and_keeps_spans_on_their_words() -> None:
    text = "a\nb " * 200 + "target" + " c" * 200
    start = text.index("target")
    snippet, spans = window(text, [(start, start + 6)])
    assert "\n" not in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert [snippet[s:e] for s, e in spans] == ["target"]


def test_a_name_pattern_matches_whole_words_across_punctuation() -> None:
    pattern = name_pattern("Mark Milley")
    assert pattern.search("Gen. Mark  Milley said")
    assert pattern.search("mark-milley")
    assert not pattern.search("Mark Milleyson")
