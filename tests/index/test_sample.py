"""Queries with known answers on the sample dossier, and Mark Milley's backlinks and mentions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier.index import Index
from dossier.model import Kind
from dossier.store import Store
from tests.index.helpers import ids


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    import shutil

    from tests.conftest import SAMPLE

    # The sample ships with the repository: a change to it must update these answers, not skip them.
    assert (SAMPLE / "actors" / "mark-milley").is_dir(), f"no sample dossier with actors/mark-milley at {SAMPLE}"
    base = tmp_path_factory.mktemp("sample")
    tree = Path(shutil.copytree(SAMPLE, base / "dossiers"))
    index = Index.open(Store(tree), base / "ix")
    index.reconcile()
    yield index
    index.close()


def test_actor_query_finds_the_revocation_event(sample: Index) -> None:
    hits = sample.search("actor:mark-milley", kind=Kind.EVENT, limit=500)
    assert any(h.row.date == "2025-01-28" and "revoke" in h.row.title.lower() for h in hits), ids(hits)
    assert all("mark-milley" in {b for b in _actors(sample, h.row.id)} for h in hits)


def _actors(index: Index, entry_id: str) -> set[str]:
    return {b.row.id for b in index.backlinks("mark-milley")} and {
        t for f, t, _l in index._records[entry_id].refs if f == "actors"  # noqa: SLF001
    }


def test_type_person_finds_milley_and_not_organisations(sample: Index) -> None:
    found = ids(sample.search("type:person", limit=1000))
    assert "mark-milley" in found and "pete-hegseth" in found
    assert all(sample.row(i).type == "person" for i in found)


def test_fuzzy_and_prefix_find_milley_first(sample: Index) -> None:
    assert ids(sample.search("milly~"))[0] == "mark-milley"
    assert "mark-milley" in ids(sample.search("mill*", limit=200))


def test_phrase_and_boolean_queries(sample: Index) -> None:
    hits = sample.search('"security detail" AND hegseth', limit=200)
    assert hits and all("security detail" in _all_text(sample, h.row.id).lower() for h in hits[:5])
    assert not set(ids(sample.search("milley NOT milley")))


def _all_text(index: Index, entry_id: str) -> str:
    location = index._location(entry_id)  # noqa: SLF001
    assert location is not None
    parts = [index.store.read_text_file(s.path).text or "" for s in (location.main, *location.texts)]
    return " ".join(" ".join(p.split()) for p in parts)


def test_date_and_importance_ranges(sample: Index) -> None:
    hits = sample.search("date:[2020 TO 2021] kind:event", limit=500)
    assert hits and all(h.row.date and h.row.date[:4] in ("2020", "2021") for h in hits)
    high = sample.search("importance:>=8", limit=500)
    assert high and all(h.row.importance and h.row.importance >= 8 for h in high)


def test_milley_backlinks_and_mentions(sample: Index) -> None:
    links = sample.backlinks("mark-milley")
    kinds = [b.row.kind for b in links]
    assert Kind.EVENT in kinds and Kind.SOURCE in kinds
    assert kinds == sorted(kinds, key=[Kind.EVENT, Kind.SOURCE, Kind.ACTOR].index)  # events, sources, actors
    event_dates = [b.row.date for b in links if b.row.kind is Kind.EVENT and b.field == "actors"]
    assert event_dates == sorted(event_dates, key=lambda d: d or "")
    assert any(b.row.id == "pete-hegseth" for b in links)
    mentions = sample.mentions("mark-milley")
    referring = {b.row.id for b in links}
    assert mentions and not {m.row.id for m in mentions} & referring
    for mention in mentions:  # the name is in the snippet, as words (any punctuation between them)
        assert _words(mention.name) in _words(mention.snippet)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
