"""The index on small temporary trees: building, reconciling, applying changes, queries, links."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.index import INDEX_FORMAT_VERSION, Index, QueryError
from dossier.index.state_table import STATE_FILE
from dossier.model import Kind
from dossier.store import Store
from tests.index.helpers import actor, bump_mtime, event, ids, source, write


def test_first_open_indexes_every_entry(index: Index) -> None:
    assert index.counts() == {Kind.ACTOR: 2, Kind.EVENT: 2, Kind.SOURCE: 1}
    row = index.row("2025-01-28-detail-revoked")
    assert row is not None
    assert (row.kind, row.date, row.importance, row.status, row.tags) == (
        Kind.EVENT, "2025-01-28", 9, "confirmed", ("retaliation",)
    )
    assert index.row("2025-01-28-cnn-report").outlet == "CNN"


def test_reconcile_with_nothing_changed_reports_nothing(index: Index) -> None:
    assert not index.reconcile()


def test_touched_file_with_same_content_is_not_reindexed(index: Index, tree: Path) -> None:
    bump_mtime(tree / "actors/mark-milley/notes.md")
    assert not index.reconcile()
    assert not index.reconcile()  # and the new mtime was recorded


def test_reconcile_sees_new_changed_deleted_and_moved_entries(index: Index, tree: Path) -> None:
    actor(tree, "jack-reed", "Jack Reed", summary="Senator.")
    write(tree / "actors/mark-milley/notes.md", "Now about Kabul airlift only.")
    shutil.rmtree(tree / "sources/2025-01-28-cnn-report")
    (tree / "archive").mkdir()
    os.rename(tree / "events/2020-06-01-lafayette-square", tree / "archive/2020-06-01-lafayette-square")
    changes = index.reconcile()
    assert changes.added == {"jack-reed"}
    assert changes.changed == {"mark-milley", "2020-06-01-lafayette-square"}
    assert changes.removed == {"2025-01-28-cnn-report"}
    assert ids(index.search("kabul")) == ["mark-milley"]
    assert index.search("airlift") and not index.search("1980")
    assert index.row("2020-06-01-lafayette-square").folder == "archive/2020-06-01-lafayette-square"
    assert index.row("2025-01-28-cnn-report") is None


def test_apply_handles_files_folders_and_moves(index: Index, tree: Path) -> None:
    source(tree, "2025-02-01-new-source", "Fresh reporting on Hegseth", "2025-02-01", text="zebra crossing")
    changes = index.apply(["sources/2025-02-01-new-source"])
    assert changes.added == {"2025-02-01-new-source"}
    assert ids(index.search("zebra")) == ["2025-02-01-new-source"]

    write(tree / "sources/2025-02-01-new-source/text.md", "giraffe")
    changes = index.apply(["sources/2025-02-01-new-source/text.md"])
    assert changes.changed == {"2025-02-01-new-source"}
    assert not index.search("zebra") and index.search("giraffe")

    (tree / "old").mkdir()
    os.rename(tree / "sources", tree / "old/sources")
    changes = index.apply(["sources", "old/sources"])
    assert changes.changed == {"2025-02-01-new-source", "2025-01-28-cnn-report"}
    assert index.row("2025-01-28-cnn-report").folder == "old/sources/2025-01-28-cnn-report"

    shutil.rmtree(tree / "old")
    changes = index.apply(["old"])
    assert changes.removed == {"2025-02-01-new-source", "2025-01-28-cnn-report"}
    assert not index.search("giraffe")


def test_apply_ignores_hidden_and_unrelated_files(index: Index, tree: Path) -> None:
    write(tree / "actors/mark-milley/.notes.md.swp", "junk")
    write(tree / "actors/mark-milley/photo.jpg", "junk")
    assert not index.apply([".git/index", "actors/mark-milley/.notes.md.swp", "actors/mark-milley/photo.jpg"])


def test_a_corrupt_index_is_rebuilt(tree: Path, tmp_path: Path) -> None:
    ix_dir = tmp_path / "ix"
    with Index.open(Store(tree), ix_dir) as index:
        index.reconcile()
    for path in (ix_dir / "whoosh").iterdir():
        path.write_bytes(b"garbage")
    with Index.open(Store(tree), ix_dir) as index:
        assert index.rebuilt_reason is not None and index.rebuilt_reason.startswith("the index was damaged")
        assert index.reconcile().added
        assert ids(index.search("zebra OR giraffe")) == []
        assert "mark-milley" in ids(index.search("milley"))


class _Trap:
    """A pickle that creates a file when it is loaded: what a hostile shared index folder could hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_state_file_that_would_run_code_is_never_loaded(tree: Path, tmp_path: Path) -> None:
    """``--index`` may point at a folder others can write: its state table is data, never code."""
    import pickle

    from dossier.index.state_table import LEGACY_STATE_FILES, STATE_FILE

    ix_dir = tmp_path / "ix"
    with Index.open(Store(tree), ix_dir) as index:
        index.reconcile()
    marker = tmp_path / "ran"
    trap = pickle.dumps({"version": INDEX_FORMAT_VERSION, "entries": _Trap(marker)})
    for name in (STATE_FILE, *LEGACY_STATE_FILES):
        (ix_dir / name).write_bytes(trap)
    with Index.open(Store(tree), ix_dir) as index:
        assert index.rebuilt_reason == "the index's state file is unreadable"
        index.reconcile()
        assert index.counts()[Kind.ACTOR] == 2
    assert not marker.exists()
    assert not any((ix_dir / name).exists() for name in LEGACY_STATE_FILES)  # old formats removed, unread


