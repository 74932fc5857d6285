"""The index's writer lock: one writer at a time, across processes.

Inside a process, :class:`~dossier.index.core.Index` serialises writers with a thread lock; between
processes, this lock on ``write.lock`` in the index folder (``filelock``: ``flock`` on POSIX, ``msvcrt``
on Windows) is taken with a timeout, so that a second program on the same tree reads what is there
and never meets Whoosh's own lock. Only the index folder is locked this way: the store's per-file
lock on a user's file (``dossier.atomic``) must never create, truncate or remove that file.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any


class IndexBusy(RuntimeError):
    """Another process holds the index for writing longer than we were willing to wait."""


class IndexWriteError(RuntimeError):
    """The index folder could not be written (a full or read-only disk); the index is as it was."""

    def __init__(self, folder: Path, error: OSError, freed: int = 0) -> None:
        self.folder = folder
        self.error = error
        reason = os.strerror(error.errno) if error.errno else str(error)
        if error.errno == errno.ENOSPC:
            reason = "the disk is full"
        elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            reason = "the folder cannot be written"
        freed_text = f"; the {freed} partly written file(s) were removed" if freed else ""
        super().__init__(f"the index in {folder} could not be updated: {reason}{freed_text}. "
                         "It still answers with what it held; free some space (or choose another folder "
                         "with --index / DOSSIER_INDEX) and run `dossier index`")


#: How often a waiting writer tries again (another writer's commit takes tens of milliseconds).
POLL_SECONDS = 0.01


class WriterLock:
    """The inter-process lock of one index folder; re-entrant within the process that holds it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: Any = None  # made when first taken: a command that only reads never imports filelock

    def acquire(self, timeout: float) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds; False when another process kept it."""
        import filelock

        if self._lock is None:
            # One lock for the whole Index, whichever thread writes: the Index's own thread lock
            # already lets one thread at a time in.
            self._lock = filelock.FileLock(self.path, thread_local=False)
        # The index folder may have been deleted under a running program: it is made again.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=timeout, poll_interval=POLL_SECONDS)
        except filelock.Timeout:
            return False
        return True

    def release(self) -> None:
        if self._lock is not None and self._lock.is_locked:
            self._lock.release()
