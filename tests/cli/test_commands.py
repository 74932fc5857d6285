"""The commands' arguments, exit codes and JSON output."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest


def test_tree_option_before_or_after_the_command(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    before = run_cli("--tree", sample_tree, "check", "--json")
    after = run_cli("check", "--json", "--tree", sample_tree)
    assert before.code == after.code == 0
    assert before.json() == after.json()


def test_dossier_home_is_the_default_tree(run_cli, sample_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOSSIER_HOME", str(sample_tree))
    assert run_cli("show", "mark-milley", "--json").json()["id"] == "mark-milley"


def test_usage_errors_exit_2_with_a_message(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = run_cli("check", "--tree", tmp_path / "nowhere")
    assert missing.code == 2 and "no dossier tree at" in missing.err
    bad_kind = run_cli("new", "person", "X", "--tree", tmp_path)
    assert bad_kind.code == 2 and "invalid choice: 'person'" in bad_kind.err
    bad_date = run_cli("new", "event", "X", "--date", "last week", "--tree", tmp_path)
    assert bad_date.code == 2 and "'last week' is not a date" in bad_date.err
    unknown = run_cli("show", "mark-milly", "--tree", tmp_path)
    assert unknown.code == 2


def test_every_command_has_help(run_cli) -> None:  # type: ignore[no-untyped-def]
    from dossier.commands import load_commands

    for command in load_commands():
        result = run_cli(command.name, "--help")
        assert result.code == 0, command.name
        assert command.summary() in " ".join(result.out.split())


def test_show_json_lists_milleys_roles_links_and_resolved_references(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("show", "mark-milley", "--tree", sample_tree, "--json")
    assert result.code == 0
    data = result.json()
    assert data["kind"] == "actor" and "Milley" in data["title"]
    roles = data["fields"]["roles"]
    assert any("Chairman of the Joint Chiefs of Staff" in r["title"] for r in roles)
    assert data["fields"]["links"], "Milley's profile links him to other actors"
    for ref in data["references"]:
        if ref["field"] == "links.to":
            assert ref["kind"] == "actor" and ref["title"]
    assert not [r for r in data["references"] if r.get("missing")]


def test_events_that_reference_milley_are_reachable_by_id(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    naming = [
        folder.name
        for folder in (sample_tree / "events").iterdir()
        if "mark-milley" in tomllib.loads((folder / "event.toml").read_text()).get("actors", [])
    ]
    assert len(naming) >= 5
    for event_id in naming:
        shown = run_cli("show", event_id, "--tree", sample_tree, "--json").json()
        assert any(r["id"] == "mark-milley" and r["title"] for r in shown["references"])


def test_show_for_people_resolves_references_and_marks_missing_ones(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run_cli("new", "actor", "Mark Milley", "--tree", tmp_path)
    (tmp_path / "events/e").mkdir(parents=True)
    (tmp_path / "events/e/event.toml").write_text(
        'title = "E [bold]x[/bold]"\ndate = 2020-01-01\nactors = ["mark-milley", "ghost"]\n'
    )
    result = run_cli("show", "e", "--tree", tmp_path)
    assert "mark-milley  Mark Milley (actor)" in result.out
    assert "ghost  (missing: no entry has this id)" in result.out
    assert "E [bold]x[/bold]" in result.out  # markup in content is shown, not applied


def test_piped_output_has_no_padding_at_line_ends(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    """Piped into grep, diff or a file, lines end with their last word, not Rich's table padding."""
    for args in (("show", "mark-milley"), ("check",), ("search", "milley")):
        out = run_cli(*args, "--tree", sample_tree).out
        assert out.strip() and all(line == line.rstrip() for line in out.splitlines()), args
    assert "aliases         Mark Alexander Milley" in run_cli("show", "mark-milley", "--tree", sample_tree).out


def test_new_makes_dated_ids_refuses_to_overwrite_and_prints_the_path(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("new", "event", "Hegseth revokes Milley's detail", "--date", "2025-01-28", "--tree", tmp_path)
    path = tmp_path / "events/2025-01-28-hegseth-revokes-milleys-detail/event.toml"
    assert result.code == 0 and result.out.strip() == str(path)
    data = tomllib.loads(path.read_text())
    assert data["title"] == "Hegseth revokes Milley's detail" and data["date"] == dt.date(2025, 1, 28)
    before = path.read_text()
    again = run_cli("new", "event", "Hegseth revokes Milley's detail", "--date", "2025-01-28", "--tree", tmp_path)
    assert again.code == 2 and "already exists" in again.err
    assert path.read_text() == before
    partial = run_cli("new", "source", "A book", "--date", "2021-12", "--tree", tmp_path, "--json")
    assert partial.json()["id"] == "2021-12-a-book"
    assert tomllib.loads(Path(partial.json()["path"]).read_text())["published"] == "2021-12"
    assert run_cli("check", "--tree", tmp_path).code == 0


def test_new_edit_opens_the_editor(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "editor.log"
    monkeypatch.setenv("EDITOR", f"sh -c 'echo \"$0\" > {log}'")
    result = run_cli("new", "actor", "Jack Reed", "--edit", "--tree", tmp_path / "tree")
    assert result.code == 2  # the tree does not exist yet
    (tmp_path / "tree").mkdir()
    result = run_cli("new", "actor", "Jack Reed", "--edit", "--tree", tmp_path / "tree")
    assert result.code == 0
    assert log.read_text().strip() == str(tmp_path / "tree/actors/jack-reed/profile.toml")


def test_no_command_off_a_terminal_prints_a_summary_of_the_tree(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(sample_tree)
    assert result.code == 0
    assert "0 problem(s)" in result.out
    assert "│" not in result.out, "no box table in piped output"
    rows = dict(line.split(": ") for line in result.out.splitlines()[1:-1])
    assert int(rows["actors"]) >= 20 and int(rows["events"]) >= 12 and int(rows["sources"]) >= 10


def test_run_from_inside_the_tree(run_cli, sample_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(sample_tree)
    assert run_cli("check", "--json").json()["errors"] == 0


def test_an_unknown_id_suggests_the_entry_it_abbreviates(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("show", "milley", "--tree", sample_tree)
    assert result.code == 2
    assert "no entry with id 'milley' (did you mean 'mark-milley'?)" in result.err
