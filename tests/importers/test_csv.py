"""``dossier import csv``: a table a kind, columns as fields, idempotent, each bad row named by its line."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from dossier.check import check_tree
from dossier.exporters import load_entries
from dossier.importers.csv import import_csv, parse_mapping
from dossier.model import Kind
from dossier.store import Store

EVENTS = '''\
Title,Date,Importance,Actors,Tags,Notes
Meeting in Vienna,2021-03-04,7,jane-roe; john-doe,diplomacy,first contact
"A title with a
line break in it",March 5 2021,5,,,
Bad importance,2021-03-06,eleven,,,
No date here,,4,,,
,2021-03-08,3,,,
Bad actor id,2021-03-09,3,Jane Roe,,
Too many cells,2021-03-10,3,,,,extra
Meeting in Vienna,2021-03-04,7,jane-roe,diplomacy,a repeat of line 2
'''


def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    report = import_csv(Store(tree), EVENTS, "events.csv", Kind.EVENT)
    skipped = {note.path: note.message for note in report.skipped}
    assert skipped == {
        "events.csv:5": "importance: 'eleven' is not a whole number 1-10",
        "events.csv:6": "no date",
        "events.csv:7": "no title",
        "events.csv:8": "actors: 'Jane Roe' is not an id (lowercase letters, digits and '-')",
        "events.csv:9": "7 cells for 6 columns",
        "events.csv:10": "id '2021-03-04-meeting-in-vienna' is also the id of line 2",
    }, "lines count the physical lines, a quoted line break included"
    assert [entry_id for _, entry_id, _ in report.created] == [
        "2021-03-04-meeting-in-vienna", "2021-03-05-a-title-with-a-line-break-in-it"]
    vienna = tomllib.loads((tree / "events/2021-03-04-meeting-in-vienna/event.toml").read_text())
    assert vienna == {"title": "Meeting in Vienna", "date": dt.date(2021, 3, 4), "importance": 7,
                      "actors": ["jane-roe", "john-doe"], "tags": ["diplomacy"], "notes": "first contact"}
    assert {w.message for w in report.warnings} == {
        "actors refers to 'jane-roe', which no entry has (yet)",
        "actors refers to 'john-doe', which no entry has (yet)",
    }


def test_importing_the_same_table_twice_changes_nothing(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    table = "name,type,aliases\nJane Roe,person,J. Roe\nAcme Ltd,organization,\n"
    first = import_csv(Store(tree), table, "people.csv", Kind.ACTOR)
    assert first.tallies[Kind.ACTOR].created == 2
    before = {p: p.stat().st_mtime_ns for p in tree.rglob("*")}
    second = import_csv(Store(tree), table, "people.csv", Kind.ACTOR)
    assert second.tallies[Kind.ACTOR].created == 0 and second.tallies[Kind.ACTOR].reused == 2
    assert {p: p.stat().st_mtime_ns for p in tree.rglob("*")} == before


def test_map_renames_and_leaves_out_columns(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    table = tmp_path / "outlets.csv"
    table.write_text("Headline,Link,Paper,Internal\nWho owns Acme,https://ledger.example/acme,The Ledger,x\n",
                     encoding="utf-8")
    result = run_cli("import", "csv", table, "--kind", "source", "--map", "Headline=title", "--map", "Link=url",
                     "--map", "Paper=outlet", "--map", "Internal=", "--tree", tmp_path / "t", "--json")
    assert result.code == 0, result.out
    assert [e["id"] for e in result.json()["entries"]] == ["who-owns-acme"]
    data = tomllib.loads((tmp_path / "t/sources/who-owns-acme/source.toml").read_text())
    assert data == {"title": "Who owns Acme", "url": "https://ledger.example/acme", "outlet": "The Ledger"}
    wrong = run_cli("import", "csv", table, "--kind", "source", "--map", "Headline", "--tree", tmp_path / "t")
    assert wrong.code == 2 and "COLUMN=FIELD" in wrong.err
    missing = run_cli("import", "csv", table, "--kind", "source", "--map", "Byline=author", "--tree", tmp_path / "t")
    assert missing.code == 1 and "byline" in missing.out


def test_parse_mapping_keys_are_header_keys() -> None:
    assert parse_mapping(["Full Name=name", "Notes="]) == {"full_name": "name", "notes": None}


def test_the_csv_export_imports_back(run_cli, sample_tree: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tables = tmp_path / "tables"
    run_cli("export", "--format", "csv", "-o", tables, "--tree", sample_tree)
    target = tmp_path / "back"
    for kind in ("source", "actor", "event"):
        result = run_cli("import", "csv", tables / f"{kind}s.csv", "--kind", kind, "--tree", target, "--json")
        assert result.code == 0, result.out
    original = {e.id: e for e in load_entries(Store(sample_tree), with_texts=False).entries}
    back = {e.id: e for e in load_entries(Store(target), with_texts=False).entries}
    assert set(back) == set(original)
    for entry_id, entry in back.items():
        assert entry.title == original[entry_id].title
        for key in ("date", "importance", "status", "actors", "sources", "tags", "aliases", "url", "type"):
            if key == "actors" and entry.kind is Kind.SOURCE:
                continue  # the sources table has no actors column (event_actors holds the events' actors)
            assert entry.data.get(key) == original[entry_id].data.get(key), (entry_id, key)
    assert check_tree(Store(target)).problems == []
