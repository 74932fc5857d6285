"""The store: finding entries, reading one without the rest, writing atomically, editing in place."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

import dossier.store as store_module
from dossier.model import Kind
from dossier.store import ChangedOnDisk, EntryExists, Store, StoreError, atomic_write

PROFILE = """\
# Milley's profile: keep this comment.
name = "Mark A. Milley"
type = "person"   # inline comment stays too
aliases = ["Gen. Mark Milley"]
zodiac = "gemini" # a field of the user's own

[[roles]]
title = "Chairman of the Joint Chiefs of Staff"
org = "joint-chiefs-of-staff"
from = 2019-10-01
"""


def make_tree(root: Path) -> Store:
    (root / "actors" / "mark-milley").mkdir(parents=True)
    (root / "actors" / "mark-milley" / "profile.toml").write_text(PROFILE)
    (root / "actors" / "mark-milley" / "notes.md").write_text("# Notes\nMilley notes.\n")
    (root / "actors" / "mark-milley" / "photo.jpg").write_bytes(b"\xff\xd8")
    (root / "deep" / "group" / "events" / "2025-01-28-revoked").mkdir(parents=True)
    (root / "deep" / "group" / "events" / "2025-01-28-revoked" / "event.toml").write_text(
        'title = "Revoked"\ndate = 2025-01-28\nactors = ["mark-milley"]\n'
    )
    (root / "sources" / "2025-01-28-cnn").mkdir(parents=True)
    (root / "sources" / "2025-01-28-cnn" / "source.toml").write_text('title = "CNN"\n')
    (root / ".git" / "actors" / "hidden").mkdir(parents=True)
    (root / ".git" / "actors" / "hidden" / "profile.toml").write_text('name = "not an entry"\n')
    return Store(root)


def test_scan_finds_entries_in_nested_groups_and_skips_hidden_folders(tmp_path: Path) -> None:
    store = make_tree(tmp_path)
    scan = store.scan()
    found = {(loc.id, loc.kind, loc.folder) for loc in scan.locations}
    assert found == {
        ("mark-milley", Kind.ACTOR, "actors/mark-milley"),
        ("2025-01-28-revoked", Kind.EVENT, "deep/group/events/2025-01-28-revoked"),
        ("2025-01-28-cnn", Kind.SOURCE, "sources/2025-01-28-cnn"),
    }
    milley = scan.by_id()["mark-milley"]
    assert [t.path for t in milley.texts] == ["actors/mark-milley/notes.md"]
    assert scan.problems == []


def test_one_folder_is_the_same_entry_the_scan_finds(tmp_path: Path) -> None:
    store = make_tree(tmp_path)
    (tmp_path / "actors" / "mark-milley" / ".draft.md").write_text("hidden: an editor's copy")
    (tmp_path / "actors" / "mark-milley" / "__pycache__").mkdir()
    by_id = store.scan().by_id()
    for entry_id in ("mark-milley", "2025-01-28-revoked"):
        assert store.location_of(tmp_path / by_id[entry_id].folder) == by_id[entry_id]
    assert store.location_of(tmp_path / "actors") is None
    assert store.location_of(tmp_path / "no-such-folder") is None


def test_loading_one_entry_parses_no_other_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_tree(tmp_path)
    parsed: list[str] = []
    real_parse = store_module.parse_toml

    def recording_parse(text: str, rel: str, entry_id: str | None = None):  # type: ignore[no-untyped-def]
        parsed.append(rel)
        return real_parse(text, rel, entry_id)

    monkeypatch.setattr(store_module, "parse_toml", recording_parse)
    monkeypatch.setattr(Store, "scan", lambda self: pytest.fail("load scanned the whole tree"))
    entry = store.load("mark-milley")
    assert parsed == ["actors/mark-milley/profile.toml"]
    assert entry.title == "Mark A. Milley"
    assert entry.data["roles"][0]["from"] == dt.date(2019, 10, 1)
    assert entry.unknown_fields == {"zodiac": "gemini"}
    assert entry.text_files == ["actors/mark-milley/notes.md"]
    assert store.read_text_file(entry.text_files[0]).text == "# Notes\nMilley notes.\n"


def test_an_entry_outside_the_conventional_folders_is_still_found(tmp_path: Path) -> None:
    store = make_tree(tmp_path)
    assert store.load("2025-01-28-revoked").folder == "deep/group/events/2025-01-28-revoked"


def test_edit_keeps_comments_key_order_and_unknown_keys(tmp_path: Path) -> None:
    store = make_tree(tmp_path)
    store.set_fields("mark-milley", {"summary": "20th Chairman of the Joint Chiefs of Staff."})
    text = (tmp_path / "actors/mark-milley/profile.toml").read_text()
    assert text.startswith(PROFILE.split("\n\n")[0])  # every original line before the tables, unchanged
    assert "# inline comment stays too" in text and 'zodiac = "gemini" # a field of the user\'s own' in text
    assert 'summary = "20th Chairman of the Joint Chiefs of Staff."' in text
    assert text.index("summary") < text.index("[[roles]]")  # a plain key never lands inside a table
    assert store.load("mark-milley").data["roles"][0]["org"] == "joint-chiefs-of-staff"


def test_edit_refuses_when_the_file_changed_underneath(tmp_path: Path) -> None:
    store = make_tree(tmp_path)
    path = tmp_path / "actors/mark-milley/profile.toml"

    def change(document) -> None:  # type: ignore[no-untyped-def]
        path.write_text(PROFILE + 'added = "by another editor"\n')
        document["summary"] = "ours"

    with pytest.raises(ChangedOnDisk):
        store.edit("mark-milley", change)
    assert 'added = "by another editor"' in path.read_text() and "ours" not in path.read_text()


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_tree(tmp_path)
    path = tmp_path / "actors/mark-milley/profile.toml"

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        store.set_fields("mark-milley", {"summary": "half written"})
    assert path.read_text() == PROFILE
    assert sorted(p.name for p in path.parent.iterdir()) == ["notes.md", "photo.jpg", "profile.toml"]


def test_atomic_write_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "x.toml"
    target.write_text("a = 1\n")
    target.chmod(0o600)
    atomic_write(target, b"a = 2\n")
    assert target.read_text() == "a = 2\n" and (target.stat().st_mode & 0o777) == 0o600


def test_create_writes_canonical_toml_and_never_overwrites(tmp_path: Path) -> None:
    store = make_tree(tmp_path)
    location = store.create(
        Kind.EVENT,
        "2020-01-03-soleimani-strike",
        {"sources": [], "date": dt.date(2020, 1, 3), "title": "Soleimani strike", "custom": 1},
        texts={"summary.md": "A US drone strike.\n"},
    )
    assert location.folder == "events/2020-01-03-soleimani-strike"
    text = (tmp_path / location.main_file).read_text()
    assert text.splitlines()[:2] == ['title = "Soleimani strike"', "date = 2020-01-03"]
    assert (tmp_path / location.folder / "summary.md").read_text() == "A US drone strike.\n"
    with pytest.raises(EntryExists, match="already exists at events/2020-01-03-soleimani-strike"):
        store.create(Kind.EVENT, "2020-01-03-soleimani-strike", {"title": "again"})
    with pytest.raises(EntryExists):  # the id is taken by an entry of another kind in another folder
        store.create(Kind.ACTOR, "mark-milley", {"name": "x"}, folder="people/mark-milley")
    assert (tmp_path / location.main_file).read_text() == text


def test_nothing_is_read_or_written_outside_the_tree(tmp_path: Path) -> None:
    store = make_tree(tmp_path / "tree")
    (tmp_path / "secret.md").write_text("private")
    with pytest.raises(StoreError, match="outside the tree"):
        store.path("../secret.md")
    assert store.read_text_file("../secret.md").text is None
    with pytest.raises(StoreError):
        store.create(Kind.ACTOR, "x", {"name": "x"}, folder="../x")
    with pytest.raises(StoreError):
        store.write_text("mark-milley", "../../secret.md", "overwritten")
    assert (tmp_path / "secret.md").read_text() == "private"


def test_a_file_linked_from_outside_the_tree_is_not_read(tmp_path: Path) -> None:
    store = make_tree(tmp_path / "tree")
    (tmp_path / "id_rsa").write_text("PRIVATE KEY")
    os.symlink(tmp_path / "id_rsa", tmp_path / "tree/actors/mark-milley/key.md")
    scan = store.scan()
    assert [t.path for t in scan.by_id()["mark-milley"].texts] == ["actors/mark-milley/notes.md"]
    assert [(p.path, p.code) for p in scan.problems] == [("actors/mark-milley/key.md", "outside-tree")]
