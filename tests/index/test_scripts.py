"""Search finds a name in any script by either spelling: "Путин" and "putin", "Orbán" and "orban"."""

from __future__ import annotations

from pathlib import Path

from dossier.index import Index
from dossier.store import Store


def test_search_finds_cyrillic_by_latin_and_latin_by_cyrillic(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    store = Store(tree)
    for entry_id, name in (("vladimir-putin", "Владимир Путин"), ("viktor-orban", "Viktor Orbán"),
                           ("mark-milley", "Mark Milley")):
        folder = tree / "actors" / entry_id
        folder.mkdir(parents=True)
        (folder / "profile.toml").write_text(f'name = "{name}"\ntype = "person"\n', encoding="utf-8")
    index = Index.open(store, tmp_path / "index")
    try:
        index.rebuild()
        for query, expected in (("putin", "vladimir-putin"), ("Путин", "vladimir-putin"), ("orban", "viktor-orban"),
                                ("Orbán", "viktor-orban"), ("Орбан", "viktor-orban"), ("milley", "mark-milley")):
            assert [hit.row.id for hit in index.search(query)] == [expected], query
    finally:
        index.close()
