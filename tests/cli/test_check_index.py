"""``dossier check`` answered from the index equals ``dossier check --no-index``, problem for problem.

Each test changes a tree the way a person would (an edit in place, a new actor whose name an old text
holds, a deleted or renamed entry, broken TOML, a new policy) and compares the two roads on it: the
same problems (file, line, column, message, severity, order), the same counts, review and exit code.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dossier.check_cache import CACHE_FILE, RESULT_FILE
from dossier.index.state_table import STATE_FILE
from dossier.store import Store
from tests.conftest import FIXTURES, copy_tree

FLAGS = ((), ("--strict",), ("--review",), ("--review", "--strict"))


def _cache() -> Path:
    return Path(os.environ["DOSSIER_INDEX"]) / CACHE_FILE


def _result() -> Path:
    return Path(os.environ["DOSSIER_INDEX"]) / RESULT_FILE


def same_both_ways(run_cli, tree: Path, road: str = "answered from the index") -> dict:  # type: ignore[no-untyped-def]
    """Check ``tree`` from the index and by reading every file, with each flag; both answers, equal.

    ``road``: what ``-v`` says of how the first answer was reached.
    """
    for flags in FLAGS:
        _result().unlink(missing_ok=True)  # from each entry's facts, not from the last answer
        fast = run_cli("check", "--tree", tree, "--json", "-v", *flags)
        assert road in fast.err
        full = run_cli("check", "--tree", tree, "--json", "--no-index", *flags)
        assert fast.json() == full.json(), flags
        assert fast.code == full.code, flags
        if _result().exists():  # and from the last answer, kept
            saved = run_cli("check", "--tree", tree, "--json", "-v", *flags)
            assert "nothing changed since the last check" in saved.err
            assert saved.json() == full.json() and saved.code == full.code, flags
    fast_text = run_cli("check", "--tree", tree, "--review")
    full_text = run_cli("check", "--tree", tree, "--review", "--no-index")
    assert fast_text.out == full_text.out
    return run_cli("check", "--tree", tree, "--json").json()


@pytest.fixture
def indexed(run_cli, sample_tree: Path) -> Path:  # type: ignore[no-untyped-def]
    assert run_cli("index", "--tree", sample_tree, "-q").code == 0
    return sample_tree


@pytest.fixture
def kind_file_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kind files ``check`` parses, by path."""
    read: list[str] = []
    real = Store.read_kind_file

    def counting(self: Store, location):  # type: ignore[no-untyped-def]
        read.append(location.main_file)
        return real(self, location)

    monkeypatch.setattr(Store, "read_kind_file", counting)
    return read


def _codes(report: dict, code: str) -> list[tuple[str, str]]:
    return [(p["path"], p["message"]) for p in report["problems"] if p["code"] == code]


