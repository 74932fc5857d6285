"""The model: dates, ids, references and the validation messages people read."""

from __future__ import annotations

import datetime as dt

import pytest

from dossier.model import Kind, PartialDate, check_references, is_valid_id, iter_references, ordered, slugify, validate


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2025, 1, 28), "2025-01-28"),
        ("2020-06", "2020-06"),
        ("1980", "1980"),
        ("2020-6-1", "2020-06-01"),
        (dt.datetime(2025, 10, 18, 0, 46), "2025-10-18"),
    ],
)
def test_partial_dates_parse(value: object, expected: str) -> None:
    assert str(PartialDate.parse(value)) == expected


@pytest.mark.parametrize("value", ["yesterday", "2020-13", "2021-02-30", 2020, "", None, "20-01-01"])
def test_things_that_are_not_dates(value: object) -> None:
    assert PartialDate.parse(value) is None


def test_partial_dates_sort_before_full_dates_of_the_same_period() -> None:
    dates = [PartialDate.parse(v) for v in ["2020-06-01", "2020", "2019-12-31", "2020-06"]]
    assert [str(d) for d in sorted(dates, key=lambda d: d.sort_key)] == ["2019-12-31", "2020", "2020-06", "2020-06-01"]


def test_slugs_are_valid_ids() -> None:
    assert slugify("Hegseth revokes Milley's security detail") == "hegseth-revokes-milleys-security-detail"
    assert slugify("Benjamin Netanyahu (PM)") == "benjamin-netanyahu-pm"
    assert slugify("Café — \"quoted\" $5:") == "cafe-quoted-5"
    assert is_valid_id(slugify("!!!"))
    assert not is_valid_id("Mark-Milley") and not is_valid_id("-x") and not is_valid_id("a/b")


def test_references_are_found_in_every_field_in_order() -> None:
    event = {
        "actors": ["pete-hegseth", "mark-milley"],
        "sources": ["2025-01-28-cnn"],
        "related": ["2020-01-03-soleimani-strike"],
        "accounts": [{"by": "mark-meadows", "claim": "He urged an attack.", "source": "2021-12-07-book"}],
    }
    refs = [(r.field, r.target) for r in iter_references(Kind.EVENT, event)]
    assert refs == [
        ("actors", "pete-hegseth"),
        ("actors", "mark-milley"),
        ("sources", "2025-01-28-cnn"),
        ("related", "2020-01-03-soleimani-strike"),
        ("accounts.by", "mark-meadows"),
        ("accounts.source", "2021-12-07-book"),
    ]
    actor = {
        "roles": [{"title": "Chairman", "org": "joint-chiefs-of-staff"}, {"title": "Cadet", "org": "Princeton ROTC"}],
        "links": [{"to": "donald-trump", "rel": "public rift with", "sources": ["s1"]}],
    }
    refs = [(r.field, r.target, r.label) for r in iter_references(Kind.ACTOR, actor)]
    assert refs == [
        ("roles.org", "joint-chiefs-of-staff", "Chairman"),
        ("links.to", "donald-trump", "public rift with"),
        ("links.sources", "s1", None),
    ]


EVENT_TEXT = """\
title = "An event"
date = "yesterday"
importance = 11
status = "confirmd"
actors = ["mark-millie", "Not An Id"]

[[accounts]]
by = "mark-meadows"
"""


def test_validation_names_field_line_and_a_fix() -> None:
    import tomllib

    data = tomllib.loads(EVENT_TEXT)
    problems = validate("e", Kind.EVENT, data, "events/e/event.toml", EVENT_TEXT)
    found = {(p.line, p.code): p.message for p in problems}
    assert "not a date" in found[(2, "date")]
    assert "outside 1-10" in found[(3, "range")]
    assert "did you mean 'confirmed'" in found[(4, "vocabulary")]
    assert "'Not An Id'" in found[(5, "bad-reference")]
    assert "[[accounts]] #1: required field 'claim' is missing" in found[(7, "required")]
    assert all(p.path == "events/e/event.toml" for p in problems)


def test_missing_references_suggest_a_close_id() -> None:
    import tomllib

    data = tomllib.loads(EVENT_TEXT)
    problems = check_references("e", Kind.EVENT, data, "x", EVENT_TEXT, {"mark-milley": Kind.ACTOR})
    messages = [(p.line, p.message) for p in problems]
    expected = "'actors' refers to 'mark-millie', which no entry in the tree has (did you mean 'mark-milley'?)"
    assert (5, expected) in messages
    assert any(line == 8 and "'mark-meadows'" in message for line, message in messages)


def test_wrong_type_messages_say_what_was_found() -> None:
    problems = validate("a", Kind.ACTOR, {"name": 5, "aliases": "Milley"}, "p", "name = 5\naliases = \"Milley\"\n")
    messages = {p.line: p.message for p in problems}
    assert messages[1] == "'name' must be text in quotes, not a number (5)"
    assert "must be a list of text values" in messages[2]


def test_canonical_order_puts_tables_last_and_keeps_unknown_keys() -> None:
    data = {"links": [{"to": "x"}], "zodiac": "leo", "aliases": ["M"], "name": "M", "roles": [{"title": "t"}]}
    assert list(ordered(Kind.ACTOR, data)) == ["name", "aliases", "zodiac", "roles", "links"]
