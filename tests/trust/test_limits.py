"""Inputs built to exhaust time or memory: each gets a bounded answer and a clear message.

Large files are made sparse (no 100 MB written to disk); no test asserts a
wall-clock time, the subprocess timeout is only a guard against a hang.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.review import REVIEW_CODES
from dossier.store import MAX_TEXT_BYTES, MAX_TOML_BYTES, MAX_TOML_NESTING, Store, StoreError

from .conftest import dossier, write_entry

DEEP = 10_000


def sparse(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.truncate(size)


def deep_variants() -> dict[str, str]:
    """TOML nested 10,000 levels deep, in every way TOML can nest."""
    return {
        "arrays": 'name = "x"\nv = ' + "[" * DEEP + "]" * DEEP + "\n",
        "inline-tables": 'name = "x"\nv = ' + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
        "dotted-key": 'name = "x"\n' + "a" + ".a" * DEEP + " = 1\n",
        "quoted-dotted-key": 'name = "x"\n' + '"a"' + '."a"' * DEEP + " = 1\n",
        "table-header": 'name = "x"\n[' + "a." * DEEP + "a]\nb = 1\n",
        "array-table-header": 'name = "x"\n[[' + "a." * DEEP + "a]]\nb = 1\n",
        "unclosed": 'name = "x"\nv = ' + "[" * DEEP + "\n",
    }


@pytest.mark.parametrize("variant", sorted(deep_variants()))
def test_toml_nested_ten_thousand_levels_is_refused_with_a_message(tree: Path, variant: str) -> None:
    write_entry(tree, "actor", "deep", deep_variants()[variant])
    write_entry(tree, "actor", "fine", 'name = "Fine"\n')
    store = Store(tree)
    entry = store.load("deep")
    assert entry.data == {}
    assert [p.code for p in entry.problems] == ["toml"]
    assert "deep" in entry.problems[0].message or "nested" in entry.problems[0].message
    assert store.load("fine").data == {"name": "Fine"}
    with pytest.raises(StoreError):
        store.set_fields("deep", {"name": "y"})


def test_nesting_up_to_the_limit_still_reads(tree: Path) -> None:
    depth = MAX_TOML_NESTING - 2
    write_entry(tree, "actor", "nested", 'name = "x"\n' + "a" + ".a" * depth + " = 1\nv = "
                + "[" * depth + "]" * depth + "\n")
    entry = Store(tree).load("nested")
    assert entry.problems == [] and entry.data["name"] == "x"


def test_dots_in_ordinary_text_are_not_mistaken_for_nesting(tree: Path) -> None:
    summary = "Ellipsis" + "." * 500 + " and a.b.c " * 50
    write_entry(tree, "actor", "dots", f'name = "x"\nsummary = "{summary}"\nnotes = """\n{"." * 300}\n"""\n')
    entry = Store(tree).load("dots")
    assert entry.problems == [] and entry.data["summary"] == summary


def test_a_100_mb_text_file_is_listed_not_read(tree: Path) -> None:
    folder = write_entry(tree, "source", "2020-01-01-big", 'title = "Big"\npublished = 2020-01-01\n')
    sparse(folder / "text.md", 100 * 1024 * 1024)
    assert (folder / "text.md").stat().st_size > MAX_TEXT_BYTES
    text_file = Store(tree).read_text_file("sources/2020-01-01-big/text.md", "2020-01-01-big")
    assert text_file.text is None and text_file.problems[0].code == "too-large"
    assert "100.0 MB" in text_file.problems[0].message
    result = dossier("check", "--json", "--tree", tree)
    problems = [p for p in json.loads(result.stdout)["problems"] if p["code"] not in REVIEW_CODES]
    assert [(p["path"], p["code"]) for p in problems] == [("sources/2020-01-01-big/text.md", "too-large")]
    shown = dossier("show", "2020-01-01-big", "--tree", tree)
    assert b"too large" in shown.stdout
    assert len(shown.stdout) < 10_000


def test_a_huge_kind_file_is_refused_by_size(tree: Path) -> None:
    folder = write_entry(tree, "actor", "huge", "")
    with (folder / "profile.toml").open("w") as handle:
        handle.write('name = "Huge"\n')
        handle.write("summary = '" + "x" * (MAX_TOML_BYTES + 10) + "'\n")
    entry = Store(tree).load("huge")
    assert [p.code for p in entry.problems] == ["too-large"]
    assert check_tree(Store(tree)).problems[0].code == "too-large"


def test_a_hundred_thousand_tags(tree: Path) -> None:
    tags = [f"{i:x}" for i in range(100_000)]
    write_entry(tree, "actor", "tagged", 'name = "Tagged"\ntags = [' + ",".join(f'"{t}"' for t in tags) + "]\n")
    assert (tree / "actors/tagged/profile.toml").stat().st_size < MAX_TOML_BYTES
    assert Store(tree).load("tagged").tags == tags
    result = dossier("check", "--tree", tree)
    assert result.returncode == 0 and b"1 entries checked" in result.stdout
    shown = dossier("show", "tagged", "--json", "--tree", tree)
    assert json.loads(shown.stdout)["fields"]["tags"] == tags


def test_very_long_lines_are_shown_in_part_with_a_note(tree: Path) -> None:
    text = "word " * 1_000_000  # one 5 MB line
    write_entry(tree, "actor", "long", f'name = "{"n" * 200_000}"\n', texts={"notes.md": text})
    shown = dossier("show", "long", "--tree", tree)
    assert shown.returncode == 0, shown.stderr
    assert b"more characters not shown" in shown.stdout
    assert len(shown.stdout) < 2_000_000
    full = dossier("show", "long", "--json", "--tree", tree)
    assert json.loads(full.stdout)["texts"][0]["text"] == text
