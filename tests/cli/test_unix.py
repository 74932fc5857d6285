"""The command line as people script it: --version, completion, man page, pipes, colour, -q/-v, stdin, dry runs."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier import __version__
from dossier.commands import load_commands
from dossier.exporters import load_entries
from dossier.store import Store

REPO = Path(__file__).resolve().parents[2]
SGR = re.compile(r"\x1b\[[0-9;]*m")


def subprocess_dossier(*args: str | Path, env: dict[str, str] | None = None, stdin: bytes | None = None,
                       ) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "dossier", *map(str, args)], capture_output=True, env=full_env,
                          input=stdin.decode() if stdin is not None else None, text=True, timeout=120)


def tree_files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.rglob("*"))}


# ------------------------------------------------------------------ version, completion, man


def test_version_is_the_packaged_release(run_cli) -> None:  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    result = run_cli("--version")
    assert result.code == 0
    assert result.out.strip() == f"dossier {__version__}"
    assert version("dossier-tui") == __version__


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_names_every_command_and_the_choices_of_options(run_cli, shell: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("completion", shell)
    assert result.code == 0
    for command in load_commands():
        assert command.name in result.out, command.name
    for word in ("format", "ftm", "csv", "kind", "dry-run", "no-color", "timeline", "article"):
        assert word in result.out, word
    if shutil.which(shell):  # the script is valid for the shell it is for
        check = subprocess.run([shell, "-n"], input=result.out, capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_bash_completes_a_command_and_an_option_value(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "dossier.bash"
    script.write_text(run_cli("completion", "bash").out)

    def complete(*words: str) -> set[str]:
        line = " ".join(f"'{w}'" for w in words)
        program = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
                   f"COMP_LINE=\"{' '.join(words)}\"; COMP_POINT=${{#COMP_LINE}}; "
                   "_shtab_dossier; printf '%s\\n' \"${COMPREPLY[@]}\"")
        done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30, cwd=tmp_path)
        return {w.strip() for w in done.stdout.split()}

    (tmp_path / "casefiles").mkdir()

    assert "export" in complete("dossier", "exp")
    assert {"ftm", "json", "csv"} <= complete("dossier", "export", "--format", "")
    assert {"timeline", "article", "ftm", "csv"} <= complete("dossier", "import", "")
    assert "casefiles" in " ".join(complete("dossier", "search", "--tree", "ca"))  # --tree completes a folder


def test_man_page_documents_every_command(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("man")
    assert result.code == 0
    assert result.out.startswith(".TH DOSSIER \"1\"")
    assert f"dossier {__version__}" in result.out
    for command in load_commands():
        shown = result.out.replace("\\fR \\fI\\,", " ").replace("\\fB", "").replace("\\-", "-")  # roff escapes
        assert f"dossier {command.name}" in shown, command.name
    if shutil.which("groff"):
        shown = subprocess.run(["groff", "-man", "-Tutf8", "-ww"], input=result.out, capture_output=True, text=True)
        assert "SYNOPSIS" in re.sub(".\b", "", shown.stdout)
        assert shown.stderr == "", "troff reads the page without a warning"


# ------------------------------------------------------------------ pipes, colour, loudness


def test_piped_output_is_never_wrapped_and_search_gives_one_hit_a_line(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    long_title = "An event whose title goes on " + "and on " * 40 + "well past eighty columns"
    made = run_cli("new", "event", long_title, "--date", "2024-02-03", "--tree", sample_tree, "--json").json()
    assert made["dry_run"] is False
    os.environ["COLUMNS"] = "80"  # what a pipe gets; restored by the conftest's monkeypatch
    try:
        result = run_cli("search", "past eighty columns", "--tree", sample_tree)
        show = run_cli("show", made["id"], "--tree", sample_tree)
    finally:
        os.environ["COLUMNS"] = "200"
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == 1, "one hit, one line"
    fields = lines[0].split("\t")
    assert fields[:3] == [made["id"], "event", "2024-02-03"] and fields[3] == long_title
    assert "1 result" in result.err
    assert any(long_title in line for line in show.out.splitlines()), "the title is one line, not wrapped"
    assert not any(ch in show.out for ch in "╭│╰┏┃"), "no boxes in piped output"


def test_piped_stderr_is_not_wrapped(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deep = tmp_path / ("a-folder-with-a-long-name-" * 6) / "dossiers"
    result = run_cli("check", "--tree", deep)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and str(deep) in result.err


def test_no_color_flag_and_environment(sample_tree: Path) -> None:
    coloured = subprocess_dossier("check", "--tree", sample_tree, env={"FORCE_COLOR": "1"})
    assert SGR.search(coloured.stdout), "a colour terminal gets colour"
    for args, env in ((["--no-color"], {"FORCE_COLOR": "1"}), ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"})):
        plain = subprocess_dossier("check", *args, "--tree", sample_tree, env=env)
        assert plain.returncode == 0
        assert not SGR.search(plain.stdout + plain.stderr), (args, env)
        assert "no errors" in plain.stdout


def test_quiet_and_verbose(run_cli, sample_tree: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.ftm.json"
    loud = run_cli("export", "--format", "ftm", "-o", out, "--tree", sample_tree)
    assert re.fullmatch(r"wrote \d+ entities to .*out.ftm.json\n", loud.err)
    quiet = run_cli("-q", "export", "--format", "ftm", "-o", out, "--tree", sample_tree)
    assert quiet.code == 0 and quiet.err == ""
    table = tmp_path / "people.csv"
    table.write_text("name,type\nJane Roe,person\n", encoding="utf-8")
    verbose = run_cli("import", "csv", table, "--kind", "actor", "-v", "--tree", tmp_path / "t")
    assert "created actor jane-roe" in verbose.out
    assert f"tree {(tmp_path / 't').resolve()}" in verbose.err and "import took" in verbose.err
    assert "took" not in run_cli("check", "--tree", sample_tree).err
    both = run_cli("-q", "-v", "check", "--tree", sample_tree)
    assert both.code == 2 and "not allowed with" in both.err


def test_a_long_step_on_a_terminal_says_what_it_is_doing_and_q_silences_it(sample_tree: Path) -> None:
    terminal = {"FORCE_COLOR": "1", "TERM": "xterm-256color"}
    for args in (("check",), ("export", "--format", "json")):
        shown = subprocess_dossier(*args, "--tree", sample_tree, env=terminal)
        assert shown.returncode == 0 and ("checking every entry" in shown.stderr or "exporting" in shown.stderr)
        quiet = subprocess_dossier("-q", *args, "--tree", sample_tree, env=terminal)
        assert quiet.returncode == 0 and quiet.stderr == ""


# ------------------------------------------------------------------ standard input


def _stdin(monkeypatch: pytest.MonkeyPatch, data: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8")), encoding="utf-8"))


def test_dash_reads_an_article_from_standard_input(run_cli, sample_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _stdin(monkeypatch, "<html><head><title>Milley speaks at West Point</title></head><body><article>"
                        "<p>General Mark Milley told cadets on Tuesday that the oath is to the Constitution. "
                        "He spoke for an hour about civil-military relations and the duty of officers.</p>"
                        "</article></body></html>")
    result = run_cli("import", "article", "-", "--url", "https://example.org/milley-west-point",
                     "--tree", sample_tree, "--json")
    assert result.code == 0, result.out + result.err
    data = result.json()
    assert data["created"] and data["source"].endswith("milley-speaks-at-west-point")
    assert "mark-milley" in {m["actor"] for m in data["mentions"]}


def test_dash_reads_csv_and_ftm_from_standard_input(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _stdin(monkeypatch, "name,aliases\nJane Roe,J. Roe; Jane R.\n")
    result = run_cli("import", "csv", "-", "--kind", "actor", "--tree", tmp_path / "t", "--json")
    assert result.code == 0 and [e["id"] for e in result.json()["entries"]] == ["jane-roe"]
    _stdin(monkeypatch, json.dumps({"id": "abc123", "schema": "Person", "properties": {"name": ["John Doe"]}}))
    result = run_cli("import", "ftm", "-", "--tree", tmp_path / "t", "--json")
    assert result.code == 0 and [e["id"] for e in result.json()["entries"]] == ["john-doe"]


def test_dash_reads_a_timeline_event(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _stdin(monkeypatch, '{"title": "Piped event", "date": "2024-01-02", "actors": ["Jane Roe"]}')
    result = run_cli("import", "timeline", "-", "--tree", tmp_path / "t", "--json")
    assert result.code == 0, result.out
    assert {(e["kind"], e["id"]) for e in result.json()["entries"]} == {
        ("event", "2024-01-02-piped-event"), ("actor", "jane-roe")}


# ------------------------------------------------------------------ dry runs tell the truth


def test_every_writing_command_has_dry_run(run_cli) -> None:  # type: ignore[no-untyped-def]
    for command in ("new", "index", "export"):
        assert "--dry-run" in run_cli(command, "--help").out, command
    for what in ("timeline", "article", "ftm", "csv"):
        assert "--dry-run" in run_cli("import", what, "--help").out, what


def test_dry_run_of_new_names_the_entry_and_writes_nothing(run_cli, sample_tree: Path) -> None:  # type: ignore[no-untyped-def]
    before = tree_files(sample_tree)
    planned = run_cli("new", "source", "A Leaked Memo", "--date", "2025-02-01", "--dry-run", "--tree", sample_tree)
    assert planned.code == 0 and "would create source 2025-02-01-a-leaked-memo" in planned.out
    assert tree_files(sample_tree) == before
    taken = run_cli("new", "actor", "Mark Milley", "--id", "mark-milley", "--dry-run", "--tree", sample_tree)
    assert taken.code == 2 and "already exists" in taken.err


def test_an_import_dry_run_lists_what_the_import_creates(run_cli, sample_tree: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "sample.ftm.json"
    run_cli("export", "--format", "ftm", "-o", exported, "--tree", sample_tree)
    target = tmp_path / "empty"
    dry = run_cli("import", "ftm", exported, "--dry-run", "--tree", target, "--json").json()
    assert not target.exists(), "a dry run writes nothing, not even the tree's folder"
    entries = len(load_entries(Store(sample_tree)).entries)
    assert dry["dry_run"] is True and dry["written"] == 0 and len(dry["entries"]) == entries
    real = run_cli("import", "ftm", exported, "--tree", target, "--json").json()
    assert real["written"] == entries
    assert [(e["kind"], e["id"]) for e in real["entries"]] == [(e["kind"], e["id"]) for e in dry["entries"]]


def test_dry_run_of_index_and_export(run_cli, sample_tree: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    index_dir = tmp_path / "ix"
    dry = run_cli("index", "--dry-run", "--index", index_dir, "--tree", sample_tree, "--json").json()
    assert dry["dry_run"] and dry["reason"] == "no index yet"
    assert len(dry["added"]) == len(load_entries(Store(sample_tree)).entries)
    assert not index_dir.exists()
    real = run_cli("index", "--index", index_dir, "--tree", sample_tree, "--json").json()
    assert sorted(real["added"]) == dry["added"]
    (sample_tree / "actors/mark-milley/notes-extra.md").write_text("more\n", encoding="utf-8")
    again = run_cli("index", "--dry-run", "--index", index_dir, "--tree", sample_tree, "--json").json()
    assert (again["added"], again["changed"], again["removed"]) == ([], ["mark-milley"], [])
    folder = tmp_path / "tables"
    planned = run_cli("export", "--format", "csv", "-o", folder, "--dry-run", "--json", "--tree", sample_tree).json()
    assert not folder.exists() and planned["written"] == 0
    assert {Path(f["path"]).name for f in planned["files"]} >= {"actors.csv", "events.csv", "sources.csv"}
    done = run_cli("export", "--format", "csv", "-o", folder, "--json", "--tree", sample_tree).json()
    assert done["written"] == len(planned["files"]) and sorted(p.name for p in folder.iterdir()) == sorted(
        Path(f["path"]).name for f in planned["files"])
    rows = {Path(f["path"]).name: f["rows"] for f in done["files"]}
    assert rows["actors.csv"] == sum(1 for _ in (sample_tree / "actors").iterdir())
    assert done["counts"]["entries"] == len(load_entries(Store(sample_tree)).entries)


# ------------------------------------------------------------------ JSON shapes


def _validate(data: object, shape: str) -> None:
    import jsonschema

    schema = json.loads((REPO / "docs" / "schemas" / f"{shape}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)


def test_every_json_output_has_a_version_and_matches_its_schema(run_cli, sample_tree: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    t = sample_tree
    runs = {
        "check": ("check",),
        "show": ("show", "mark-milley"),
        "new": ("new", "actor", "Jane Roe", "--dry-run"),
        "search": ("search", "milley"),
        "index": ("index",),
        "export": ("export", "--format", "ftm", "-o", tmp_path / "x.ftm.json"),
    }
    for shape, args in runs.items():
        result = run_cli(*args, "--tree", t, "--json")
        assert result.code in (0, 1), (shape, result.err)
        data = result.json()
        assert data["version"] == 1, shape
        _validate(data, shape)
    article = tmp_path / "a.md"
    article.write_text("# Milley and the oath\n\nMark Milley spoke about the oath.\n", encoding="utf-8")
    _validate(run_cli("import", "article", article, "--tree", t, "--json").json(), "import-article")
    _validate(run_cli("import", "ftm", tmp_path / "x.ftm.json", "--tree", tmp_path / "n", "--json").json(), "import")
    _validate(run_cli("index", "--dry-run", "--tree", t, "--json").json(), "index")
    exported = run_cli("export", "--format", "json", "--tree", t)
    _validate(exported.json(), "export-json")
    _validate(run_cli("path", "mark-milley", "donald-trump", "--tree", t, "--json").json(), "path")
    _validate(run_cli("connections", "mark-milley", "--tree", t, "--json").json(), "connections")
    git = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the sample"]):
        subprocess.run(["git", *command], cwd=t, check=True, env={**os.environ, **git})
    history = run_cli("history", "mark-milley", "--tree", t, "--json").json()
    assert history["commits"][0]["message"].startswith("the sample")
    _validate(history, "history")


def test_every_command_with_json_has_a_schema() -> None:
    # The commands of this release; a command added later brings its own schema (CONTRIBUTING.md).
    documented = {"check", "show", "new", "search", "index", "import", "export", "path", "connections", "history"}
    schemas = {p.name.split(".")[0] for p in (REPO / "docs" / "schemas").glob("*.schema.json")}
    with_json = {c.name for c in load_commands() if c.json_output}
    assert documented <= with_json
    assert documented <= schemas
