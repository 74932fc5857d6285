"""An open browser keeps the index current and says so: a command run beside it answers from the index
without looking at the tree, and sees a file saved a moment before (dossier/index/heartbeat.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from dossier.index import heartbeat
from tests.tui.conftest import started, wait_until


def run_search(tree: Path, index_dir: Path, word: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DOSSIER_INDEX=str(index_dir))
    return subprocess.run([sys.executable, "-m", "dossier", "-v", "search", "--tree", str(tree), "--json", word],
                          env=env, capture_output=True, text=True, timeout=120)


async def test_a_command_beside_the_open_browser_answers_from_its_index(app_for, mini_tree: Path,
                                                                        tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    app = app_for(mini_tree, watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: (beat := heartbeat.read(index_dir)) is not None and beat.synced, timeout=30)
        notes = mini_tree / "actors" / "alice-example" / "notes.md"
        notes.write_text("Spoke about the quokka enclosure.\n", encoding="utf-8")
        # The command runs in another process while the browser's loop keeps going (its watcher applies).
        searched = await asyncio.to_thread(run_search, mini_tree, index_dir, "quokka")
        assert searched.returncode == 0, searched.stderr
        assert [hit["id"] for hit in json.loads(searched.stdout)["hits"]] == ["alice-example"]
        assert "a running watcher keeps the index current" in searched.stderr
    assert not (index_dir / heartbeat.HEARTBEAT_FILE).exists()  # closed: commands look at the tree again
