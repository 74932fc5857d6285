"""The whole real corpus (../shared/corpus/timeline-events): imported, checked, imported again.

Skipped where the corpus is absent. About 20 s on 2 cores; marked ``corpus``
(and ``slow``) so it can be deselected locally, but CI runs it.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.importers.timeline import TimelineImporter
from dossier.model import Kind
from dossier.store import Store

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "timeline-events"
BENCH = Path(__file__).resolve().parents[2] / "bench"

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/timeline-events is not here")
    tree = tmp_path_factory.mktemp("corpus") / "tree"
    importer = TimelineImporter(Store(tree))
    report = importer.run([CORPUS], update=False)
    report.resolver = importer.resolver  # type: ignore[attr-defined]  # for the labelled figures
    sys.path.insert(0, str(BENCH))  # eval_actors: the labels and the scoring, shared with the benchmark
    return tree, report


def test_every_parseable_file_is_imported(imported) -> None:
    tree, report = imported
    files = [p for p in CORPUS.iterdir() if p.suffix in (".md", ".json") and not p.name.startswith("README")]
    events = report.tallies[Kind.EVENT]
    assert events.created + events.skipped == len(files)
    assert events.created >= len(files) - 5, report.skipped[:5]
    assert report.tallies[Kind.ACTOR].created > 2000
    assert report.tallies[Kind.SOURCE].created > 4000
    assert sum(1 for _ in (tree / "events").iterdir()) == events.created


def test_check_has_no_errors_only_review_warnings(imported) -> None:
    tree, report = imported
    problems = check_tree(Store(tree)).problems
    errors = [p for p in problems if p.severity == "error"]
    assert errors == [], [str(p) for p in errors[:10]]
    assert {p.severity for p in problems} <= {"warning"}


def test_labelled_actors_figures(imported) -> None:
    """The hand-labelled names of bench/data (see bench/README.md): the issue's targets, met on the corpus."""
    tree, report = imported
    from eval_actors import LABELS, read_labels, score

    resolver = report.resolver
    labels = read_labels(LABELS)
    resolve = {s: (resolver.get(s).id, resolver.get(s).type) if resolver.get(s) else None for _, _, s in labels}
    figures = score(resolve, labels, report.tallies[Kind.ACTOR].created)
    assert figures["not imported"] == []
    assert figures["wrong merges"] == {}
    assert figures["redundant share"] < 0.005, figures["split parties"]
    assert figures["type accuracy"] >= 0.95, figures["type errors"]
    assert all(m["reasons"] for m in report.merges)


def test_ftm_export_of_the_whole_import_validates(imported) -> None:
    pytest.importorskip("followthemoney")
    from eval_actors import invalid_ftm_entities

    from dossier.exporters import load_entries
    from dossier.exporters.ftm import entities

    tree, _ = imported
    assert invalid_ftm_entities(entities(load_entries(Store(tree)))) == []


def test_sources_carry_an_admiralty_grade_from_their_tier(imported) -> None:
    tree, _ = imported
    graded = [tomllib.loads(p.read_text(encoding="utf-8")) for p in (tree / "sources").glob("*/source.toml")]
    with_tier = [d for d in graded if d.get("tier") in (1, 2, 3)]
    assert len(with_tier) > 500
    assert all(d["reliability"] == {1: "B", 2: "C", 3: "D"}[d["tier"]] for d in with_tier if "imported_reliability"
               not in d)


def test_a_well_known_actor_is_one_actor_with_its_events(imported) -> None:
    tree, _ = imported
    milley = tomllib.loads((tree / "actors" / "mark-milley" / "profile.toml").read_text())
    assert milley["type"] == "person"
    citing = [p for p in (tree / "events").glob("*/event.toml")
              if '"mark-milley"' in p.read_text(encoding="utf-8")]
    assert len(citing) >= 2
    assert not (tree / "actors" / "general-mark-milley").exists()


def test_second_import_is_a_no_op(imported) -> None:
    tree, first = imported
    stamps = {p: p.stat().st_mtime_ns for p in tree.rglob("*")}
    report = TimelineImporter(Store(tree)).run([CORPUS], update=False)
    assert report.written == []
    assert report.tallies[Kind.EVENT].reused == first.tallies[Kind.EVENT].created
    assert {p: p.stat().st_mtime_ns for p in tree.rglob("*")} == stamps