def test_a_garbage_state_file_or_a_deleted_cache_is_rebuilt(tree: Path, tmp_path: Path) -> None:
    ix_dir = tmp_path / "ix"
    with Index.open(Store(tree), ix_dir) as index:
        index.reconcile()
    (ix_dir / STATE_FILE).write_bytes(b"\x80\x05garbage")
    with Index.open(Store(tree), ix_dir) as index:
        assert index.rebuilt_reason is not None
        index.reconcile()
        assert index.counts()[Kind.ACTOR] == 2
    shutil.rmtree(ix_dir)
    with Index.open(Store(tree), ix_dir) as index:
        index.reconcile()
        assert index.counts()[Kind.EVENT] == 2


def test_another_format_version_is_rebuilt(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ix_dir = tmp_path / "ix"
    with Index.open(Store(tree), ix_dir) as index:
        index.reconcile()
    monkeypatch.setattr("dossier.index.state_table.INDEX_FORMAT_VERSION", INDEX_FORMAT_VERSION + 1)
    with Index.open(Store(tree), ix_dir) as index:
        assert index.rebuilt_reason == "the index format changed"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor:mark-milley", ["2025-01-28-detail-revoked"]),
        ("tag:retaliation", ["2025-01-28-detail-revoked"]),
        ("type:person", ["mark-milley", "pete-hegseth"]),
        ("status:disputed", ["2020-06-01-lafayette-square"]),
        ("importance:>=8", ["2025-01-28-detail-revoked"]),
        ("date:[2020 TO 2021]", ["2020-06-01-lafayette-square"]),
        ("date:2020-06", ["2020-06-01-lafayette-square"]),
        ("kind:source clearance", ["2025-01-28-cnn-report"]),
        ('"security clearance"', ["2025-01-28-cnn-report"]),
        ("apologised AND president", ["2020-06-01-lafayette-square"]),
        ("walk OR airlift", ["2020-06-01-lafayette-square"]),
        ("detail NOT kind:event", ["2025-01-28-cnn-report", "pete-hegseth"]),  # a link's rel is text too
        ("hegs*", ["2025-01-28-cnn-report", "2025-01-28-detail-revoked", "pete-hegseth"]),
        ("hegsth~", ["2025-01-28-cnn-report", "2025-01-28-detail-revoked", "pete-hegseth"]),
        ("link:mark-milley", ["pete-hegseth"]),
        ("source:2025-01-28-cnn-report", ["2025-01-28-detail-revoked"]),
    ],
)
def test_queries_of_each_kind(index: Index, query: str, expected: list[str]) -> None:
    assert sorted(ids(index.search(query))) == expected


def test_a_leading_wildcard_searches_names_unless_a_field_is_given(index: Index) -> None:
    # Milley is named in one event's summary only: a bare *ley looks at titles and aliases.
    assert sorted(ids(index.search("*ley"))) == ["2025-01-28-detail-revoked", "mark-milley"]
    assert "2020-06-01-lafayette-square" in ids(index.search("content:*ley"))


def test_a_fuzzy_term_keeps_its_first_letter_unless_told(index: Index) -> None:
    assert ids(index.search("nilley~")) == []
    assert "mark-milley" in ids(index.search("nilley~1/0"))
    hits = {h.row.id: h for h in index.search("hegsth~")}
    cnn = hits["2025-01-28-cnn-report"]  # found in its text: the misspelt word is highlighted there
    assert [cnn.snippet[s:e].lower() for s, e in cnn.highlights] == ["hegseth"]