def test_no_index_yet_means_reading_the_tree_and_making_no_index(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--tree", sample_tree, "--json", "-v")
    assert result.code == 0 and result.json()["entries"]["actor"] >= 20
    assert "no index yet: reading every file" in result.err
    assert not Path(os.environ["DOSSIER_INDEX"]).exists()


def test_the_sample_is_checked_the_same_both_ways_and_unchanged_files_are_not_read_again(  # type: ignore[no-untyped-def]
        run_cli, indexed: Path, kind_file_reads: list[str]) -> None:
    report = same_both_ways(run_cli, indexed)
    assert _codes(report, "unlinked-mentions")  # the sample's texts name actors they do not link
    kind_file_reads.clear()
    again = run_cli("check", "--tree", indexed, "--json")
    assert again.json() == report
    assert kind_file_reads == []


def test_an_edit_in_place_is_found_and_only_that_entry_is_read(  # type: ignore[no-untyped-def]
        run_cli, indexed: Path, kind_file_reads: list[str]) -> None:
    same_both_ways(run_cli, indexed)
    event = indexed / "events/2025-01-28-milley-security-detail-revoked/event.toml"
    text = event.read_text(encoding="utf-8")
    # A value of the wrong type, and a reference to nobody.
    text = text.replace("importance = 9", 'importance = "high"', 1)
    text = text.replace("actors = [", 'actors = ["nobody-at-all", ', 1)
    event.write_text(text, encoding="utf-8")
    kind_file_reads.clear()
    first = run_cli("check", "--tree", indexed, "--json")
    assert set(kind_file_reads) == {"events/2025-01-28-milley-security-detail-revoked/event.toml"}
    report = same_both_ways(run_cli, indexed)
    assert report == first.json()
    mine = [p for p in report["problems"] if p["path"] == "events/2025-01-28-milley-security-detail-revoked/event.toml"]
    assert {"missing-reference", "type"} <= {p["code"] for p in mine}


def test_a_new_actor_named_in_an_old_text_is_found_in_it(  # type: ignore[no-untyped-def]
        run_cli, indexed: Path, kind_file_reads: list[str]) -> None:
    summary = indexed / "events/2018-05-08-us-withdraws-from-jcpoa/summary.md"
    summary.write_text(summary.read_text(encoding="utf-8") + "\nZbigniew Quellmann watched it closely.\n",
                       encoding="utf-8")
    before = same_both_ways(run_cli, indexed)
    assert not [p for p in _codes(before, "unlinked-mentions") if "quellmann" in p[0]]
    actor = indexed / "actors/zbigniew-quellmann"
    actor.mkdir()
    (actor / "profile.toml").write_text('name = "Zbigniew Quellmann"\ntype = "person"\n', encoding="utf-8")
    kind_file_reads.clear()
    first = run_cli("check", "--tree", indexed, "--json")
    # Only the new actor (by the index, then by check) and the one event whose text holds both words of its
    # name are read, not every text.
    assert set(kind_file_reads) == {"actors/zbigniew-quellmann/profile.toml",
                                    "events/2018-05-08-us-withdraws-from-jcpoa/event.toml"}
    after = same_both_ways(run_cli, indexed)
    assert after == first.json()
    assert ("actors/zbigniew-quellmann/profile.toml",
            "named in 1 event(s) or source(s) that do not link it (e.g. 2018-05-08-us-withdraws-from-jcpoa): "
            "dossier link 2018-05-08-us-withdraws-from-jcpoa zbigniew-quellmann (or l on the mention in the browser)"
            ) in _codes(after, "unlinked-mentions")
    # And a name that goes away is no longer found.
    shutil.rmtree(actor)
    gone = same_both_ways(run_cli, indexed)
    assert not [p for p in _codes(gone, "unlinked-mentions") if "quellmann" in p[0]]
    assert gone == before


def test_a_deleted_and_a_renamed_entry(run_cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    same_both_ways(run_cli, indexed)
    cited = "2025-01-28-cnn-hegseth-revokes-milley-detail"
    shutil.rmtree(indexed / "sources" / cited)
    report = same_both_ways(run_cli, indexed)
    missing = [p for p in report["problems"] if p["code"] == "missing-reference" and cited in p["message"]]
    assert missing and all(p["line"] for p in missing)
    (indexed / "actors" / "mark-milley").rename(indexed / "actors" / "zz-mark-milley")
    report = same_both_ways(run_cli, indexed)
    assert any("'mark-milley'" in p["message"] for p in report["problems"] if p["code"] == "missing-reference")
    # The texts that name Milley now name an actor nothing links (its id changed with its folder).
    assert _codes(report, "unlinked-mentions")[-1][0] == "actors/zz-mark-milley/profile.toml"


def test_broken_toml_and_an_unreadable_text(run_cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    same_both_ways(run_cli, indexed)
    profile = indexed / "actors/pete-hegseth/profile.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + '\nborn = [1980-06-06\n', encoding="utf-8")
    (indexed / "events/2018-05-08-us-withdraws-from-jcpoa/notes.md").write_bytes(b"caf\xe9\n")
    report = same_both_ways(run_cli, indexed)
    codes = {(p["path"], p["code"]) for p in report["problems"] if p["severity"] == "error"}
    assert ("actors/pete-hegseth/profile.toml", "toml") in codes
    assert ("events/2018-05-08-us-withdraws-from-jcpoa/notes.md", "encoding") in codes
    assert run_cli("check", "--tree", indexed).code == 1


def test_a_policy_change_in_dossier_toml(run_cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    before = same_both_ways(run_cli, indexed)
    collection = indexed / "dossier.toml"
    collection.write_text(collection.read_text(encoding="utf-8")
                          + '\n[policy.confirmed]\nsources = 9\n\n[policy.fields]\nevent = ["date", "title", '
                            '"accounts.claim"]\nsource = ["outlet"]\n', encoding="utf-8")
    after = same_both_ways(run_cli, indexed)
    assert after != before
    assert _codes(after, "policy-status") and _codes(after, "policy-field")
    collection.write_text(collection.read_text(encoding="utf-8") + "\n[policy.rumoured]\nsources = 1\n",
                          encoding="utf-8")
    broken = same_both_ways(run_cli, indexed)
    assert _codes(broken, "policy")


def test_every_kind_of_bad_input_is_reported_the_same_from_the_index(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = copy_tree(FIXTURES / "hostile", tmp_path / "hostile")
    shutil.rmtree(tree / "sources" / "dup")  # two folders of one id: the index keeps one, check reads the tree
    assert run_cli("index", "--tree", tree, "-q").code == 0
    report = same_both_ways(run_cli, tree)
    assert report["errors"] >= 10
    # A duplicate id again: answered by reading the tree, still the same answer.
    shutil.copytree(tree / "actors" / "mark-milley", tree / "sources" / "mark-milley")
    report = same_both_ways(run_cli, tree, road="the index cannot answer (two folders have one id)")
    assert _codes(report, "duplicate-id")


def test_a_damaged_cache_is_read_again(run_cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    report = same_both_ways(run_cli, indexed)
    _cache().write_bytes(b"\x93not a cache")
    _result().write_bytes(b"\x82\xa3key")
    again = run_cli("check", "--tree", indexed, "--json", "-v")
    assert again.json() == report
    assert "78 of 78 entries read again" in again.err


def test_a_likely_duplicate_actor_appears_and_stays_while_other_entries_change(run_cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    same_both_ways(run_cli, indexed)
    twin = indexed / "actors/m-milley"
    twin.mkdir()
    (twin / "profile.toml").write_text('name = "Mark A. Milley"\ntype = "person"\n', encoding="utf-8")
    report = same_both_ways(run_cli, indexed)
    assert [path for path, _message in _codes(report, "likely-duplicate")] == ["actors/m-milley/profile.toml"]
    # An event changes, the actors do not: the duplicates kept from the last check are still right.
    summary = indexed / "events/2018-05-08-us-withdraws-from-jcpoa/summary.md"
    summary.write_text(summary.read_text(encoding="utf-8") + "\nM. Milley was not there.\n", encoding="utf-8")
    again = same_both_ways(run_cli, indexed)
    assert _codes(again, "likely-duplicate") == _codes(report, "likely-duplicate")


def test_many_new_actors_at_once_are_each_looked_for_in_old_texts(run_cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    summary = indexed / "events/2018-05-08-us-withdraws-from-jcpoa/summary.md"
    summary.write_text(summary.read_text(encoding="utf-8") + "\nOrsolya Vantablack and Ilkka Brandvold spoke.\n",
                       encoding="utf-8")
    same_both_ways(run_cli, indexed)
    names = ["Orsolya Vantablack", "Ilkka Brandvold"] + [f"Person Nobody{chr(97 + i)}x" for i in range(20)]
    for name in names:  # as an import would add them
        folder = indexed / "actors" / name.lower().replace(" ", "-")
        folder.mkdir()
        (folder / "profile.toml").write_text(f'name = "{name}"\ntype = "person"\n', encoding="utf-8")
    report = same_both_ways(run_cli, indexed)
    named = {path for path, _message in _codes(report, "unlinked-mentions")}
    assert {"actors/orsolya-vantablack/profile.toml", "actors/ilkka-brandvold/profile.toml"} <= named


def test_a_damaged_index_means_reading_every_file(run_cli, indexed: Path) -> None:  # type: ignore[no-untyped-def]
    report = same_both_ways(run_cli, indexed)
    (Path(os.environ["DOSSIER_INDEX"]) / STATE_FILE).write_bytes(b"\x00garbage")
    again = run_cli("check", "--tree", indexed, "--json", "-v")
    assert "reading every file" in again.err and "answered from the index" not in again.err
    assert again.json() == report
