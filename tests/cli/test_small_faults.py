"""The smaller faults of issue 11 that touch reading a user's files: each message in the user's words."""

from __future__ import annotations

from pathlib import Path

from dossier.store import Store


def actor(tree: Path, folder: str, text: str) -> Path:
    path = tree / "actors" / folder / "profile.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unclosed_string_is_named_as_such_not_an_illegal_newline(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actor(tmp_path, "someone", 'name = "Someone\ntype = "person"\n')
    result = run_cli("check", "--tree", tmp_path)
    assert "closing quote" in result.out and "Illegal character" not in result.out
    assert "actors/someone/profile.toml:1:" in result.out


def test_a_key_set_twice_is_named_with_both_lines(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actor(tmp_path, "someone", 'name = "Someone"\ntype = "person"\nname = "Someone Else"\n')
    result = run_cli("check", "--tree", tmp_path)
    assert "the key 'name' is set twice (lines 1 and 3)" in result.out
    assert "Cannot overwrite" not in result.out
    assert "actors/someone/profile.toml:3:" in result.out


def test_a_table_declared_twice_is_named(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actor(tmp_path, "someone", 'name = "Someone"\ntype = "person"\n[extra]\na = 1\n[extra]\nb = 2\n')
    result = run_cli("check", "--tree", tmp_path)
    assert "the table [extra] is declared twice" in result.out


def test_show_names_a_binary_file_without_an_empty_line_number(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = actor(tmp_path, "someone", 'name = "Someone"\ntype = "person"\n')
    path.write_bytes(b'name = "Some\x00one"\n')
    result = run_cli("show", "--tree", tmp_path, "someone")
    assert "actors/someone/profile.toml: binary file" in result.out
    assert "::" not in result.out


def test_a_utf16_file_is_called_utf16_with_the_way_to_convert_it(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = actor(tmp_path, "someone", "")
    path.write_bytes('name = "Someone"\ntype = "person"\n'.encode("utf-16"))
    notes = path.parent / "notes.md"
    notes.write_bytes("Notes without a byte-order mark".encode("utf-16-le"))
    result = run_cli("check", "--tree", tmp_path)
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "UTF-16" in line]
    assert len(lines) == 2 and all("iconv -f UTF-16 -t UTF-8" in line for line in lines)
    assert "binary" not in result.out


def test_an_html_page_in_its_declared_charset_is_imported(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "page.html"
    page.write_bytes(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "<title>Café story</title></head><body><article><p>Le café de la gare est fermé. Un témoin raconte "
        "ce qu'il a vu ce jour-là dans la rue principale de la ville, devant la mairie.</p></article>"
        "</body></html>".encode("iso-8859-1")
    )
    tree = tmp_path / "tree"
    tree.mkdir()
    result = run_cli("import", "article", page, "--tree", tree)
    assert result.code in (0, 1), result.err
    (location,) = Store(tree).scan().locations
    loaded = Store(tree).load(location)
    assert loaded.data["title"] == "Café story"
    texts = "".join((tree / rel).read_text(encoding="utf-8") for rel in loaded.text_files)
    assert "témoin" in texts


def test_an_undecodable_page_without_a_charset_is_refused_with_the_reason(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "page.html"
    page.write_bytes("<html><body><p>Caf\xe9</p></body></html>".encode("latin-1"))
    result = run_cli("import", "article", page, "--tree", tmp_path)
    assert result.code != 0 and "declares no charset" in result.err + result.out


def test_check_does_not_suggest_renaming_into_an_id_that_exists(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actor(tmp_path, "mark-milley", 'name = "Mark Milley"\ntype = "person"\n')
    actor(tmp_path, "Mark-Milley", 'name = "Mark Milley"\ntype = "person"\n')
    result = run_cli("check", "--tree", tmp_path)
    line = next(line for line in result.out.splitlines() if line.startswith("actors/Mark-Milley"))
    assert "'mark-milley' is already the id of actors/mark-milley" in line
    assert "rename it, e.g. to 'mark-milley'" not in line
