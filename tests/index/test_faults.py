"""Faults found when the index was tried hard (issue 11): each test failed before its fix.

Lost or stale data (a change that keeps size and mtime, a deleted or corrupted index folder,
a reader racing the writer, a full disk) and faults that ended in a traceback or a hang
(huge queries, a kind file that is not a file).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dossier.check import check_tree
from dossier.index import Index, QueryError
from dossier.store import Store
from tests.index.helpers import event, ids, small_tree, wait_for, write

REPO = Path(__file__).resolve().parents[2]


def rewrite_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """What ``cp -p``, ``rsync -a``, ``tar`` and ``touch -r`` leave behind: new bytes, old size and mtime."""
    assert len(old) == len(new)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (st.st_size, st.st_mtime_ns)


# ---------------------------------------------------------------- 5: same size, same mtime


def test_fault5_a_change_that_keeps_size_and_mtime_is_reindexed(index: Index, tree: Path) -> None:
    summary = tree / "events" / "2025-01-28-detail-revoked" / "summary.md"
    rewrite_keeping_size_and_mtime(summary, "Pentagon", "Zanzibar")
    changes = index.reconcile()
    assert "2025-01-28-detail-revoked" in changes.changed
    assert ids(index.search("zanzibar")) == ["2025-01-28-detail-revoked"]


def test_fault5_the_watcher_process_sees_a_change_that_keeps_size_and_mtime(tree: Path, tmp_path: Path) -> None:
    ix_dir = tmp_path / "ix"
    env = dict(os.environ, DOSSIER_INDEX=str(ix_dir))
    watcher = subprocess.Popen(
        [sys.executable, "-m", "dossier", "index", "--watch", "--tree", str(tree)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        store = Store(tree)

        def searchable(word: str) -> list[str]:
            with Index.open(store, ix_dir) as reader:
                return ids(reader.search(word)) if reader.row("mark-milley") else []

        wait_for(lambda: searchable("pentagon"), timeout=60)
        time.sleep(0)  # the watcher is running: its first reconcile is done
        summary = tree / "events" / "2025-01-28-detail-revoked" / "summary.md"
        rewrite_keeping_size_and_mtime(summary, "Pentagon", "Zanzibar")
        assert wait_for(lambda: searchable("zanzibar"), timeout=30) == ["2025-01-28-detail-revoked"]
    finally:
        watcher.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            watcher.wait(10)
        if watcher.poll() is None:
            watcher.kill()


# ---------------------------------------------------------------- 6, 7: a deleted or damaged index


def test_fault6_deleting_the_index_folder_while_open_rebuilds_it(index: Index, tmp_path: Path) -> None:
    assert ids(index.search("pentagon"))
    shutil.rmtree(tmp_path / "ix")
    assert ids(index.search("pentagon")) == ["2025-01-28-detail-revoked"]
    assert index.rebuilt_reason and "deleted" in index.rebuilt_reason
    assert (tmp_path / "ix" / "whoosh").is_dir()
    # and it is still a working index: a new entry is indexed and found
    event(index.store.root, "2025-02-01-new", "Zanzibar summit", "2025-02-01")
    index.reconcile()
    assert ids(index.search("zanzibar")) == ["2025-02-01-new"]


def flip_bytes_in_segments(ix_dir: Path) -> None:
    segments = sorted(p for p in (ix_dir / "whoosh").glob("MAIN_*") if p.suffix in (".seg", ".pst", ".trm"))
    assert segments, "no segment file to damage"
    for segment in segments:
        data = bytearray(segment.read_bytes())
        for offset in range(64, len(data) - 64, 97):
            data[offset] ^= 0xFF
        segment.write_bytes(bytes(data))


def test_fault7_a_corrupted_segment_is_detected_and_rebuilt(index: Index, tmp_path: Path) -> None:
    index.close()
    flip_bytes_in_segments(tmp_path / "ix")
    with Index.open(index.store, tmp_path / "ix") as reopened:
        reopened.reconcile()
        hits = reopened.search("pentagon")
        assert ids(hits) == ["2025-01-28-detail-revoked"]
        assert reopened.rebuilt_reason and "damaged" in reopened.rebuilt_reason


def test_fault7_the_cli_says_the_index_was_damaged_and_still_answers(run_cli, tree: Path, tmp_path: Path) -> None:
    ix_dir = tmp_path / "cli-ix"
    assert run_cli("index", "--tree", tree, "--index", ix_dir).code == 0
    flip_bytes_in_segments(ix_dir)
    result = run_cli("search", "--tree", tree, "--index", ix_dir, "pentagon")
    assert result.code == 0, result.err
    assert "2025-01-28-detail-revoked" in result.out
    assert "damaged" in result.err and "rebuilt" in result.err
    assert "decompressing" not in result.err + result.out


# ---------------------------------------------------------------- 9: a reader racing the writer


def test_fault9_a_reader_held_mid_build_never_stores_a_stale_row_cache(index: Index, tree: Path) -> None:
    import dossier.index.listing as core  # where the rows are made

    entered, release = threading.Event(), threading.Event()
    real_is_valid_id = core.is_valid_id
    reader_thread = threading.current_thread()

    def slow_is_valid_id(value: str) -> bool:
        if threading.current_thread() is reader_thread and not release.is_set():
            entered.set()
            release.wait(10)
        return real_is_valid_id(value)

    index._invalidate()
    core.is_valid_id = slow_is_valid_id
    try:
        reader_thread = threading.Thread(target=index.rows)
        reader_thread.start()
        assert entered.wait(10), "the reader did not start building the rows"
        write(tree / "actors" / "b" / "profile.toml", 'name = "B"\ntype = "person"\n')
        changes = index.apply(["actors/b/profile.toml"])
        assert changes.added == {"b"}
        release.set()
        reader_thread.join(10)
    finally:
        core.is_valid_id = real_is_valid_id
        release.set()
    assert index.row("b") is not None
    assert "b" in {row.id for row in index.rows()}


def test_fault9_backlinks_are_current_after_apply(index: Index, tree: Path) -> None:
    assert not index.backlinks("2025-01-28-cnn-report")[1:]
    event(tree, "2025-02-02-follow-up", "Follow-up", "2025-02-02", sources=("2025-01-28-cnn-report",))
    index.apply(["events/2025-02-02-follow-up/event.toml"])
    assert "2025-02-02-follow-up" in {link.row.id for link in index.backlinks("2025-01-28-cnn-report")}


# ---------------------------------------------------------------- 13: queries that took tens of seconds


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("x" * 100_000, "long"),
        (" ".join(f"word{n}" for n in range(2_000)), "words"),
        (" OR ".join(f"milley{n}~2" for n in range(300)), "fuzzy"),
        (" ".join(f"*ley{n}" for n in range(100)), "wildcard"),
        ('"' + " ".join(f"word{n}" for n in range(2_000)) + '"', "words"),
    ],
    ids=["100k-token", "2000-words", "300-fuzzy", "100-wildcards", "2000-word-phrase"],
)
def test_fault13_a_huge_query_is_refused_with_a_clear_message(index: Index, query: str, words: str) -> None:
    start = time.monotonic()
    with pytest.raises(QueryError) as refused:
        index.search(query)
    assert time.monotonic() - start < 5  # refused before Whoosh's quadratic tagger runs (it took 55 s)
    assert words in refused.value.message


def test_fault13_a_long_but_reasonable_query_still_runs(index: Index) -> None:
    query = "Hegseth revokes Milley's security detail " * 4
    assert ids(index.search(query))[:1] == ["2025-01-28-detail-revoked"]


# ---------------------------------------------------------------- 15: a kind file that is not a file


def test_fault15_a_folder_named_like_a_kind_file_is_reported(tree: Path, tmp_path: Path) -> None:
    odd = tree / "actors" / "odd-one"
    (odd / "profile.toml").mkdir(parents=True)
    fifo = tree / "events" / "2025-03-03-piped"
    fifo.mkdir(parents=True)
    os.mkfifo(fifo / "event.toml")
    report = check_tree(Store(tree))
    messages = {p.path: p.message for p in report.problems}
    assert "not a regular file" in messages["actors/odd-one/profile.toml"]
    assert "folder" in messages["actors/odd-one/profile.toml"]
    assert "not a regular file" in messages["events/2025-03-03-piped/event.toml"]
    with Index.open(Store(tree), tmp_path / "ix15") as index:
        index.reconcile()
        assert any("odd-one" in p.path for p in index.problems())


# ---------------------------------------------------------------- 11: a full index disk


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_fault11_a_full_index_disk_is_a_message_and_leaves_no_partial_files(run_cli, tmp_path: Path,
                                                                             tiny_disk: Path) -> None:
    tree = small_tree(tmp_path / "big")
    for n in range(300):
        write(tree / "sources" / f"2025-01-01-s{n}" / "source.toml", f'title = "Source {n}"\ntype = "news"\n')
        write(tree / "sources" / f"2025-01-01-s{n}" / "text.md", f"word{n} " * 400)
    ix_dir = tiny_disk / "ix"
    result = run_cli("index", "--tree", tree, "--index", ix_dir)
    assert result.code == 2
    assert "full" in result.err and "Traceback" not in result.err
    leftovers = [p.name for p in (ix_dir / "whoosh").glob("*") if p.suffix in (".seg", ".tmp", ".pst", ".trm", ".col")]
    assert not leftovers, leftovers
    # show and check do not need the index and keep working
    assert run_cli("show", "--tree", tree, "--index", ix_dir, "mark-milley").code == 0
    assert run_cli("check", "--tree", tree).code in (0, 1)
    searched = run_cli("search", "--tree", tree, "--index", ix_dir, "pentagon")
    assert searched.code in (0, 1, 2) and "Traceback" not in searched.err


def test_fault13_the_cli_quotes_only_the_start_of_a_huge_query(run_cli, tree: Path, tmp_path: Path) -> None:
    result = run_cli("search", "--tree", tree, "--index", tmp_path / "ix13", "x" * 5000)
    assert result.code == 2
    assert "too long" in result.err and len(result.err) < 500  # one readable line, not the pasted page
