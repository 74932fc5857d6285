"""Chronology (Markdown and HTML), CSL-JSON and GraphML/GEXF exports of the sample dossier."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

DISPUTED = "2021-12-07-milley-iran-attack-claim-disputed"
MEADOWS_BOOK = "2021-12-07-meadows-the-chiefs-chief"
CNN_INTERVIEW = "2023-09-13-cnn-zakaria-interview-milley-iran"


def export(run_cli, tree: Path, *args: str | Path) -> str:
    result = run_cli("export", "--tree", tree, *args)
    assert result.code == 0, result.err
    return result.out


def footnotes(markdown: str) -> dict[int, str]:
    return {int(n): text for n, text in re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, re.M)}


def test_chronology_of_milley_holds_the_disputed_claim_with_both_accounts(sample_tree: Path, run_cli) -> None:
    text = export(run_cli, sample_tree, "--format", "chronology", "--actor", "mark-milley")
    assert text.startswith("# Chronology: Mark A. Milley")
    line_at = text.index(DISPUTED)
    event_line = text[text.rindex("\n", 0, line_at) + 1: line_at]
    assert "? disputed" in event_line
    block = text[line_at: text.index("\n- ", line_at)]
    notes = footnotes(text)
    meadows = re.search(r"Mark Meadows \(`mark-meadows`\): “Milley urged Trump.*”\[\^(\d+)\]", block)
    milley = re.search(r"Mark A\. Milley \(`mark-milley`\): “He never recommended.*”\[\^(\d+)\]", block)
    assert meadows and milley
    book, interview = notes[int(meadows.group(1))], notes[int(milley.group(1))]
    assert book.startswith("The Chief's Chief. Mark Meadows. 2021-12-07.") and MEADOWS_BOOK in book
    assert "Grade C4 (fairly reliable; doubtful)" in book
    assert "CNN. Fareed Zakaria. 2023-09-13." in interview and CNN_INTERVIEW in interview
    assert "Grade C3 (fairly reliable; possibly true)" in interview
    # every cited number has its footnote, numbered 1..n in order of first citation
    cited = [int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", text)]
    assert sorted(set(cited)) == list(range(1, len(notes) + 1))
    assert list(dict.fromkeys(cited)) == sorted(set(cited))


def test_chronology_selection(sample_tree: Path, run_cli) -> None:
    text = export(run_cli, sample_tree, "--format", "chronology", "--actor", "mark-milley",
                  "--from", "2021", "--to", "2023-09", "--status", "disputed,confirmed", "--min-importance", "7")
    dates = re.findall(r"^- \*\*([0-9-]+)\*\*", text, re.M)
    assert dates and all("2021" <= d <= "2023-09-31" for d in dates)
    assert DISPUTED in text and "2021-08-30-us-withdrawal-from-afghanistan" not in text  # importance 5
    tagged = export(run_cli, sample_tree, "--format", "chronology", "--tag", "disputed-claim")
    assert re.findall(r"^- .*`(20[^`]+)`$", tagged, re.M) == [DISPUTED]
    queried = export(run_cli, sample_tree, "--format", "chronology", "--query", "Meadows book")
    assert DISPUTED in queried
    bad = run_cli("export", "--tree", sample_tree, "--format", "chronology", "--from", "last week")
    assert bad.code == 2 and "--from" in bad.err


def test_chronology_html_has_the_same_content_escaped(sample_tree: Path, run_cli, tmp_path: Path) -> None:
    (sample_tree / "events" / "2024-01-01-hostile").mkdir()
    (sample_tree / "events" / "2024-01-01-hostile" / "event.toml").write_text(
        'title = "<script>alert(1)</script> & co"\ndate = 2024-01-01\nactors = ["mark-milley"]\n'
        'sources = ["2025-01-28-cnn-hegseth-revokes-milley-detail"]\n')
    out = tmp_path / "milley.html"
    export(run_cli, sample_tree, "--format", "chronology", "--actor", "mark-milley", "-o", out)
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert DISPUTED in page and "He never recommended a US military attack on Iran" in page
    assert "C4 (fairly reliable; doubtful)" in page
    markdown = export(run_cli, sample_tree, "--format", "chronology", "--actor", "mark-milley")
    assert page.count('<li id="fn') == len(footnotes(markdown))
    assert markdown.count("\n- **") == page.count("<li><strong>")


def test_csl_json_lists_the_cited_sources(sample_tree: Path, run_cli) -> None:
    items = json.loads(export(run_cli, sample_tree, "--format", "csl-json", "--tag", "disputed-claim"))
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {MEADOWS_BOOK, CNN_INTERVIEW, "2021-07-new-yorker-glasser-milley-iran",
                          "2025-web-milley-iran-high-stakes-chess-match"}
    book = by_id[MEADOWS_BOOK]
    assert book["type"] == "book" and book["author"] == [{"literal": "Mark Meadows"}]
    assert book["issued"] == {"date-parts": [[2021, 12, 7]]}
    assert by_id[CNN_INTERVIEW]["container-title"] == "CNN"
    assert "C3 (fairly reliable; possibly true)" in by_id[CNN_INTERVIEW]["note"]
    everything = json.loads(export(run_cli, sample_tree, "--format", "csl-json"))
    assert len(everything) == len(list((sample_tree / "sources").iterdir()))


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_export_reads_in_networkx(sample_tree: Path, run_cli, tmp_path: Path, fmt, reader) -> None:
    out = tmp_path / f"graph.{fmt}"
    export(run_cli, sample_tree, "--format", fmt, "-o", out)
    graph = reader(out)
    actors = {p.name for p in (sample_tree / "actors").iterdir()}
    assert set(graph.nodes) == actors
    if fmt == "graphml":
        assert graph.nodes["mark-milley"]["name"] == "Mark A. Milley"
        assert graph.nodes["mark-milley"]["type"] == "person"
    edges = {(a, b, d["kind"]): d for a, b, d in graph.edges(data=True)}

    def edge(a: str, b: str, kind: str) -> dict:
        return edges.get((a, b, kind)) or edges[(b, a, kind)]

    shared = edge("mark-milley", "pete-hegseth", "event")
    assert "2025-01-28-milley-security-detail-revoked" in shared["ids"].split(";")
    assert shared["weight"] == len(shared["ids"].split(";"))
    assert edge("pete-hegseth", "mark-milley", "link")["ids"] == "pete-hegseth#links[2]"
    assert edge("mark-milley", "us-army", "role")["weight"] == 2  # two roles in the army
    again = tmp_path / f"again.{fmt}"
    export(run_cli, sample_tree, "--format", fmt, "-o", again)
    assert again.read_bytes() == out.read_bytes()


def test_markdown_chronology_keeps_hostile_text_literal(sample_tree: Path, run_cli) -> None:
    event = sample_tree / "events" / "2024-01-01-hostile"
    event.mkdir()
    (event / "event.toml").write_text(
        'title = "**loud** [click](javascript:alert(1)) <img src=x>"\ndate = 2024-01-01\n'
        'actors = ["mark-milley"]\nsources = ["2024-01-01-hostile-source"]\n')
    source = sample_tree / "sources" / "2024-01-01-hostile-source"
    source.mkdir()
    (source / "source.toml").write_text('title = "A \\u001b[31mred\\u001b[0m title"\nurl = "javascript:alert(1)"\n')
    text = export(run_cli, sample_tree, "--format", "chronology", "--from", "2024", "--to", "2024")
    line = next(line for line in text.splitlines() if "2024-01-01-hostile`" in line)
    assert r"\*\*loud\*\* \[click\](javascript:alert(1)) \<img src=x\>" in line
    note = footnotes(text)[1]
    assert "\x1b" not in note and r"␛\[31mred" in note and "Not graded." in note
    assert "<javascript:" not in note and "javascript:alert(1)" in note  # shown, never a link
