"""The three-way merge by key: each rule, on the text a person would see after a merge."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.merge import conflict_keys, merge_files, merge_texts
from dossier.store import Store

TAGS = 'tags = ["retaliation", "security-detail"]'
EVENT = """\
title = "Hegseth revokes Milley's security detail"  # as CNN put it
date = 2025-01-28
importance = 9
# Confirmed by two outlets.
status = "confirmed"
actors = [
  "pete-hegseth",
  "mark-milley",
]
tags = ["retaliation", "security-detail"]
sources = ["2025-01-28-cnn"]
desk = "national"   # a user's own key

[[accounts]]
by = "mark-milley"
claim = "He was not told why."
source = "2025-01-28-cnn"
"""


def merged(base: str, ours: str, theirs: str) -> tuple[str, list[str]]:
    result = merge_texts(base, ours, theirs)
    return result.text, result.conflicts


def test_a_scalar_changed_on_one_side_takes_that_side_and_the_rest_is_byte_for_byte_ours() -> None:
    ours = EVENT.replace('status = "confirmed"', 'status = "disputed"')
    theirs = EVENT.replace("importance = 9", "importance = 7")
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == []
    assert text == EVENT.replace('status = "confirmed"', 'status = "disputed"').replace(
        "importance = 9", "importance = 7"
    )


def test_comments_and_key_order_survive_a_merge() -> None:
    ours = EVENT.replace('desk = "national"', 'desk = "foreign"')
    theirs = EVENT.replace(TAGS, 'tags = ["retaliation", "security-detail", "iran"]')
    text, _ = merged(EVENT, ours, theirs)
    assert "# Confirmed by two outlets." in text
    assert '# as CNN put it' in text
    assert "# a user's own key" in text
    keys = [line.split("=")[0].strip() for line in text.splitlines() if "=" in line and not line.startswith("#")]
    assert keys[:8] == ["title", "date", "importance", "status", "actors", "tags", "sources", "desk"]


def test_both_sides_adding_to_one_array_keep_both_additions_in_place() -> None:
    ours = EVENT.replace('  "mark-milley",\n', '  "mark-milley",\n  "donald-trump",\n')
    theirs = EVENT.replace('  "pete-hegseth",\n', '  "pete-hegseth",\n  "us-secret-service",\n')
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == []
    assert tomllib.loads(text)["actors"] == ["pete-hegseth", "us-secret-service", "mark-milley", "donald-trump"]
    assert 'actors = [\n  "pete-hegseth",\n  "us-secret-service",\n' in text  # one id a line, as written


def test_a_removal_on_one_side_is_honoured_while_the_other_adds() -> None:
    ours = EVENT.replace('tags = ["retaliation", "security-detail"]', 'tags = ["security-detail"]')
    theirs = EVENT.replace(TAGS, 'tags = ["retaliation", "security-detail", "x"]')
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == []
    assert tomllib.loads(text)["tags"] == ["security-detail", "x"]


def test_the_same_value_set_on_both_sides_is_not_a_conflict() -> None:
    both = EVENT.replace("importance = 9", "importance = 8")
    text, conflicts = merged(EVENT, both.replace('desk = "national"', 'desk = "x"'), both)
    assert conflicts == []
    assert tomllib.loads(text)["importance"] == 8


def test_a_scalar_changed_differently_on_both_sides_is_a_conflict_on_that_key_alone() -> None:
    ours = EVENT.replace("importance = 9", "importance = 8").replace('  "mark-milley",\n', '  "mark-milley",\n  "a",\n')
    theirs = EVENT.replace("importance = 9", "importance = 10").replace('sources = ["2025-01-28-cnn"]',
                                                                        'sources = ["2025-01-28-cnn", "b"]')
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == ["importance"]
    assert (
        "<<<<<<< ours (dossier key: importance)\nimportance = 8\n=======\nimportance = 10\n"
        ">>>>>>> theirs (dossier key: importance)\n" in text
    )
    # Everything else merged: the additions of both sides are there.
    assert '  "a",\n' in text and '"b"]' in text
    assert conflict_keys(text) == [(3, 7, ["importance"])]


def test_a_value_removed_on_one_side_and_changed_on_the_other_is_a_conflict() -> None:
    ours = EVENT.replace('desk = "national"   # a user\'s own key\n', "")
    theirs = EVENT.replace('desk = "national"', 'desk = "foreign"')
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == ["desk"]
    assert "=======\ndesk = \"foreign\"   # a user's own key\n>>>>>>> theirs" in text


def test_unknown_keys_and_tables_added_on_either_side_are_kept() -> None:
    ours = EVENT.replace('desk = "national"', 'desk = "national"\nreviewed_by = "ana"')
    theirs = EVENT + '\n[meta]\nlegal = "cleared"\n'
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == []
    data = tomllib.loads(text)
    assert data["reviewed_by"] == "ana"
    assert data["meta"] == {"legal": "cleared"}


def test_accounts_added_on_both_sides_are_both_kept() -> None:
    one = '\n[[accounts]]\nby = "pete-hegseth"\nclaim = "A review was due."\nsource = "2025-01-29-npr"\n'
    two = '\n[[accounts]]\nby = "jack-reed"\nclaim = "Retaliation."\nsource = "2025-01-the-hill"\n'
    text, conflicts = merged(EVENT, EVENT + one, EVENT + two)
    assert conflicts == []
    assert [a["by"] for a in tomllib.loads(text)["accounts"]] == ["mark-milley", "pete-hegseth", "jack-reed"]
    assert '"2025-01-29-npr"\n\n[[accounts]]\nby = "jack-reed"' in text


def test_tables_are_matched_by_identity_and_merged_field_by_field() -> None:
    base = (
        '[[links]]\nto = "donald-trump"\nrel = "public rift with"\n\n'
        '[[links]]\nto = "mark-esper"\nrel = "served with"\n'
    )
    ours = base.replace('rel = "public rift with"\n', 'rel = "public rift with"\nsince = "2020-06"\n')
    # Theirs reorders the two links and adds a source to the first: still the same links.
    theirs = (
        '[[links]]\nto = "mark-esper"\nrel = "served with"\n\n'
        '[[links]]\nto = "donald-trump"\nrel = "public rift with"\nsources = ["2025-01-28-cnn"]\n'
    )
    text, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    links = tomllib.loads(text)["links"]
    assert links == [
        {"to": "donald-trump", "rel": "public rift with", "since": "2020-06", "sources": ["2025-01-28-cnn"]},
        {"to": "mark-esper", "rel": "served with"},
    ]


def test_a_field_of_one_table_changed_on_both_sides_names_the_table_and_the_field() -> None:
    ours = EVENT.replace('claim = "He was not told why."', 'claim = "He was never told why."')
    theirs = EVENT.replace('claim = "He was not told why."', 'claim = "Nobody told him why."')
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == ["accounts[mark-milley, 2025-01-28-cnn].claim"]
    [(_, _, keys)] = conflict_keys(text)
    assert keys == ["accounts[mark-milley, 2025-01-28-cnn].claim"]
    assert 'by = "mark-milley"\n<<<<<<< ours' in text  # the table's other lines stay outside the markers


def test_a_table_removed_on_one_side_and_changed_on_the_other_is_kept_inside_markers() -> None:
    ours = EVENT.split("\n[[accounts]]")[0] + "\n"
    theirs = EVENT.replace('claim = "He was not told why."', 'claim = "He was never told why."')
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == ["accounts[mark-milley, 2025-01-28-cnn] (removed in ours, changed in theirs)"]
    assert "=======\n[[accounts]]\nby = \"mark-milley\"\nclaim = \"He was never told why.\"" in text


def test_a_table_removed_on_one_side_and_untouched_on_the_other_is_removed() -> None:
    ours = EVENT.split("\n[[accounts]]")[0] + "\n"
    theirs = EVENT.replace("importance = 9", "importance = 3")
    text, conflicts = merged(EVENT, ours, theirs)
    assert conflicts == []
    assert "accounts" not in tomllib.loads(text)
    assert tomllib.loads(text)["importance"] == 3


def test_windows_line_endings_are_kept() -> None:
    base = EVENT.replace("\n", "\r\n")
    ours = base.replace("importance = 9", "importance = 8")
    theirs = base.replace('tags = ["retaliation", "security-detail"]', 'tags = ["retaliation", "security-detail", "x"]')
    text, conflicts = merged(base, ours, theirs)
    assert conflicts == []
    assert "\n" not in text.replace("\r\n", "")
    assert tomllib.loads(text)["tags"][-1] == "x"


def test_a_side_that_is_not_toml_falls_back_to_git_line_merge(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    base.write_text(EVENT)
    ours.write_text(EVENT.replace("importance = 9", "importance = 8"))
    theirs.write_text(EVENT.replace('desk = "national"', 'desk = = "national'))
    result = merge_files(base, ours, theirs)
    assert result.method == "lines"
    assert result.clean  # git merges the two separate line changes
    assert ours.read_text() == EVENT.replace("importance = 9", "importance = 8").replace(
        'desk = "national"', 'desk = = "national')


def test_a_line_merge_conflict_names_the_keys_between_its_markers(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    base.write_text(EVENT)
    ours.write_text(EVENT.replace("importance = 9", "importance = 8 8"))  # not TOML: line merge
    theirs.write_text(EVENT.replace("importance = 9", "importance = 7"))
    result = merge_files(base, ours, theirs)
    assert result.method == "lines"
    assert result.conflicts == ["importance"]
    assert "<<<<<<< ours\nimportance = 8 8\n" in ours.read_text()


def test_check_names_the_key_of_a_conflict_written_by_the_driver(tmp_path: Path) -> None:
    ours = EVENT.replace("importance = 9", "importance = 8")
    theirs = EVENT.replace("importance = 9", "importance = 10")
    folder = tmp_path / "dossiers" / "events" / "2025-01-28-milley-detail"
    folder.mkdir(parents=True)
    (folder / "event.toml").write_text(merge_texts(EVENT, ours, theirs).text)
    entry = Store(tmp_path / "dossiers").load("2025-01-28-milley-detail")
    [problem] = [p for p in entry.problems if p.code == "merge-conflict"]
    assert problem.line == 3
    assert "key importance" in problem.message


# ----------------------------------------------------------------------------- properties

WORDS = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), unique=True, max_size=4)
SCALAR = st.one_of(st.integers(1, 10), st.sampled_from(["reported", "confirmed", "disputed"]))
ACCOUNT = st.fixed_dictionaries(
    {"by": st.sampled_from(["x", "y", "z"]), "source": st.sampled_from(["s1", "s2"])},
    optional={"claim": st.sampled_from(["c1", "c2"])},
)
DOC = st.fixed_dictionaries(
    {},
    optional={
        "importance": SCALAR,
        "status": SCALAR,
        "tags": WORDS,
        "actors": WORDS,
        "accounts": st.lists(ACCOUNT, max_size=3, unique_by=lambda a: (a["by"], a["source"])),
    },
).flatmap(lambda doc: st.booleans().map(lambda inline: {**doc, "inline": inline}))


def dump(doc: dict) -> str:
    """``[[accounts]]`` tables (tomlkit), or, when the doc says so, inline ones as tomli_w writes them."""
    import tomli_w
    import tomlkit

    doc = dict(doc)
    return tomli_w.dumps(doc) if doc.pop("inline", False) else tomlkit.dumps(doc)


def normal(text: str) -> dict:
    data = tomllib.loads(text)
    for key in ("tags", "actors"):
        if key in data:
            data[key] = sorted(data[key])
    if "accounts" in data:
        data["accounts"] = sorted(data["accounts"], key=lambda a: (a["by"], a["source"]))
    return data


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(DOC, DOC)
def test_merging_with_an_unchanged_side_or_with_itself_is_the_identity(base: dict, ours: dict) -> None:
    ours = {**ours, "inline": base["inline"]}  # one file keeps one way of writing tables
    b, o = dump(base), dump(ours)
    assert merge_texts(b, o, b).text == o
    assert merge_texts(b, b, o).text == o
    assert merge_texts(b, o, o).text == o


@PROPERTY
@given(DOC, DOC, DOC)
def test_merge_is_symmetric_up_to_conflict_markers(base: dict, ours: dict, theirs: dict) -> None:
    ours, theirs = ({**side, "inline": base["inline"]} for side in (ours, theirs))
    b, o, t = dump(base), dump(ours), dump(theirs)
    one, two = merge_texts(b, o, t), merge_texts(b, t, o)
    # The same keys conflict either way (which side removed a table is said in words after the key).
    assert sorted(c.split(" (")[0] for c in one.conflicts) == sorted(c.split(" (")[0] for c in two.conflicts)
    if one.clean:
        assert normal(one.text) == normal(two.text)
        merged = tomllib.loads(one.text)
        # Nothing a side added is lost.
        for side in (ours, theirs):
            for key in ("tags", "actors"):
                for word in set(side.get(key, [])) - set(base.get(key, [])):
                    assert word in merged.get(key, []), (key, word)
            added = {(a["by"], a["source"]) for a in side.get("accounts", [])} - {
                (a["by"], a["source"]) for a in base.get("accounts", [])}
            assert added <= {(a["by"], a["source"]) for a in merged.get("accounts", [])}


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_a_conflicted_file_names_every_key_in_conflict(side: str) -> None:
    ours = EVENT.replace("importance = 9", "importance = 1").replace('desk = "national"', 'desk = "a"')
    theirs = EVENT.replace("importance = 9", "importance = 2").replace('desk = "national"', 'desk = "b"')
    text = merge_texts(EVENT, ours, theirs).text if side == "ours" else merge_texts(EVENT, theirs, ours).text
    assert [keys for _, _, keys in conflict_keys(text)] == [["importance"], ["desk"]]


def test_conflicts_left_by_git_line_merge_are_named_by_array_key_and_table() -> None:
    text = (
        'title = "T"\nactors = [\n  "x",\n<<<<<<< HEAD\n  "y",\n=======\n  "z",\n>>>>>>> origin/main\n]\n\n'
        '[[links]]\nto = "q"\n<<<<<<< HEAD\nrel = "a"\n=======\nrel = "b"\n>>>>>>> origin/main\n'
        '<<<<<<< HEAD\n\n[[accounts]]\nby = "x"\nsource = "s"\n=======\n>>>>>>> origin/main\n'
    )
    assert conflict_keys(text) == [(4, 8, ["actors"]), (13, 17, ["links.rel"]), (18, 24, ["accounts"])]


INLINE = """\
name = "Mark Milley"
links = [
    { to = "donald-trump", rel = "public rift with" },
    { to = "mark-esper", rel = "served with" },
]
"""


def test_inline_tables_as_tomli_w_writes_them_merge_by_identity_one_per_line() -> None:
    esper = '    { to = "mark-esper", rel = "served with" },\n'
    ours = INLINE.replace(esper, esper + '    { to = "jack-reed", rel = "testified to" },\n')
    theirs = INLINE.replace('{ to = "donald-trump", rel = "public rift with" }',
                            '{ to = "donald-trump", rel = "public rift with", since = "2020-06" }')
    theirs = theirs.replace(']\n', '    { to = "john-bolton", rel = "worked with" },\n]\n')
    text, conflicts = merged(INLINE, ours, theirs)
    assert conflicts == []
    assert text == (
        'name = "Mark Milley"\nlinks = [\n'
        '    { to = "donald-trump", rel = "public rift with", since = "2020-06" },\n'
        '    { to = "mark-esper", rel = "served with" },\n'
        '    { to = "jack-reed", rel = "testified to" },\n'
        '    { to = "john-bolton", rel = "worked with" },\n]\n'
    )


def test_one_inline_table_changed_two_ways_is_a_conflict_on_the_array() -> None:
    ours = INLINE.replace('rel = "served with" }', 'rel = "served with", since = "2019" }')
    theirs = INLINE.replace('rel = "served with" }', 'rel = "served with", since = "2018" }')
    text, conflicts = merged(INLINE, ours, theirs)
    assert conflicts == ["links"]
    assert conflict_keys(text) == [(2, 12, ["links"])]
