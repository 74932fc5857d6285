"""``dossier import ftm``: FollowTheMoney entities in, and an export imported back gives the same entries and links."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.exporters import load_entries
from dossier.exporters.ftm import export_ftm
from dossier.importers.ftm import import_ftm
from dossier.importers.timeline import TimelineImporter
from dossier.model import Kind
from dossier.store import Store
from tests.conftest import CORPUS


def ftm_of(tree: Path) -> str:
    buffer = io.StringIO()
    export_ftm(load_entries(Store(tree)), buffer)
    return buffer.getvalue()


def entries_and_links(tree: Path) -> dict[str, tuple[str, str, list[tuple[str, str]]]]:
    """Each entry's kind, title and references (field, id): what a round trip must give back."""
    loaded = load_entries(Store(tree), with_texts=False)
    return {e.id: (e.kind.value, e.title, sorted((r.field, r.target) for r in e.references
                                                 if r.field in ("actors", "sources", "links.to", "links.sources")))
            for e in loaded.entries}


#: What an export carries of an entry's ``[provenance]`` table, which has no FtM place to come back from:
#: the notes, and the sources and their URLs on entities whose own fields have no sources.
PROVENANCE_ONLY = {"notes"}
PROVENANCE_ON = {"Person": {"proof", "sourceUrl"}, "Organization": {"proof", "sourceUrl"},
                 "LegalEntity": {"proof", "sourceUrl"}, "Article": {"proof"}, "Document": {"proof"},
                 "Event": {"sourceUrl"}, "UnknownLink": {"sourceUrl"}}


def without_provenance(ftm: str) -> list[dict[str, object]]:
    entities = []
    for line in ftm.splitlines():
        entity = json.loads(line)
        dropped = PROVENANCE_ONLY | PROVENANCE_ON.get(entity["schema"], set())
        entity["properties"] = {k: v for k, v in entity["properties"].items() if k not in dropped}
        entities.append(entity)
    return entities


def round_trip(tree: Path, target: Path) -> None:
    exported = ftm_of(tree)
    report = import_ftm(Store(target), exported.splitlines(), "export.ftm.json")
    assert report.ok, report.skipped[:5]
    back = ftm_of(target)
    if "[provenance]" not in "".join(p.read_text(encoding="utf-8") for p in tree.rglob("*.toml")):
        assert back == exported, "the re-exported entities are the same bytes"
    assert without_provenance(back) == without_provenance(exported)
    again = import_ftm(Store(target), exported.splitlines(), "export.ftm.json")
    assert again.written == [] and sum(t.created for t in again.tallies.values()) == 0
    assert sum(t.reused for t in again.tallies.values()) == len(load_entries(Store(target)).entries)


def assert_same_entries_and_links(original: Path, back: Path) -> None:
    """Same ids, kinds, titles, actors and link targets; sources as before, plus those a [provenance] cited."""
    before, after = entries_and_links(original), entries_and_links(back)
    assert set(after) == set(before)
    for entry_id, (kind, title, refs) in before.items():
        kind_back, title_back, refs_back = after[entry_id]
        assert (kind_back, title_back) == (kind, title), entry_id
        for field in ("actors", "links.to"):
            assert [r for r in refs_back if r[0] == field] == [r for r in refs if r[0] == field], (entry_id, field)
        for field in ("sources", "links.sources"):
            assert {r for r in refs_back if r[0] == field} >= {r for r in refs if r[0] == field}, (entry_id, field)


def test_the_sample_round_trips(sample_tree: Path, tmp_path: Path) -> None:
    target = tmp_path / "empty"
    round_trip(sample_tree, target)
    assert_same_entries_and_links(sample_tree, target)
    assert check_tree(Store(target)).problems == []
    milley = tomllib.loads((target / "actors/mark-milley/profile.toml").read_text())
    assert milley["type"] == "person" and "Milley" in milley["aliases"]
    assert {link["to"] for link in milley["links"]} >= {"donald-trump"}


