"""The browser on a large tree with no index yet: the build runs as `dossier index` in its own process (issue 17).

The browser never forks its threaded process nor builds on one core: it starts the build as a
program of its own, follows it, and lists each committed batch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import dossier.index.core as core
from dossier.index import apart
from dossier.model import Kind
from tests.index.test_rebuild import many_sources
from tests.tui.conftest import SIZE, screen_text, wait_until


async def test_the_browser_builds_a_large_new_tree_in_another_process_and_lists_it(
        app_for, mini_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = core.PARALLEL_ENTRIES + 20
    many_sources(mini_tree, extra)
    followed: list[bool] = []
    real_build = apart.build

    def build(index: object, *args: object, **kwargs: object) -> bool:
        finished = real_build(index, *args, **kwargs)  # type: ignore[arg-type]
        followed.append(finished)
        return finished

    monkeypatch.setattr(apart, "build", build)
    app = app_for(mini_tree, watch=False)
    sources = Kind.SOURCE.counted(extra + 1)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: sources in screen_text(app) and "index: up to date" in screen_text(app),
                         timeout=300)
        assert followed == [True]
        await pilot.press("slash")
        await pilot.press(*"word17")
        await wait_until(pilot, lambda: "Bulk source 17" in screen_text(app), timeout=30)
