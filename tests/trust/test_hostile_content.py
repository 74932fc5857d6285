"""Hostile content from a shared tree: terminal sequences, markup, paths that try to leave the tree.

Every CLI command runs in a real subprocess; what it writes to stdout is what a
terminal would execute, so no ESC, BEL or C1 byte that came from the tree may
appear there, in plain output or with Rich's colours on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.model import Kind
from dossier.store import Store, StoreError

from .conftest import ESCAPES, FORBIDDEN, MARKUP, RICH_OWN, dossier, have_module, toml_string, write_entry

#: Rich's own styling when it believes it writes to a colour terminal (SGR only).
RICH_SGR = re.compile(rb"\x1b\[[0-9;]*m")


@pytest.fixture
def hostile(tree: Path) -> Path:
    """A tree whose every field, file name and text holds escape sequences and markup."""
    evil = ESCAPES + " " + MARKUP
    write_entry(
        tree,
        "actor",
        "evil-actor",
        f"name = {toml_string('Evil ' + evil)}\n"
        f"type = \"person\"\n"
        f"aliases = [{toml_string(evil)}]\n"
        f"summary = {toml_string(evil)}\n"
        f"tags = [{toml_string(evil)}]\n"
        f"{toml_string('[bold]key[/bold] [@click=app.quit]k[/]')} = {toml_string(evil)}\n"
        f"{toml_string('[link=https://evil.example]linked-key[/link]')} = 1\n"
        f"[[links]]\nto = \"2020-01-01-evil-event\"\nrel = {toml_string(evil)}\n",
        texts={
            "notes.md": ("# Notes\n" + evil + "\n\n[innocent](file:///etc/passwd) and "
                         "[bank](https://evil.example/login)\n\n```\n" + ESCAPES + "\n```\n"),
            "\x1b]0;title\x07name.md": "file with an escape in its name\n",
        },
    )
    write_entry(
        tree,
        "event",
        "2020-01-01-evil-event",
        f"title = {toml_string(evil)}\ndate = 2020-01-01\nactors = [\"evil-actor\", \"../../.ssh/id_rsa\", "
        f"{toml_string(ESCAPES)}]\nsources = [\"2020-01-02-evil-source\"]\n"
        f"[[accounts]]\nby = \"evil-actor\"\nclaim = {toml_string(evil)}\n",
    )
    write_entry(
        tree,
        "source",
        "2020-01-02-evil-source",
        f"title = {toml_string(evil)}\nurl = \"javascript:alert(1)\"\noutlet = {toml_string(evil)}\n"
        f"published = 2020-01-02\n",
        texts={"text.md": evil + "\n" + "x" * 5000 + ESCAPES + "\n"},
    )
    # A folder name that is not an id, holding sequences itself.
    bad = tree / "actors" / "\x1b]52;c;cHduZWQ=\x07\x1b[2J"
    bad.mkdir()
    (bad / "profile.toml").write_text('name = "x"\n')
    # Invalid TOML whose parser message quotes the hostile bytes back.
    write_entry(tree, "actor", "broken", "name = \"\x1b]0;t\x07\n")
    return tree


def assert_terminal_safe(result_stdout: bytes, tty: bool) -> None:
    if tty:
        # Rich may style its own output, but nothing else: no OSC, no cursor moves, no bell.
        leftover = RICH_SGR.sub(b"", result_stdout)
        assert not FORBIDDEN.search(leftover), _context(leftover)
    else:
        assert not FORBIDDEN.search(result_stdout), _context(result_stdout)


def _context(out: bytes) -> str:
    match = FORBIDDEN.search(out)
    assert match is not None
    return f"raw control byte in output: ...{out[max(0, match.start() - 60): match.end() + 60]!r}..."


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "colour-terminal"])
def test_check_never_passes_terminal_sequences_through(hostile: Path, tty: bool) -> None:
    result = dossier("check", "--tree", hostile, tty=tty)
    assert result.returncode == 1, result.stderr
    assert_terminal_safe(result.stdout, tty)
    # On a terminal, standard error carries Rich's spinner (cursor hide/show, erase line): its own, not content's.
    assert_terminal_safe(RICH_OWN.sub(b"", result.stderr) if tty else result.stderr, tty)
    text = result.stdout.decode()
    assert "␛" in text  # the sequences are shown, as visible text


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "colour-terminal"])
@pytest.mark.parametrize("entry_id", ["evil-actor", "2020-01-01-evil-event", "2020-01-02-evil-source", "broken"])
def test_show_never_passes_terminal_sequences_through(hostile: Path, entry_id: str, tty: bool) -> None:
    result = dossier("show", entry_id, "--tree", hostile, tty=tty)
    assert result.returncode in (0, 1), result.stderr
    assert_terminal_safe(result.stdout, tty)
    assert_terminal_safe(result.stderr, tty)


@pytest.mark.parametrize("entry_id", ["evil-actor", "2020-01-01-evil-event", "2020-01-02-evil-source", "broken"])
def test_show_json_escapes_sequences_and_keeps_the_data(hostile: Path, entry_id: str) -> None:
    result = dossier("show", entry_id, "--json", "--tree", hostile)
    assert result.returncode in (0, 1), result.stderr
    assert not FORBIDDEN.search(result.stdout)
    data = json.loads(result.stdout)  # the exact text survives, escaped as \u001b
    if entry_id == "evil-actor":
        assert data["fields"]["summary"] == ESCAPES + " " + MARKUP


def test_check_json_is_terminal_safe(hostile: Path) -> None:
    result = dossier("check", "--json", "--tree", hostile)
    assert result.returncode == 1
    assert not FORBIDDEN.search(result.stdout)
    problems = json.loads(result.stdout)["problems"]
    assert any(p["code"] == "bad-id" for p in problems)


def test_markup_in_content_shows_literally_in_show(hostile: Path) -> None:
    result = dossier("show", "evil-actor", "--tree", hostile, tty=True)
    plain = RICH_SGR.sub(b"", result.stdout).decode()
    # Field values and names: the brackets are text, not styles or links.
    assert "[@click=app.quit]Q[/]" in plain
    assert "[bold]B[/bold]" in plain
    assert "[bold]key[/bold]" in plain, "a user's key name was read as Rich markup"
    assert "[link=https://evil.example]linked-key[/link]" in plain, "a user's key name was read as Rich markup"
    assert b"\x1b]8;" not in result.stdout


def test_markdown_links_in_a_text_file_show_their_target(hostile: Path) -> None:
    """A Markdown link in a colleague's note must not hide where it points behind innocent words."""
    result = dossier("show", "evil-actor", "--tree", hostile, tty=True)
    assert b"\x1b]8;" not in result.stdout, "a hidden terminal hyperlink was emitted for a link in content"
    plain = RICH_SGR.sub(b"", result.stdout).decode()
    assert "file:///etc/passwd" in plain
    assert "https://evil.example/login" in plain


