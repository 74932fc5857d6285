"""``dossier import timeline``: events, sources, actors from Markdown/JSON event files."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.importers.timeline import TimelineImporter, map_status
from dossier.model import Kind
from dossier.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "timeline"
WEB_VARIANT = FIXTURES / "web-variant.txt"


def tree_hash(root: Path) -> str:
    """Every file's path and bytes: equal hashes mean an identical tree."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load(root: Path, kind: str, entry_id: str) -> dict:
    name = {"actors": "profile.toml", "events": "event.toml", "sources": "source.toml"}[kind]
    return tomllib.loads((root / kind / entry_id / name).read_text(encoding="utf-8"))


@pytest.fixture
def imported(tmp_path: Path):
    tree = tmp_path / "tree"
    report = TimelineImporter(Store(tree)).run([FIXTURES, WEB_VARIANT], update=False)
    return tree, report


def test_events_sources_and_actors_are_created(imported) -> None:
    tree, report = imported
    assert report.tallies[Kind.EVENT].created == 4
    assert report.tallies[Kind.SOURCE].created == 4  # NBC (two URL spellings), CBS, NPR, one without URL
    event = load(tree, "events", "2025-01-28-milley-security-detail-revoked")
    assert event["title"] == "Hegseth Revokes Milley's Security Detail"
    assert str(event["date"]) == "2025-01-28"
    assert event["importance"] == 9
    assert event["status"] == "confirmed"
    assert event["actors"] == ["mark-milley", "pete-hegseth", "mark-esper"]
    assert event["capture_lanes"] == ["Military Politicization"]  # unknown fields are kept
    assert event["notes"].startswith("Iranian threats")
    summary = (tree / "events" / "2025-01-28-milley-security-detail-revoked" / "summary.md").read_text()
    assert summary == "Defense Secretary Pete Hegseth revoked the security detail of General Mark Milley.\n"
    source = load(tree, "sources", event["sources"][0])
    assert source["outlet"] == "NBC News" and source["tier"] == 1 and source["verified"] is True
    assert str(source["published"]) == "2025-01-28"
    cbs = load(tree, "sources", event["sources"][1])
    assert cbs["outlet"] == "CBS News"  # 'publisher' is the outlet
    assert str(cbs["published"]) == "2025-01-28"  # "January 28, 2025"


def test_messy_file_name_dates_statuses_and_duplicate_actors(imported) -> None:
    tree, _ = imported
    event = load(tree, "events", "2025-02-01-pentagon-review-cafe")
    assert str(event["date"]) == "2025-02-01"  # "February 1, 2025"
    assert event["importance"] == 7  # "7"
    assert event["status"] == "reported" and event["imported_status"] == "alleged"
    # "Gen. Mark Milley" and "Milley" are Mark Milley; "Pete Hegseth" twice is cited once
    assert event["actors"] == ["mark-milley", "pete-hegseth", "pentagon-inspector-general"]
    # the same NBC article under another spelling of its URL is one source, cited by both events
    first = load(tree, "events", "2025-01-28-milley-security-detail-revoked")
    assert event["sources"][0] == first["sources"][0]
    no_url = load(tree, "sources", event["sources"][1])
    assert no_url["title"] == "Internal memo (no link)" and "url" not in no_url


def test_actor_spellings_merge_but_different_people_do_not(imported) -> None:
    tree, report = imported
    milley = load(tree, "actors", "mark-milley")
    assert milley["name"] == "Mark Milley" and milley["type"] == "person"
    assert milley["aliases"] == ["Gen. Mark Milley", "General Mark Milley", "Milley"]
    assert load(tree, "actors", "mark-esper")["name"] == "Mark Esper"
    assert load(tree, "actors", "pentagon-inspector-general")["type"] == "organization"
    assert load(tree, "actors", "senate-armed-services-committee")["type"] == "organization"
    actors = sorted(p.name for p in (tree / "actors").iterdir())
    assert actors == ["mark-esper", "mark-milley", "pentagon-inspector-general", "pete-hegseth",
                      "senate-armed-services-committee"]
    assert report.tallies[Kind.ACTOR].created == 5


