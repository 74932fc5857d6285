"""Helpers for the browser's Pilot tests: an app on a private tree, waiting on workers, reading the screen."""

from __future__ import annotations

import asyncio
import inspect
import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerCancelled, WorkerFailed

from dossier.store import Store
from dossier.tui.app import DossierApp, make_app
from dossier.tui.widgets.entry_view import Target
from tests.conftest import copy_tree

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"
SIZE = (120, 40)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no asyncio plugin is installed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def mini_tree(tmp_path: Path) -> Path:
    return copy_tree(FIXTURE, tmp_path / "mini")


@pytest.fixture
def app_for(tmp_path: Path) -> Callable[..., DossierApp]:
    """An app on a tree, with its index and settings inside tmp_path."""

    def build(tree: Path, **kwargs: object) -> DossierApp:
        kwargs.setdefault("settings_dir", tmp_path / "config")
        return make_app(Store(tree), index_dir=tmp_path / "index", **kwargs)  # type: ignore[arg-type]

    return build


async def workers_done(pilot: Pilot) -> None:
    """Wait for the running workers; one replaced by a newer one (exclusive groups) counts as done."""
    for _ in range(10):
        try:
            await pilot.app.workers.wait_for_complete()
            return
        except (WorkerCancelled, WorkerFailed):
            await pilot.pause()


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and the screen catch up (several rounds: results start more work)."""
    for _ in range(4):
        await workers_done(pilot)
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def started(pilot: Pilot) -> None:
    """Wait until the index has been reconciled and the list shows rows."""
    app = pilot.app
    await wait_until(pilot, lambda: app.index is not None and app.browser.rows_loaded[app.browser.kind])
    await settle(pilot)
    items = app.browser.entries.items
    if items:  # loaded is not yet drawn: on a busy machine the frame with the rows comes a moment later
        from dossier.safe import clean  # the title as the list draws it (control characters made visible)

        first = " ".join(clean(str(items[0].title)).split())[:12]
        await wait_until(pilot, lambda: first in screen_text(app))


def screen_text(app: DossierApp) -> str:
    """What the terminal shows right now, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def entry_text(app: DossierApp) -> str:
    """Everything in the entry view, scrolled into view or not."""
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    for widget in app.browser.entry_view.query(Static):
        console.print(widget.render() if isinstance(widget, Target) else widget.content)
    return console.export_text()


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll a condition with a deadline (for things a watcher thread drives)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s\n{screen_text(pilot.app)}")
        await workers_done(pilot)
        await pilot.pause()
        await asyncio.sleep(0.02)


async def poll_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """:func:`wait_until` without waiting for the workers: for while a worker is held on purpose."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s\n{screen_text(pilot.app)}")
        await pilot.pause()
        await asyncio.sleep(0.05)


async def press_for(pilot: Pilot, screen_type: type, *keys: str) -> object:
    """Press keys, then wait until the app shows a screen of this type (a dialog); returns it."""
    await pilot.press(*keys)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type))
    return pilot.app.screen


async def open_from_list(pilot: Pilot, text: str, entry_id: str) -> None:
    """Type a filter on the list, then enter on the row of this entry."""
    app = pilot.app
    app.browser.entries.focus()
    await pilot.press(*text)
    await wait_until(pilot, lambda: any(r.id == entry_id for r in app.browser.entries.items))
    single = len(app.browser.entries.items) == 1
    await pilot.press("enter")  # from the filter: to the list, or straight to the one entry found
    if single:
        await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                         and app.browser.entry_view.data.id == entry_id)
        await settle(pilot)
        return
    rows = app.browser.entries
    while rows.current is not None and rows.current.id != entry_id:
        await pilot.press("down")
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.browser.entry_view.data is not None
                     and app.browser.entry_view.data.id == entry_id)
    await settle(pilot)


def hint_for(app: DossierApp, entry_id: str, field: str | None = None) -> str:
    for target in app.browser.entry_view.targets:
        if target.info.entry_id == entry_id and (field is None or target.info.field.startswith(field)):
            assert target.hint, f"{entry_id} has no hint key"
            return target.hint
    raise AssertionError(f"no target for {entry_id} ({field})")
