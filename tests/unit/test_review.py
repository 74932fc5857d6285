"""``check`` warnings for a person to review: an import's notes on actors, and duplicate-looking events."""

from __future__ import annotations

from pathlib import Path

from dossier.check import check_tree
from dossier.store import Store


def write(tree: Path, kind: str, entry_id: str, text: str) -> None:
    name = {"actors": "profile.toml", "events": "event.toml"}[kind]
    folder = tree / kind / entry_id
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_same_day_nearly_same_title_is_reported_once_with_the_merge(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    for entry_id, title in [("2025-01-02-senate-confirms-bove", "Senate confirms Bove"),
                            ("2025-01-02-senate-confirms-bove-2", "Senate Confirms Bove."),
                            ("2025-01-03-senate-confirms-bove", "Senate confirms Bove"),
                            ("2025-01-02-senate-rejects-hegseth", "Senate rejects Hegseth"),
                            ("2025-01-02-raid-12", "Raid number 12"), ("2025-01-02-raid-13", "Raid number 13")]:
        write(tmp_path, "events", entry_id, f'title = "{title}"\ndate = {entry_id[:10]}\n')
    assert check_tree(Store(tmp_path)).ok  # a likely duplicate is a warning, never an error
    result = run_cli("check", "--tree", tmp_path, "--json")
    assert result.code == 0
    duplicates = [p for p in result.json()["problems"] if p["code"] == "likely-duplicate-event"]
    # One warning per pair, on the one to merge away, naming the one to keep and the command.
    assert [p["entry"] for p in duplicates] == ["2025-01-02-senate-confirms-bove-2"]
    assert duplicates[0]["severity"] == "warning"
    assert "2025-01-02-senate-confirms-bove" in duplicates[0]["message"]
    assert "dossier merge" in duplicates[0]["message"]


def test_review_notes_are_warnings_until_removed(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "actors", "halliburton", 'name = "Halliburton"\ntype = "other"\nreview = ["type: no evidence"]\n')
    result = run_cli("check", "--tree", tmp_path, "--json")
    assert result.code == 0
    (problem,) = [p for p in result.json()["problems"] if p["code"] == "review"]
    assert problem["severity"] == "warning" and "type: no evidence" in problem["message"]