def test_names_weigh_more_than_the_body(index: Index) -> None:
    hits = index.search("milley")
    assert hits[0].row.id == "mark-milley"
    assert {"2025-01-28-detail-revoked", "2020-06-01-lafayette-square"} <= set(ids(hits))


def test_a_query_that_is_a_name_puts_that_entry_first(index: Index, tree: Path) -> None:
    """Sources that repeat a name many times must not bury the person it names."""
    actor(tree, "jeffrey-epstein", "Jeffrey Epstein", summary="Financier.")
    actor(tree, "epstein-victims", "Epstein victims", type="group")
    for n in range(5):
        source(tree, f"2019-08-0{n + 1}-report-{n}", f"Jeffrey Epstein timeline part {n}",
               f"2019-08-0{n + 1}", text="Epstein " * 40 + "and more about Jeffrey Epstein.")
    index.reconcile()
    assert ids(index.search("jeffrey epstein"))[0] == "jeffrey-epstein"
    assert ids(index.search("Epstein"))[0] == "jeffrey-epstein"  # a person's surname alone
    assert ids(index.search("epstein victims"))[0] == "epstein-victims"
    assert ids(index.search("Financier"))[0] == "jeffrey-epstein"  # no name asked: ordinary ranking


def test_snippet_highlights_the_matched_words(index: Index) -> None:
    (hit,) = index.search("clearance")
    assert [hit.snippet[s:e].lower() for s, e in hit.highlights] == ["clearance"]


def test_snippet_is_prose_not_front_matter_or_comments(index: Index, tree: Path) -> None:
    """Saved timelines start with YAML and carry HTML comments; a snippet quotes the text a reader sees."""
    event(tree, "2021-01-08-call", "Second call to China", "2021-01-08", summary=(
        "---\ntitle: Second call\nsources:\n  - url: https://example.org/x\n---\n"
        "<!-- capture lane: osint-7 -->\n## What happened\n\nMilley called   his Chinese counterpart.\n"
    ))
    index.reconcile()
    hits = {h.row.id: h for h in index.search("counterpart")}
    snippet = hits["2021-01-08-call"].snippet
    assert snippet.startswith("What happened Milley called his Chinese counterpart")
    assert "---" not in snippet and "capture lane" not in snippet and "##" not in snippet
    assert ids(index.search("osint")) == ["2021-01-08-call"]  # still searchable, just not quoted


def test_search_by_kind(index: Index) -> None:
    assert ids(index.search("milley", kind=Kind.EVENT)) and all(
        h.row.kind is Kind.EVENT for h in index.search("milley", kind=Kind.EVENT)
    )


@pytest.mark.parametrize("query", ["", "   ", '"unclosed', "(a OR b", "a)", "nosuchfield:x", "importance:>=high",
                                   "date:[2020 TO", "date:yesterday"])
def test_bad_queries_raise_a_query_error(index: Index, query: str) -> None:
    with pytest.raises(QueryError) as info:
        index.search(query)
    assert info.value.message


def test_rows_sorting_and_filtering(index: Index) -> None:
    assert [r.id for r in index.rows(Kind.ACTOR)] == ["mark-milley", "pete-hegseth"]
    assert [r.id for r in index.rows(Kind.EVENT)] == ["2025-01-28-detail-revoked", "2020-06-01-lafayette-square"]
    assert [r.id for r in index.rows(Kind.EVENT, sort="date")][0] == "2020-06-01-lafayette-square"
    assert [r.id for r in index.rows(text="general mark")] == ["mark-milley"]  # an alias
    assert [r.id for r in index.rows(tag="protests")] == ["2020-06-01-lafayette-square"]
    assert [r.id for r in index.rows(Kind.EVENT, min_importance=8)] == ["2025-01-28-detail-revoked"]
    assert [r.id for r in index.rows(Kind.EVENT, actor="mark-milley")] == ["2025-01-28-detail-revoked"]
    assert len(index.rows(limit=2)) == 2
    assert ("retaliation", 1) in index.tags()


def test_backlinks_of_an_actor(index: Index) -> None:
    links = [(b.row.id, b.field, b.label) for b in index.backlinks("mark-milley")]
    assert links == [
        ("2025-01-28-detail-revoked", "actors", None),
        ("pete-hegseth", "links.to", "revoked the detail of"),
    ]
    assert [(b.row.id, b.field) for b in index.backlinks("2025-01-28-cnn-report")] == [
        ("2025-01-28-detail-revoked", "sources")
    ]