def test_a_reference_shaped_like_a_path_is_never_followed(hostile: Path, tmp_path: Path) -> None:
    secret = hostile.parent / ".ssh"
    secret.mkdir()
    (secret / "id_rsa").write_text("PRIVATE KEY\n")
    result = dossier("show", "2020-01-01-evil-event", "--json", "--tree", hostile)
    data = json.loads(result.stdout)
    refs = {r["id"]: r for r in data["references"]}
    assert refs["../../.ssh/id_rsa"]["missing"] is True
    assert b"PRIVATE KEY" not in result.stdout
    report = check_tree(Store(hostile))
    assert any(p.code == "bad-reference" and "../../.ssh/id_rsa" in p.message for p in report.problems)


def test_the_store_refuses_every_path_outside_the_tree(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("secret\n")
    store = Store(tree)
    store.create(Kind.ACTOR, "someone", {"name": "Someone"})
    for rel in ("../outside.md", str(outside), "actors/../../outside.md", "/etc/passwd"):
        text_file = store.read_text_file(rel, "someone")
        assert text_file.text is None and text_file.problems[0].code == "outside-tree", rel
        with pytest.raises(StoreError):
            store.path(rel)
    for name in ("../../outside.md", "/tmp/x.md", "../x.md", ".hidden.md", "a/b.md"):
        with pytest.raises(StoreError):
            store.create(Kind.ACTOR, "other", {"name": "x"}, texts={name: "overwritten"})
    for folder in ("../escape/x", str(tmp_path / "x"), "actors/../../x"):
        with pytest.raises(StoreError):
            store.create(Kind.ACTOR, "x", {"name": "x"}, folder=folder)
    assert outside.read_text() == "secret\n"
    assert not (tmp_path / "x").exists() and not (tmp_path / "escape").exists()


def test_links_out_of_the_tree_are_neither_read_nor_written(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("SECRET\n")
    (outside / "profile.toml").write_text('name = "SECRET"\n')
    folder = write_entry(tree, "actor", "linker", 'name = "Linker"\n')
    (folder / "notes.md").symlink_to(outside / "secret.md")
    (tree / "actors" / "linked-folder").symlink_to(outside, target_is_directory=True)
    (folder / "evil.md").symlink_to(Path("/etc/passwd"))
    store = Store(tree)
    scan = store.scan()
    assert [loc.id for loc in scan.locations] == ["linker"]
    assert {p.code for p in scan.problems} >= {"outside-tree"}
    entry = store.load("linker")
    assert entry.text_files == []
    with pytest.raises(StoreError):  # every write goes to store.path() first
        store.path("actors/linker/notes.md")
    assert (outside / "secret.md").read_text() == "SECRET\n"
    result = dossier("show", "linker", "--tree", tree)
    assert b"SECRET" not in result.stdout and b"root:" not in result.stdout


def test_a_url_that_is_not_http_is_shown_not_acted_on(hostile: Path) -> None:
    result = dossier("show", "2020-01-02-evil-source", "--tree", hostile, tty=True)
    assert b"\x1b]8;" not in result.stdout
    assert b"javascript:alert(1)" in RICH_SGR.sub(b"", result.stdout)


@pytest.mark.skipif(not have_module("dossier.commands.search"), reason="needs search")
@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "colour-terminal"])
@pytest.mark.parametrize("query", ["evil", 'title:"[bold]"'])
def test_search_never_passes_terminal_sequences_through(hostile: Path, tmp_path: Path, query: str, tty: bool) -> None:
    for extra in ([], ["--json"]):
        result = dossier("search", query, *extra, "--tree", hostile, "--index", tmp_path / "index", tty=tty)
        assert result.returncode in (0, 1), result.stderr
        assert_terminal_safe(RICH_OWN.sub(b"", result.stdout) if tty else result.stdout, False)
        assert_terminal_safe(RICH_OWN.sub(b"", result.stderr) if tty else result.stderr, False)
    found = dossier("search", "evil", "--tree", hostile, "--index", tmp_path / "index", tty=True)
    assert b"\x1b]8;" not in found.stdout


