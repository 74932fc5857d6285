"""Importing someone else's timeline: hostile input, resource bombs, and a crash half-way."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.store import MAX_TOML_BYTES, Store

from .conftest import ESCAPES, FORBIDDEN, MARKUP, RICH_OWN, dossier, have_module, write_entry
from .test_concurrency import make_timeline

pytestmark = pytest.mark.skipif(not have_module("dossier.importers.timeline"), reason="needs the importer")


def yaml_string(text: str) -> str:
    return json.dumps(text)  # JSON strings are YAML strings, with every control character escaped


@pytest.fixture
def hostile_timeline(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    evil = ESCAPES + " " + MARKUP
    (folder / "2023-01-01--evil.md").write_text(
        "---\n"
        "id: ../../../../escaped-event\n"
        "date: '2023-01-01'\n"
        f"title: {yaml_string('Evil ' + evil)}\n"
        "actors:\n"
        f"- {yaml_string('Mallory ' + ESCAPES)}\n"
        f"- {yaml_string('[@click=app.quit]Eve[/]')}\n"
        "- ../../.ssh/id_rsa\n"
        "sources:\n"
        f"- title: {yaml_string(evil)}\n"
        "  url: javascript:alert(1)\n"
        "- title: Local file\n"
        "  url: file:///etc/passwd\n"
        f"custom_field: {yaml_string(evil)}\n"
        "---\n\n" + evil + "\n",
        encoding="utf-8",
    )
    (folder / f"\x1b]0;title\x07{ESCAPES[:10]}.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (folder / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    return folder


@pytest.mark.parametrize("json_output", [False, True], ids=["human", "json"])
@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "colour-terminal"])
def test_import_output_never_passes_terminal_sequences_through(
    hostile_timeline: Path, tree: Path, tmp_path: Path, json_output: bool, tty: bool
) -> None:
    args = ["import", "timeline", hostile_timeline, "--tree", tree, "--index", tmp_path / "index"]
    result = dossier(*args, *(["--json"] if json_output else []), tty=tty)
    assert result.returncode in (0, 1), result.stderr
    for stream in (result.stdout, result.stderr):
        leftover = RICH_OWN.sub(b"", stream) if tty else stream
        assert not FORBIDDEN.search(leftover), leftover[:2000]


def test_imported_hostile_content_stays_inside_the_tree_and_is_kept_as_text(
    hostile_timeline: Path, tree: Path, tmp_path: Path
) -> None:
    before_outside = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(tree))
    result = dossier("import", "timeline", hostile_timeline, "--tree", tree, "--index", tmp_path / "index")
    assert result.returncode in (0, 1), result.stderr
    after_outside = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(tree)
                           and not p.is_relative_to(tmp_path / "index"))
    assert after_outside == before_outside, "the import wrote outside the tree"
    store = Store(tree)
    scan = store.scan()
    assert scan.problems == []
    for loc in scan.locations:
        assert (tree / loc.folder).resolve().is_relative_to(tree.resolve())
        assert ".." not in loc.id and "/" not in loc.id
    events = [store.load(loc) for loc in scan.locations if loc.kind.value == "event"]
    assert len(events) == 1
    assert events[0].title == "Evil " + ESCAPES + " " + MARKUP  # the text itself, unchanged
    sources = [store.load(loc) for loc in scan.locations if loc.kind.value == "source"]
    assert {s.data.get("url") for s in sources} <= {"javascript:alert(1)", "file:///etc/passwd", "", None}


def laughs(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghij"
    for i in range(1, levels):
        prev, name = names[i - 1], names[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines)


def test_a_yaml_billion_laughs_file_is_refused(tree: Path, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "2023-01-01--laughs.md").write_text(
        f"---\nid: 2023-01-01--laughs\ndate: '2023-01-01'\ntitle: Laughs\n{laughs(5)}\n---\nbody\n"
    )
    result = dossier("import", "timeline", folder, "--tree", tree, "--index", tmp_path / "index", timeout=120)
    assert result.returncode == 1  # the file is skipped, with its reason
    output = (result.stdout + result.stderr).decode()
    assert "aliases (*name), which are not accepted" in " ".join(output.split())
    for path in tree.rglob("*.toml"):
        assert path.stat().st_size <= MAX_TOML_BYTES, f"the import wrote {path.stat().st_size:,} bytes to {path.name}"
    assert check_tree(Store(tree)).problems == []


@pytest.mark.slow
def test_killed_in_the_middle_of_an_import_then_run_again(tree: Path, tmp_path: Path) -> None:
    """Every file whole after the kill; a second run completes the import exactly as one clean run would."""
    timeline = make_timeline(tmp_path / "timeline", 150)
    reference = tmp_path / "reference"
    reference.mkdir()
    clean = dossier("import", "timeline", timeline, "--tree", reference, "--index", tmp_path / "ref-index")
    assert clean.returncode == 0, clean.stderr
    rng = random.Random(9)
    for _attempt in range(3):
        child = subprocess.Popen(
            [sys.executable, "-m", "dossier", "import", "timeline", str(timeline), "--tree", str(tree),
             "--index", str(tmp_path / "index")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        # Kill once the import has started writing (or at a random moment if it is quick).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and child.poll() is None and not any(tree.rglob("*.toml")):
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.3))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        for path in tree.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                content = path.read_bytes()
                assert content, f"{path} is empty after the kill"
                if path.suffix == ".toml":
                    tomllib.loads(content.decode())  # whole
    again = dossier("import", "timeline", timeline, "--tree", tree, "--index", tmp_path / "index")
    assert again.returncode == 0, again.stdout.decode()[-2000:] + again.stderr.decode()[-2000:]

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and not p.name.startswith(".")}

    got, want = files(tree), files(reference)
    assert sorted(got) == sorted(want)
    differing = [name for name in want if got[name] != want[name]]
    assert differing == []
    assert check_tree(Store(tree)).problems == []


@pytest.mark.skipif(not have_module("dossier.importers.article"), reason="needs the article importer")
@pytest.mark.parametrize("json_output", [False, True], ids=["human", "json"])
def test_importing_a_hostile_article_is_terminal_safe_and_stays_in_the_tree(
    tree: Path, tmp_path: Path, json_output: bool
) -> None:
    evil = ESCAPES + " " + MARKUP
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>" + evil + "</title>"
        '<meta property="og:url" content="javascript:alert(1)">'
        '<link rel="canonical" href="file:///etc/passwd"></head><body>'
        "<script>alert(1)</script><h1>" + evil + "</h1>"
        + "<p>" + ("Ada Lovelace wrote a note. " * 40) + evil + "</p>" * 1
        + "</body></html>",
        encoding="utf-8",
    )
    write_entry(tree, "actor", "ada-lovelace", 'name = "Ada Lovelace"\n')
    result = dossier("import", "article", page, "--tree", tree, "--index", tmp_path / "index",
                     *(["--json"] if json_output else []))
    assert result.returncode in (0, 1), result.stderr
    assert not FORBIDDEN.search(result.stdout), result.stdout[:2000]
    assert not FORBIDDEN.search(result.stderr), result.stderr[:2000]
    store = Store(tree)
    for loc in store.scan().locations:
        assert (tree / loc.folder).resolve().is_relative_to(tree.resolve())
    assert check_tree(store).ok
