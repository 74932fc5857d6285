"""The browser and a troubled index (issue 11, faults 6 and 8): nothing lost, search never broken for good."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest

from dossier.index.writer_lock import FileLock
from dossier.tui.screens.search import SearchScreen
from tests.tui.conftest import press_for, screen_text, started, wait_until


async def test_fault6_deleting_the_index_folder_while_the_browser_is_open(app_for, mini_tree: Path,
                                                                         tmp_path: Path) -> None:
    app = app_for(mini_tree, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        shutil.rmtree(tmp_path / "index")
        search = await press_for(pilot, SearchScreen, "slash")
        await pilot.press(*"harbour")
        await wait_until(pilot, lambda: any(h.row.id == "2024-05-01-harbour-meeting"
                                            for h in getattr(search, "hits", [])), timeout=30)
        assert "does not exist" not in screen_text(app)
        assert (tmp_path / "index" / "whoosh").is_dir()
        assert app.index.rebuilt_reason == "the index folder was deleted"


async def test_fault8_changes_are_kept_while_another_program_writes_the_index(
    app_for, mini_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dossier.index.core as core

    monkeypatch.setattr(core, "WRITE_WAIT", 0.2)
    app = app_for(mini_tree, watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        other_program = FileLock(tmp_path / "index" / "write.lock")
        refused = 0
        acquire = app.index._file_lock.acquire

        def counting_acquire(timeout: float) -> bool:
            nonlocal refused
            got = acquire(timeout)
            refused += not got
            return got

        monkeypatch.setattr(app.index._file_lock, "acquire", counting_acquire)
        assert other_program.acquire(5)
        try:
            # One rename into the tree: a single batch from the watcher, which meets the held lock.
            outside = tmp_path / "carol-example"
            outside.mkdir()
            (outside / "profile.toml").write_text('name = "Carol Example"\ntype = "person"\n', encoding="utf-8")
            outside.rename(mini_tree / "actors" / "carol-example")
            # A whole attempt was refused. (Not wait_until: it waits for the workers, and the one
            # applying this change keeps trying until the lock is released.)
            deadline = time.monotonic() + 30
            while refused < 2:
                assert time.monotonic() < deadline, "the change was never tried"
                await asyncio.sleep(0.05)
        finally:
            other_program.release()
        await wait_until(pilot, lambda: app.index.row("carol-example") is not None, timeout=15)
        await wait_until(pilot, lambda: "Carol Example" in screen_text(app), timeout=15)