@pytest.mark.skipif(not have_module("dossier.commands.index"), reason="needs the index command")
@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "colour-terminal"])
def test_index_command_output_is_terminal_safe(hostile: Path, tmp_path: Path, tty: bool) -> None:
    for extra in ([], ["--rebuild"], ["--json"]):
        result = dossier("index", *extra, "--tree", hostile, "--index", tmp_path / "index", tty=tty)
        assert result.returncode in (0, 1), result.stderr
        assert_terminal_safe(RICH_OWN.sub(b"", result.stdout) if tty else result.stdout, False)
        assert_terminal_safe(RICH_OWN.sub(b"", result.stderr) if tty else result.stderr, False)


@pytest.mark.skipif(not have_module("dossier.index"), reason="needs the index")
def test_the_index_keeps_hostile_text_as_data(hostile: Path, tmp_path: Path) -> None:
    from dossier.index import Index

    index = Index.open(Store(hostile), tmp_path / "index")
    try:
        index.reconcile()
        row = index.row("evil-actor")
        assert row is not None and row.title == "Evil " + ESCAPES + " " + MARKUP
        hits = index.search("evil")
        assert {h.row.id for h in hits} >= {"evil-actor"}
        for hit in hits:
            for start, end in hit.highlights:
                assert 0 <= start <= end <= len(hit.snippet)
    finally:
        index.close()


@pytest.mark.skipif(not have_module("dossier.commands.export"), reason="needs export")
@pytest.mark.parametrize("fmt", ["json", "ftm"])
def test_export_to_a_terminal_never_passes_sequences_through(hostile: Path, fmt: str) -> None:
    result = dossier("export", "--format", fmt, "--tree", hostile)
    assert result.returncode in (0, 1), result.stderr
    assert_terminal_safe(result.stdout, False)
    assert_terminal_safe(result.stderr, False)


@pytest.mark.skipif(not have_module("dossier.commands.export"), reason="needs export")
def test_exported_spreadsheets_do_not_run_formulas_from_content(tree: Path, tmp_path: Path) -> None:
    import csv

    write_entry(tree, "actor", "formula", 'name = "=HYPERLINK(\\"http://evil.example\\",\\"x\\")"\n'
                "summary = \"+cmd|' /C calc'!A0\"\ntags = [\"@SUM(1+1)\", \"-2+3\"]\n")
    result = dossier("export", "--format", "csv", "-o", tmp_path / "csv", "--tree", tree)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "csv" / "actors.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@")), value
