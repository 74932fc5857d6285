"""Curation commands on the sample and on small hand-written trees: rename, merge, link, alias, cite, review."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dossier import curate
from dossier.model import iter_references
from dossier.store import Store


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of a tree by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def references_to(root: Path, entry_id: str) -> list[str]:
    """The kind files that refer to an id (parsed, so prose that merely contains it does not count)."""
    store = Store(root)
    found = []
    for location in store.scan().locations:
        data, _, _ = store.read_kind_file(location)
        if data and any(r.target == entry_id for r in iter_references(location.kind, data)):
            found.append(location.main_file)
    return found


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def test_rename_rewrites_every_reference_and_rename_back_restores_the_bytes(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(sample_tree)
    referring = references_to(sample_tree, "mark-milley")
    assert len(referring) > 20
    result = run_cli("rename", "mark-milley", "mark-a-milley", "--tree", sample_tree)
    assert result.code == 0, result.err
    assert "rewrite" in result.out and "done" in result.out
    assert not (sample_tree / "actors/mark-milley").exists()
    assert (sample_tree / "actors/mark-a-milley/profile.toml").is_file()
    assert references_to(sample_tree, "mark-milley") == []
    assert len(references_to(sample_tree, "mark-a-milley")) == len(referring)
    check = run_cli("check", "--tree", sample_tree, "--json")
    assert check.json()["errors"] == 0
    shown = run_cli("show", "mark-a-milley", "--tree", sample_tree, "--json")
    assert shown.code == 0
    back = run_cli("rename", "mark-a-milley", "mark-milley", "--tree", sample_tree)
    assert back.code == 0, back.err
    assert snapshot(sample_tree) == before


def test_dry_run_prints_the_diff_and_changes_nothing(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(sample_tree)
    result = run_cli("rename", "cnn", "cnn-news", "--dry-run", "--tree", sample_tree)
    assert result.code == 0
    assert "--- a/actors/fareed-zakaria/profile.toml" in result.out
    assert '-org = "cnn"' in result.out and '+org = "cnn-news"' in result.out
    assert "rename from actors/cnn" in result.out and "rename to actors/cnn-news" in result.out
    as_json = run_cli("rename", "cnn", "cnn-news", "--dry-run", "--json", "--tree", sample_tree).json()
    assert as_json["applied"] is False
    assert {"op": "move", "path": "actors/cnn", "to": "actors/cnn-news"}.items() <= as_json["operations"][-1].items()
    assert snapshot(sample_tree) == before


def test_rename_keeps_comments_quoting_and_crlf(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "actors/old-id/profile.toml", 'name = "Old"\n')
    event = ('# a comment that stays\r\ntitle = "E"  # trailing\r\ndate = 2020-01-01\r\n'
             "actors = [\r\n  'old-id',  # literal quotes stay literal\r\n  \"other\",\r\n]\r\nmine = 1\r\n")
    write(tmp_path, "events/2020-01-01-e/event.toml", event)
    assert run_cli("rename", "old-id", "new-id", "--tree", tmp_path).code == 0
    after = (tmp_path / "events/2020-01-01-e/event.toml").read_bytes().decode()
    assert after == event.replace("'old-id'", "'new-id'")


def test_rename_refuses_a_taken_id_and_a_conflicted_file(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(sample_tree)
    taken = run_cli("rename", "cnn", "fox-news", "--tree", sample_tree)
    assert taken.code == 2 and "already exists" in taken.err
    path = sample_tree / "actors/fareed-zakaria/profile.toml"
    path.write_text(path.read_text() + "<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> other\n")
    conflicted = snapshot(sample_tree)
    refused = run_cli("rename", "cnn", "cnn-news", "--tree", sample_tree)
    assert refused.code == 2
    assert "actors/fareed-zakaria/profile.toml:" in refused.err and "merge conflict" in refused.err
    assert snapshot(sample_tree) == conflicted != before
    path.write_text('name = "Fareed Zakaria"\norg = "cnn"\nbroken = [\n')
    invalid = run_cli("rename", "cnn", "cnn-news", "--tree", sample_tree)
    assert invalid.code == 2 and "actors/fareed-zakaria/profile.toml: invalid TOML" in invalid.err


MERGE_TREE = {
    "actors/mark-milley/profile.toml": (
        '# kept comment\nname = "Mark Milley"\ntype = "person"\naliases = ["Milley"]\n'
        'summary = "Chairman of the Joint Chiefs."\nborn = 1958-06-20\ntags = ["military"]\n\n'
        '[[roles]]\ntitle = "Chairman"\norg = "joint-chiefs"\n'
    ),
    "actors/mark-milley/notes.md": "Milley's own notes.\n",
    "actors/m-milley/profile.toml": (
        'name = "M. Milley"\ntype = "person"\naliases = ["Gen. Milley", "Milley"]\n'
        'summary = "US Army general."\nborn = 1958-06-21\ntags = ["military", "army"]\nnickname = "The General"\n'
        'shoe = 44\n\n[[roles]]\ntitle = "Army Chief of Staff"\norg = "us-army"\n\n'
        '[[links]]\nto = "joint-chiefs"\nrel = "member of"\n'
    ),
    "actors/m-milley/notes.md": "Notes filed under the duplicate.\n",
    "actors/m-milley/photo.jpg": "not really a photo",
    "actors/joint-chiefs/profile.toml": 'name = "Joint Chiefs"\ntype = "organization"\n',
    "actors/us-army/profile.toml": 'name = "US Army"\ntype = "organization"\n',
    "events/2020-01-01-both/event.toml": (
        'title = "Both named"\ndate = 2020-01-01\nactors = ["mark-milley", "m-milley"]\nsources = []\n'
    ),
    "events/2020-01-02-dup-only/event.toml": (
        'title = "Only the duplicate"\ndate = 2020-01-02\nactors = ["m-milley"]  # keep me\n\n'
        '[[accounts]]\nby = "m-milley"\nclaim = "Said so."\n'
    ),
}


def test_merge_keeps_every_value_of_both_entries(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for rel, text in MERGE_TREE.items():
        write(tmp_path, rel, text)
    other_before = tomllib.loads(MERGE_TREE["actors/m-milley/profile.toml"])
    no_reason = run_cli("merge", "mark-milley", "m-milley", "--tree", tmp_path)
    assert no_reason.code == 2 and "--reason" in no_reason.err
    result = run_cli("merge", "mark-milley", "m-milley", "--reason", "same general", "--tree", tmp_path)
    assert result.code == 0, result.err
    kept_text = (tmp_path / "actors/mark-milley/profile.toml").read_text()
    kept = tomllib.loads(kept_text)
    assert kept_text.startswith("# kept comment\n")
    assert kept["name"] == "Mark Milley" and kept["born"].isoformat() == "1958-06-20"
    assert kept["aliases"] == ["Milley", "M. Milley", "Gen. Milley"]
    assert kept["tags"] == ["military", "army"]
    assert [r["title"] for r in kept["roles"]] == ["Chairman", "Army Chief of Staff"]
    assert kept["links"] == [{"to": "joint-chiefs", "rel": "member of"}]
    assert kept["nickname"] == "The General" and kept["shoe"] == 44
    (record,) = kept["merged"]
    assert record["id"] == "m-milley" and record["name"] == "M. Milley" and record["reason"] == "same general"
    assert record["values"] == {"summary": "US Army general.", "born": other_before["born"]}
    # Every value of the other entry is somewhere in the kept one.
    for key, value in other_before.items():
        if key == "name":
            assert value in kept["aliases"]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            assert all(table in kept[key] for table in value)
        elif isinstance(value, list):
            assert set(value) <= set(kept[key])
        else:
            assert kept[key] == value or record["values"][key] == value
    assert not (tmp_path / "actors/m-milley").exists()
    assert (tmp_path / "actors/mark-milley/notes.md").read_text() == "Milley's own notes.\n"
    assert (tmp_path / "actors/mark-milley/notes-m-milley.md").read_text() == "Notes filed under the duplicate.\n"
    assert (tmp_path / "actors/mark-milley/photo.jpg").read_text() == "not really a photo"
    both = (tmp_path / "events/2020-01-01-both/event.toml").read_text()
    assert 'actors = ["mark-milley"]\n' in both  # no duplicate reference
    dup_only = (tmp_path / "events/2020-01-02-dup-only/event.toml").read_text()
    assert 'actors = ["mark-milley"]  # keep me\n' in dup_only and 'by = "mark-milley"' in dup_only
    assert references_to(tmp_path, "m-milley") == []


def test_merge_refuses_different_kinds(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("merge", "cnn", "2020-01-03-soleimani-strike", "--reason", "x", "--tree", sample_tree)
    assert result.code == 2 and "only entries of one kind" in result.err


def test_link_unlink_alias_and_cite_change_one_line_each(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    event = "2020-11-09-esper-fired"
    path = next((sample_tree / "events").glob(f"{event}/event.toml"))
    before = path.read_text()
    assert run_cli("link", event, "fox-news", "--tree", sample_tree).code == 0
    data = tomllib.loads(path.read_text())
    assert data["actors"][-1] == "fox-news"
    assert run_cli("unlink", event, "fox-news", "--tree", sample_tree).code == 0
    assert path.read_text() == before
    missing = run_cli("link", event, "nobody-at-all", "--tree", sample_tree)
    assert missing.code == 2 and "no actor has the id 'nobody-at-all'" in missing.err
    source = run_cli("cite", event, "cnn", "--tree", sample_tree)
    assert source.code == 2 and "cnn is an actor, not a source" in source.err
    sources = [p.name for p in (sample_tree / "sources").iterdir()]
    assert run_cli("cite", event, sources[0], "--tree", sample_tree).code == 0
    assert sources[0] in tomllib.loads(path.read_text())["sources"]
    alias = run_cli("alias", "mark-esper", "Secretary Mark T. Esper", "--tree", sample_tree)
    assert alias.code == 0
    profile = tomllib.loads((sample_tree / "actors/mark-esper/profile.toml").read_text())
    assert profile["aliases"][-1] == "Secretary Mark T. Esper"
    again = run_cli("alias", "mark-esper", "Secretary Mark T. Esper", "--tree", sample_tree)
    assert again.code == 0 and "already in aliases" in again.out and "nothing to change" in again.out


def test_a_file_changed_after_planning_is_not_overwritten(sample_tree: Path) -> None:
    store = Store(sample_tree)
    plan = curate.plan_rename(store, "cnn", "cnn-news")
    edited = sample_tree / plan.operations[0].path
    edited.write_text(edited.read_text() + "# a colleague's edit\n")
    before = snapshot(sample_tree)
    with pytest.raises(curate.CurationError, match="changed since this was planned"):
        curate.apply(store, plan)
    assert snapshot(sample_tree) == before
    assert curate.Journal(store).pending() is None


def test_the_index_knows_the_new_id_after_a_rename_without_a_reconcile(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    from dossier.index import Index

    assert run_cli("index", "--tree", sample_tree).code == 0
    assert run_cli("rename", "mark-milley", "mark-a-milley", "--tree", sample_tree).code == 0
    index = Index.open(Store(sample_tree))  # no reconcile: only what the rename told it
    try:
        assert index.row("mark-milley") is None
        assert index.row("mark-a-milley") is not None
        folders = {b.row.main_file for b in index.backlinks("mark-a-milley")}
        assert folders == set(references_to(sample_tree, "mark-a-milley"))
        assert index.backlinks("mark-milley") == []
    finally:
        index.close()


REVIEW_TREE = {
    "actors/mark-milley/profile.toml": 'name = "Mark Milley"\ntype = "person"\n',
    "actors/m-milley/profile.toml": 'name = "M. Milley"\ntype = "person"\n',
    "actors/irgc/profile.toml": 'name = "IRGC"\ntype = "organization"\n',
    "actors/islamic-revolutionary-guard-corps/profile.toml": (
        'name = "Islamic Revolutionary Guard Corps"\ntype = "organization"\n'
    ),
    "actors/loner/profile.toml": 'name = "Lone Wolf"\ntype = "person"\n',
    "events/2020-01-03-strike/event.toml": (
        'title = "US strike kills Soleimani"\ndate = 2020-01-03\nstatus = "disputed"\n'
        'actors = ["mark-milley", "m-milley", "irgc", "islamic-revolutionary-guard-corps"]\n'
    ),
    "events/2020-01-03-strike-2/event.toml": (
        'title = "U.S. strike kills Soleimani"\ndate = 2020-01-03\nactors = []\nsources = ["2020-01-03-report"]\n'
    ),
    "events/2020-01-03-strike-2/summary.md": "Mark Milley briefed the press.\n",
    "sources/2020-01-03-report/source.toml": 'title = "A report"\n',
    "sources/2020-01-04-nobody/source.toml": 'title = "Nobody cites me"\n',
}


def test_check_warns_what_needs_a_person_and_names_the_command(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for rel, text in REVIEW_TREE.items():
        write(tmp_path, rel, text)
    result = run_cli("check", "--tree", tmp_path, "--json")
    assert result.code == 0  # warnings only
    found = {(p["entry"], p["code"]): p["message"] for p in result.json()["problems"]}
    assert "dossier merge mark-milley m-milley --reason" in found[("m-milley", "likely-duplicate")]
    acronym = [m for (e, c), m in found.items() if c == "likely-duplicate" and "IRGC is the acronym" in m]
    assert len(acronym) == 1 and "dossier merge" in acronym[0]
    assert "dossier merge" in found[("2020-01-03-strike-2", "likely-duplicate-event")]
    assert "dossier cite 2020-01-03-strike SOURCE" in found[("2020-01-03-strike", "no-source")]
    assert ("2020-01-03-strike", "disputed-without-accounts") in found
    assert "dossier cite EVENT 2020-01-04-nobody" in found[("2020-01-04-nobody", "uncited-source")]
    assert ("2020-01-03-report", "uncited-source") not in found
    assert "dossier link EVENT loner" in found[("loner", "isolated-actor")]
    assert "dossier link 2020-01-03-strike-2 mark-milley" in found[("mark-milley", "unlinked-mentions")]
    strict = run_cli("check", "--tree", tmp_path, "--strict")
    assert strict.code == 1 and "warning(s)" in strict.out


def test_a_plan_never_writes_outside_the_tree(tmp_path: Path) -> None:
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    write(tree, "actors/a/profile.toml", 'name = "A"\n')
    outside.mkdir()
    (outside / "profile.toml").write_text('name = "Elsewhere"\n')
    (tree / "actors" / "linked").symlink_to(outside)
    store = Store(tree)
    for plan in (
        curate.Plan("rename", ["x"], [], [curate.Operation("write", "../outside/profile.toml", 'name = "Elsewhere"\n',
                                                          "pwned = 1\n")]),
        curate.Plan("rename", ["x"], [], [curate.Operation("write", "actors/linked/profile.toml",
                                                          'name = "Elsewhere"\n', "pwned = 1\n")]),
    ):
        with pytest.raises(curate.CurationError):
            curate.apply(store, plan)
    assert (outside / "profile.toml").read_text() == 'name = "Elsewhere"\n'


def test_a_second_curation_of_the_same_tree_waits_its_turn(sample_tree: Path) -> None:
    import fcntl
    import os

    store = Store(sample_tree)
    plan = curate.plan_alias(store, "mark-esper", ["Secretary Esper of the Army"])
    lock = curate.journal_dir(store) / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as another process applying a plan holds it
        with pytest.raises(curate.CurationError, match="another curation of this tree is running"):
            curate.apply(store, plan)
    finally:
        os.close(fd)
    curate.apply(store, plan)
    assert "Secretary Esper of the Army" in (sample_tree / "actors/mark-esper/profile.toml").read_text()
