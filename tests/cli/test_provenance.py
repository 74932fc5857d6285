"""check --strict / --review, show and the FtM export with provenance, and the sample as a model record."""

from __future__ import annotations

import json
from pathlib import Path

CNN = "2025-01-28-cnn-hegseth-revokes-milley-detail"
REVOKED = "2025-01-28-milley-security-detail-revoked"


def small_tree(tmp_path: Path, status: str = "confirmed") -> Path:
    root = tmp_path / "tree"
    files = {
        "events/2020-01-01-e/event.toml": f'title = "E"\ndate = 2020-01-01\nstatus = "{status}"\n'
                                          'sources = ["2020-01-01-a", "2020-01-01-b"]\n\n'
                                          '[provenance]\ndate = ["2020-01-01-a"]\n',
        "sources/2020-01-01-a/source.toml": 'title = "A"\noutlet = "A"\nreliability = "B"\n',
        "sources/2020-01-01-b/source.toml": 'title = "B"\noutlet = "B"\nreliability = "D"\n',
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_strict_turns_policy_warnings_into_exit_code_1(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = small_tree(tmp_path)
    plain = run_cli("check", "--tree", tree)
    assert plain.code == 0
    assert ("events/2020-01-01-e/event.toml:3: warning: status 'confirmed' needs 2 independent sources graded B "
            "or better; this event has 1 that qualifies (2020-01-01-a)") in plain.out
    strict = run_cli("check", "--tree", tree, "--strict", "--json")
    assert strict.code == 1
    assert [p["code"] for p in strict.json()["problems"]] == ["policy-status"]
    # The same tree with a status its sources support passes --strict.
    assert run_cli("check", "--tree", small_tree(tmp_path / "ok", "reported"), "--strict").code == 0


def test_a_policy_in_dossier_toml_changes_what_passes(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = small_tree(tmp_path)
    (tree / "dossier.toml").write_text('[policy.confirmed]\nsources = 2\nreliability = "D"\n')
    assert run_cli("check", "--tree", tree, "--strict").code == 0


def test_review_counts_provenance_and_lists_events_above_their_status(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--tree", small_tree(tmp_path), "--review", "--json")
    review = result.json()["review"]
    assert review["kinds"]["event"] == {"entries": 1, "with_provenance": 1, "sourced": 1, "outside": 0,
                                        "wanted": 1, "lacking": 0}
    assert [s["entry_id"] for s in review["above_status"]] == ["2020-01-01-e"]
    text = run_cli("check", "--tree", small_tree(tmp_path / "t"), "--review").out
    assert "1 event(s) above their status:" in text and "2020-01-01-e  confirmed: needs 2" in text


def test_the_sample_passes_check_strict_with_every_outside_fact_marked(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--tree", sample_tree, "--strict", "--review", "--json")
    assert result.code == 0, result.json()["problems"]
    review = result.json()["review"]
    assert review["above_status"] == []
    for kind in ("actor", "event"):
        counts = review["kinds"][kind]
        assert counts["lacking"] == 0 and counts["wanted"] > 30
        assert counts["outside"] > 10  # facts from outside the seeds are marked, not hidden
    # The fixes the fact-check asked for.
    location = (sample_tree / f"events/{REVOKED}/event.toml").read_text()
    assert 'location = "Pentagon, Washington DC"' in location and "Arlington" in location.split("\n[provenance]")[1]
    assert "the reason was" not in (sample_tree / "events/2020-11-09-esper-fired/summary.md").read_text()
    strike = (sample_tree / "events/2020-01-03-soleimani-strike/event.toml").read_text()
    assert '"mark-esper"' not in strike and '"kenneth-mckenzie"' not in strike
    missiles = sample_tree / "events/2020-01-08-iran-missile-strikes-on-us-bases-in-iraq/event.toml"
    assert '"irgc"' not in missiles.read_text()


def test_breaking_the_sample_makes_strict_fail(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    path = sample_tree / "events/2025-01-20-bolton-security-detail-revoked/event.toml"
    path.write_text(path.read_text().replace('status = "reported"', 'status = "confirmed"'))
    result = run_cli("check", "--tree", sample_tree, "--strict", "--json")
    assert result.code == 1
    findings = [p for p in result.json()["problems"] if p["severity"] != "note"]  # notes never count
    assert [(p["entry"], p["code"]) for p in findings] == [
        ("2025-01-20-bolton-security-detail-revoked", "policy-status")]


def test_show_gives_each_fields_sources_and_what_the_policy_misses(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    data = run_cli("show", "--tree", sample_tree, REVOKED, "--json").json()
    location = next(b for b in data["provenance"] if b["field"] == "location")
    assert location["sources"][0]["id"] == "2025-10-18-timeline-hegseth-revokes-milley-detail"
    assert location["sources"][0]["title"].startswith("Defense Secretary Revokes")
    assert "Arlington" in location["note"]
    assert data["lacking_provenance"] == []
    text = run_cli("show", "--tree", sample_tree, "2020-01-03-soleimani-strike", "--no-text").out
    assert "Provenance (which source backs which field)" in text
    assert "location: no source in this tree" in text
    event = sample_tree / "events/2020-01-03-soleimani-strike/event.toml"
    event.write_text(event.read_text().split("\n# Which source backs")[0] + "\n")
    data = run_cli("show", "--tree", sample_tree, "2020-01-03-soleimani-strike", "--json").json()
    assert data["provenance"] == [] and data["lacking_provenance"] == ["date", "location"]


def test_ftm_export_puts_provenance_in_proof_source_url_and_notes(run_cli, sample_tree: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.ftm.json"
    assert run_cli("export", "--tree", sample_tree, "--format", "ftm", "-o", out).code == 0
    entities = {e["id"]: e for e in map(json.loads, out.read_text().splitlines())}
    from followthemoney import model

    for raw in entities.values():  # every property used has a place in its FtM schema, with a valid value
        proxy = model.get_proxy(raw, cleaned=False)
        for name, values in raw["properties"].items():
            prop = proxy.schema.get(name)
            assert prop is not None, f"{proxy.schema.name} has no property {name}"
            assert all(prop.type.clean(v) is not None for v in values), (raw["id"], name)
    milley = entities["dossier-mark-milley"]["properties"]
    assert "dossier-2025-web-milley-iran-high-stakes-chess-match" in milley["proof"]  # born, roles: seed 000
    npr = entities["dossier-2025-01-29-npr-hegseth-strips-milley-security-detail"]["properties"]
    assert npr["sourceUrl"] == ["https://www.npr.org/2025/01/29/nx-s1-5279386/hegseth-milley-security-detail"]
    strike = entities["dossier-2020-01-03-soleimani-strike"]["properties"]
    assert any(n.startswith("location: public record") for n in strike["notes"])
    # A link's sources go on the link; its notes on the actor (FtM's UnknownLink has no notes).
    kochavi = next(e for e in entities.values() if e["schema"] == "UnknownLink"
                   and e["properties"]["subject"] == ["dossier-mark-milley"]
                   and e["properties"]["object"] == ["dossier-aviv-kochavi"])
    assert "dossier-2020-12-18-algemeiner-milley-israel-visit" in kochavi["properties"]["proof"]
    assert any(n.startswith("links.3.since: public record") for n in milley["notes"])


def test_notes_and_keys_from_the_tree_reach_the_terminal_as_visible_text(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = small_tree(tmp_path)
    event = tree / "events/2020-01-01-e/event.toml"
    event.write_text(event.read_text() + 'title = { note = "\\u001b[31mred[/] [bold]x[/bold]" }\n'
                     '"\\u001b]0;pwned\\u0007" = ["2020-01-01-a"]\n')
    shown = run_cli("show", "--tree", tree, "2020-01-01-e", "--no-text")
    assert "\x1b" not in shown.out and "\x07" not in shown.out
    assert "␛[31mred[/] [bold]x[/bold]" in shown.out
    checked = run_cli("check", "--tree", tree)
    assert "\x1b" not in checked.out and "a field this entry does not have" in checked.out
