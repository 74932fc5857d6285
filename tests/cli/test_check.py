"""``dossier check`` on a tree holding one of every kind of bad input: each reported exactly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dossier.review import REVIEW_CODES


def _not_review(problems: list[dict]) -> list[dict]:
    """The problems other than the review's warnings (tests/cli/test_curate.py covers those)."""
    return [p for p in problems if p["code"] not in REVIEW_CODES]

#: (path, line, code) of every problem in tests/fixtures/hostile, and a phrase of its message.
EXPECTED = {
    ('actors/José "Pepe" $x:y', None, "bad-id"): "is not a valid id",
    ("actors/bad-toml/profile.toml", 4, "toml"): "invalid TOML: Unclosed array",
    ("actors/conflicted/profile.toml", 2, "merge-conflict"): "git merge conflict (lines 2-6)",
    ("actors/dup/profile.toml", None, "duplicate-id"): "duplicate id 'dup': also used by sources/dup",
    ("sources/dup/source.toml", None, "duplicate-id"): "duplicate id 'dup': also used by actors/dup",
    ("actors/latin1/profile.toml", 1, "encoding"): "not valid UTF-8 (byte 0xe9)",
    ("actors/mark-milley/profile.toml", 3, "vocabulary"): "'type' = 'general' is not one of person",
    ("actors/nameless/profile.toml", 1, "required"): "required field 'name' is empty",
    ("events/2020-01-01-wrong-types/event.toml", 2, "date"): "'date' = 'yesterday' is not a date",
    ("events/2020-01-01-wrong-types/event.toml", 3, "type"): "'importance' must be a whole number",
    ("events/2020-01-01-wrong-types/event.toml", 4, "vocabulary"): "'status' = 'rumour' is not one of",
    ("events/2020-01-01-wrong-types/event.toml", 5, "missing-reference"): "did you mean 'mark-milley'?",
    ("events/2021-05-05-two-kinds", None, "two-kinds"): "folder holds event.toml and source.toml",
    ("groups/loop-a", None, "symlink-loop"): "symbolic link loop",
    ("groups/loop-b", None, "symlink-loop"): "symbolic link loop",
    ("sources/2024-01-01-odd-names/scan.txt", None, "binary"): "binary file",
    # Made by the test: too large to commit, or impossible to commit.
    ("sources/2024-01-01-odd-names/huge.md", None, "too-large"): "too large to read (50.0 MB",
    ("actors/locked", None, "unreadable"): "folder not readable: permission denied",
}


@pytest.fixture
def hostile(hostile_tree: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    with open(hostile_tree / "sources/2024-01-01-odd-names/huge.md", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    locked = hostile_tree / "actors" / "locked"
    locked.mkdir()
    (locked / "profile.toml").write_text('name = "Locked away"\n')
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the folder fail as it would for a user
        real_scandir = os.scandir

        def scandir(path):  # type: ignore[no-untyped-def]
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    yield hostile_tree
    locked.chmod(0o755)


def test_check_reports_every_problem_exactly_and_exits_1(run_cli, hostile: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--tree", hostile, "--json")
    assert result.code == 1
    report = result.json()
    # The policy's warnings (dates without provenance ...) are tested in tests/unit/test_policy.py.
    policy = [p for p in report["problems"] if p["code"].startswith("policy-")]
    assert {p["severity"] for p in policy} <= {"warning"}
    found = {
        (p["path"], p["line"], p["code"]): p["message"] for p in _not_review(report["problems"]) if p not in policy
    }
    assert set(found) == set(EXPECTED)
    for key, phrase in EXPECTED.items():
        assert phrase in found[key], key
    assert report["errors"] == len(EXPECTED)


def test_check_output_for_people_names_file_line_and_column(run_cli, hostile: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--tree", hostile)
    assert result.code == 1
    lines = result.out.splitlines()
    assert "actors/latin1/profile.toml:1:12: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8" in lines
    assert f"{len(EXPECTED)} error(s)" in lines[-1]


def test_a_broken_tree_does_not_stop_show_or_new(run_cli, hostile: Path) -> None:  # type: ignore[no-untyped-def]
    shown = run_cli("show", "--tree", hostile, "2024-01-01-odd-names", "--json")
    assert shown.json()["title"] == "A source whose text files have odd names"
    texts = {t["path"]: t["text"] for t in shown.json()["texts"]}
    assert texts['sources/2024-01-01-odd-names/it\'s $5: café, "quoted".md'].startswith("Text in a file")
    assert texts["sources/2024-01-01-odd-names/scan.txt"] is None
    broken = run_cli("show", "--tree", hostile, "bad-toml", "--json")
    assert broken.code == 1
    assert broken.json()["problems"][0]["line"] == 4
    created = run_cli("new", "actor", "Jack Reed", "--tree", hostile)
    assert created.code == 0 and (hostile / "actors/jack-reed/profile.toml").is_file()


def test_the_sample_dossier_is_clean(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--tree", sample_tree, "--json")
    assert _not_review(result.json()["problems"]) == []
    assert result.json()["errors"] == 0 and result.code == 0
    counts = result.json()["entries"]
    assert counts["actor"] >= 20 and counts["event"] >= 12 and counts["source"] >= 10


def test_a_link_to_a_folder_that_holds_it_is_reported_as_a_loop(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run_cli("new", "actor", "Loop Holder", "--tree", tmp_path)
    os.symlink("..", tmp_path / "actors" / "loop-holder" / "self")
    os.symlink("loop-holder", tmp_path / "actors" / "elsewhere")  # another name for an entry: skipped quietly
    result = run_cli("check", "--tree", tmp_path, "--json")
    problems = [(p["path"], p["code"]) for p in _not_review(result.json()["problems"])]
    assert problems == [("actors/loop-holder/self", "symlink-loop")] and result.code == 1
