"""The timeline inputs the README documents: YAML event files, and folders' README and _index.md ignored."""

from __future__ import annotations

import tomllib
from pathlib import Path

from dossier.importers.timeline import TimelineImporter
from dossier.model import Kind
from dossier.store import Store


def test_a_yaml_event_file_and_hugo_index_pages(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "2024-05-01-harbour.yaml").write_text(
        "title: Harbour meeting\n"
        "date: 2024-05-01\n"
        "importance: 6\n"
        "actors: [Alice Example, Bob Example]\n"
        "sources:\n"
        "  - url: https://paper.example/harbour\n"
        "    title: Harbour report\n"
        "summary: They met at the harbour.\n",
        encoding="utf-8",
    )
    (incoming / "_index.md").write_text("---\ntitle: Events\n---\nA Hugo section page.\n", encoding="utf-8")
    (incoming / "README.md").write_text("# My events\n", encoding="utf-8")
    tree = tmp_path / "tree"
    report = TimelineImporter(Store(tree)).run([incoming], update=False)
    assert report.ok and report.skipped == []
    assert sorted(Path(p).name for p in report.ignored) == ["README.md", "_index.md"]
    assert report.tallies[Kind.EVENT].created == 1 and report.tallies[Kind.ACTOR].created == 2
    event = tomllib.loads((tree / "events/2024-05-01-harbour/event.toml").read_text())
    assert event["title"] == "Harbour meeting" and event["importance"] == 6
    assert (tree / "events/2024-05-01-harbour/summary.md").read_text().strip() == "They met at the harbour."
