"""The [provenance] table: read, its references checked, bad shapes named with file:line, edits that keep comments."""

from __future__ import annotations

import tomllib
from pathlib import Path

from dossier import provenance
from dossier.check import check_tree
from dossier.model import Kind, iter_references
from dossier.store import Store

CNN = "2025-01-28-cnn-report"
BOOK = "2021-12-07-book"

EVENT = f'''title = "Hegseth revokes Milley's security detail"
date = 2025-01-28
location = "Pentagon, Washington DC"
sources = ["{CNN}"]

[[accounts]]
by = "mark-milley"
claim = "It was retaliation."
source = "{CNN}"

# Which source backs which field.
[provenance]
date = ["{CNN}"]   # the story says "on Tuesday"
location = {{ sources = ["{CNN}"], note = "the Pentagon stands in Arlington" }}
"accounts.1.claim" = {{ note = "public record; no source in this dossier" }}
'''


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tree(tmp_path: Path, event: str = EVENT) -> Path:
    root = tmp_path / "tree"
    write(root, "events/2025-01-28-revoked/event.toml", event)
    write(root, f"sources/{CNN}/source.toml", 'title = "CNN report"\noutlet = "CNN"\nreliability = "B"\n')
    write(root, f"sources/{BOOK}/source.toml", 'title = "A book"\nreliability = "C"\n')
    write(root, "actors/mark-milley/profile.toml", 'name = "Mark Milley"\n')
    return root


def test_every_shape_is_read_with_its_sources_and_note() -> None:
    backings, issues = provenance.read(tomllib.loads(EVENT))
    assert issues == []
    assert backings["date"].sources == (CNN,) and backings["date"].note is None
    assert backings["location"].note == "the Pentagon stands in Arlington" and not backings["location"].outside
    claim = backings["accounts.1.claim"]
    assert claim.sources == () and claim.outside and claim.note.startswith("public record")


def test_the_nearest_key_above_a_field_backs_it() -> None:
    data = {"roles": [{"from": "2019"}, {"from": "2020"}],
            "provenance": {"roles": {"note": "public record"}, "roles.2.from": [CNN]}}
    backings, issues = provenance.read(data)
    assert issues == []
    assert provenance.backing_for(backings, "roles.1.from").note == "public record"
    assert provenance.backing_for(backings, "roles.2.from").sources == (CNN,)
    assert provenance.backing_for(backings, "born") is None


def test_provenance_sources_are_references_labelled_with_their_field() -> None:
    refs = [(r.field, r.target, r.label) for r in iter_references(Kind.EVENT, tomllib.loads(EVENT))]
    assert ("provenance", CNN, "date") in refs and ("provenance", CNN, "location") in refs


def test_the_sample_like_event_is_clean(tmp_path: Path) -> None:
    assert check_tree(Store(tree(tmp_path))).problems == []


def test_a_missing_source_is_named_with_its_line_and_a_suggestion(tmp_path: Path) -> None:
    root = tree(tmp_path, EVENT.replace(f'date = ["{CNN}"]', 'date = ["2025-01-28-cnn-reprot", "mark-milley"]'))
    problems = check_tree(Store(root)).problems
    found = {(p.path, p.line, p.code): p.message for p in problems}
    path = "events/2025-01-28-revoked/event.toml"
    assert "'2025-01-28-cnn-reprot', which no entry in the tree has (did you mean '2025-01-28-cnn-report'?)" in (
        found[(path, 13, "missing-reference")])
    # An actor is not a source: provenance names sources.
    assert "'mark-milley', which is an actor" in found[(path, 13, "wrong-kind")]


def test_unknown_shapes_are_reported_with_file_and_line(tmp_path: Path) -> None:
    event = EVENT.split("[provenance]")[0] + '''[provenance]
date = "2025-01-28-cnn-report"
location = { source = ["2025-01-28-cnn-report"] }
title = []
"roles..x" = ["2025-01-28-cnn-report"]
importance = { note = "" }
locaton = ["2025-01-28-cnn-report"]
'''
    problems = check_tree(Store(tree(tmp_path, event))).problems
    found = {(p.line, p.code): (p.message, p.severity.value) for p in problems}
    assert found[(13, "provenance-shape")][0].startswith("provenance of 'date' must be a list of source ids")
    assert "not text" in found[(13, "provenance-shape")][0]
    assert "'source': only 'sources' and 'note' are known" in found[(14, "provenance-shape")][0]
    assert "empty list" in found[(15, "provenance-shape")][0]
    assert "is not a field name" in found[(16, "provenance-key")][0]
    assert "names no source and has no note" in found[(17, "provenance-shape")][0]
    message, severity = found[(18, "provenance-field")]
    assert "'locaton', a field this entry does not have (did you mean 'location'?)" in message
    assert severity == "warning"
    assert all(p.path == "events/2025-01-28-revoked/event.toml" for p in problems)


def test_a_provenance_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    event = EVENT.split("# Which source")[0].replace('sources = [', 'provenance = "CNN"\nsources = [', 1)
    problems = check_tree(Store(tree(tmp_path, event))).problems
    assert [(p.line, p.code) for p in problems] == [(4, "type")]
    assert "'provenance' must be a table" in problems[0].message


def test_citing_a_field_keeps_comments_key_order_and_other_keys(tmp_path: Path) -> None:
    root = tree(tmp_path)
    store = Store(root)
    store.edit("2025-01-28-revoked", lambda doc: provenance.cite(doc, "title", [CNN, BOOK]))
    store.edit("2025-01-28-revoked", lambda doc: provenance.cite(doc, "sources", note="the analyst's choice"))
    text = (root / "events/2025-01-28-revoked/event.toml").read_text()
    assert text.startswith(EVENT)  # everything that was there is kept, comments included
    assert '# the story says "on Tuesday"' in text and "# Which source backs which field." in text
    backings, issues = provenance.read(tomllib.loads(text))
    assert issues == []
    assert list(backings) == ["date", "location", "accounts.1.claim", "title", "sources"]
    assert backings["title"].sources == (CNN, BOOK)
    assert backings["sources"].outside and backings["sources"].note == "the analyst's choice"
    assert check_tree(store).problems == []


def test_citing_creates_the_table_in_a_file_without_one(tmp_path: Path) -> None:
    root = tree(tmp_path)
    store = Store(root)
    store.edit("mark-milley", lambda doc: provenance.cite(doc, "name", [CNN]))
    text = (root / "actors/mark-milley/profile.toml").read_text()
    assert text.startswith('name = "Mark Milley"\n')
    assert tomllib.loads(text)["provenance"] == {"name": [CNN]}


def test_a_users_own_field_with_any_name_can_be_backed() -> None:
    data = {"birth place": "Winchester", "provenance": {"birth place": [CNN], "0.x": [CNN]}}
    backings, issues = provenance.read(data)
    assert list(backings) == ["birth place"]
    assert [(i.key, i.code) for i in issues] == [("0.x", "provenance-key")]
