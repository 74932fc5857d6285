"""``dossier search``, ``dossier index`` and the backlinks of ``dossier show``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.index.helpers import write


def test_search_prints_results_and_json(run_cli, tree: Path) -> None:
    result = run_cli("search", "--tree", tree, "clearance")
    assert result.code == 0
    assert "Defense secretary revokes security detail" in result.out
    result = run_cli("search", "--tree", tree, "--json", "milley", "--kind", "event")
    assert result.code == 0
    rows = result.json()["hits"]  # an object since issue 14: {"version", "query", "total", "hits", ...}
    assert result.json()["total"] == 2
    assert {r["id"] for r in rows} == {"2025-01-28-detail-revoked", "2020-06-01-lafayette-square"}
    assert all(r["kind"] == "event" for r in rows)


def test_search_with_no_result_exits_1(run_cli, tree: Path) -> None:
    result = run_cli("search", "--tree", tree, "nothingmatchesthis")
    assert result.code == 1 and "No entry matches" in result.err and result.out == ""


@pytest.mark.parametrize("query", ['"unclosed', "nosuchfield:x", "importance:>=high", "(milley",
                                   "a~9", "e*", "*", "m?"])  # the last four would take seconds on a big tree
def test_a_bad_query_is_a_clear_message_and_exit_2(run_cli, tree: Path, query: str) -> None:
    result = run_cli("search", "--tree", tree, query)
    assert result.code == 2
    assert "cannot be searched" in result.err and "Traceback" not in result.err


def test_search_limit_says_how_many_more_match(run_cli, tree: Path) -> None:
    limited = run_cli("search", "--tree", tree, "--json", "--limit", "1", "milley").json()
    everything = len(run_cli("search", "--tree", tree, "--json", "milley").json()["hits"])
    assert len(limited["hits"]) == 1 and limited["total"] == everything
    assert everything >= 3
    # Piped, standard output holds only the hits (one a line); the count goes to standard error.
    assert f"1 of {everything} results" in run_cli("search", "--tree", tree, "--limit", "1", "milley").err
    assert f"{everything} results" in run_cli("search", "--tree", tree, "milley").err


def test_index_command_reports_and_rebuilds(run_cli, tree: Path) -> None:
    first = run_cli("index", "--tree", tree, "--json").json()
    assert first["rebuilt"] and len(first["added"]) == 5
    again = run_cli("index", "--tree", tree, "--json").json()
    assert not again["rebuilt"] and again["added"] == again["changed"] == again["removed"] == []
    write(tree / "actors/mark-milley/notes.md", "changed")
    assert run_cli("index", "--tree", tree, "--json").json()["changed"] == ["mark-milley"]
    rebuilt = run_cli("index", "--tree", tree, "--rebuild")
    assert rebuilt.code == 0 and "rebuilt" in rebuilt.out and "2 actors" in rebuilt.out


def test_show_lists_backlinks_and_mentions(run_cli, tree: Path) -> None:
    data = run_cli("show", "--tree", tree, "--json", "mark-milley").json()
    assert [(b["id"], b["field"]) for b in data["backlinks"]] == [
        ("2025-01-28-detail-revoked", "actors"),
        ("pete-hegseth", "links.to"),
    ]
    assert {m["id"] for m in data["mentions"]} == {"2020-06-01-lafayette-square", "2025-01-28-cnn-report"}
    human = run_cli("show", "--tree", tree, "mark-milley").out
    assert "Backlinks" in human and "Mentions" in human and "2025-01-28-cnn-report" in human


def test_search_while_another_program_holds_the_index(run_cli, tree: Path, tmp_path: Path) -> None:
    from dossier.index import Index
    from dossier.index.writer_lock import WriterLock
    from dossier.store import Store

    ix_dir = tmp_path / "shared-ix"
    with Index.open(Store(tree), ix_dir) as index:
        index.reconcile()
    lock = WriterLock(ix_dir / "write.lock")
    assert lock.acquire(1)
    try:
        import dossier.commands.index as command

        command.COMMAND_WAIT = 0.2
        result = run_cli("search", "--tree", tree, "--index", ix_dir, "clearance")
    finally:
        lock.release()
        command.COMMAND_WAIT = 5.0
    assert result.code == 0 and "another program" in result.err
