"""The whole real corpus (../shared/corpus/timeline-events): imported, checked, imported again.

Skipped where the corpus is absent. About 20 s on 2 cores; marked ``corpus``
(and ``slow``) so it can be deselected locally, but CI runs it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.importers.timeline import TimelineImporter
from dossier.model import Kind
from dossier.store import Store

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "timeline-events"

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/timeline-events is not here")
    tree = tmp_path_factory.mktemp("corpus") / "tree"
    report = TimelineImporter(Store(tree)).run([CORPUS], update=False)
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


def test_check_is_clean(imported) -> None:
    tree, report = imported
    problems = check_tree(Store(tree)).problems
    assert problems == [], [str(p) for p in problems[:10]]


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