def test_web_variant_sources_section_and_verification_status(imported) -> None:
    tree, _ = imported
    (event_id,) = [p.name for p in (tree / "events").iterdir() if p.name.startswith("2025-01-28-defense-secretary")]
    event = load(tree, "events", event_id)
    assert event["status"] == "reported" and event["verification_status"] == "pending"
    assert event["draft"] is False and "last_updated" in event
    assert len(event["sources"]) == 2
    first = load(tree, "events", "2025-01-28-milley-security-detail-revoked")
    assert event["sources"][0] == first["sources"][1]  # the CBS article, reused by URL
    summary = (tree / "events" / event_id / "summary.md").read_text()
    assert summary == "Hegseth ordered an investigation into Milley.\n"  # no sources list, no footer


def test_json_event(imported) -> None:
    tree, _ = imported
    event = load(tree, "events", "2024-05-05-json-event")
    assert event["status"] == "disputed"
    assert "financial_impact" not in event  # null has no TOML form
    assert (tree / "events" / "2024-05-05-json-event" / "summary.md").read_text().startswith("Mark Esper testifies")
    npr = load(tree, "sources", event["sources"][0])
    assert npr["outlet"] == "NPR" and npr["tier"] == 2


def test_bad_files_are_reported_and_skipped(imported) -> None:
    _, report = imported
    reasons = {Path(n.path).name: n.message for n in report.skipped}
    assert set(reasons) == {"broken-yaml.md", "no-front-matter.md", "truncated.json"}
    assert "YAML front matter does not parse at line" in reasons["broken-yaml.md"]
    assert "no YAML front matter" in reasons["no-front-matter.md"]
    assert "JSON does not parse" in reasons["truncated.json"]
    assert report.tallies[Kind.EVENT].skipped == 3
    assert [Path(p).name for p in report.ignored] == ["README.md"]


def test_result_passes_check(imported) -> None:
    tree, _ = imported
    report = check_tree(Store(tree))
    assert report.problems == []


def test_second_import_changes_nothing(imported) -> None:
    tree, _ = imported
    before = tree_hash(tree)
    report = TimelineImporter(Store(tree)).run([FIXTURES, WEB_VARIANT], update=False)
    assert tree_hash(tree) == before
    assert report.written == []
    assert report.tallies[Kind.EVENT].reused == 4 and report.tallies[Kind.EVENT].created == 0
    assert report.tallies[Kind.ACTOR].created == 0 and report.tallies[Kind.ACTOR].reused == 5
    assert report.tallies[Kind.SOURCE].created == 0 and report.tallies[Kind.SOURCE].reused == 4


def test_ids_are_stable_across_fresh_imports(tmp_path: Path) -> None:
    trees = []
    for name in ("a", "b"):
        TimelineImporter(Store(tmp_path / name)).run([FIXTURES, WEB_VARIANT], update=False)
        trees.append(tree_hash(tmp_path / name))
    assert trees[0] == trees[1]


def test_existing_actor_and_source_are_reused_never_rewritten(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    profile = tree / "actors" / "mark-a-milley" / "profile.toml"
    profile.parent.mkdir(parents=True)
    profile.write_text('# my notes\nname = "Mark A. Milley"\ntype = "person"\naliases = ["Mark Milley"]\n')
    source = tree / "sources" / "my-nbc-copy" / "source.toml"
    source.parent.mkdir(parents=True)
    source.write_text('title = "My copy"\nurl = "https://nbcnews.com/politics/milley-security-detail"\n')
    before = (profile.read_bytes(), source.read_bytes())
    report = TimelineImporter(Store(tree)).run([FIXTURES], update=False)
    assert (profile.read_bytes(), source.read_bytes()) == before
    assert not (tree / "actors" / "mark-milley").exists()
    event = load(tree, "events", "2025-01-28-milley-security-detail-revoked")
    assert event["actors"][0] == "mark-a-milley"
    assert event["sources"][0] == "my-nbc-copy"
    assert report.tallies[Kind.ACTOR].reused == 1 and report.tallies[Kind.SOURCE].reused == 1


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    report = TimelineImporter(Store(tree), dry_run=True).run([FIXTURES], update=False)
    assert list(tree.iterdir()) == []
    assert report.tallies[Kind.EVENT].created == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [("confirmed", "confirmed"), ("Verified", "confirmed"), ("pending", "reported"), ("alleged", "reported"),
     ("contested", "disputed"), ("false", "debunked"), ("needs_work", "reported"), (None, None)],
)
def test_status_vocabulary(value, expected) -> None:
    assert map_status(value) == expected


