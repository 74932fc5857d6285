"""``dossier path`` and ``dossier connections`` on the sample, as a person and a script see them."""

from __future__ import annotations

from pathlib import Path

REVOCATION = "2025-01-28-milley-security-detail-revoked"


def test_path_names_the_event_and_its_graded_source(sample_tree: Path, run_cli) -> None:
    result = run_cli("path", "mark-milley", "pete-hegseth", "--tree", sample_tree)
    assert result.code == 0, result.err
    assert "Mark A. Milley → Pete Hegseth" in result.out
    assert REVOCATION in result.out
    assert "2025-01-28-cnn-hegseth-revokes-milley-detail" in result.out
    assert "B2 (usually reliable; probably true)" in result.out


def test_path_json(sample_tree: Path, run_cli) -> None:
    result = run_cli("path", "mark-milley", "pete-hegseth", "--tree", sample_tree, "--json")
    assert result.code == 0
    chain = result.json()["chains"][0]
    via = chain["hops"][0]["via"][0]
    assert via["id"] == REVOCATION and via["status"] == "confirmed"
    cnn = next(s for s in via["sources"] if s["id"] == "2025-01-28-cnn-hegseth-revokes-milley-detail")
    assert cnn["outlet"] == "CNN" and cnn["grade"] == "B2"


def test_path_by_exact_name_and_unknown_actor(sample_tree: Path, run_cli) -> None:
    assert run_cli("path", "Mark A. Milley", "pete-hegseth", "--tree", sample_tree).code == 0
    wrong = run_cli("path", "milley", "pete-hegseth", "--tree", sample_tree)
    assert wrong.code == 2 and "did you mean 'mark-milley'" in wrong.err
    event = run_cli("path", REVOCATION, "pete-hegseth", "--tree", sample_tree)
    assert event.code == 2 and "not an actor" in event.err
    assert run_cli("path", "mark-milley", "pete-hegseth", "--via", "friends", "--tree", sample_tree).code == 2


def test_no_path_exits_1(sample_tree: Path, run_cli) -> None:
    result = run_cli("path", "qasem-soleimani", "eric-fanning", "--max-hops", "1", "--tree", sample_tree)
    assert result.code == 1 and "No chain" in result.out


def test_connections_grouped_with_counts(sample_tree: Path, run_cli) -> None:
    result = run_cli("connections", "mark-milley", "--tree", sample_tree)
    assert result.code == 0, result.err
    for heading in ("Events shared", "Links", "Roles in the same organisation"):
        assert heading in result.out
    data = run_cli("connections", "mark-milley", "--tree", sample_tree, "--json").json()
    first = data["connections"][0]
    assert first["id"] == "donald-trump" and first["count"] == len(first["events"]) + len(first["links"])
    assert "mark-esper" in data["groups"]["organisations"]