def test_mentions_are_names_in_texts_without_a_reference(index: Index, tree: Path) -> None:
    mentions = index.mentions("mark-milley")
    # The CNN source and the Lafayette event name him without referencing him; the revocation event
    # references him, so it is a backlink, not a mention; "MM" is too short to look for.
    assert sorted((m.row.id, m.path) for m in mentions) == [
        ("2020-06-01-lafayette-square", "events/2020-06-01-lafayette-square/summary.md"),
        ("2025-01-28-cnn-report", "sources/2025-01-28-cnn-report/text.md"),
    ]
    lafayette = next(m for m in mentions if m.row.id == "2020-06-01-lafayette-square")
    assert lafayette.name == "General Mark Milley" and "General Mark Milley" in lafayette.snippet
    # Mentions are computed at query time: referencing the actor turns the mention into a backlink.
    event(tree, "2020-06-01-lafayette-square", "Lafayette Square walk", '"2020-06"', actors=("mark-milley",),
          summary="General Mark Milley walked with the president.")
    index.apply(["events/2020-06-01-lafayette-square/event.toml"])
    assert [m.row.id for m in index.mentions("mark-milley")] == ["2025-01-28-cnn-report"]


def test_problems_agree_with_check(index: Index, tree: Path) -> None:
    index.reconcile()
    # donald-trump is referenced but missing; break a file too
    write(tree / "actors/pete-hegseth/profile.toml", 'name = "Pete Hegseth"\ntype = "persn"\n')
    write(tree / "actors/bad/profile.toml", "name = [unclosed\n")
    index.reconcile()
    expected = [(p.path, p.line, p.code) for p in check_tree(Store(tree)).problems]
    assert [(p.path, p.line, p.code) for p in index.problems()] == expected
    assert {"missing-reference", "vocabulary", "toml"} <= {code for _p, _l, code in expected}
    assert index.row("2020-06-01-lafayette-square").problems == 1  # the missing donald-trump
    actor(tree, "donald-trump", "Donald Trump")
    index.apply(["actors/donald-trump"])
    assert index.row("2020-06-01-lafayette-square").problems == 0


def test_duplicate_ids_are_reported_and_resolved(index: Index, tree: Path) -> None:
    write(tree / "more/mark-milley/profile.toml", 'name = "Another Milley"\n')
    index.apply(["more/mark-milley"])
    assert any(p.code == "duplicate-id" for p in index.problems())
    shutil.rmtree(tree / "more")
    index.apply(["more"])
    assert not any(p.code == "duplicate-id" for p in index.problems())
    assert index.row("mark-milley").title == "Mark A. Milley"


def test_unknown_fields_are_searchable(index: Index, tree: Path) -> None:
    write(tree / "actors/pete-hegseth/profile.toml", 'name = "Pete Hegseth"\nhometown = "Forest Lake"\n')
    index.apply(["actors/pete-hegseth/profile.toml"])
    assert ids(index.search('"forest lake"')) == ["pete-hegseth"]


def test_a_second_index_object_sees_the_first_ones_writes(index: Index, tree: Path, tmp_path: Path) -> None:
    other = Index.open(Store(tree), tmp_path / "ix")
    try:
        actor(tree, "jack-reed", "Jack Reed")
        index.apply(["actors/jack-reed"])
        assert other.row("jack-reed") is not None
        assert ids(other.search("reed")) == ["jack-reed"]
    finally:
        other.close()


def test_a_first_build_shows_each_committed_batch(tree: Path, tmp_path: Path, monkeypatch) -> None:
    """The browser lists what is indexed so far while a large first build goes on."""
    import dossier.index.core as index_module

    for n in range(6):
        actor(tree, f"extra-{n}", f"Extra Person {n}")
    monkeypatch.setattr(index_module, "BATCH_DOCS", 2)
    monkeypatch.setattr(index_module, "BULK_ENTRIES", 3)
    ix = Index.open(Store(tree), tmp_path / "fresh")
    seen: list[int] = []
    try:
        ix.reconcile(committed=lambda: seen.append(sum(ix.counts().values())))
        assert seen and 0 < seen[0] < 11 and all(a < b for a, b in zip(seen, seen[1:], strict=False))
        assert sum(ix.counts().values()) == 11
    finally:
        ix.close()
