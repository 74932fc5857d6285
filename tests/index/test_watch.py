"""The watcher keeps the index current: each change shows in search within a bounded wait."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from dossier.index import Index
from dossier.store import Store, atomic_write
from dossier.watch import IndexWatcher, TreeWatcher, relevant
from tests.index.helpers import actor, source, wait_for, write

REPO = Path(__file__).resolve().parents[2]

# watchdog warns from its own thread when a watched folder is moved; the moves are still reported.
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")


@pytest.fixture
def live(tree: Path, tmp_path: Path):
    index = Index.open(Store(tree), tmp_path / "ix")
    index.reconcile()
    watcher = IndexWatcher(index, quiet=0.1, max_delay=0.5)
    watcher.start()
    yield index
    watcher.stop()
    index.close()


def found(index: Index, query: str) -> list[str]:
    return sorted(h.row.id for h in index.search(query, limit=2000))


def test_relevant_paths() -> None:
    assert relevant("actors/x/profile.toml", False)
    assert relevant("actors/x/notes.md", False)
    assert relevant("actors/x", True)
    assert not relevant(".git/index", False)
    assert not relevant("actors/x/.profile.toml.abc.tmp", False)
    assert not relevant("actors/x/photo.jpg", False)


def test_a_written_file_is_searchable(live: Index, tree: Path) -> None:
    write(tree / "actors/mark-milley/notes.md", "He later spoke about quokkas.")
    wait_for(lambda: found(live, "quokkas") == ["mark-milley"])


def test_an_atomic_replace_is_seen(live: Index, tree: Path) -> None:
    atomic_write(tree / "actors/pete-hegseth/profile.toml", b'name = "Pete Hegseth"\nsummary = "Wombat fancier."\n')
    wait_for(lambda: found(live, "wombat") == ["pete-hegseth"])


def test_an_editor_style_save_is_seen(live: Index, tree: Path) -> None:
    # write a temp file, then rename it over the original (what vim and VS Code do)
    path = tree / "sources/2025-01-28-cnn-report/text.md"
    temp = path.with_name("text.md.tmp~")
    temp.write_text("A story about narwhals.", encoding="utf-8")
    os.replace(temp, path)
    wait_for(lambda: found(live, "narwhals") == ["2025-01-28-cnn-report"])


def test_a_renamed_entry_folder_keeps_its_id_with_a_new_folder(live: Index, tree: Path) -> None:
    (tree / "people").mkdir()
    os.rename(tree / "actors/pete-hegseth", tree / "people/pete-hegseth")
    wait_for(lambda: (live.row("pete-hegseth") or live.row("x")).folder == "people/pete-hegseth")  # type: ignore
    assert found(live, "type:person") == ["mark-milley", "pete-hegseth"]


def test_a_deleted_entry_disappears(live: Index, tree: Path) -> None:
    shutil.rmtree(tree / "sources/2025-01-28-cnn-report")
    wait_for(lambda: live.row("2025-01-28-cnn-report") is None)
    assert found(live, "kind:source") == []


def test_a_moved_grouping_folder_moves_every_entry(live: Index, tree: Path) -> None:
    (tree / "archive").mkdir()
    os.rename(tree / "events", tree / "archive/events")
    wait_for(lambda: all(r.folder.startswith("archive/") for r in live.rows(kind="event")))  # type: ignore[arg-type]
    assert len(live.rows(kind="event")) == 2  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_burst_of_a_thousand_changes_becomes_searchable(live: Index, tree: Path) -> None:
    for i in range(500):
        actor(tree, f"person-{i:04d}", f"Person {i}", summary=f"Burstword number {i}.")
    for i in range(500):
        write(tree / f"actors/person-{i:04d}/notes.md", "more burstword")
    wait_for(lambda: len(found(live, "burstword")) == 500, timeout=60)
    assert len(live.rows(kind="actor")) == 502  # type: ignore[arg-type]


def test_a_git_checkout_like_churn_settles(live: Index, tree: Path) -> None:
    # every file deleted and recreated, with noise under .git/
    for i in range(50):
        write(tree / f".git/objects/{i:02d}", "x")
    for folder in [tree / "actors/mark-milley", tree / "actors/pete-hegseth"]:
        for path in list(folder.iterdir()):
            text = path.read_text(encoding="utf-8")
            path.unlink()
            path.write_text(text.replace("Secretary of Defense", "Secretary of Pangolins"), encoding="utf-8")
    wait_for(lambda: found(live, "pangolins") == ["pete-hegseth"])
    assert found(live, "type:person") == ["mark-milley", "pete-hegseth"]


def test_tree_watcher_debounces_into_one_batch(tmp_path: Path) -> None:
    (tmp_path / "actors").mkdir()
    batches: list[set[str]] = []
    ready = threading.Event()
    watcher: TreeWatcher

    def on_batch() -> None:
        batches.append(watcher.take())
        ready.set()

    watcher = TreeWatcher(tmp_path, on_batch, quiet=0.3, max_delay=5)
    with watcher:
        for i in range(20):
            write(tmp_path / f"actors/a-{i}/profile.toml", 'name = "A"\n')
        wait_for(ready.is_set)
        wait_for(lambda: {f"actors/a-{i}/profile.toml" for i in range(20)} <= set().union(*batches))
    assert len(batches) <= 3  # not one per event


SECOND_PROCESS = """
import sys, time
from pathlib import Path
from dossier.index import Index
from dossier.store import Store
tree, ix_dir, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
index = Index.open(Store(tree), ix_dir)
n = 0
deadline = time.monotonic() + 3
while time.monotonic() < deadline:
    if mode == "write":
        index.apply(["actors/mark-milley/notes.md"])
        index.reconcile()
    else:
        assert index.search("milley")
    n += 1
