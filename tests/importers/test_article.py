"""``dossier import article``: a saved article becomes a source; the actors it mentions are listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dossier.importers.article import find_mentions, import_article
from dossier.importers.timeline import TimelineImporter
from dossier.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    TimelineImporter(Store(tree)).run([FIXTURES / "timeline"], update=False)
    return tree


def test_html_page_main_text_and_metadata(tree: Path) -> None:
    result = import_article(Store(tree), FIXTURES / "articles" / "saved.html", update=False)
    assert result.created
    folder = tree / "sources" / result.source_id
    data = tomllib.loads((folder / "source.toml").read_text())
    assert data["title"] == "Milley's security detail revoked"
    assert data["author"] == "Jane Roe"
    assert data["outlet"] == "Daily Planet"
    assert str(data["published"]) == "2025-01-28"
    assert result.source_id.startswith("2025-01-28-")
    text = (folder / "text.md").read_text()
    assert "revoked the security detail" in text
    assert "Subscribe to our newsletter" not in text and "Home" not in text  # page furniture left out
    mentioned = {m.actor_id for m in result.mentions}
    assert {"mark-milley", "pete-hegseth", "mark-esper"} <= mentioned


def test_markdown_front_matter_options_and_reuse_by_url(tree: Path) -> None:
    store = Store(tree)
    path = FIXTURES / "articles" / "note.md"
    first = import_article(store, path, source_type="interview", update=False)
    data = tomllib.loads((tree / "sources" / first.source_id / "source.toml").read_text())
    assert data["url"] == "https://example.org/briefing"
    assert data["author"] == "A. Reporter" and data["outlet"] == "Example Wire"
    assert data["type"] == "interview"
    assert first.source_id == "2025-02-02-notes-from-the-briefing"
    again = import_article(store, path, update=False)
    assert not again.created and again.source_id == first.source_id
    assert again.report.tallies  # reported as reused
    # "Hegseth" alone is a mention: the timeline import gave Pete Hegseth his unambiguous surname as an alias.
    assert [m.actor_id for m in again.mentions] == ["mark-esper", "pete-hegseth"]


def test_unreadable_article_is_skipped(tmp_path: Path) -> None:
    bad = tmp_path / "page.html"
    bad.write_bytes(b"\x00\x01binary")
    result = import_article(Store(tmp_path / "tree"), bad, update=False)
    assert result.source_id is None and not result.report.ok
    assert "binary" in result.report.skipped[0].message


def test_mentions_match_whole_words_and_acronyms_in_capitals() -> None:
    actors = [("fbi", ["FBI"]), ("mark-milley", ["Mark Milley", "Milley"]), ("ice", ["ICE"])]
    mentions = find_mentions("The FBI said nice things; Gen. Mark  Milley agreed. Milleys? no. ice cream.", actors)
    assert {m.actor_id: m.count for m in mentions} == {"fbi": 1, "mark-milley": 1}


def test_cli_article(tree: Path, run_cli) -> None:
    result = run_cli("import", "article", FIXTURES / "articles" / "note.md", "--tree", tree,
                     "--published", "2025-02-03", "--json")
    assert result.code == 0
    summary = result.json()
    assert summary["source"] == "2025-02-03-notes-from-the-briefing" and summary["created"]
    assert [m["actor"] for m in summary["mentions"]] == ["mark-esper", "pete-hegseth"]  # "Hegseth" alone