def test_cli_summary_json_and_exit_code(tmp_path: Path, run_cli) -> None:
    tree = tmp_path / "new-tree"
    result = run_cli("import", "timeline", FIXTURES, "--tree", tree, "--json")
    assert result.code == 1  # three files were skipped
    summary = result.json()
    assert summary["events"] == {"created": 3, "reused": 0, "skipped": 3}
    assert {Path(s["path"]).name for s in summary["skipped"]} == {"broken-yaml.md", "no-front-matter.md",
                                                                 "truncated.json"}
    assert summary["index"].startswith("index")
    good = tmp_path / "good"
    good.mkdir()
    (good / "event.md").write_bytes((FIXTURES / "2025-01-28--milley-security-detail-revoked.md").read_bytes())
    result = run_cli("import", "timeline", good, "--tree", tmp_path / "other")
    assert result.code == 0
    assert "events" in result.out and "created" in result.out


def test_cli_missing_input_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    result = run_cli("import", "timeline", tmp_path / "nope", "--tree", tmp_path / "t")
    assert result.code == 2
    assert "no such file" in result.err


def import_files(tmp_path: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    """Write input files into a folder, import it into a fresh tree; (tree, report)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, text in files.items():
        (inputs / name).write_text(text, encoding="utf-8")
    tree = tmp_path / "tree"
    return tree, TimelineImporter(Store(tree)).run([inputs], update=False)


def sources_by_title(tree: Path) -> dict[str, dict]:
    return {d["title"]: d for d in (tomllib.loads(p.read_text()) for p in tree.glob("sources/*/source.toml"))}


# ------------------------------------------------------------- impossible dates (issue 11, fault 12)

GOOD_EVENT = "---\ntitle: A good event\ndate: 2025-02-03\nactors: [Mark Milley]\n---\nText.\n"


@pytest.mark.parametrize(
    ("front", "line"),
    [
        ("title: Leap\ndate: 2025-02-30\n", 3),
        ("title: Leap\ndate: '2025-02-03'\nsources:\n  - title: A paper\n    date: 2025-02-30\n", 6),
    ],
    ids=["event date", "date inside sources"],
)
def test_unquoted_impossible_date_skips_only_that_file_with_its_line(tmp_path: Path, front: str, line: int) -> None:
    _, report = import_files(tmp_path, {"bad.md": f"---\n{front}---\nBody.\n", "good.md": GOOD_EVENT})
    assert report.tallies[Kind.EVENT].created == 1  # the good file is imported
    (skipped,) = report.skipped
    assert skipped.path.endswith("bad.md")
    assert f"line {line}" in skipped.message and "invalid date" in skipped.message and "2025-02-30" in skipped.message


def test_unquoted_impossible_date_in_a_yaml_event_file(tmp_path: Path) -> None:
    _, report = import_files(tmp_path, {"bad.yaml": "title: Leap\nactors: [A B]\ndate: 2024-13-01\n",
                                        "good.md": GOOD_EVENT})
    assert report.tallies[Kind.EVENT].created == 1
    assert "invalid date" in report.skipped[0].message and "line 3" in report.skipped[0].message


def test_quoted_impossible_date_says_invalid_not_missing(tmp_path: Path) -> None:
    _, report = import_files(tmp_path, {"leap.md": "---\ntitle: Leap\ndate: '2025-02-30'\n---\nBody.\n",
                                        "leap.json": '{\n  "title": "Leap",\n  "date": "2025-02-30",\n  "x": 1\n}\n'})
    assert len(report.skipped) == 2
    for skipped in report.skipped:
        assert "invalid date" in skipped.message and "no date" not in skipped.message
        assert "line 3" in skipped.message


# ------------------------------------------------------------------ sources: grades and URLs


def test_tier_becomes_an_admiralty_grade_and_is_kept(tmp_path: Path) -> None:
    tree, _ = import_files(tmp_path, {"e.md": (
        "---\ntitle: Graded\ndate: 2025-02-03\nsources:\n"
        "  - {url: 'https://a.example/1', title: One, tier: 1}\n"
        "  - {url: 'https://a.example/2', title: Two, tier: '2'}\n"
        "  - {url: 'https://a.example/3', title: Three, tier: 3}\n"
        "  - {url: 'https://a.example/4', title: Four, tier: 7}\n"
        "  - {url: 'https://a.example/5', title: Five, tier: 1, reliability: A}\n"
        "---\nx\n")})
    sources = sources_by_title(tree)
    assert {t: sources[t].get("reliability") for t in sources} == {"One": "B", "Two": "C", "Three": "D",
                                                                  "Four": None, "Five": "A"}
    assert sources["One"]["tier"] == 1 and sources["Four"]["tier"] == 7  # the input's own value stays


def test_an_outlet_name_in_the_url_field_moves_out_of_it(tmp_path: Path) -> None:
    tree, _ = import_files(tmp_path, {"e.md": (
        "---\ntitle: Named\ndate: 2025-02-03\nsources:\n  - {title: Reuters, url: Reuters}\n"
        "  - {title: Paper, url: academic research compilation, outlet: A Centre}\n"
        "  - {title: Site, url: www.example.org/page}\n---\nx\n")})
    sources = sources_by_title(tree)
    assert "url" not in sources["Reuters"] and sources["Reuters"]["outlet"] == "Reuters"
    assert "url" not in sources["Paper"] and sources["Paper"]["imported_url"] == "academic research compilation"
    assert sources["Paper"]["outlet"] == "A Centre"
    assert sources["Site"]["url"] == "www.example.org/page"


def test_merges_are_in_the_json_report(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "e.md").write_text("---\ntitle: Merged\ndate: 2025-02-03\nactors: [Apple, Apple Inc., Oleg Deripaska]"
                                 "\n---\nDeripaska said.\n", encoding="utf-8")
    result = run_cli("import", "timeline", inputs, "--tree", tmp_path / "tree", "--json")
    merges = result.json()["merges"]
    assert [m["spellings"] for m in merges] == [["Apple", "Apple Inc."]]
    assert merges[0]["reasons"] and merges[0]["id"] in ("apple", "apple-inc")
    text = run_cli("import", "timeline", inputs, "--tree", tmp_path / "tree2").out
    assert "1 actor(s) merged from several spellings" in text


def test_partial_dates_stay_partial(tmp_path: Path) -> None:
    tree, _ = import_files(tmp_path, {
        "a.md": "---\ntitle: Year only\ndate: 1998\nsources:\n  - {title: Book, date: 1998}\n---\n",
        "b.md": "---\ntitle: Month only\ndate: '2020-06'\n---\n",
        "c.md": "---\ntitle: Month in words\ndate: June 2009\n---\n"})
    dates = {d["title"]: d["date"] for d in (tomllib.loads(p.read_text()) for p in tree.glob("events/*/event.toml"))}
    assert dates == {"Year only": "1998", "Month only": "2020-06", "Month in words": "2009-06"}
    (book,) = [tomllib.loads(p.read_text()) for p in tree.glob("sources/*/source.toml")]
    assert book["published"] == "1998"
