"""The browser on hostile, conflicted and changing trees (Pilot tests).

Each test runs its own event loop (``asyncio.run``) so that it needs no plugin
and no conftest hook from tests/tui.
"""

from __future__ import annotations

import asyncio
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.store import Store

from .conftest import ESCAPES, MARKUP, have_module, toml_string, write_entry

pytestmark = [
    pytest.mark.skipif(not have_module("dossier.tui.app"), reason="needs the TUI"),
    pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning"),
]

SIZE = (120, 50)


def make_app(tree: Path, tmp_path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    from dossier.tui.app import make_app as factory

    kwargs.setdefault("settings_dir", tmp_path / "config")
    return factory(Store(tree), index_dir=tmp_path / "index", **kwargs)  # type: ignore[arg-type]


def helpers():  # type: ignore[no-untyped-def]
    from tests.tui import conftest as tui

    return tui


async def open_entry(pilot, entry_id: str) -> None:  # type: ignore[no-untyped-def]
    tui = helpers()
    app = pilot.app
    app.browser.open_entry(entry_id)
    await tui.wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == entry_id)
    await tui.settle(pilot)


@pytest.fixture
def hostile(tree: Path) -> Path:
    evil = ESCAPES + " " + MARKUP
    write_entry(
        tree, "actor", "evil-actor",
        f"name = {toml_string('Evil ' + evil)}\ntype = \"person\"\naliases = [{toml_string(evil)}]\n"
        f"summary = {toml_string(evil)}\n{toml_string('[@click=app.quit]key[/]')} = {toml_string(evil)}\n",
        texts={"notes.md": "# Notes\n" + evil + "\n\n[innocent](file:///etc/passwd)\n",
               "\x1b]0;title\x07name.md": evil + "\n"},
    )
    write_entry(tree, "source", "2020-01-02-evil-source",
                f"title = {toml_string(evil)}\nurl = \"javascript:alert(1)\"\npublished = 2020-01-02\n")
    write_entry(tree, "source", "2020-01-03-good-source",
                "title = \"Good\"\nurl = \"https://example.org/article\"\npublished = 2020-01-03\n")
    write_entry(tree, "event", "2020-01-01-fine", "title = \"Fine event\"\ndate = 2020-01-01\n"
                "actors = [\"evil-actor\"]\n")
    return tree


