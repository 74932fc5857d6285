"""Writing a file atomically: readers see the old file or the new one, whole, never a mix.

Used by the store for entries and by the browser for its configuration. ``expect`` makes a write
a compare-and-replace, so that an edit never overwrites what another program wrote meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


class StoreError(Exception):
    """A write the store refused, with a message for the user."""


class ChangedOnDisk(StoreError):
    """The file changed between reading it and writing it: the write was not made."""


def atomic_write(path: Path, content: bytes, *, expect: bytes | None = None, sync: bool = True) -> None:
    """Replace ``path`` with ``content`` so that readers see the old or the new file, whole.

    The temporary file is a hidden sibling (same file system, so the rename is
    atomic; hidden, so scanners and watchers skip it). When ``expect`` is given
    and the file no longer holds it, nothing is written.
    """
    folder = path.parent
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = stat.S_IMODE(path.stat().st_mode)
    _remove_stale_temp_files(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, mode if mode is not None else 0o644)
        if expect is None:
            os.replace(tmp_name, path)
        else:
            # Compare and replace under a lock on the file being replaced: two programs that
            # read the same version cannot both pass the comparison (the second would lose
            # the first one's edit). A writer that waited finds the file replaced and stops.
            with _locked(path):
                try:
                    current = path.read_bytes()
                except FileNotFoundError:
                    current = None
                if current != expect:
                    raise ChangedOnDisk(f"{path.name} changed on disk while it was being edited; nothing was written")
                os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            exc.filename = str(path)  # a full disk fails in write(), which names no file: name the one meant
        raise
    if sync:
        _fsync_folder(folder)


#: A temporary file of ours this old was left by a write that was killed (writes take milliseconds).
STALE_TEMP_SECONDS = 600


def _remove_stale_temp_files(path: Path) -> None:
    """Remove what killed writes of this file left behind: git would show them as untracked."""
    try:
        with os.scandir(path.parent) as it:
            names = [e.name for e in it if e.name.startswith(f".{path.name}.") and e.name.endswith(".tmp")]
    except OSError:
        return
    now = time.time()
    for name in names:
        stale = path.parent / name
        with contextlib.suppress(OSError):
            if now - stale.lstat().st_mtime > STALE_TEMP_SECONDS:
                stale.unlink()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on the file now at ``path`` (none where there is no flock)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the comparison alone still catches most races
        yield
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