@pytest.mark.corpus
@pytest.mark.slow
def test_an_import_of_the_corpus_round_trips(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/timeline-events is not here")
    tree = tmp_path / "corpus"
    TimelineImporter(Store(tree)).run([CORPUS], update=False)
    target = tmp_path / "back"
    round_trip(tree, target)
    assert_same_entries_and_links(tree, target)


def _line(entity_id: str, schema: str, **properties: list[str]) -> str:
    return json.dumps({"id": entity_id, "schema": schema, "properties": properties})


def test_entities_from_aleph_or_opensanctions(tmp_path: Path) -> None:
    lines = [
        _line("a1b2", "Person", name=["Jane Roe", "Джейн Роу"], birthDate=["1970-05"], alias=["J. Roe"]),
        _line("c3d4", "Company", name=["Acme Holdings Ltd"], keywords=["shell-company"]),
        _line("e5f6", "Ownership", owner=["a1b2"], asset=["c3d4"], startDate=["2019-01-15"],
              proof=["g7h8"]),
        _line("g7h8", "Article", title=["Who owns Acme"], publisher=["The Ledger"],
              sourceUrl=["https://ledger.example/acme"], publishedAt=["2020-03-04"], bodyText=["Long text."]),
        _line("i9j0", "Event", name=["Acme is registered"], date=["2019-01-15"], involved=["c3d4", "a1b2"],
              proof=["g7h8"], summary=["Acme appears in the register."]),
        _line("k1", "Address", full=["1 Main Street"]),
    ]
    report = import_ftm(Store(tmp_path / "t"), lines, "aleph.ftm.json")
    assert report.ok
    tree = tmp_path / "t"
    jane = tomllib.loads((tree / "actors/jane-roe/profile.toml").read_text())
    assert jane["name"] == "Jane Roe" and jane["aliases"] == ["Джейн Роу", "J. Roe"], "names keep their script"
    assert jane["born"] == "1970-05" and jane["ftm_id"] == "a1b2"
    assert jane["links"] == [{"to": "acme-holdings-ltd", "rel": "owner of",
                              "since": jane["links"][0]["since"], "sources": ["2020-03-04-who-owns-acme"]}]
    assert str(jane["links"][0]["since"]) == "2019-01-15"
    acme = tomllib.loads((tree / "actors/acme-holdings-ltd/profile.toml").read_text())
    assert acme["type"] == "organization" and acme["tags"] == ["shell-company"]
    event = tomllib.loads((tree / "events/2019-01-15-acme-is-registered/event.toml").read_text())
    assert event["actors"] == ["acme-holdings-ltd", "jane-roe"] and event["sources"] == ["2020-03-04-who-owns-acme"]
    summary = tree / "events/2019-01-15-acme-is-registered/summary.md"
    assert summary.read_text() == "Acme appears in the register.\n"
    source = tomllib.loads((tree / "sources/2020-03-04-who-owns-acme/source.toml").read_text())
    assert source["outlet"] == "The Ledger" and source["url"] == "https://ledger.example/acme"
    assert "type" not in source, "an Article does not say which kind of article: nothing is invented"
    assert [w.message for w in report.warnings] == ["1 Address entity not imported (no such entry kind)"]
    assert check_tree(Store(tree)).problems == []
    again = import_ftm(Store(tree), lines, "aleph.ftm.json")
    assert again.written == [] and again.tallies[Kind.ACTOR].reused == 2, "same ftm_id: reused, not doubled"


def test_bad_lines_are_reported_with_their_number_and_the_rest_imported(tmp_path: Path) -> None:
    lines = [
        _line("p1", "Person", name=["Ada Lovelace"]),
        "{not json",
        json.dumps(["a", "list"]),
        _line("e1", "Event", name=["Undated meeting"], involved=["p1"]),
        _line("p2", "Person"),
        "",
        _line("e2", "Event", name=["Dated meeting"], date=["1843"], involved=["p1", "nobody"]),
    ]
    report = import_ftm(Store(tmp_path / "t"), lines, "in.jsonl")
    skipped = {note.path: note.message for note in report.skipped}
    assert set(skipped) == {"in.jsonl:2", "in.jsonl:3", "in.jsonl:4", "in.jsonl:5"}
    assert skipped["in.jsonl:2"].startswith("not JSON") and "no date" in skipped["in.jsonl:4"]
    assert "no name" in skipped["in.jsonl:5"]
    assert [e[1] for e in report.created] == ["ada-lovelace", "1843-dated-meeting"]
    assert any(w.path == "in.jsonl:7" and "'nobody'" in w.message for w in report.warnings)


def test_the_command_reads_a_file_and_exits_1_on_bad_lines(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "in.ftm.json"
    source.write_text(_line("p1", "Person", name=["Ada Lovelace"]) + "\n{oops\n", encoding="utf-8")
    result = run_cli("import", "ftm", source, "--tree", tmp_path / "t")
    assert result.code == 1
    assert f"{source}:2: skipped: not JSON" in result.out
    assert "actors: 1 created, 0 reused, 0 skipped" in result.out