def test_escape_sequences_and_markup_in_content_show_literally(hostile: Path, tmp_path: Path) -> None:
    tui = helpers()

    async def run() -> None:
        app = make_app(hostile, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await tui.started(pilot)
            listed = tui.screen_text(app)
            assert "\x1b" not in listed and "\x07" not in listed
            assert "Evil ␛[31mRED" in listed
            await open_entry(pilot, "evil-actor")
            shown = tui.screen_text(app) + tui.entry_text(app)
            assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
            assert "[@click=app.quit]Q[/]" in shown
            assert "[link=https://evil.example]L[/link]" in shown
            assert "[@click=app.quit]key[/]" in shown
            # Clicking on the text smuggled in as a click action must not run it.
            clicks = 0
            for y, line in enumerate(tui.screen_text(app).splitlines()):
                x = line.find("[@click=app.quit]")
                if x >= 0:
                    await pilot.click(offset=(x + len("[@click=app.quit]"), y))
                    clicks += 1
            assert clicks > 0
            await tui.settle(pilot)
            assert app.is_running
            await open_entry(pilot, "2020-01-02-evil-source")
            assert app.is_running

    asyncio.run(run())


def test_a_url_is_opened_only_on_request_and_only_for_http(hostile: Path, tmp_path: Path) -> None:
    tui = helpers()

    async def run() -> None:
        app = make_app(hostile, tmp_path)
        opened: list[str] = []
        app.open_url = lambda url, **_kw: opened.append(url)  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await tui.started(pilot)
            await open_entry(pilot, "2020-01-02-evil-source")
            app.browser.entry_view.focus()
            await pilot.press("o")
            await tui.settle(pilot)
            assert opened == []  # javascript: is not opened
            await open_entry(pilot, "2020-01-03-good-source")
            assert opened == []  # opening an entry opens nothing by itself
            app.browser.entry_view.focus()
            await pilot.press("o")
            await tui.settle(pilot)
            assert opened == ["https://example.org/article"]

    asyncio.run(run())


def test_a_conflicted_entry_is_shown_as_conflicted_and_the_others_work(hostile: Path, tmp_path: Path) -> None:
    tui = helpers()
    conflicted = hostile / "events" / "2020-01-01-fine" / "event.toml"
    conflicted.write_text(
        'title = "Fine event"\n<<<<<<< HEAD\ndate = 2020-01-01\n=======\ndate = 2020-01-02\n>>>>>>> theirs\n'
        'actors = ["evil-actor"]\n'
    )

    async def run() -> None:
        app = make_app(hostile, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await tui.started(pilot)
            await open_entry(pilot, "2020-01-01-fine")
            shown = tui.entry_text(app)
            assert "merge conflict" in shown and "events/2020-01-01-fine/event.toml" in shown
            await open_entry(pilot, "2020-01-03-good-source")
            assert "Good" in tui.entry_text(app)
            assert app.is_running

    asyncio.run(run())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind_file=st.binary(max_size=300), text=st.binary(max_size=300))
def test_random_bytes_never_raise_out_of_the_entry_view_data(tmp_path: Path, kind_file: bytes, text: bytes) -> None:
    from dossier.tui.entry_data import gather

    root = tmp_path / f"tree-{random.getrandbits(32)}"
    folder = root / "actors" / "random"
    folder.mkdir(parents=True)
    (folder / "profile.toml").write_bytes(kind_file)
    (folder / "notes.md").write_bytes(text)
    try:
        data = gather(Store(root), "random", None)
        assert data.entry.id == "random"
    finally:
        shutil.rmtree(root)


def test_random_bytes_in_the_entry_view(tree: Path, tmp_path: Path) -> None:
    tui = helpers()
    rng = random.Random(12)
    ids = []
    for i in range(6):
        entry_id = f"random-{i}"
        folder = tree / "actors" / entry_id
        folder.mkdir(parents=True)
        (folder / "profile.toml").write_bytes(rng.randbytes(rng.randrange(1, 400)))
        (folder / "notes.md").write_bytes(rng.randbytes(rng.randrange(1, 400)))
        ids.append(entry_id)
    write_entry(tree, "actor", "valid", 'name = "Valid"\n', texts={"notes.md": "fine\n"})

    async def run() -> None:
        app = make_app(tree, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await tui.started(pilot)
            for entry_id in ids:
                await open_entry(pilot, entry_id)
                assert "\x1b" not in tui.entry_text(app)
            await open_entry(pilot, "valid")
            assert "Valid" in tui.entry_text(app)
            assert app.is_running

    asyncio.run(run())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_checkout_of_hundreds_of_entries_while_the_browser_runs(tmp_path: Path) -> None:
    from dossier.model import Kind

    from .test_git import commit_all, git

    tui = helpers()
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init")
    tree = repo / "dossiers"
    store = Store(tree)
    for i in range(10):
        store.create(Kind.ACTOR, f"actor-{i}", {"name": f"Actor {i}"}, known_ids=(), sync=False)
    commit_all(repo, "base")
    git(repo, "checkout", "-b", "other")
    for i in range(250):
        store.create(Kind.EVENT, f"2021-01-01-other-{i}", {"title": f"Other {i}", "date": "2021-01-01",
                                                          "actors": [f"actor-{i % 10}"]}, known_ids=(), sync=False)
    store.set_fields("actor-3", {"name": "Renamed on the other branch"})
    commit_all(repo, "other")
    git(repo, "checkout", "main")

    async def run() -> None:
        app = make_app(tree, tmp_path, watch=True)
        async with app.run_test(size=SIZE) as pilot:
            await tui.started(pilot)
            assert len(app.index.rows()) == 10
            git(repo, "checkout", "other")
            await tui.wait_until(pilot, lambda: len(app.index.rows()) == 260
                                 and app.index.row("actor-3").title == "Renamed on the other branch", timeout=30)
            git(repo, "checkout", "main")
            await tui.wait_until(pilot, lambda: len(app.index.rows()) == 10
                                 and app.index.row("actor-3").title == "Actor 3", timeout=30)
            await open_entry(pilot, "actor-3")
            assert "Actor 3" in tui.entry_text(app)
            assert app.is_running

    asyncio.run(run())
    status = git(repo, "status", "--porcelain", "--ignored", "--untracked-files=all").stdout
    assert status == ""


def test_a_huge_text_file_is_shown_in_part_with_a_note(tree: Path, tmp_path: Path) -> None:
    tui = helpers()
    text = "word " * 120_000  # 600 KB on one line
    write_entry(tree, "actor", "long", 'name = "Long"\n', texts={"notes.md": text})

    async def run() -> None:
        app = make_app(tree, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await tui.started(pilot)
            await open_entry(pilot, "long")
            shown = tui.entry_text(app)
            assert shown.count("word") < 300_000 // 5, "the whole text was laid out"
            assert "not shown" in shown

    asyncio.run(run())
