"""Curation a shared record can trust: exact round trips, minimal git diffs, clean merges with
colleagues' edits, and a SIGKILL half-way that the same command finishes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier import curate
from dossier.model import iter_references
from dossier.store import Store

from .conftest import dossier, git_available
from .test_git import git

SAMPLE = Path(__file__).resolve().parents[2] / "dossiers"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


# ------------------------------------------------------------- the property

ids = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
comments = st.sampled_from(["", "  # why", " #", "  # ünïcode ✓"])


def quoted(entry_id: str, literal: bool) -> str:
    return f"'{entry_id}'" if literal else f'"{entry_id}"'


@st.composite
def trees(draw: st.DrawFn) -> tuple[dict[str, str], list[str]]:
    """Kind files written as people write them: comments, both quotes, multi-line arrays, CRLF, own keys."""
    actors = draw(st.lists(ids, min_size=2, max_size=5, unique=True))
    files: dict[str, str] = {}
    for actor in actors:
        lines = [f"# profile of {actor}", f'name = "{actor.title()} Person"{draw(comments)}']
        if draw(st.booleans()):
            lines.append(f'mine = "my own field, naming {actor} in prose"')
        for target in draw(st.lists(st.sampled_from(actors), max_size=2)):
            lines += ["", "[[links]]", f"to = {quoted(target, draw(st.booleans()))}{draw(comments)}",
                      'rel = "knows"']
        files[f"actors/{actor}/profile.toml"] = _ending(lines, draw(st.booleans()))
    for n in range(draw(st.integers(1, 4))):
        named = draw(st.lists(st.sampled_from(actors), min_size=1, max_size=4, unique=True))
        items = [quoted(a, draw(st.booleans())) for a in named]
        if draw(st.booleans()):
            array = "[\n" + "".join(f"  {item},{draw(comments)}\n" for item in items) + "]"
        else:
            array = "[" + ", ".join(items) + "]"
        lines = [f'title = "Event {n}"{draw(comments)}', f"date = 2020-01-{n + 1:02d}", f"actors = {array}",
                 f"unknown_key = {draw(st.integers(-5, 5))}"]
        if draw(st.booleans()):  # an id, quoted, where it is not a reference: it must stay
            lines.append(f"nick = {quoted(named[-1], draw(st.booleans()))}")
        if draw(st.booleans()):
            lines += ["", "[[accounts]]", f"by = {quoted(named[0], draw(st.booleans()))}", 'claim = "said so"']
        files[f"events/2020-01-{n + 1:02d}-event-{n}/event.toml"] = _ending(lines, draw(st.booleans()))
    return files, actors


def _ending(lines: list[str], crlf: bool) -> str:
    text = "\n".join(lines) + "\n"
    return text.replace("\n", "\r\n") if crlf else text


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=trees(), pick=st.integers(0, 10))
def test_rename_then_rename_back_gives_the_same_bytes(tree: tuple[dict[str, str], list[str]], pick: int) -> None:
    files, actors = tree
    old = actors[pick % len(actors)]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text.encode("utf-8"))
        before = snapshot(root)
        store = Store(root)
        curate.apply(store, curate.plan_rename(store, old, "renamed-id"))
        for location in store.scan().locations:
            data, _, problems = store.read_kind_file(location)
            assert not problems and data is not None
            assert all(ref.target != old for ref in iter_references(location.kind, data))
            assert data.get("nick") != "renamed-id"  # not a reference: never rewritten
        curate.apply(store, curate.plan_rename(store, "renamed-id", old))
        assert snapshot(root) == before


# --------------------------------------------------------------------- git


needs_git = pytest.mark.skipif(not git_available(), reason="needs the git command")


@needs_git
def test_the_git_diff_after_a_rename_is_the_move_and_one_line_per_reference(tmp_path: Path) -> None:
    repo = shutil.copytree(SAMPLE, tmp_path / "dossiers")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "seed")
    store = Store(repo)
    plan = curate.plan_rename(store, "mark-milley", "mark-a-milley")
    curate.apply(store, plan)
    git(repo, "add", "-A")
    numstat = git(repo, "diff", "--cached", "-M", "--numstat").stdout.splitlines()
    renamed = [line for line in numstat if "=>" in line]
    assert renamed and all(line.startswith("0\t0\t") for line in renamed)  # moved, unchanged
    edited = [line.split("\t") for line in numstat if "=>" not in line]
    assert len(edited) == len({op.path for op in plan.operations if op.op == "write"})
    diff = git(repo, "diff", "--cached", "-M", "-U0").stdout.splitlines()
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    # Every changed line is a reference line, and changed by the id alone.
    assert removed and all("mark-milley" in line for line in removed)
    assert [line.replace("mark-milley", "mark-a-milley") for line in removed] == added
    assert git(repo, "status", "--porcelain").stdout.strip() != ""  # only staged changes, nothing stray
    assert not [line for line in git(repo, "status", "--porcelain").stdout.splitlines() if line.startswith("??")]


@needs_git
def test_a_rename_on_one_clone_merges_cleanly_with_an_edit_on_another(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    git(tmp_path, "clone", "-q", str(origin), str(alice))
    shutil.copytree(SAMPLE, alice, dirs_exist_ok=True)
    git(alice, "add", "-A")
    git(alice, "commit", "-qm", "seed")
    git(alice, "push", "-q", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", str(origin), str(bob))
    # Alice renames Milley; Bob edits the title of an event that names him, and Milley's summary.
    store = Store(alice)
    curate.apply(store, curate.plan_rename(store, "mark-milley", "mark-a-milley"))
    git(alice, "add", "-A")
    git(alice, "commit", "-qm", "rename")
    git(alice, "push", "-q", "origin", "HEAD:main")
    event = bob / "events/2025-01-28-milley-security-detail-revoked/event.toml"
    text = event.read_text()
    assert text.startswith("title = ")
    first, rest = text.split("\n", 1)
    event.write_text('title = "Hegseth strips Milley of his security detail"\n' + rest)
    profile = bob / "actors/mark-milley/profile.toml"
    profile.write_text(profile.read_text().replace("20th Chairman", "The 20th Chairman"))
    git(bob, "commit", "-qam", "edit")
    merged = git(bob, "pull", "-q", "origin", "main", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    final = tomllib.loads((bob / "events/2025-01-28-milley-security-detail-revoked/event.toml").read_text())
    assert final["title"] == "Hegseth strips Milley of his security detail"
    assert "mark-a-milley" in final["actors"] and "mark-milley" not in final["actors"]
    assert "The 20th Chairman" in (bob / "actors/mark-a-milley/profile.toml").read_text()
    assert not (bob / "actors/mark-milley").exists()
    check = dossier("check", "--tree", bob, "--json")
    assert b'"errors": 0' in check.stdout


# ---------------------------------------------------------------- SIGKILL


def _many_references(root: Path, n: int) -> None:
    store = Store(root)
    for actor in ("keep-me", "merge-me"):
        folder = root / "actors" / actor
        folder.mkdir(parents=True)
        (folder / "profile.toml").write_text(f'name = "{actor.replace("-", " ").title()}"\ntype = "person"\n')
    (root / "actors/merge-me/notes.md").write_text("notes\n")
    for i in range(n):
        folder = root / "events" / f"2020-01-01-event-{i}"
        folder.mkdir(parents=True)
        both = '"keep-me", ' if i % 3 == 0 else ""
        (folder / "event.toml").write_text(
            f'# event {i}\ntitle = "Event {i}"\ndate = 2020-01-01\nactors = [{both}"merge-me"]  # who\n'
        )
    assert len(store.scan().locations) == n + 2


def test_sigkill_in_the_middle_of_a_merge_then_the_same_command_again_equals_an_uninterrupted_run(
    tmp_path: Path,
) -> None:
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    _many_references(whole, 500)
    shutil.copytree(whole, killed)
    command = ["merge", "keep-me", "merge-me", "--reason", "one person"]
    done = dossier(*command, "--tree", whole, "--index", tmp_path / "index-whole")
    assert done.returncode == 0, done.stderr
    journal = curate.Journal(Store(killed)).path
    watched = killed / "events/2020-01-01-event-1/event.toml"
    original = watched.read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-m", "dossier", *command, "--tree", str(killed), "--index", str(tmp_path / "index-k")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and watched.read_bytes() != original:
            break  # the journal is written and the references are being rewritten
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert journal.exists(), "the run finished before it could be killed"
    assert snapshot(killed) != snapshot(whole)
    for rel, content in snapshot(killed).items():  # every file whole: old or new
        if rel.endswith(".toml"):
            tomllib.loads(content.decode())
    check = dossier("check", "--tree", killed)
    assert b"a curation was interrupted" in check.stdout
    assert b"dossier merge keep-me merge-me --reason 'one person'" in check.stdout
    again = dossier(*command, "--tree", killed, "--index", tmp_path / "index-k")
    assert again.returncode == 0, again.stderr
    assert b"finishing the curation that was interrupted" in again.stdout
    assert not journal.exists()
    assert snapshot(killed) == snapshot(whole)


# ------------------------------------------------------ merge keeps every value

words = st.text(alphabet="abcdefgh ÉéЖж'\"", min_size=1, max_size=8).filter(lambda t: t.strip() != "")
scalars = st.one_of(st.integers(-3, 3), words, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 1, 1)))


@st.composite
def profiles(draw: st.DrawFn) -> dict:
    data: dict = {"name": draw(words), "type": "person"}
    for key in ("aliases", "tags"):
        if draw(st.booleans()):
            data[key] = draw(st.lists(words, max_size=3, unique=True))
    for key in ("summary", "born", "mine", "theirs"):
        if draw(st.booleans()):
            data[key] = draw(scalars)
    for key, fields in (("roles", ("title", "org")), ("links", ("to", "rel"))):
        if draw(st.booleans()):
            data[key] = draw(st.lists(st.fixed_dictionaries({f: words for f in fields}), min_size=1, max_size=2))
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(keep=profiles(), other=profiles())
def test_merge_keeps_every_value_of_both_entries(keep: dict, other: dict) -> None:
    from dossier.model import Kind
    from dossier.store import dump_toml

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for entry_id, data in (("keep-me", keep), ("merge-me", other)):
            (root / "actors" / entry_id).mkdir(parents=True)
            (root / "actors" / entry_id / "profile.toml").write_text(dump_toml(Kind.ACTOR, data), encoding="utf-8")
        store = Store(root)
        curate.apply(store, curate.plan_merge(store, "keep-me", ["merge-me"], "the same one"))
        merged = tomllib.loads((root / "actors/keep-me/profile.toml").read_text(encoding="utf-8"))
        assert not (root / "actors/merge-me").exists()
        record = merged["merged"][-1]
        assert record["id"] == "merge-me" and record["reason"] == "the same one" and record["name"] == other["name"]
        for key, value in keep.items():  # KEEP's own values, all still there and unchanged
            if isinstance(value, list):
                assert merged[key][: len(value)] == value
            else:
                assert merged[key] == value
        for key, value in other.items():  # every value of OTHER somewhere in KEEP
            if key == "name":
                assert value == merged["name"] or value in merged["aliases"]
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                assert all(table in merged[key] for table in value)
            elif isinstance(value, list):
                assert set(value) <= set(merged[key])
            else:
                assert merged[key] == value or record["values"][key] == value
