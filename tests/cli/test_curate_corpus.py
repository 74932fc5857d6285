"""On an import of the real corpus: check's duplicate warnings name a merge command that works.

Skipped where ../shared/corpus is absent; marked ``corpus`` and ``slow`` (the import takes ~20 s).
"""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.importers.timeline import TimelineImporter
from dossier.model import Severity, iter_references
from dossier.review import review_tree
from dossier.store import Store

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "timeline-events"

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def test_a_duplicate_warning_leads_to_a_merge_that_leaves_a_clean_tree(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/timeline-events is not here")
    tree = tmp_path / "tree"
    TimelineImporter(Store(tree)).run([CORPUS], update=False)
    warnings = [p for p in review_tree(Store(tree), mentions=False) if p.code == "likely-duplicate"]
    assert len(warnings) > 20
    cia = next(p for p in warnings if "central-intelligence-agency" in p.message and p.entry_id in (
        "cia", "central-intelligence-agency"))
    command = shlex.split(cia.message.split("merge them: ", 1)[1])
    assert command[:2] == ["dossier", "merge"]
    keep, other = command[2], command[3]
    result = run_cli(*command[1:], "--tree", tree)
    assert result.code == 0, result.err
    assert not (tree / "actors" / other).exists()
    kept = tomllib.loads((tree / "actors" / keep / "profile.toml").read_text(encoding="utf-8"))
    assert kept["merged"][-1]["id"] == other and kept["merged"][-1]["reason"] == command[-1]
    store = Store(tree)
    for location in store.scan().locations:
        data, _, _ = store.read_kind_file(location)
        assert all(ref.target != other for ref in iter_references(location.kind, data or {}))
    assert [p for p in check_tree(store).problems if p.severity is Severity.ERROR] == []
    after = [p for p in review_tree(store, mentions=False) if p.code == "likely-duplicate"]
    assert not [p for p in after if p.entry_id == other or f"same actor as {other} " in p.message]
    assert len(after) < len(warnings)