print(n)
"""


@pytest.mark.slow
def test_two_processes_never_corrupt_or_crash(live: Index, tree: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    procs = [
        subprocess.Popen([sys.executable, "-c", SECOND_PROCESS, str(tree), str(tmp_path / "ix"), mode],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for mode in ("write", "read")
    ]
    for i in range(20):
        write(tree / "actors/mark-milley/notes.md", f"revision {i} mentions ocelots")
        live.apply(["actors/mark-milley/notes.md"])
        assert found(live, "ocelots") == ["mark-milley"]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert int(out) > 0
    with Index.open(Store(tree), tmp_path / "ix") as again:
        assert again.rebuilt_reason is None
        again.reconcile()
        assert found(again, "ocelots") == ["mark-milley"]
        assert found(again, "type:person") == ["mark-milley", "pete-hegseth"]


def test_source_added_by_importer_is_applied(live: Index, tree: Path) -> None:
    source(tree, "2025-03-01-import", "Imported piece", "2025-03-01", text="kinkajou")
    wait_for(lambda: found(live, "kinkajou") == ["2025-03-01-import"])


def test_a_tree_of_thousands_of_folders_is_watched(tmp_path: Path) -> None:
    # Watching walks every folder; with watchdog's default mask each folder opened by that walk
    # queued events, past ~4,000 folders the kernel queue overflowed and watchdog walked again,
    # forever: changes were never reported.
    root = tmp_path / "tree"
    for i in range(5000):
        os.makedirs(root / "sources" / f"{i // 100:02d}" / f"s-{i:04d}")
    batches: list[set[str]] = []
    watcher: TreeWatcher

    def on_batch() -> None:
        batches.append(watcher.take())

    watcher = TreeWatcher(root, on_batch, quiet=0.1, max_delay=0.5)
    with watcher:
        for path in root.rglob("*"):  # reading the tree is not a change
            os.listdir(path)
        write(root / "sources/49/s-4999/source.toml", 'title = "T"\n')
        write(root / "sources/new/s-new/source.toml", 'title = "New"\n')  # in folders created now
        wanted = {"sources/49/s-4999/source.toml", "sources/new/s-new/source.toml"}
        wait_for(lambda: wanted <= set().union(set(), *batches), timeout=30)
    assert "." not in set().union(*batches)  # nothing was lost on the way


def test_lost_file_events_rescan_the_whole_tree(tree: Path, tmp_path: Path) -> None:
    index = Index.open(Store(tree), tmp_path / "ix")
    index.reconcile()
    # written before the watcher starts: only a full rescan can find it
    write(tree / "actors/mark-milley/notes.md", "Tapirs, unannounced.")
    watcher = IndexWatcher(index, quiet=0.1, max_delay=0.5)
    with watcher:
        for emitter in watcher.watcher._observer.emitters:  # what the kernel's queue overflow triggers
            emitter._inotify.on_queue_overflow()
        wait_for(lambda: found(index, "tapirs") == ["mark-milley"])
    index.close()
