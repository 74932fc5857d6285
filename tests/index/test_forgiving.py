"""Search that forgives how people type (issue 14): each rule, on a small tree."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from dossier.index import Index
from dossier.search_text import analysed
from dossier.store import Store
from tests.index.helpers import actor, event, source


def ids(hits) -> list[str]:
    return [hit.row.id for hit in hits]


@pytest.fixture
def index(tree: Path, tmp_path: Path):
    actor(tree, "oleg-deripaska", "Oleg Deripaska", summary="Russian oligarch.")
    actor(tree, "paul-manafort", "Paul Manafort", summary="Campaign chairman.")
    event(tree, "2016-08-01-manafort-deripaska", "Manafort offered Deripaska private briefings", "2016-08-01",
          importance=8, actors=("paul-manafort", "oleg-deripaska"))
    event(tree, "2016-10-07-access-hollywood", "The Access Hollywood tape is published", "2016-10-07", importance=9)
    event(tree, "2019-09-24-aid", "Trump freezes Ukraine military aid", "2019-09-24", importance=9)
    with Index.open(Store(tree), tmp_path / "ix") as opened:
        opened.reconcile()
        yield opened


def test_stopwords_are_dropped_on_both_sides(index: Index) -> None:
    assert analysed("the Access Hollywood tape") == analysed("access hollywood tape")
    assert ids(index.search("the access hollywood tape"))[:1] == ["2016-10-07-access-hollywood"]
    assert ids(index.search("manafort and deripaska"))[:1] == ["2016-08-01-manafort-deripaska"]
    assert not index.search("manafort and deripaska").fallback  # every word matched: nothing to say


def test_question_words_do_not_block(index: Index) -> None:
    hits = index.search("when was Milley's security detail revoked?")
    assert ids(hits)[:1] == ["2025-01-28-detail-revoked"]
    assert not hits.fallback.startswith("no entry")  # "when" and "was" are not words it lacks
    assert not hits.missing


def test_irregular_word_forms_meet_their_base_form(index: Index) -> None:
    assert analysed("frozen") == analysed("freezes") == analysed("froze")
    assert ids(index.search("ukraine military aid frozen"))[:1] == ["2019-09-24-aid"]


def test_an_unmatched_word_falls_back_and_says_so(index: Index) -> None:
    hits = index.search("hegseth revokes milley detail ocelots")
    assert ids(hits)[:1] == ["2025-01-28-detail-revoked"]
    assert hits.fallback == "no entry has all 5 words: showing entries with 4"
    assert hits.missing == ["ocelots"]


def test_explicit_operators_keep_their_strict_meaning(index: Index) -> None:
    assert not index.search("hegseth AND ocelots")
    assert not index.search('"milley ocelots"')
    hits = index.search("title:ocelots")
    assert not hits and not hits.fallback


def test_a_swapped_pair_of_letters_is_one_edit(index: Index) -> None:
    hits = index.search("deripsaka manafort")  # 'sk' swapped
    assert ids(hits)[:1] == ["2016-08-01-manafort-deripaska"]
    assert hits.corrected == {"deripsaka": "deripaska"}


def test_a_typo_in_a_name_is_corrected_and_the_typed_word_kept(index: Index) -> None:
    hits = index.search("milly security detail")
    assert ids(hits)[:1] == ["2025-01-28-detail-revoked"]
    assert hits.corrected == {"milly": "milley"}


def test_suggestions_name_actors_first(index: Index) -> None:
    hits = index.search("deripasca xqzzyv")
    assert hits.suggestions[:1] == ["Oleg Deripaska"]
    assert "xqzzyv" in hits.missing


def test_a_title_match_outranks_text_that_repeats_the_words(index: Index, tree: Path) -> None:
    source(tree, "2019-09-25-long-report", "Report", "2019-09-25",
           text="Ukraine military aid frozen. " * 30)
    index.reconcile()
    assert ids(index.search("ukraine military aid"))[0] == "2019-09-24-aid"


def test_events_come_before_sources_at_equal_strength(index: Index, tree: Path) -> None:
    source(tree, "2019-09-24-same-title", "Trump freezes Ukraine military aid", "2019-09-24")
    index.reconcile()
    assert ids(index.search("trump freezes ukraine military aid"))[:2] == ["2019-09-24-aid", "2019-09-24-same-title"]


def test_search_json_has_version_total_and_what_was_done(run_cli, index: Index, tree: Path, tmp_path: Path) -> None:
    result = run_cli("search", "--tree", tree, "--index", tmp_path / "ix", "--json", "--limit", "1", "milly detail")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["version"] == 1 and data["query"] == "milly detail"
    assert data["total"] >= len(data["hits"]) == 1
    assert data["corrected"] == {"milly": "milley"}
    assert data["hits"][0]["id"] == "2025-01-28-detail-revoked"


def test_the_cli_says_what_it_did(run_cli, index: Index, tree: Path, tmp_path: Path) -> None:
    result = run_cli("search", "--tree", tree, "--index", tmp_path / "ix", "hegseth milley ocelots")
    assert result.code == 0
    # Piped (as here), standard output is one hit a line and what search did goes to standard error.
    assert "no entry has all 3 words: showing entries with 2" in result.err
    assert "not found in any entry: ocelots" in result.err
    assert result.out.splitlines()[0].startswith("2025-01-28-detail-revoked\tevent")
    result = run_cli("search", "--tree", tree, "--index", tmp_path / "ix", "--explain", "milly detail")
    assert "showing results for milley; search instead for \"milly\"" in result.out
    assert "why: 2/2 words" in result.out


def test_saved_searches_live_in_dossier_toml(run_cli, index: Index, tree: Path, tmp_path: Path) -> None:
    (tree / "dossier.toml").write_text('# my collection\ntitle = "Notes"\n\n[policy]\nx = 1\n', encoding="utf-8")
    ix = tmp_path / "ix"
    result = run_cli("search", "--tree", tree, "--index", ix, "--save", "detail", "security detail revoked")
    assert result.code == 0, result.err
    text = (tree / "dossier.toml").read_text(encoding="utf-8")
    assert text.startswith('# my collection\ntitle = "Notes"\n')  # comments and order kept
    assert tomllib.loads(text)["searches"] == {"detail": "security detail revoked"}
    assert tomllib.loads(text)["policy"] == {"x": 1}
    result = run_cli("search", "--tree", tree, "--index", ix, "--json", "@detail")
    assert json.loads(result.out)["query"] == "security detail revoked"
    assert json.loads(result.out)["hits"][0]["id"] == "2025-01-28-detail-revoked"
    result = run_cli("search", "--tree", tree, "--index", ix, "@nosuch")
    assert result.code == 2 and "no saved search @nosuch: saved searches are @detail" in result.err


def test_importance_then_the_later_date_break_ties(index: Index, tree: Path) -> None:
    walruses = (("2020-01-01-walrus-a", "2020-01-01", 3), ("2021-01-01-walrus-b", "2021-01-01", 3),
                ("2019-01-01-walrus-c", "2019-01-01", 9))
    for entry_id, date, importance in walruses:
        event(tree, entry_id, "Walrus sighting", date, importance=importance, summary="A walrus was seen.")
    index.reconcile()
    assert ids(index.search("walrus sighting")) == ["2019-01-01-walrus-c", "2021-01-01-walrus-b", "2020-01-01-walrus-a"]


def test_a_query_of_only_common_words_says_so(run_cli, index: Index, tree: Path, tmp_path: Path) -> None:
    result = run_cli("search", "--tree", tree, "--index", tmp_path / "ix", "the of")
    assert result.code == 2
    assert "only common words" in result.err


def test_a_swapped_pair_in_a_word_only_in_texts_is_shown_as_the_word(index: Index) -> None:
    hits = index.search("security claerance")  # "clearance" is only in the source's text
    assert ids(hits)[:1] == ["2025-01-28-cnn-report"]
    assert hits.corrected == {"claerance": "clearance"}  # the word as written, not its stem "clearanc"
