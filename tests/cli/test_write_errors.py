"""Issue 11, the command line's half: write errors are messages with exit code 2, never tracebacks.

A read-only tree is made the way the machine allows: chmod for an ordinary user (root ignores it),
a read-only bind mount for root where ``mount`` works; the test is skipped, with the reason, where
neither can be done. A file where a folder should be fails for everyone and always runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

ARTICLE = Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "articles" / "note.md"
MINI = Path(__file__).resolve().parents[1] / "tui" / "fixtures" / "mini"


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """``folder`` cannot be written while the block runs; yields how that was done."""
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield "chmod 555"
        finally:
            folder.chmod(mode)
        return
    mount = shutil.which("mount")
    if mount is None or subprocess.run([mount, "--bind", folder, folder], capture_output=True).returncode:
        pytest.skip("running as root (chmod does not stop root) and a bind mount is not allowed here")
    try:
        remount = subprocess.run([mount, "-o", "remount,ro,bind", folder, folder], capture_output=True)
        if remount.returncode:
            pytest.skip("running as root and a read-only remount is not allowed here")
        yield "read-only bind mount"
    finally:
        subprocess.run(["umount", folder], capture_output=True)


@contextlib.contextmanager
def full_disk(folder: Path) -> Iterator[None]:
    """``folder`` becomes a tiny file system with no space left while the block runs (root and mount only)."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("a full disk needs a small tmpfs, which only root can mount")
    if subprocess.run([mount, "-t", "tmpfs", "-o", "size=16k", "tmpfs", folder], capture_output=True).returncode:
        pytest.skip("mounting a small tmpfs is not allowed here")
    try:
        with contextlib.suppress(OSError), (folder / "filler").open("wb") as filler:
            filler.write(b"\0" * 1_000_000)  # until the disk is full
        yield
    finally:
        subprocess.run(["umount", folder], capture_output=True)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    tree = tmp_path / "mini"
    shutil.copytree(MINI, tree)
    return tree


def no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.err and "Error:" not in result.err.split(": ", 1)[0], result.err


# -- fault 10: dossier new and dossier import article on a tree that cannot be written


def test_fault10_new_on_a_read_only_tree_exits_2_with_a_message(run_cli, mini: Path) -> None:  # type: ignore[no-untyped-def]
    with read_only(mini):
        result = run_cli("new", "event", "Blocked event", "--date", "2024-01-02", "--tree", mini)
    assert result.code == 2
    no_traceback(result)
    assert result.err.startswith("dossier: ") and ("read-only" in result.err or "permission denied" in result.err)
    assert not (mini / "events" / "2024-01-02-blocked-event").exists()


def test_fault10_import_article_on_a_read_only_tree_exits_2_with_a_message(run_cli, mini: Path) -> None:  # type: ignore[no-untyped-def]
    with read_only(mini):
        result = run_cli("import", "article", ARTICLE, "--tree", mini)
    assert result.code == 2
    no_traceback(result)
    assert result.err.startswith("dossier: ") and ("read-only" in result.err or "permission denied" in result.err)


def test_fault10_a_file_where_the_folder_should_be_is_a_message_for_everyone(run_cli, mini: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.rmtree(mini / "events")
    (mini / "events").write_text("not a folder\n")
    result = run_cli("new", "event", "Blocked event", "--date", "2024-01-02", "--tree", mini)
    assert result.code == 2
    no_traceback(result)
    assert "dossier: events: a file is where a folder should be" in result.err
    shutil.rmtree(mini / "sources")
    (mini / "sources").write_text("not a folder\n")
    article = run_cli("import", "article", ARTICLE, "--tree", mini)
    assert article.code == 2 and "sources: a file is where a folder should be" in article.err


def test_fault10_new_on_a_full_disk_exits_2_naming_the_file(run_cli, mini: Path) -> None:  # type: ignore[no-untyped-def]
    with full_disk(mini / "events"):
        result = run_cli("new", "event", "Full disk", "--date", "2024-01-01", "--tree", mini)
        assert not (mini / "events" / "2024-01-01-full-disk" / "event.toml").exists()
    assert result.code == 2
    no_traceback(result)
    assert "dossier: events/2024-01-01-full-disk/event.toml: the disk is full" in result.err


# -- fault 4: dossier new invents no date


def test_fault4_new_event_without_a_date_has_no_date_key(run_cli, mini: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("new", "event", "Undated meeting", "--tree", mini, "--json")
    assert result.code == 0
    data = tomllib.loads(Path(result.json()["path"]).read_text())
    assert "date" not in data and result.json()["id"] == "undated-meeting"
    check = run_cli("check", "--tree", mini, "--json")
    errors = [p for p in check.json()["problems"] if "undated-meeting" in p["path"] and p["severity"] == "error"]
    assert not errors  # a missing date is not an error (a warning may say the policy wants a source)


# -- fault 14: export -o to a missing folder or an unwritable file


def test_fault14_export_to_a_missing_folder_exits_2_with_a_message(run_cli, mini: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "no-such-folder" / "out.json"
    result = run_cli("export", "--format", "json", "-o", target, "--tree", mini)
    assert result.code == 2
    no_traceback(result)
    assert f"cannot write {target}: the folder {target.parent} does not exist" in result.err
    csv = run_cli("export", "--format", "csv", "-o", mini / "dossier.toml" / "tables", "--tree", mini)
    assert csv.code == 2 and "cannot write the tables" in csv.err and "a file is where a folder should be" in csv.err


def test_fault14_export_to_an_unwritable_file_exits_2_with_a_message(run_cli, mini: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "out.json").write_text("old\n")
    with read_only(folder):
        result = run_cli("export", "--format", "ftm", "-o", folder / "out.json", "--tree", mini)
    assert result.code == 2
    no_traceback(result)
    assert f"cannot write {folder / 'out.json'}:" in result.err
    assert (folder / "out.json").read_text() == "old\n"


# -- smaller ones


def test_a_misspelt_command_is_named_with_the_one_meant(run_cli, mini: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("shwo", "mark-milley", "--tree", mini)
    assert result.code == 2
    assert "'shwo' is not a command; did you mean 'show'?" in result.err
    assert "mark-milley" not in result.err


def test_export_help_names_every_csv_table_written(run_cli, mini: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    written = run_cli("export", "--format", "csv", "-o", tmp_path / "tables", "--tree", mini)
    assert written.code == 0
    names = sorted(path.name for path in (tmp_path / "tables").iterdir())
    assert len(names) == 7
    shown = " ".join(run_cli("export", "--help").out.split())
    for name in names:
        assert name in shown, name


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names the flushed files through /proc (Linux)")
def test_timeline_import_flushes_only_what_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier.importers.timeline import TimelineImporter
    from dossier.store import Store

    def sync_everything() -> None:
        raise AssertionError("os.sync() flushes every file system on the machine")

    flushed: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        flushed.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "sync", sync_everything)
    monkeypatch.setattr(os, "fsync", fsync)
    tree = tmp_path / "tree"
    report = TimelineImporter(Store(tree)).run([FIXTURES.parent / "importers" / "fixtures" / "timeline"],
                                               update=False)
    assert report.written
    for folder in report.written:
        assert str(tree / folder) in flushed, folder
    assert all(path.startswith(str(tree)) for path in flushed), [p for p in flushed if not p.startswith(str(tree))]
