"""Ids for names in every script: one slug function, transliterated, the name kept in its own script."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dossier.importers.actors import name_key
from dossier.model import slugify
from dossier.store import Store


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Владимир Путин", "vladimir-putin"),
        ("习近平", "xi-jin-ping"),
        ("Ørsted", "orsted"),
        ("Straße", "strasse"),
        ("Łukasz Kamiński", "lukasz-kaminski"),
        ("Recep Tayyip Erdoğan", "recep-tayyip-erdogan"),
        ("김정은", "gim-jeong-eun"),
        ("Milley's report", "milleys-report"),
        ("¿?!", "untitled"),
    ],
)
def test_slug_transliterates_instead_of_dropping(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_the_matcher_folds_names_the_way_ids_do() -> None:
    assert name_key("Владимир Путин") == "vladimir putin" == name_key("Vladimir Putin")
    assert name_key("Ørsted") == name_key("Orsted")
    assert name_key("Aleksandar Vučić") == name_key("Aleksandar Vucic")


def test_new_actor_in_cyrillic_gets_a_latin_id_and_keeps_its_name(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("new", "actor", "Владимир Путин", "--tree", tmp_path, "--json")
    assert result.code == 0 and result.json()["id"] == "vladimir-putin"
    data = tomllib.loads(Path(result.json()["path"]).read_text(encoding="utf-8"))
    assert data["name"] == "Владимир Путин"


def test_new_event_without_a_date_is_refused_not_dated_today(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("new", "event", "Something happened", "--tree", tmp_path)
    assert result.code == 2 and "needs a date" in result.err
    assert not (tmp_path / "events").exists() or not any((tmp_path / "events").iterdir())
    partial = run_cli("new", "event", "Something happened", "--date", "1998", "--tree", tmp_path, "--json")
    data = tomllib.loads(Path(partial.json()["path"]).read_text(encoding="utf-8"))
    assert data["date"] == "1998" and partial.json()["id"] == "1998-something-happened"


def test_check_suggests_a_transliterated_id_for_a_folder_named_in_cyrillic(tmp_path: Path) -> None:
    folder = tmp_path / "actors" / "Путин"
    folder.mkdir(parents=True)
    (folder / "profile.toml").write_text('name = "Путин"\ntype = "person"\n', encoding="utf-8")
    problems = Store(tmp_path).scan().problems
    assert any("'putin'" in p.message for p in problems), [p.message for p in problems]
