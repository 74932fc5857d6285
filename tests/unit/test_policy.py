"""The confirmation policy: each status rule, the fields it wants backed, and [policy] in dossier.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dossier import policy
from dossier.model import Kind
from dossier.policy import DEFAULT, EntryFile, StatusRule, parse, review, status_shortfall

SOURCES: dict[str, dict[str, Any]] = {
    "cnn-a": {"title": "CNN A", "outlet": "CNN", "reliability": "B", "credibility": 2},
    "cnn-b": {"title": "CNN B", "outlet": "CNN", "reliability": "A", "credibility": 1},
    "npr": {"title": "NPR", "outlet": "NPR", "reliability": "B", "credibility": 3},
    "blog": {"title": "Blog", "reliability": "D", "credibility": 3},
    "ungraded": {"title": "No grade", "outlet": "Somewhere"},
}


def event(status: str, sources: list[str], accounts: list[dict[str, str]] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"title": "E", "date": "2020", "status": status, "sources": sources}
    if accounts:
        data["accounts"] = accounts
    return data


def short(data: dict[str, Any], rules: policy.Policy = DEFAULT) -> policy.Shortfall | None:
    return status_shortfall(rules, "e", data, SOURCES)


def test_confirmed_needs_two_independent_sources_graded_b_or_better() -> None:
    assert short(event("confirmed", ["cnn-a", "npr"])) is None
    lacking = short(event("confirmed", ["cnn-a", "blog", "ungraded"]))
    assert lacking is not None
    assert lacking.needs == "2 independent sources graded B or better"
    assert lacking.has == "1 that qualifies (cnn-a)"


def test_two_pieces_from_one_outlet_are_not_independent() -> None:
    assert short(event("confirmed", ["cnn-a", "cnn-b"])) is not None
    assert short(event("confirmed", ["cnn-a", "cnn-b", "npr"])) is None


def test_a_source_that_does_not_exist_does_not_count() -> None:
    assert short(event("confirmed", ["cnn-a", "no-such-source"])) is not None
    assert short(event("reported", ["no-such-source"])) is not None


def test_reported_needs_one_source_of_any_grade() -> None:
    assert short(event("reported", ["blog"])) is None
    lacking = short(event("reported", []))
    assert lacking is not None and lacking.has == "0"


def test_disputed_needs_accounts_from_two_sides_each_citing_a_source() -> None:
    one_side = [{"by": "meadows", "claim": "He urged it.", "source": "blog"},
                {"by": "meadows", "claim": "Twice.", "source": "cnn-a"}]
    assert short(event("disputed", [], one_side)) is not None
    unsourced = one_side + [{"by": "milley", "claim": "Never."}]
    assert short(event("disputed", [], unsourced)).has == "accounts from 1 side"
    both = one_side + [{"by": "milley", "claim": "Never.", "source": "npr"}]
    assert short(event("disputed", [], both)) is None


def test_debunked_needs_a_good_source() -> None:
    assert short(event("debunked", ["blog"])) is not None
    assert short(event("debunked", ["npr"])) is None


def test_an_event_without_a_status_or_with_an_unknown_one_is_not_judged() -> None:
    assert short({"title": "E", "date": "2020"}) is None
    assert short(event("rumoured", [])) is None


def test_a_credibility_threshold_counts_too() -> None:
    strict = policy.Policy({"confirmed": StatusRule(sources=2, reliability="B", credibility=2)}, DEFAULT.fields)
    assert short(event("confirmed", ["cnn-a", "npr"]), strict) is not None  # NPR's information is graded 3
    assert short(event("confirmed", ["cnn-b", "npr"]), DEFAULT) is None


def test_fields_the_policy_wants_need_provenance_or_their_links_sources() -> None:
    actor = {
        "name": "A", "born": "1958", "died": "2020",
        "roles": [{"title": "Chief", "from": "2015", "to": "2019"}, {"title": "Other"}],
        "links": [{"to": "b", "since": "2020", "sources": ["npr"]}, {"to": "c", "since": "2021"}],
        "provenance": {"born": ["npr"], "roles": {"note": "public record"}, "roles.1.to": ["cnn-a"]},
    }
    assert policy.wanted_fields(DEFAULT, Kind.ACTOR, actor) == [
        "born", "died", "roles.1.from", "roles.1.to", "links.1.since", "links.2.since"]
    assert policy.lacking(DEFAULT, Kind.ACTOR, actor) == ["died", "links.2.since"]


def test_review_counts_fields_and_lists_events_above_their_status() -> None:
    entries = [
        EntryFile("cnn-a", Kind.SOURCE, "sources/cnn-a/source.toml", SOURCES["cnn-a"]),
        EntryFile("blog", Kind.SOURCE, "sources/blog/source.toml", SOURCES["blog"]),
        EntryFile("e", Kind.EVENT, "events/e/event.toml",
                  {**event("confirmed", ["cnn-a", "blog"]), "location": "Here",
                   "provenance": {"date": ["cnn-a"], "title": {"note": "ours"}, "gone": ["cnn-a"]}},
                  'title = "E"\ndate = "2020"\nlocation = "Here"\nstatus = "confirmed"\n'),
    ]
    result = review(DEFAULT, entries)
    events = result.counts[Kind.EVENT]
    assert (events.entries, events.with_provenance, events.sourced, events.outside) == (1, 2, 1, 1)
    assert (events.wanted, events.lacking) == (2, 1)
    assert [s.entry_id for s in result.above_status] == ["e"]
    found = {(p.line, p.code) for p in result.problems}
    assert found == {(3, "policy-field"), (4, "policy-status")}
    assert all(p.severity.value == "warning" for p in result.problems)


def test_the_policy_in_dossier_toml_replaces_the_default_for_what_it_names() -> None:
    text = '[policy.confirmed]\nsources = 3\nreliability = "A"\n\n[policy.fields]\nevent = ["date"]\n'
    import tomllib

    rules, problems = parse(tomllib.loads(text)["policy"], "dossier.toml", text)
    assert problems == []
    assert rules.statuses["confirmed"] == StatusRule(sources=3, reliability="A")
    assert rules.statuses["disputed"] == DEFAULT.statuses["disputed"]
    assert rules.fields[Kind.EVENT] == ("date",) and rules.fields[Kind.ACTOR] == DEFAULT.fields[Kind.ACTOR]


@pytest.mark.parametrize(
    ("text", "line", "phrase"),
    [
        ('[policy.confirmed]\nsources = "two"\n', 2, "sources must be a whole number"),
        ('[policy.confirmed]\nreliability = "Z"\n', 2, "reliability must be one of A, B"),
        ('[policy.confirmed]\nsource = 2\n', 2, "has 'source': known keys are"),
        ('[policy]\nconfirmd = { sources = 2 }\n', 2, "has 'confirmd': give a status"),
        ('[policy.fields]\nperson = ["born"]\n', 2, "has 'person': give actor, event or source"),
        ('[policy.fields]\nevent = "date"\n', 2, "must be a list of field names"),
    ],
)
def test_a_bad_policy_is_named_with_its_line_and_the_default_kept(text: str, line: int, phrase: str) -> None:
    import tomllib

    rules, problems = parse(tomllib.loads(text)["policy"], "dossier.toml", text)
    assert [(p.path, p.line) for p in problems] == [("dossier.toml", line)]
    assert phrase in problems[0].message
    assert rules.statuses["confirmed"] == DEFAULT.statuses["confirmed"]


def test_load_reads_the_trees_dossier_toml(tmp_path: Path) -> None:
    from dossier.store import Store

    assert policy.load(Store(tmp_path)) == (DEFAULT, [])
    (tmp_path / "dossier.toml").write_text('title = "T"\n[policy.reported]\nsources = 2\n')
    rules, problems = policy.load(Store(tmp_path))
    assert problems == [] and rules.statuses["reported"].sources == 2
