"""``dossier export``: FollowTheMoney lines valid for the ftm package, JSON, CSV; the same bytes every time."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dossier.importers.timeline import TimelineImporter
from dossier.store import Store

TIMELINE = Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "timeline"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    TimelineImporter(Store(tree)).run([TIMELINE, TIMELINE / "web-variant.txt"], update=False)
    # a hand-written actor with a link, a birth date, and a title a spreadsheet would run as a formula
    hand = tree / "actors" / "pete-hegseth-network" / "profile.toml"
    hand.parent.mkdir(parents=True)
    hand.write_text(
        'name = "=HYPERLINK(\\"http://evil\\")"\ntype = "group"\nborn = 1980\n'
        '[[links]]\nto = "pete-hegseth"\nrel = "supports"\nsince = "2024-11"\n'
        '[[roles]]\ntitle = "Backer"\norg = "pete-hegseth"\nfrom = 2024\n'
        '[[roles]]\ntitle = "Donor"\norg = "Some PAC"\n'
    )
    return tree


def export(run_cli, tree: Path, fmt: str, out: Path) -> bytes:
    result = run_cli("export", "--tree", tree, "--format", fmt, "-o", out)
    assert result.code == 0, result.err
    return out.read_bytes()


def test_ftm_lines_are_valid_followthemoney(tree: Path, tmp_path: Path, run_cli) -> None:
    from followthemoney import model

    data = export(run_cli, tree, "ftm", tmp_path / "out.ftm")
    entities = [json.loads(line) for line in data.decode().splitlines()]
    ids = {e["id"] for e in entities}
    schemata = {}
    for raw in entities:
        proxy = model.get_proxy(raw, cleaned=False)
        schemata[raw["id"]] = proxy.schema.name
        for name, values in raw["properties"].items():
            prop = proxy.schema.get(name)
            assert prop is not None, f"{proxy.schema.name} has no property {name}"
            for value in values:
                assert prop.type.clean(value) is not None, (name, value)
                if prop.type.name == "entity":
                    assert value in ids, f"{raw['id']}.{name} points at a missing entity {value}"
    assert schemata["dossier-mark-milley"] == "Person"
    assert schemata["dossier-pentagon-inspector-general"] == "Organization"
    assert schemata["dossier-pete-hegseth-network"] == "Organization"
    event = next(e for e in entities if e["id"] == "dossier-2025-01-28-milley-security-detail-revoked")
    assert event["schema"] == "Event"
    assert event["properties"]["involved"] == ["dossier-mark-milley", "dossier-pete-hegseth", "dossier-mark-esper"]
    assert event["properties"]["date"] == ["2025-01-28"]
    assert len(event["properties"]["proof"]) == 2
    assert {schemata[p] for p in event["properties"]["proof"]} == {"Article"}
    link = next(e for e in entities if e["schema"] == "UnknownLink")
    assert link["properties"]["object"] == ["dossier-pete-hegseth"]
    assert link["properties"]["startDate"] == ["2024-11"]


def test_json_dump_resolves_references(tree: Path, tmp_path: Path, run_cli) -> None:
    document = json.loads(export(run_cli, tree, "json", tmp_path / "out.json"))
    entries = {e["id"]: e for e in document["entries"]}
    assert [e["kind"] for e in document["entries"]] == sorted(e["kind"] for e in document["entries"])
    event = entries["2025-01-28-milley-security-detail-revoked"]
    actors = [r for r in event["references"] if r["field"] == "actors"]
    assert actors[0] == {"field": "actors", "id": "mark-milley", "label": None, "kind": "actor",
                         "title": "Mark Milley", "missing": False}
    assert event["data"]["date"] == "2025-01-28"
    assert event["texts"]["summary.md"].startswith("Defense Secretary")


def test_csv_tables_open_in_a_spreadsheet(tree: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "csv"
    result = run_cli("export", "--tree", tree, "--format", "csv", "-o", out)
    assert result.code == 0
    assert sorted(p.name for p in out.iterdir()) == ["actor_links.csv", "actor_roles.csv", "actors.csv",
                                                      "event_actors.csv", "event_sources.csv", "events.csv",
                                                      "sources.csv"]

    def rows(name: str) -> list[dict[str, str]]:
        raw = (out / name).read_bytes()
        assert b"\r\n" not in raw
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))

    actors = {r["id"]: r for r in rows("actors.csv")}
    assert actors["mark-milley"]["aliases"] == "Gen. Mark Milley; General Mark Milley; Milley"
    assert actors["pete-hegseth-network"]["name"].startswith("'=")  # never a live formula
    edges = rows("event_actors.csv")
    assert {"event_id": "2025-01-28-milley-security-detail-revoked", "actor_id": "mark-esper",
            "event_date": "2025-01-28", "event_title": "Hegseth Revokes Milley's Security Detail",
            "actor_name": "Mark Esper"} in edges
    events = {r["id"]: r for r in rows("events.csv")}
    assert events["2024-05-05-json-event"]["status"] == "disputed"
    assert rows("actor_links.csv") == [{"actor_id": "pete-hegseth-network", "target_id": "pete-hegseth",
                                        "relation": "supports", "since": "2024-11", "until": "", "sources": "",
                                        "actor_name": "'=HYPERLINK(\"http://evil\")", "target_name": "Pete Hegseth"}]
    roles = [(r["title"], r["org_id"], r["org"], r["from"]) for r in rows("actor_roles.csv")]
    assert roles == [("Backer", "pete-hegseth", "Pete Hegseth", "2024"), ("Donor", "", "Some PAC", "")]


@pytest.mark.parametrize("fmt", ["ftm", "json", "csv"])
def test_exports_are_deterministic(tree: Path, tmp_path: Path, run_cli, fmt: str) -> None:
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"{fmt}-{n}"
        result = run_cli("export", "--tree", tree, "--format", fmt, "-o", out)
        assert result.code == 0
        files = sorted(out.iterdir()) if out.is_dir() else [out]
        outputs.append([(p.name if out.is_dir() else "", p.read_bytes()) for p in files])
    assert outputs[0] == outputs[1]


def test_ftm_to_standard_output(tree: Path, run_cli) -> None:
    result = run_cli("export", "--tree", tree, "--format", "ftm")
    assert result.code == 0
    assert all(json.loads(line)["id"].startswith("dossier-") for line in result.out.splitlines())


def test_csv_needs_a_folder(tree: Path, run_cli) -> None:
    assert run_cli("export", "--tree", tree, "--format", "csv").code == 2
